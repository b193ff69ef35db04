package storeguard_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/storeguard"
)

// flaky is a store whose database is up, down (every call UNAVAILABLE),
// slow (every call answers after the duration slow, unless its context ends
// first) or hanging (every call blocks until its context ends, or forever
// when ignoreCtx is set).
type flaky struct {
	rg.Store
	mu    sync.Mutex
	state string // "up", "down", "slow", "hang"
	// readyState, when set, is the state Ready answers in instead.
	readyState string
	slow       time.Duration
	ignoreCtx  bool
	calls      atomic.Int64
	probes     atomic.Int64
	release    chan struct{}
	probedAt   []time.Time // when each probe started
}

func newFlaky() *flaky { return &flaky{state: "up", release: make(chan struct{})} }

func (f *flaky) set(s string) {
	f.mu.Lock()
	f.state = s
	f.mu.Unlock()
}

func (f *flaky) do(ctx context.Context) error { return f.doAs(ctx, false) }

func (f *flaky) doAs(ctx context.Context, ready bool) error {
	f.mu.Lock()
	s := f.state
	if ready && f.readyState != "" {
		s = f.readyState
	}
	f.mu.Unlock()
	switch s {
	case "down":
		return rg.Errorf(rg.EUNAVAILABLE, "connection refused")
	case "slow":
		select {
		case <-time.After(f.slow):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	case "hang":
		if f.ignoreCtx {
			<-f.release
			return errors.New("released")
		}
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

func (f *flaky) Nodes(ctx context.Context, ids []string) ([]*rg.Node, error) {
	f.calls.Add(1)
	if err := f.do(ctx); err != nil {
		return nil, err
	}
	return []*rg.Node{}, nil
}

func (f *flaky) Ready(ctx context.Context) error {
	f.mu.Lock()
	f.probedAt = append(f.probedAt, time.Now())
	f.mu.Unlock()
	f.probes.Add(1)
	return f.doAs(ctx, true)
}

// hangBound only catches a call that never returns: it is far beyond every
// timeout the tests configure, so a loaded machine cannot reach it.
const hangBound = time.Minute

// waitFor polls ok until it holds, failing the test after hangBound.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(hangBound)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, hangBound)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (f *flaky) Close() error { return nil }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestFailFastAndRecoverWithoutRestart(t *testing.T) {
	f := newFlaky()
	g := storeguard.New(f, storeguard.Options{CallTimeout: time.Second, MinBackoff: 20 * time.Millisecond, MaxBackoff: 80 * time.Millisecond, Logger: quiet})
	defer g.Close()
	ctx := context.Background()
	if _, err := g.Nodes(ctx, nil); err != nil {
		t.Fatalf("up: %v", err)
	}
	f.set("down")
	if _, err := g.Nodes(ctx, nil); rg.ErrorCode(err) != rg.EUNAVAILABLE {
		t.Fatalf("down: %v, want UNAVAILABLE", err)
	}
	if !g.Down() {
		t.Fatal("the guard did not open")
	}
	// Open: calls fail at once, without reaching the store.
	before := f.calls.Load()
	start := time.Now()
	for i := 0; i < 100; i++ {
		if _, err := g.Nodes(ctx, nil); rg.ErrorCode(err) != rg.EUNAVAILABLE {
			t.Fatalf("open guard: %v", err)
		}
	}
	t.Logf("100 calls on an open guard took %v", time.Since(start))
	if n := f.calls.Load() - before; n != 0 {
		t.Errorf("%d calls reached the store while the guard was open", n)
	}
	if err := g.Ready(ctx); rg.ErrorCode(err) != rg.EUNAVAILABLE {
		t.Errorf("Ready while down: %v", err)
	}
	// Probes back off while the database stays down: the waits between
	// them are at least 40ms, 80ms, 80ms (20ms doubling to 80ms). Only
	// lower bounds are checked: a loaded machine makes the waits longer,
	// never shorter.
	waitFor(t, "four probes while the database is down", func() bool { return f.probes.Load() >= 4 })
	f.mu.Lock()
	at := slices.Clone(f.probedAt[:4])
	f.mu.Unlock()
	for i, want := range []time.Duration{40 * time.Millisecond, 80 * time.Millisecond, 80 * time.Millisecond} {
		if gap := at[i+1].Sub(at[i]); gap < want {
			t.Errorf("probe %d came %v after probe %d; the backoff is %v", i+2, gap, i+1, want)
		}
	}
	t.Logf("gaps between the first probes: %v, %v, %v", at[1].Sub(at[0]), at[2].Sub(at[1]), at[3].Sub(at[2]))
	// The database comes back: the guard closes without a restart.
	f.set("up")
	waitFor(t, "the guard closes after the database came back", func() bool { return !g.Down() })
	if _, err := g.Nodes(ctx, nil); err != nil {
		t.Errorf("after recovery: %v", err)
	}
	if err := g.Ready(ctx); err != nil {
		t.Errorf("Ready after recovery: %v", err)
	}
}

// TestSlowDatabaseIsFoundReady: a database that comes back answering
// slowly (a Neo4j restarted on a cold JVM takes seconds to plan its first
// queries on a loaded machine) is up as long as it answers within the bound
// of a call: with the default options the probe waits for it as long as a
// call would, and the guard closes. (A probe bounded by less than the call
// timeout gave up on such a database at every attempt.)
func TestSlowDatabaseIsFoundReady(t *testing.T) {
	f := newFlaky()
	g := storeguard.New(f, storeguard.Options{Logger: quiet}) // CallTimeout 10s
	defer g.Close()
	f.set("down")
	if _, err := g.Nodes(context.Background(), nil); rg.ErrorCode(err) != rg.EUNAVAILABLE || !g.Down() {
		t.Fatalf("down: %v (guard down %v)", err, g.Down())
	}
	f.slow = 2500 * time.Millisecond
	f.set("slow")
	start := time.Now()
	waitFor(t, "the guard closes once the slow database answers a probe", func() bool { return !g.Down() })
	t.Logf("closed %v after the database came back answering in %v, after %d probes", time.Since(start), f.slow, f.probes.Load())
	f.set("up")
	if _, err := g.Nodes(context.Background(), nil); err != nil {
		t.Errorf("after recovery: %v", err)
	}
}

// TestHangingDatabaseIsBounded: a database that accepts and never answers
// (even one whose driver ignores the context) costs a call CallTimeout at
// most, and then opens the guard.
func TestHangingDatabaseIsBounded(t *testing.T) {
	for _, ignore := range []bool{false, true} {
		f := newFlaky()
		f.ignoreCtx = ignore
		f.set("hang")
		g := storeguard.New(f, storeguard.Options{CallTimeout: 150 * time.Millisecond, ProbeTimeout: 100 * time.Millisecond, MinBackoff: 50 * time.Millisecond, Logger: quiet})
		// The store never answers on its own (with ignoreCtx not even when
		// the context ends), so a call that returns at all was cut off by
		// the guard.
		start := time.Now()
		done := make(chan error, 1)
		go func() {
			_, err := g.Nodes(context.Background(), nil)
			done <- err
		}()
		var err error
		select {
		case err = <-done:
		case <-time.After(hangBound):
			t.Fatalf("ignoreCtx=%v: a call to a hanging database did not return within %v; the call timeout is 150ms", ignore, hangBound)
		}
		if rg.ErrorCode(err) != rg.EUNAVAILABLE {
			t.Errorf("ignoreCtx=%v: %v, want UNAVAILABLE", ignore, err)
		}
		t.Logf("ignoreCtx=%v: a hanging call answered after %v (call timeout 150ms)", ignore, time.Since(start))
		// The guard is open now: the next call fails without reaching
		// the store.
		before := f.calls.Load()
		if _, err := g.Nodes(context.Background(), nil); rg.ErrorCode(err) != rg.EUNAVAILABLE {
			t.Errorf("ignoreCtx=%v: the next call: %v, want UNAVAILABLE", ignore, err)
		}
		if n := f.calls.Load() - before; n != 0 {
			t.Errorf("ignoreCtx=%v: the next call reached the hanging store", ignore)
		}
		close(f.release)
		f.set("up")
		_ = g.Close()
	}
}

// TestCallerDeadlineDoesNotTrip: a caller giving up is not the database
// going away.
func TestCallerDeadlineDoesNotTrip(t *testing.T) {
	f := newFlaky()
	f.set("hang")
	g := storeguard.New(f, storeguard.Options{CallTimeout: 5 * time.Second, Logger: quiet})
	defer g.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := g.Nodes(ctx, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("caller deadline: %v", err)
	}
	if g.Down() {
		t.Error("the caller's own deadline opened the guard")
	}
	f.set("up")
}

// TestCallerDeadlineOnReadyDoesNotTrip: a /readyz that gives up before the
// store answers gets UNAVAILABLE, but the guard stays closed: calls, bounded
// by CallTimeout, still reach the store.
func TestCallerDeadlineOnReadyDoesNotTrip(t *testing.T) {
	f := newFlaky()
	f.set("hang")
	g := storeguard.New(f, storeguard.Options{CallTimeout: 5 * time.Second, Logger: quiet})
	defer g.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := g.Ready(ctx); rg.ErrorCode(err) != rg.EUNAVAILABLE {
		t.Errorf("Ready past the caller's deadline: %v, want UNAVAILABLE", err)
	}
	if g.Down() {
		t.Error("the caller's own deadline on Ready opened the guard")
	}
	f.set("up")
	if _, err := g.Nodes(context.Background(), nil); err != nil {
		t.Errorf("a call after it: %v", err)
	}
}

// TestOtherErrorsPassThrough: NOT_FOUND and the like are answers, not
// outages.
func TestOtherErrorsPassThrough(t *testing.T) {
	g := storeguard.New(&notFound{}, storeguard.Options{Logger: quiet})
	defer g.Close()
	if _, err := g.Nodes(context.Background(), nil); rg.ErrorCode(err) != rg.ENOTFOUND || g.Down() {
		t.Errorf("%v (down %v)", err, g.Down())
	}
}

type notFound struct{ rg.Store }

func (notFound) Nodes(context.Context, []string) ([]*rg.Node, error) {
	return nil, rg.Errorf(rg.ENOTFOUND, "no such node")
}
func (notFound) Close() error { return nil }

func (f *flaky) Subgraph(ctx context.Context, sf rg.SubgraphFilter) (*rg.Subgraph, error) {
	f.calls.Add(1)
	if err := f.do(ctx); err != nil {
		return nil, err
	}
	return &rg.Subgraph{}, nil
}

// TestWholeGraphReadHasItsOwnTimeout: reading the whole graph (Subgraph
// without roots, what an analysis reads) takes longer than a call on a
// large graph: bounded by WholeGraphTimeout, it answers and the guard
// stays closed. A neighbourhood (with roots) is bounded by the call
// timeout as every call is, and so is a whole-graph read slower than
// WholeGraphTimeout.
func TestWholeGraphReadHasItsOwnTimeout(t *testing.T) {
	f := newFlaky()
	f.slow = 300 * time.Millisecond
	f.set("slow")
	g := storeguard.New(f, storeguard.Options{CallTimeout: 100 * time.Millisecond, WholeGraphTimeout: hangBound, ProbeTimeout: time.Second, MinBackoff: 10 * time.Millisecond, Logger: quiet})
	defer g.Close()
	if _, err := g.Subgraph(context.Background(), rg.SubgraphFilter{}); err != nil {
		t.Fatalf("a whole-graph read slower than the call timeout, within WholeGraphTimeout: %v", err)
	}
	if g.Down() {
		t.Fatal("a slow whole-graph read opened the guard")
	}
	if _, err := g.Subgraph(context.Background(), rg.SubgraphFilter{Roots: []string{"a"}, Depth: 2}); rg.ErrorCode(err) != rg.EUNAVAILABLE {
		t.Errorf("a neighbourhood slower than the call timeout: %v, want UNAVAILABLE", err)
	}
	f.set("up")
	waitFor(t, "the guard closed again", func() bool { return !g.Down() })
	f.set("slow")
	short := storeguard.New(f, storeguard.Options{CallTimeout: 100 * time.Millisecond, WholeGraphTimeout: 150 * time.Millisecond, Logger: quiet})
	defer short.Close()
	if _, err := short.Subgraph(context.Background(), rg.SubgraphFilter{}); rg.ErrorCode(err) != rg.EUNAVAILABLE {
		t.Errorf("a whole-graph read slower than WholeGraphTimeout: %v, want UNAVAILABLE", err)
	}
	f.set("up")
}

// TestSlowCallOnAnsweringDatabaseKeepsGuardClosed: a call that misses its
// deadline while the database answers a probe (a slow count on a Neo4j
// just started) fails UNAVAILABLE alone: the guard stays closed and the
// next call reaches the store.
func TestSlowCallOnAnsweringDatabaseKeepsGuardClosed(t *testing.T) {
	f := newFlaky()
	f.set("hang")
	f.readyState = "up"
	g := storeguard.New(f, storeguard.Options{CallTimeout: 50 * time.Millisecond, ProbeTimeout: hangBound, Logger: quiet})
	defer g.Close()
	_, err := g.Nodes(context.Background(), nil)
	if rg.ErrorCode(err) != rg.EUNAVAILABLE {
		t.Fatalf("a call past its deadline: %v, want UNAVAILABLE", err)
	}
	t.Logf("the slow call: %v", err)
	if n := f.probes.Load(); n != 1 {
		t.Errorf("%d probes after the slow call, want 1", n)
	}
	if g.Down() {
		t.Fatal("a slow call opened the guard although the database answered the probe")
	}
	f.set("up")
	before := f.calls.Load()
	if _, err := g.Nodes(context.Background(), nil); err != nil {
		t.Errorf("the next call: %v", err)
	}
	if f.calls.Load() == before {
		t.Error("the next call did not reach the store")
	}
}

// TestSlowCallOnSilentDatabaseOpensGuard: a call that misses its deadline
// while the probe after it hangs past ProbeTimeout, or fails, opens the
// guard before the call returns: the next call fails fast without reaching
// the store.
func TestSlowCallOnSilentDatabaseOpensGuard(t *testing.T) {
	for _, ready := range []string{"hang", "down"} {
		f := newFlaky()
		f.set("hang")
		f.readyState = ready
		g := storeguard.New(f, storeguard.Options{CallTimeout: 50 * time.Millisecond, ProbeTimeout: 50 * time.Millisecond, MinBackoff: hangBound, Logger: quiet})
		if _, err := g.Nodes(context.Background(), nil); rg.ErrorCode(err) != rg.EUNAVAILABLE {
			t.Errorf("probe %s: a call past its deadline: %v, want UNAVAILABLE", ready, err)
		}
		if !g.Down() {
			t.Errorf("probe %s: the guard is closed after a slow call whose probe did not answer", ready)
		}
		before := f.calls.Load()
		if _, err := g.Nodes(context.Background(), nil); rg.ErrorCode(err) != rg.EUNAVAILABLE {
			t.Errorf("probe %s: the next call: %v, want UNAVAILABLE", ready, err)
		}
		if n := f.calls.Load() - before; n != 0 {
			t.Errorf("probe %s: the next call reached the store on an open guard", ready)
		}
		_ = g.Close()
	}
}
