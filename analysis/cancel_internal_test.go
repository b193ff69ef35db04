package analysis

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"testing"
	"time"

	rg "github.com/regiongraph/regiongraph"
)

// cpuTime is the CPU time this process has used.
func cpuTime(t *testing.T) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// actorGraphOf wraps g as an actor graph of partners.
func actorGraphOf(g csr) *ActorGraph {
	n := g.n()
	ag := &ActorGraph{g: g, memo: newMemo(resultsPerGraph), base: &base{index: map[string]int32{}, inits: map[string]int32{}}}
	for i := range n {
		id := fmt.Sprintf("partner-%07d", i)
		ag.Actors = append(ag.Actors, &rg.Node{ID: id, Kind: rg.KindPartner, Name: id})
		ag.base.index[id] = int32(i)
	}
	ag.base.actors = ag.Actors
	ag.wdeg, ag.maxW = make([]float64, n), make([]float64, n)
	for u := range n {
		_, w := g.row(u)
		for _, x := range w {
			ag.wdeg[u] += x
			ag.maxW[u] = max(ag.maxW[u], x)
		}
	}
	return ag
}

// assertStops starts run, lets it work for a second, cancels its context
// and checks that it returns the context's error and that the process's
// CPU use stops: the CPU time used in the second after it returned is well
// under that of the second before the cancellation. Nothing here is a time
// budget: the seconds are windows to compare, and the graphs are made large
// enough that the work takes minutes.
func assertStops(t *testing.T, name string, run func(ctx context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- run(ctx) }()
	time.Sleep(200 * time.Millisecond) // past the setup
	c0 := cpuTime(t)
	time.Sleep(time.Second)
	before := cpuTime(t) - c0
	select {
	case err := <-errc:
		t.Fatalf("%s returned (%v) before it was cancelled; the test graph is too small", name, err)
	default:
	}
	cancel()
	var err error
	select {
	case err = <-errc:
	case <-time.After(2 * time.Minute):
		t.Fatalf("%s had not returned two minutes after its context was cancelled", name)
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("%s returned %v after cancellation, want context.Canceled", name, err)
	}
	c1 := cpuTime(t)
	time.Sleep(time.Second)
	after := cpuTime(t) - c1
	t.Logf("%s: CPU %v in the second before the cancellation, %v in the second after it returned", name, before, after)
	if before < 20*time.Millisecond {
		t.Fatalf("%s used only %v of CPU in a second of work; cannot tell stopping from idling", name, before)
	}
	if after > before/4 {
		t.Errorf("%s: CPU %v in the second after it returned, %v in the second before: the work did not stop", name, after, before)
	}
}

// TestCancelStopsTheWork: each long computation, reached as the resolvers
// reach it (through the shared results, so that the last request leaving
// stops it), returns context.Canceled and stops using CPU when its request
// goes away.
func TestCancelStopsTheWork(t *testing.T) {
	t.Run("betweenness", func(t *testing.T) {
		defer func(e float64) { exactPathWork = e }(exactPathWork)
		exactPathWork = 1e12 // exact on a graph where that takes minutes
		ag := actorGraphOf(randomGraph(50000, 200000, 1, 1))
		assertStops(t, "Centrality(BETWEENNESS)", func(ctx context.Context) error {
			_, err := Centrality(ctx, ag, Betweenness)
			return err
		})
	})
	t.Run("communities", func(t *testing.T) {
		ag := actorGraphOf(randomGraph(150000, 750000, 3, 2))
		// PageRank first, so that the second watched is Louvain's.
		if _, err := ag.pageRanks(context.Background()); err != nil {
			t.Fatal(err)
		}
		assertStops(t, "Communities", func(ctx context.Context) error {
			_, err := Communities(ctx, ag, 1)
			return err
		})
	})
	t.Run("brokers", func(t *testing.T) {
		defer func(w float64) { brokerWork = w }(brokerWork)
		brokerWork = 1e12
		ag := actorGraphOf(randomGraph(200000, 1000000, 1, 3))
		var a, b []string
		for i := range MaxGroupSources / 2 {
			a = append(a, ag.Actors[2*i*97].ID)
			b = append(b, ag.Actors[(2*i+1)*97].ID)
		}
		assertStops(t, "Brokers", func(ctx context.Context) error {
			_, err := Brokers(ctx, ag, a, b)
			return err
		})
	})
}
