package storeguard

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	rg "github.com/regiongraph/regiongraph"
)

// slowStore's calls hang until their context ends; its Ready counts the
// probes and answers once gate is closed.
type slowStore struct {
	rg.Store
	probes atomic.Int64
	gate   chan struct{}
}

func (s *slowStore) Nodes(ctx context.Context, _ []string) ([]*rg.Node, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func (s *slowStore) Ready(ctx context.Context) error {
	s.probes.Add(1)
	select {
	case <-s.gate:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *slowStore) Close() error { return nil }

// waiting is how many timed-out calls wait on the probe in flight.
func (g *Guard) waiting() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.check == nil {
		return 0
	}
	return g.check.waiters
}

// TestConcurrentSlowCallsShareOneProbe: calls that miss their deadline
// while a probe runs wait for that probe instead of each starting one (no
// probe storm on a slow database), and all get its answer: the database
// answered, so each fails UNAVAILABLE as slow and the guard stays closed.
func TestConcurrentSlowCallsShareOneProbe(t *testing.T) {
	s := &slowStore{gate: make(chan struct{})}
	g := New(s, Options{CallTimeout: 20 * time.Millisecond, ProbeTimeout: time.Hour, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	defer g.Close()
	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = g.Nodes(context.Background(), nil)
		}()
	}
	// Every call times out and waits on the one probe, which answers
	// only once they all do.
	deadline := time.Now().Add(time.Minute)
	for g.waiting() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d timed-out calls wait on a probe after a minute (%d probes)", g.waiting(), n, s.probes.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
	close(s.gate)
	wg.Wait()
	if p := s.probes.Load(); p != 1 {
		t.Errorf("%d concurrent timed-out calls ran %d probes, want 1", n, p)
	}
	for i, err := range errs {
		if rg.ErrorCode(err) != rg.EUNAVAILABLE || !strings.Contains(err.Error(), "did not answer within") {
			t.Errorf("call %d: %v, want UNAVAILABLE naming the deadline", i, err)
		}
	}
	if g.Down() {
		t.Error("the guard opened although the probe answered")
	}
}
