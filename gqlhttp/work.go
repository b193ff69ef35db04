package gqlhttp

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	rg "github.com/regiongraph/regiongraph"
)

// Work runs the analysis computations of every route. At most
// MaxAnalysisConcurrent run at once (one waits up to QueueWait for a
// place), each under AnalysisTimeout. The results of the routes beside
// /graphql (the map's data, the exports, the briefs) are also shared and
// cached: identical requests that arrive while one computes wait for its
// result rather than computing it again, and a result is kept, keyed by the
// store's version and the request, until the graph changes or newer
// results push it out. Forty identical map requests cost one computation.
//
// A computation stops when its budget runs out or when every request
// waiting for it has gone (each leaves at its own deadline, or when its
// client goes away); the last to leave keeps its place in its route's pool
// (see Track) until the computation has stopped.
type Work struct {
	store rg.Store
	lim   Limits
	obs   WorkObserver
	log   *slog.Logger
	sem   chan struct{}

	mu      sync.Mutex
	flights map[string]*flight
	cache   *resultCache
}

// WorkObserver is told what the computations do (the metrics).
type WorkObserver interface {
	// Computations is called with +1 when a computation takes a place
	// among MaxAnalysisConcurrent and -1 when it has stopped.
	Computations(delta int)
	// Cached reports how a shared computation was found: "hit" (a cached
	// result), "shared" (joined one running) or "miss" (started one).
	Cached(result string)
}

// Cache bounds.
const (
	cacheEntries    = 64
	cacheBytes      = 64 << 20
	cacheEntryBytes = 16 << 20 // larger results are not kept
)

// NewWork returns the computations' runner over store. obs and log may be
// nil.
func NewWork(store rg.Store, lim Limits, obs WorkObserver, log *slog.Logger) *Work {
	lim = lim.withDefaults()
	if log == nil {
		log = slog.Default()
	}
	return &Work{store: store, lim: lim, obs: obs, log: log, sem: make(chan struct{}, lim.MaxAnalysisConcurrent),
		flights: map[string]*flight{}, cache: newResultCache(cacheEntries, cacheBytes)}
}

// slot takes one of the MaxAnalysisConcurrent places, waiting up to
// QueueWait, or returns an *OverloadedError (or ctx's error).
func (wk *Work) slot(ctx context.Context) (release func(), err error) {
	acquired := func() func() {
		if wk.obs != nil {
			wk.obs.Computations(1)
		}
		return sync.OnceFunc(func() {
			<-wk.sem
			if wk.obs != nil {
				wk.obs.Computations(-1)
			}
		})
	}
	select {
	case wk.sem <- struct{}{}:
		return acquired(), nil
	default:
	}
	t := time.NewTimer(wk.lim.QueueWait)
	defer t.Stop()
	select {
	case wk.sem <- struct{}{}:
		return acquired(), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-t.C:
		return nil, &OverloadedError{Limit: LimitAnalysisConcurrency, Max: wk.lim.MaxAnalysisConcurrent, Wait: wk.lim.QueueWait}
	}
}

// Hold takes one of the MaxAnalysisConcurrent places for work that runs in
// the caller's own goroutine and is not shared (a streamed export),
// waiting up to QueueWait: it returns an *OverloadedError when none frees
// up (or ctx's error). The place counts in the computations running until
// release is called, which the caller does once its work has stopped.
func (wk *Work) Hold(ctx context.Context) (release func(), err error) {
	return wk.slot(ctx)
}

// flight is one computation and the requests waiting for it.
type flight struct {
	done    chan struct{}
	cancel  context.CancelFunc
	waiters int
	val     []byte
	err     error
}

// Do returns the result of fn for query: from the cache when the store has
// not changed since it was computed, from a computation of the same query
// already running, or from a new one. fn runs in a goroutine of its own,
// under AnalysisTimeout and holding a place among MaxAnalysisConcurrent,
// with a context that carries ctx's values (request id, principal) but not
// its end: it is cancelled when every request waiting for it has gone. Do
// returns when the result is there or when ctx is done, whichever is first.
func (wk *Work) Do(ctx context.Context, query string, fn func(ctx context.Context) ([]byte, error)) ([]byte, error) {
	ver, err := StoreVersion(ctx, wk.store)
	if err != nil {
		return nil, err
	}
	key := strconv.FormatInt(ver, 10) + "\x00" + query
	if b, ok := wk.cache.get(key); ok {
		wk.cached("hit")
		return b, nil
	}
	wk.mu.Lock()
	f := wk.flights[key]
	if f == nil {
		wk.cached("miss")
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), wk.lim.AnalysisTimeout)
		// The computation is nobody's request: Track and SetOutcome on
		// its context do nothing.
		fctx = context.WithValue(fctx, requestStateKey{}, (*requestState)(nil))
		f = &flight{done: make(chan struct{}), cancel: cancel}
		wk.flights[key] = f
		go wk.run(fctx, key, ver, f, fn)
	} else {
		wk.cached("shared")
	}
	f.waiters++
	wk.mu.Unlock()

	select {
	case <-f.done:
		return f.val, f.err
	case <-ctx.Done():
	}
	wk.mu.Lock()
	f.waiters--
	last := f.waiters == 0
	if last {
		if wk.flights[key] == f {
			delete(wk.flights, key)
		}
		f.cancel()
	}
	wk.mu.Unlock()
	if last {
		// The request is answered now; its place is held until the
		// computation it leaves behind has stopped.
		done := Track(ctx)
		go func() { <-f.done; done() }()
	}
	return nil, ctx.Err()
}

func (wk *Work) run(ctx context.Context, key string, ver int64, f *flight, fn func(context.Context) ([]byte, error)) {
	defer close(f.done)
	defer f.cancel()
	defer func() {
		wk.mu.Lock()
		if wk.flights[key] == f {
			delete(wk.flights, key)
		}
		wk.mu.Unlock()
	}()
	release, err := wk.slot(ctx)
	if err != nil {
		f.err = err
		return
	}
	defer release()
	f.val, f.err = wk.call(ctx, fn)
	if f.err != nil {
		return
	}
	// Kept only if the store did not change while it was computed, so a
	// result is never filed under a version it may not reflect.
	if now, err := StoreVersion(ctx, wk.store); err == nil && now == ver {
		wk.cache.put(key, ver, f.val)
	}
}

func (wk *Work) call(ctx context.Context, fn func(context.Context) ([]byte, error)) (b []byte, err error) {
	defer func() {
		if v := recover(); v != nil {
			wk.log.LogAttrs(ctx, slog.LevelError, "panic in a computation", slog.String("requestId", rg.RequestID(ctx)), slog.String("panic", fmt.Sprint(v)))
			b, err = nil, fmt.Errorf("panic in a computation: %v", v)
		}
	}()
	return fn(ctx)
}

func (wk *Work) cached(result string) {
	if wk.obs != nil {
		wk.obs.Cached(result)
	}
}

// StoreVersion returns the version of the graph in s: the Seq of its
// GraphVersion when it is rg.Versioned, else the sequence number of the
// newest entry of its change history (every change of the graph is
// recorded there, in the same transaction), 0 for a store that never
// changed.
func StoreVersion(ctx context.Context, s rg.Store) (int64, error) {
	// A wrapper (metrics, the guard) is Versioned whatever it wraps, and
	// answers ErrNoVersion when the store inside is not.
	gv, err := rg.VersionOf(ctx, s)
	switch {
	case err == nil:
		return gv.Seq, nil
	case !errors.Is(err, rg.ErrNoVersion):
		return 0, fmt.Errorf("the store's version: %w", err)
	}
	p, err := s.History(ctx, rg.HistoryFilter{First: 1})
	if err != nil {
		return 0, fmt.Errorf("the store's version: %w", err)
	}
	if len(p.Entries) == 0 {
		return 0, nil
	}
	return p.Entries[0].Seq, nil
}

// resultCache is a least-recently-used cache of results bounded in entries
// and bytes. A result of an older version than one put later is dropped:
// the store's version only grows, so it can never be asked for again.
type resultCache struct {
	mu       sync.Mutex
	max      int
	maxBytes int
	bytes    int
	newest   int64
	order    *list.List // of *cacheEntry, most recent first
	byKey    map[string]*list.Element
}

type cacheEntry struct {
	key string
	ver int64
	val []byte
}

func newResultCache(max, maxBytes int) *resultCache {
	return &resultCache{max: max, maxBytes: maxBytes, order: list.New(), byKey: map[string]*list.Element{}}
}

func (c *resultCache) get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[key]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*cacheEntry).val, true
}

func (c *resultCache) put(key string, ver int64, val []byte) {
	if len(val) > cacheEntryBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if ver < c.newest {
		return
	}
	if ver > c.newest {
		c.newest = ver
		for e := c.order.Front(); e != nil; {
			next := e.Next()
			if e.Value.(*cacheEntry).ver < ver {
				c.remove(e)
			}
			e = next
		}
	}
	if _, ok := c.byKey[key]; ok {
		return
	}
	c.byKey[key] = c.order.PushFront(&cacheEntry{key: key, ver: ver, val: val})
	c.bytes += len(val)
	for c.order.Len() > c.max || c.bytes > c.maxBytes {
		c.remove(c.order.Back())
	}
}

func (c *resultCache) remove(e *list.Element) {
	ce := e.Value.(*cacheEntry)
	c.order.Remove(e)
	delete(c.byKey, ce.key)
	c.bytes -= len(ce.val)
}
