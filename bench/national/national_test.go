package national

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/boltstore"
)

// TestGenerateLoads: the generated graph at 1 % is valid (the store takes
// every batch), has the generator's counts of fixed geography, and is the
// same for the same seed.
func TestGenerateLoads(t *testing.T) {
	g := Generate(0.01, 1)
	kinds := map[rg.Kind]int{}
	for _, n := range g.Nodes {
		kinds[n.Kind]++
	}
	rels := map[rg.RelKind]int{}
	for _, e := range g.Edges {
		rels[e.Kind]++
	}
	t.Logf("%d nodes %v, %d relations %v; hub %s, median %s", len(g.Nodes), kinds, len(g.Edges), rels, g.Hub, g.Median)
	if kinds[rg.KindMunicipality] != 357 || kinds[rg.KindRegion] != 60 || kinds[rg.KindInitiative] != 500 {
		t.Errorf("kinds = %v, want 357 municipalities, 60 regions, 500 initiatives", kinds)
	}
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "n.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, batch := range g.Changes() {
		if _, err := s.Apply(context.Background(), batch); err != nil {
			t.Fatal(err)
		}
	}
	again := Generate(0.01, 1)
	if len(again.Edges) != len(g.Edges) || again.Edges[len(g.Edges)/2].ID != g.Edges[len(g.Edges)/2].ID || again.Hub != g.Hub {
		t.Error("two runs with the same seed differ")
	}
}

// TestImportBatches: the Neo4j load applies what import applies for a
// large file: every node, then every relation, each in id order, in
// batches of at most n changes, each change once.
func TestImportBatches(t *testing.T) {
	g := Generate(0.01, 1)
	const n = 1000
	batches := importBatches(g, n)
	var all []rg.Change
	for i, b := range batches {
		if len(b) == 0 || len(b) > n {
			t.Fatalf("batch %d holds %d changes, want 1 to %d", i, len(b), n)
		}
		all = append(all, b...)
	}
	if len(all) != len(g.Nodes)+len(g.Edges) {
		t.Fatalf("%d changes, want %d nodes + %d relations", len(all), len(g.Nodes), len(g.Edges))
	}
	seen := map[string]bool{}
	for i, c := range all {
		id, node := "", i < len(g.Nodes)
		switch {
		case node && c.Op == rg.OpUpsertNode:
			id = "n:" + c.Node.ID
		case !node && c.Op == rg.OpUpsertEdge:
			id = "e:" + c.Edge.ID
		default:
			t.Fatalf("change %d is %s, want nodes first, then relations", i, c.Op)
		}
		if seen[id] {
			t.Fatalf("change %d repeats %s", i, id)
		}
		seen[id] = true
		if i > 0 && i != len(g.Nodes) {
			prev := all[i-1]
			if node && prev.Node.ID >= c.Node.ID || !node && prev.Edge.ID >= c.Edge.ID {
				t.Fatalf("change %d (%s) is not after change %d in id order", i, id, i-1)
			}
		}
	}
}

// TestParseStatCPU: the CPU of a /proc/PID/stat line is utime + stime in
// clock ticks, counted after the command however odd its name.
func TestParseStatCPU(t *testing.T) {
	line := "4242 (java) (x) S 1 4242 4242 0 -1 4194560 98765 0 12 0 1234 567 0 0 20 0 71 0 1000 4000000000 250000 18446744073709551615\n"
	got, err := parseStatCPU(line)
	if err != nil {
		t.Fatal(err)
	}
	if want := (1234 + 567) * clockTick; got != want {
		t.Errorf("parseStatCPU = %v, want %v", got, want)
	}
	for _, bad := range []string{"", "4242 java S 1", "4242 (java) S 1 2 3", "4242 (java) S 1 4242 4242 0 -1 4194560 98765 0 12 0 x 567 0"} {
		if _, err := parseStatCPU(bad); err == nil {
			t.Errorf("parseStatCPU(%q): no error", bad)
		}
	}
	// This process's own line: the same CPU as getrusage says, within
	// the ticks /proc counts in (once it has used some).
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		return
	}
	x := 1
	for cpuTime() < 200*time.Millisecond {
		for i := range 1 << 20 {
			x = x*31 + i
		}
	}
	own, proc := cpuTime(), procCPU(os.Getpid())
	if proc < 100*time.Millisecond || proc > own+2*clockTick {
		t.Errorf("procCPU(self) = %v, getrusage %v (%d)", proc, own, x&1)
	}
}
