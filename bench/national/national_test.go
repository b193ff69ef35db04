package national

import (
	"context"
	"path/filepath"
	"testing"

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
