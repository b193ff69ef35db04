// Package storeguard keeps a server healthy while its database comes and
// goes. A Guard wraps a regiongraph.Store: every call runs under a deadline.
// A call that fails with UNAVAILABLE (the database unreachable) opens the
// guard; a call that misses its deadline opens it only when a probe (the
// store's Ready, bounded by ProbeTimeout, one shared by every call that
// timed out meanwhile) does not answer either: a database that answers was
// only slow for that call, which fails UNAVAILABLE alone. While the guard
// is open calls fail at once with UNAVAILABLE instead of each waiting on a
// dead connection, and a background probe retries Ready with exponential
// backoff; when the probe succeeds the guard closes and calls go through
// again, without a restart.
package storeguard

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	rg "github.com/regiongraph/regiongraph"
)

// Options configure a Guard.
type Options struct {
	// CallTimeout bounds every call (reads and writes). Default 10s.
	CallTimeout time.Duration
	// WholeGraphTimeout bounds, instead of CallTimeout when it is longer, a
	// read of the whole graph (Subgraph without roots: what a whole-graph
	// analysis reads), which takes as long as the graph is large, not as
	// long as the database is slow (8 to 11 s for a national graph in
	// Neo4j). Without it such a read times out and opens the guard for
	// every request. It runs in the analysis cache's own computation, which
	// has no deadline of a request's (it is cancelled when its last
	// caller leaves), so it cannot take the caller's. Default CallTimeout.
	WholeGraphTimeout time.Duration
	// MinBackoff is the first wait between probes; it doubles up to
	// MaxBackoff. Defaults 250ms and 4s: a database that comes back is
	// found within MaxBackoff (plus one probe), and a probe of a database
	// that is down costs it one refused connection.
	MinBackoff, MaxBackoff time.Duration
	// ProbeTimeout bounds one probe (and Ready). Default CallTimeout: a
	// database that answers within the bound of a call is up, even when its
	// first answers are slow (a Neo4j that just restarted plans its first
	// queries on a cold JVM, seconds on a loaded machine); a shorter probe
	// would give up on it again and again.
	ProbeTimeout time.Duration
	Logger       *slog.Logger
}

// Readier is a store that can say whether its database answers.
type Readier interface {
	Ready(ctx context.Context) error
}

// Guard is a Store that fails fast while its database is unreachable.
type Guard struct {
	inner rg.Store
	ready func(context.Context) error
	o     Options

	mu      sync.Mutex
	down    bool
	reason  error
	probing bool
	// check is the probe in flight after calls that missed their
	// deadline, shared by them (nil when none runs).
	check  *check
	closed chan struct{}
	wg     sync.WaitGroup
}

var _ rg.Store = (*Guard)(nil)

// New guards s. Its readiness comes from s's Ready method; a store without
// one is probed with a Nodes call for no ids.
func New(s rg.Store, o Options) *Guard {
	if o.CallTimeout <= 0 {
		o.CallTimeout = 10 * time.Second
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = 250 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 4 * time.Second
	}
	if o.ProbeTimeout <= 0 {
		o.ProbeTimeout = o.CallTimeout
	}
	o.WholeGraphTimeout = max(o.WholeGraphTimeout, o.CallTimeout)
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	g := &Guard{inner: s, o: o, closed: make(chan struct{})}
	if r, ok := s.(Readier); ok {
		g.ready = r.Ready
	} else {
		g.ready = func(ctx context.Context) error { _, err := s.Nodes(ctx, nil); return err }
	}
	return g
}

// Ready reports nil when the guard is closed and the store answers; the
// reason otherwise (UNAVAILABLE). A store that fails or misses
// ProbeTimeout opens the guard; one that misses the caller's shorter
// deadline (a /readyz that answers within two seconds) is not ready for that
// caller, but that is not a sign that the database is gone.
func (g *Guard) Ready(ctx context.Context) error {
	if err := g.failFast(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeoutCause(ctx, g.o.ProbeTimeout, errCallTimeout)
	defer cancel()
	err := g.ready(ctx)
	if err == nil {
		return nil
	}
	err = unavailable(err)
	if ctx.Err() != nil && context.Cause(ctx) != errCallTimeout {
		return err
	}
	g.trip(err)
	return err
}

// Down reports whether the guard is open (calls fail fast).
func (g *Guard) Down() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.down
}

func (g *Guard) failFast() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.down {
		return rg.Errorf(rg.EUNAVAILABLE, "the database is unreachable (%s); retrying in the background", rg.ErrorMessage(g.reason))
	}
	return nil
}

// unavailable makes err an UNAVAILABLE error, keeping its chain.
func unavailable(err error) error {
	if rg.ErrorCode(err) == rg.EUNAVAILABLE {
		return err
	}
	return fmt.Errorf("%w: %w", rg.Errorf(rg.EUNAVAILABLE, "the database did not answer in time"), err)
}

// trip opens the guard and starts the probe, once.
func (g *Guard) trip(reason error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.closed:
		return
	default:
	}
	if !g.down {
		g.o.Logger.Warn("storeguard: database unreachable; failing fast and probing", "err", reason)
	}
	g.down, g.reason = true, reason
	if g.probing {
		return
	}
	g.probing = true
	g.wg.Add(1)
	go g.probe()
}

func (g *Guard) probe() {
	defer g.wg.Done()
	wait := g.o.MinBackoff
	since := time.Now()
	for n := 1; ; n++ {
		select {
		case <-g.closed:
			return
		case <-time.After(wait):
		}
		began := time.Now()
		err := g.probeOnce()
		g.mu.Lock()
		if err == nil {
			g.down, g.reason, g.probing = false, nil, false
			g.mu.Unlock()
			g.o.Logger.Info("storeguard: database reachable again", "probes", n, "down", time.Since(since).Round(time.Millisecond))
			return
		}
		g.reason = err
		g.mu.Unlock()
		g.o.Logger.Debug("storeguard: probe failed", "probe", n, "took", time.Since(began).Round(time.Millisecond), "err", err)
		wait = min(2*wait, g.o.MaxBackoff)
	}
}

// probeOnce runs the store's Ready under ProbeTimeout, in a goroutine of its
// own so that the bound holds even when the driver ignores its context.
func (g *Guard) probeOnce() error {
	ctx, cancel := context.WithTimeout(context.Background(), g.o.ProbeTimeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- g.ready(ctx) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return rg.Errorf(rg.EUNAVAILABLE, "the database did not answer a probe within %s", g.o.ProbeTimeout)
	case <-g.closed:
		return rg.Errorf(rg.EUNAVAILABLE, "the guard is closed")
	}
}

// call runs fn under CallTimeout unless the guard is open; an UNAVAILABLE
// error opens it, and so does a missed deadline that a probe confirms
// (timedOut). The call runs in its own goroutine so that the deadline holds
// even when the driver ignores its context.
func call[T any](g *Guard, ctx context.Context, fn func(context.Context) (T, error)) (T, error) {
	return callWithin(g, ctx, g.o.CallTimeout, fn)
}

// callWithin is call bounded by timeout instead of the call timeout.
func callWithin[T any](g *Guard, ctx context.Context, timeout time.Duration, fn func(context.Context) (T, error)) (T, error) {
	var zero T
	if err := g.failFast(); err != nil {
		return zero, err
	}
	parent := ctx
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, errCallTimeout)
	defer cancel()
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := fn(ctx)
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		switch {
		case r.err == nil:
			return r.v, nil
		case context.Cause(ctx) == errCallTimeout:
			// The driver gave up at the call's deadline.
			return zero, g.timedOut(parent, unavailable(r.err))
		case rg.ErrorCode(r.err) == rg.EUNAVAILABLE:
			g.trip(r.err)
			return zero, r.err
		}
		return zero, r.err
	case <-ctx.Done():
		if context.Cause(ctx) != errCallTimeout {
			// The caller gave up (its own deadline or cancellation): not a
			// sign that the database is gone.
			return zero, ctx.Err()
		}
		return zero, g.timedOut(parent, rg.Errorf(rg.EUNAVAILABLE, "the database did not answer within %s", timeout))
	}
}

// check is one probe after calls that missed their deadline; err is set
// before done is closed.
type check struct {
	done    chan struct{}
	err     error
	waiters int // the calls waiting on it
}

// timedOut handles a call that missed its own deadline (err, UNAVAILABLE):
// a slow query is not a dead database (a Neo4j just started counts 55 000
// nodes in seconds on a cold JVM), so before the guard opens the store is
// probed (Ready, bounded by ProbeTimeout). If it answers, the guard stays
// closed and only this call fails; if not, the guard opens. Calls that time
// out while a probe runs wait for that one (no probe per call). The call
// waits for the probe's answer unless its caller (parent) gives up first;
// the probe then still decides.
func (g *Guard) timedOut(parent context.Context, err error) error {
	g.mu.Lock()
	select {
	case <-g.closed:
		g.mu.Unlock()
		return err
	default:
	}
	if g.down {
		// Opened meanwhile: the background probe is at work.
		g.mu.Unlock()
		return err
	}
	c := g.check
	if c == nil {
		c = &check{done: make(chan struct{})}
		g.check = c
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			c.err = g.probeOnce()
			// Open before the waiting calls return, so that the next
			// call fails fast.
			if c.err != nil {
				g.trip(fmt.Errorf("%w; a probe after it: %w", err, c.err))
			} else {
				g.mu.Lock()
				waiters := c.waiters
				g.mu.Unlock()
				g.o.Logger.Warn("storeguard: calls missed their deadline, but the database answers a probe: the guard stays closed", "calls", waiters, "err", err)
			}
			g.mu.Lock()
			g.check = nil
			g.mu.Unlock()
			close(c.done)
		}()
	}
	c.waiters++
	g.mu.Unlock()
	select {
	case <-c.done:
		if c.err == nil {
			return fmt.Errorf("%w; the database answers a probe: this call alone was slow", err)
		}
		return err
	case <-parent.Done():
		return err
	}
}

var errCallTimeout = errors.New("storeguard: call timeout")

func (g *Guard) Nodes(ctx context.Context, ids []string) ([]*rg.Node, error) {
	return call(g, ctx, func(ctx context.Context) ([]*rg.Node, error) { return g.inner.Nodes(ctx, ids) })
}

func (g *Guard) FindNodes(ctx context.Context, f rg.NodeFilter) (rg.NodePage, error) {
	return call(g, ctx, func(ctx context.Context) (rg.NodePage, error) { return g.inner.FindNodes(ctx, f) })
}

func (g *Guard) Search(ctx context.Context, q rg.SearchQuery) (rg.SearchResult, error) {
	return call(g, ctx, func(ctx context.Context) (rg.SearchResult, error) { return g.inner.Search(ctx, q) })
}

func (g *Guard) Edges(ctx context.Context, f rg.EdgeFilter) ([]*rg.Edge, error) {
	return call(g, ctx, func(ctx context.Context) ([]*rg.Edge, error) { return g.inner.Edges(ctx, f) })
}

func (g *Guard) Expand(ctx context.Context, f rg.EdgeFilter) (rg.Expansion, error) {
	return call(g, ctx, func(ctx context.Context) (rg.Expansion, error) { return g.inner.Expand(ctx, f) })
}

func (g *Guard) Stats(ctx context.Context) (rg.GraphStats, error) {
	return call(g, ctx, func(ctx context.Context) (rg.GraphStats, error) { return g.inner.Stats(ctx) })
}

// Subgraph of the whole graph (no roots) is bounded by WholeGraphTimeout,
// a neighbourhood (roots) by the call timeout.
func (g *Guard) Subgraph(ctx context.Context, f rg.SubgraphFilter) (*rg.Subgraph, error) {
	timeout := g.o.CallTimeout
	if len(f.Roots) == 0 {
		timeout = g.o.WholeGraphTimeout
	}
	return callWithin(g, ctx, timeout, func(ctx context.Context) (*rg.Subgraph, error) { return g.inner.Subgraph(ctx, f) })
}

func (g *Guard) ShortestPaths(ctx context.Context, from, to string, o rg.PathOptions) ([]rg.Path, error) {
	return call(g, ctx, func(ctx context.Context) ([]rg.Path, error) { return g.inner.ShortestPaths(ctx, from, to, o) })
}

// Apply is bounded like every call. A write whose answer is lost (deadline,
// dropped connection) has an unknown outcome: clients retry it, which is
// safe because writes name their ids (a retried create finds the node and
// says CONFLICT; upserts are idempotent).
func (g *Guard) Apply(ctx context.Context, changes []rg.Change) (rg.ApplyResult, error) {
	return call(g, ctx, func(ctx context.Context) (rg.ApplyResult, error) { return g.inner.Apply(ctx, changes) })
}

// Close stops the probe and closes the store.
func (g *Guard) Close() error {
	g.mu.Lock()
	select {
	case <-g.closed:
	default:
		close(g.closed)
	}
	g.mu.Unlock()
	g.wg.Wait()
	return g.inner.Close()
}

func (g *Guard) History(ctx context.Context, f rg.HistoryFilter) (rg.HistoryPage, error) {
	return call(g, ctx, func(ctx context.Context) (rg.HistoryPage, error) { return g.inner.History(ctx, f) })
}

// NodeDegrees passes regiongraph.NodeDegreer through, bounded like every
// call; a store that cannot tell them answers regiongraph.ErrNoNodeDegrees.
func (g *Guard) NodeDegrees(ctx context.Context, id string) (rg.GraphStats, error) {
	if _, ok := g.inner.(rg.NodeDegreer); !ok {
		return rg.GraphStats{}, rg.ErrNoNodeDegrees
	}
	return call(g, ctx, func(ctx context.Context) (rg.GraphStats, error) { return rg.NodeDegreesOf(ctx, g.inner, id) })
}

// GraphVersion passes regiongraph.Versioned through, bounded like every
// call; a store that is not Versioned answers regiongraph.ErrNoVersion.
func (g *Guard) GraphVersion(ctx context.Context) (rg.GraphVersion, error) {
	if _, ok := g.inner.(rg.Versioned); !ok {
		return rg.GraphVersion{}, rg.ErrNoVersion
	}
	return call(g, ctx, func(ctx context.Context) (rg.GraphVersion, error) { return rg.VersionOf(ctx, g.inner) })
}
