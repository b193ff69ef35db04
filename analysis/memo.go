package analysis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"

	rg "github.com/regiongraph/regiongraph"
)

// memo computes each keyed value once and shares it between concurrent and
// later callers (a result cache with singleflight). It keeps at most max
// values, dropping the least recently used.
//
// A computation does not belong to the request that started it: it runs in
// its own goroutine with its own context, which is cancelled when every
// caller waiting for it has gone (its deadline passed or its client went
// away). The last caller to leave waits for the computation to stop, which
// the computations make prompt by checking their context every few
// milliseconds of work, so that no work outlives the requests that asked for
// it. A computation stopped that way, or failing with anything but
// BAD_USER_INPUT (which is the same answer every time for the same graph),
// is forgotten, so that the next caller starts afresh.
type memo struct {
	mu    sync.Mutex
	max   int
	tick  uint64
	calls map[string]*call
}

type call struct {
	done    chan struct{}
	val     any
	err     error
	waiters int
	used    uint64
	cancel  context.CancelFunc
}

func newMemo(max int) *memo { return &memo{max: max, calls: map[string]*call{}} }

// running counts computations in progress, including those whose callers
// have all gone and that are stopping.
var running atomic.Int64

// Running returns the number of analysis computations in progress in this
// process, including any that are stopping because their requests have
// gone: for a metric of work still running after its answer.
func Running() int64 { return running.Load() }

// do returns the value for key, computing it with fn unless it is cached
// or being computed. It returns ctx's error (wrapped) when ctx is done
// first.
func do[T any](ctx context.Context, m *memo, key string, fn func(ctx context.Context) (T, error)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, fmt.Errorf("analysis: %w", err)
	}
	m.mu.Lock()
	m.tick++
	c := m.calls[key]
	if c == nil {
		cctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		c = &call{done: make(chan struct{}), cancel: cancel}
		m.calls[key] = c
		m.evict()
		running.Add(1)
		go m.run(cctx, key, c, func(ctx context.Context) (any, error) { return fn(ctx) })
	}
	c.waiters++
	c.used = m.tick
	m.mu.Unlock()

	select {
	case <-c.done:
		m.mu.Lock()
		c.waiters--
		m.mu.Unlock()
		if c.err != nil {
			return zero, c.err
		}
		return c.val.(T), nil
	case <-ctx.Done():
		m.mu.Lock()
		c.waiters--
		last := c.waiters == 0
		if last {
			c.cancel()
			if m.calls[key] == c {
				delete(m.calls, key)
			}
		}
		m.mu.Unlock()
		if last {
			<-c.done
		}
		return zero, fmt.Errorf("analysis: %w", ctx.Err())
	}
}

func (m *memo) run(ctx context.Context, key string, c *call, fn func(ctx context.Context) (any, error)) {
	defer running.Add(-1)
	defer close(c.done)
	defer c.cancel()
	defer func() {
		if r := recover(); r != nil {
			slog.Error("analysis: computation panicked", "key", key, "panic", r, "stack", string(debug.Stack()))
			c.val, c.err = nil, rg.Errorf(rg.EINTERNAL, "the analysis failed unexpectedly")
		}
		if c.err != nil && (rg.ErrorCode(c.err) != rg.EBADINPUT || errors.Is(c.err, context.Canceled) || errors.Is(c.err, context.DeadlineExceeded)) {
			m.mu.Lock()
			if m.calls[key] == c {
				delete(m.calls, key)
			}
			m.mu.Unlock()
		}
	}()
	c.val, c.err = fn(ctx)
}

// evict drops the least recently used finished values beyond max. Values
// being computed are never dropped. Called with mu held.
func (m *memo) evict() {
	for len(m.calls) > m.max {
		var oldest string
		var ou uint64
		found := false
		for k, c := range m.calls {
			select {
			case <-c.done:
			default:
				continue
			}
			if !found || c.used < ou {
				oldest, ou, found = k, c.used, true
			}
		}
		if !found {
			return
		}
		delete(m.calls, oldest)
	}
}

// stopper turns a context's end into a flag that tight loops can read
// cheaply (an atomic load), for work split over goroutines.
type stopper struct {
	ctx     context.Context
	flag    atomic.Bool
	release func() bool
}

func watch(ctx context.Context) *stopper {
	s := &stopper{ctx: ctx}
	s.release = context.AfterFunc(ctx, func() { s.flag.Store(true) })
	if ctx.Err() != nil {
		s.flag.Store(true)
	}
	return s
}

func (s *stopper) stopped() bool { return s.flag.Load() }

// err returns the context's error, wrapped with what, once stopped.
func (s *stopper) err(what string) error {
	if err := s.ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// checkEvery is how many inner-loop steps (a neighbour looked at) pass
// between two looks at the stop flag: some tens of microseconds of work.
const checkEvery = 1 << 14

// seed copies from's finished values for keys into m.
func (m *memo) seed(from *memo, keys ...string) {
	from.mu.Lock()
	defer from.mu.Unlock()
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range keys {
		c := from.calls[k]
		if c == nil {
			continue
		}
		select {
		case <-c.done:
		default:
			continue
		}
		if c.err != nil {
			continue
		}
		done := make(chan struct{})
		close(done)
		m.calls[k] = &call{done: done, val: c.val, cancel: func() {}}
	}
}
