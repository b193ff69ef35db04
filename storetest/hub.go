package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	rg "github.com/regiongraph/regiongraph"
)

// testHub: a hub with 5 000 relations (issue 17). Every relation list the
// API pages (Node.relationsConnection, and every relation list with
// first/after) is a page of Edges of one node, by id; so Edges, and Expand,
// of the hub must give all 5 000, by id, each once, in each direction and
// narrowed by kind, and the other ends each once.
func testHub(t *testing.T, open Opener) {
	const n = 5000
	g := Graph{Nodes: []*rg.Node{N("hub", rg.KindRegion, "Hub")}}
	var all, in, out []string
	for i := range n {
		m := fmt.Sprintf("m-%04d", i)
		g.Nodes = append(g.Nodes, N(m, rg.KindMunicipality, "M "+m))
		// Ids not in the order of the nodes, so that order by id is a
		// choice the store makes; every third relation leaves the hub.
		id := fmt.Sprintf("rel-%04d", (i*7919)%n)
		if i%3 == 0 {
			g.Edges = append(g.Edges, E(id, rg.RelPartnerOf, "hub", m))
			out = append(out, id)
		} else {
			g.Edges = append(g.Edges, E(id, rg.RelMemberOf, m, "hub"))
			in = append(in, id)
		}
		all = append(all, id)
	}
	slices.Sort(all)
	slices.Sort(in)
	slices.Sort(out)
	s := openEmpty(t, open)
	for batch := range slices.Chunk(g.Changes(), rg.MaxChanges) {
		MustApply(t, s, batch...)
	}
	for _, c := range []struct {
		name string
		f    rg.EdgeFilter
		want []string
	}{
		{"both", rg.EdgeFilter{NodeIDs: []string{"hub"}}, all},
		{"in", rg.EdgeFilter{NodeIDs: []string{"hub"}, Direction: rg.In}, in},
		{"out", rg.EdgeFilter{NodeIDs: []string{"hub"}, Direction: rg.Out}, out},
		{"of a kind", rg.EdgeFilter{NodeIDs: []string{"hub"}, Kinds: []rg.RelKind{rg.RelMemberOf}}, in},
	} {
		t.Run("Edges "+c.name, func(t *testing.T) {
			es, err := s.Edges(bg, c.f)
			if err != nil {
				t.Fatal(err)
			}
			wantPage(t, "Edges", EdgeIDs(es), c.want)
		})
		t.Run("Expand "+c.name, func(t *testing.T) {
			x, err := s.Expand(bg, c.f)
			if err != nil {
				t.Fatal(err)
			}
			wantPage(t, "Expand", EdgeIDs(x.Edges), c.want)
			if len(x.Nodes) != len(c.want) || !slices.IsSortedFunc(x.Nodes, func(a, b *rg.Node) int { return strings.Compare(a.ID, b.ID) }) ||
				len(slices.CompactFunc(slices.Clone(x.Nodes), func(a, b *rg.Node) bool { return a.ID == b.ID })) != len(x.Nodes) {
				t.Errorf("Expand gave %d other ends, want the %d, by id, each once", len(x.Nodes), len(c.want))
			}
		})
	}
}

// wantPage checks that got is want, saying where they first differ.
func wantPage(t *testing.T, what string, got, want []string) {
	t.Helper()
	if slices.Equal(got, want) {
		return
	}
	i := 0
	for i < min(len(got), len(want)) && got[i] == want[i] {
		i++
	}
	t.Fatalf("%s of the hub: %d relations, want %d by id, each once; first difference at %d", what, len(got), len(want), i)
}
