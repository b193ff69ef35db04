package gqlhttp_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/gqlhttp"
)

// versionStore has a version the test sets (its newest history entry).
type versionStore struct {
	rg.Store
	version atomic.Int64
}

func (s *versionStore) History(context.Context, rg.HistoryFilter) (rg.HistoryPage, error) {
	v := s.version.Load()
	if v == 0 {
		return rg.HistoryPage{}, nil
	}
	return rg.HistoryPage{Entries: []*rg.HistoryEntry{{Seq: v}}}, nil
}

func newWork(s rg.Store, lim gqlhttp.Limits) *gqlhttp.Work {
	return gqlhttp.NewWork(s, lim, nil, nil)
}

// TestWorkSharesAndCaches: identical queries running at once share one
// computation; later ones get the cached result while the store's version
// is unchanged, and a new computation once it has changed.
func TestWorkSharesAndCaches(t *testing.T) {
	s := &versionStore{}
	s.version.Store(7)
	wk := newWork(s, gqlhttp.Limits{})
	var calls atomic.Int32
	release := make(chan struct{})
	fn := func(ctx context.Context) ([]byte, error) {
		n := calls.Add(1)
		<-release
		return []byte{byte('0' + n)}, nil
	}
	var wg sync.WaitGroup
	results := make([]string, 40)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, err := wk.Do(context.Background(), "map?metric=betweenness", fn)
			if err != nil {
				t.Error(err)
			}
			results[i] = string(b)
		}()
	}
	for calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	for i, r := range results {
		if r != "1" {
			t.Errorf("request %d got %q, want the one computation's result", i, r)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d computations for 40 identical requests", n)
	}
	if b, _ := wk.Do(context.Background(), "map?metric=betweenness", fn); string(b) != "1" || calls.Load() != 1 {
		t.Errorf("same version: %q after %d computations, want the cached result", b, calls.Load())
	}
	if b, _ := wk.Do(context.Background(), "map?metric=pagerank", fn); string(b) != "2" {
		t.Errorf("another query: %q, want a computation of its own", b)
	}
	s.version.Store(8)
	if b, _ := wk.Do(context.Background(), "map?metric=betweenness", fn); string(b) != "3" {
		t.Errorf("after a change of the graph: %q, want a new computation", b)
	}
}

// TestWorkDoesNotCacheAcrossAChange: a result computed while the store
// changed is returned but not kept.
func TestWorkDoesNotCacheAcrossAChange(t *testing.T) {
	s := &versionStore{}
	wk := newWork(s, gqlhttp.Limits{})
	var calls atomic.Int32
	fn := func(ctx context.Context) ([]byte, error) {
		if calls.Add(1) == 1 {
			s.version.Store(1) // a write lands while it computes
		}
		return []byte("x"), nil
	}
	for range 2 {
		if _, err := wk.Do(context.Background(), "q", fn); err != nil {
			t.Fatal(err)
		}
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("%d computations, want 2: the first result may not reflect version 1", n)
	}
}

// TestWorkStopsWhenEveryoneLeaves: a computation is cancelled once every
// request waiting for it has gone, and an error is not cached.
func TestWorkStopsWhenEveryoneLeaves(t *testing.T) {
	joined := make(chan struct{}, 1)
	wk := gqlhttp.NewWork(&versionStore{}, gqlhttp.Limits{}, observer{joined: joined}, nil)
	stopped := make(chan error, 1)
	fn := func(ctx context.Context) ([]byte, error) {
		<-ctx.Done()
		stopped <- ctx.Err()
		return nil, ctx.Err()
	}
	ctx1, cancel1 := context.WithCancel(context.Background())
	ctx2, cancel2 := context.WithCancel(context.Background())
	errs := make(chan error, 2)
	go func() { _, err := wk.Do(ctx1, "q", fn); errs <- err }()
	go func() { _, err := wk.Do(ctx2, "q", fn); errs <- err }()
	<-joined // the second joined the first's computation
	cancel1()
	if err := <-errs; !errors.Is(err, context.Canceled) {
		t.Fatalf("the first to leave: %v", err)
	}
	select {
	case <-stopped:
		t.Fatal("the computation stopped while a request still waited for it")
	case <-time.After(20 * time.Millisecond):
	}
	cancel2()
	<-errs
	if err := <-stopped; !errors.Is(err, context.Canceled) {
		t.Errorf("the computation's context: %v, want cancelled", err)
	}
	ok := func(context.Context) ([]byte, error) { return []byte("ok"), nil }
	if b, err := wk.Do(context.Background(), "q", ok); err != nil || string(b) != "ok" {
		t.Errorf("after a cancelled computation: %q %v, want a new one", b, err)
	}
}

// observer tells of requests that joined a running computation.
type observer struct{ joined chan struct{} }

func (observer) Computations(int) {}
func (o observer) Cached(result string) {
	if result == "shared" {
		o.joined <- struct{}{}
	}
}

// TestWorkOverloaded: with MaxAnalysisConcurrent computations running, one
// more waits QueueWait and is refused with an OverloadedError.
func TestWorkOverloaded(t *testing.T) {
	wk := newWork(&versionStore{}, gqlhttp.Limits{MaxAnalysisConcurrent: 1, QueueWait: 20 * time.Millisecond})
	running, release := make(chan struct{}), make(chan struct{})
	go func() {
		_, _ = wk.Do(context.Background(), "slow", func(context.Context) ([]byte, error) {
			close(running)
			<-release
			return nil, nil
		})
	}()
	<-running
	_, err := wk.Do(context.Background(), "other", func(context.Context) ([]byte, error) { return nil, nil })
	var over *gqlhttp.OverloadedError
	if !errors.As(err, &over) || over.Limit != gqlhttp.LimitAnalysisConcurrency || over.Max != 1 {
		t.Errorf("with the only place taken: %v, want an OverloadedError naming %s", err, gqlhttp.LimitAnalysisConcurrency)
	}
	close(release)
}
