package export

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	rg "github.com/regiongraph/regiongraph"
)

func cpuTime(t *testing.T) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestLayoutStopsWhenCancelled: laying out many components of stressMax
// nodes (minutes of work) returns context.Canceled once its context is
// cancelled, and the process's CPU use stops: the CPU time used in the
// second after it returned is well under that of the second before the
// cancellation (windows compared, not a time budget).
func TestLayoutStopsWhenCancelled(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	sg := &rg.Subgraph{}
	const comps, size = 8, stressMax
	for c := range comps {
		id := func(i int) string { return fmt.Sprintf("n-%d-%04d", c, i) }
		for i := range size {
			sg.Nodes = append(sg.Nodes, &rg.Node{ID: id(i), Kind: rg.KindPartner, Name: "P"})
			if i > 0 {
				sg.Edges = append(sg.Edges, &rg.Edge{ID: fmt.Sprintf("e-%d-%d", c, i), Kind: rg.RelPartnerOf, From: id(r.IntN(i)), To: id(i)})
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		_, err := LayoutContext(ctx, sg)
		errc <- err
	}()
	time.Sleep(200 * time.Millisecond)
	c0 := cpuTime(t)
	time.Sleep(time.Second)
	before := cpuTime(t) - c0
	select {
	case err := <-errc:
		t.Fatalf("the layout returned (%v) before it was cancelled; the test graph is too small", err)
	default:
	}
	cancel()
	var err error
	select {
	case err = <-errc:
	case <-time.After(2 * time.Minute):
		t.Fatal("the layout had not returned two minutes after its context was cancelled")
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("the layout returned %v after cancellation, want context.Canceled", err)
	}
	c1 := cpuTime(t)
	time.Sleep(time.Second)
	after := cpuTime(t) - c1
	t.Logf("CPU %v in the second before the cancellation, %v in the second after the layout returned", before, after)
	if before < 20*time.Millisecond {
		t.Fatalf("the layout used only %v of CPU in a second of work; cannot tell stopping from idling", before)
	}
	if after > before/4 {
		t.Errorf("CPU %v in the second after the layout returned, %v in the second before: the work did not stop", after, before)
	}
}
