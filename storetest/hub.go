package storetest

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	rg "github.com/regiongraph/regiongraph"
)

// testHub: a hub with 5 000 relations (issue 17). Every relation list the
// API pages (Node.relationsConnection, and every relation list with
// first/after) is a page of Edges of one node, by id; so Edges, and Expand,
// of the hub must give all 5 000, by id, each once, in each direction and
// narrowed by kind, and Expand the other ends each once.
func testHub(t *testing.T, open Opener) {
	// 5 000 relations to 100 municipalities, 50 each (parallel relations,
	// so that the graph loads quickly on every store).
	const n, others = 5000, 100
	g := Graph{Nodes: []*rg.Node{N("hub", rg.KindRegion, "Hub")}}
	for i := range others {
		m := fmt.Sprintf("m-%03d", i)
		g.Nodes = append(g.Nodes, N(m, rg.KindMunicipality, "M "+m))
	}
	var all, in, out []string
	ends := map[string]map[string]bool{"all": {}, "in": {}, "out": {}}
	for i := range n {
		m := fmt.Sprintf("m-%03d", i%others)
		// Ids not in the order the relations are made, so that order by
		// id is the store's doing; every third relation leaves the hub.
		id := fmt.Sprintf("rel-%04d", (i*7919)%n)
		if i%3 == 0 {
			g.Edges = append(g.Edges, E(id, rg.RelPartnerOf, "hub", m))
			out = append(out, id)
			ends["out"][m] = true
		} else {
			g.Edges = append(g.Edges, E(id, rg.RelMemberOf, m, "hub"))
			in = append(in, id)
			ends["in"][m] = true
		}
		all = append(all, id)
		ends["all"][m] = true
	}
	slices.Sort(all)
	slices.Sort(in)
	slices.Sort(out)
	s := openWith(t, open, g)
	for _, c := range []struct {
		name string
		f    rg.EdgeFilter
		want []string
		ends string
	}{
		{"both", rg.EdgeFilter{NodeIDs: []string{"hub"}}, all, "all"},
		{"in", rg.EdgeFilter{NodeIDs: []string{"hub"}, Direction: rg.In}, in, "in"},
		{"out", rg.EdgeFilter{NodeIDs: []string{"hub"}, Direction: rg.Out}, out, "out"},
		{"of a kind", rg.EdgeFilter{NodeIDs: []string{"hub"}, Kinds: []rg.RelKind{rg.RelMemberOf}}, in, "in"},
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
			wantEnds := slices.Sorted(maps.Keys(ends[c.ends]))
			if got := NodeIDs(x.Nodes); !slices.Equal(got, wantEnds) {
				t.Errorf("Expand gave %d other ends, want the %d, by id, each once", len(got), len(wantEnds))
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
