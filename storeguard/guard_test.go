package storeguard_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/storeguard"
)

// flaky is a store whose database is up, down (every call UNAVAILABLE) or
// hanging (every call blocks until its context ends, or forever when
// ignoreCtx is set).
type flaky struct {
	rg.Store
	mu        sync.Mutex
	state     string // "up", "down", "hang"
	ignoreCtx bool
	calls     atomic.Int64
	probes    atomic.Int64
	release   chan struct{}
}

func newFlaky() *flaky { return &flaky{state: "up", release: make(chan struct{})} }

func (f *flaky) set(s string) {
	f.mu.Lock()
	f.state = s
	f.mu.Unlock()
}

func (f *flaky) do(ctx context.Context) error {
	f.mu.Lock()
	s := f.state
	f.mu.Unlock()
	switch s {
	case "down":
		return rg.Errorf(rg.EUNAVAILABLE, "connection refused")
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
	f.probes.Add(1)
	return f.do(ctx)
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
	if took := time.Since(start); took > 50*time.Millisecond {
		t.Errorf("100 calls on an open guard took %v", took)
	}
	if n := f.calls.Load() - before; n != 0 {
		t.Errorf("%d calls reached the store while the guard was open", n)
	}
	if err := g.Ready(ctx); rg.ErrorCode(err) != rg.EUNAVAILABLE {
		t.Errorf("Ready while down: %v", err)
	}
	// Probes back off while the database stays down.
	time.Sleep(400 * time.Millisecond)
	if p := f.probes.Load(); p < 3 || p > 10 {
		t.Errorf("%d probes in 400ms with backoff 20ms doubling to 80ms; want 3 to 10", p)
	}
	// The database comes back: the guard closes without a restart.
	f.set("up")
	deadline := time.Now().Add(2 * time.Second)
	for g.Down() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if g.Down() {
		t.Fatal("the guard did not close after the database came back")
	}
	if _, err := g.Nodes(ctx, nil); err != nil {
		t.Errorf("after recovery: %v", err)
	}
	if err := g.Ready(ctx); err != nil {
		t.Errorf("Ready after recovery: %v", err)
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
		start := time.Now()
		_, err := g.Nodes(context.Background(), nil)
		took := time.Since(start)
		if rg.ErrorCode(err) != rg.EUNAVAILABLE {
			t.Errorf("ignoreCtx=%v: %v, want UNAVAILABLE", ignore, err)
		}
		if took > time.Second {
			t.Errorf("ignoreCtx=%v: a hanging call took %v with a 150ms call timeout", ignore, took)
		}
		start = time.Now()
		if _, err := g.Nodes(context.Background(), nil); rg.ErrorCode(err) != rg.EUNAVAILABLE || time.Since(start) > 20*time.Millisecond {
			t.Errorf("ignoreCtx=%v: the next call: %v after %v, want UNAVAILABLE at once", ignore, err, time.Since(start))
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
