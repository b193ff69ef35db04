package storetest

import (
	"fmt"
	"testing"

	rg "github.com/regiongraph/regiongraph"
)

// testExpand checks Store.Expand on the graph Edges is tested on: the same
// relations as Edges, and exactly the nodes at their other ends.
func testExpand(t *testing.T, open Opener) {
	g := edgeGraph()
	s := openWith(t, open, g)
	edges := map[string]*rg.Edge{}
	for _, e := range g.Edges {
		edges[e.ID] = e
	}
	nodes := map[string]*rg.Node{}
	for _, n := range g.Nodes {
		nodes[n.ID] = n
	}
	check := func(t *testing.T, f rg.EdgeFilter, wantEdges, wantNodes []string) {
		t.Helper()
		x, err := s.Expand(bg, f)
		if err != nil {
			t.Fatal(err)
		}
		var we []*rg.Edge
		for _, id := range wantEdges {
			we = append(we, edges[id])
		}
		WantEdges(t, "Expand edges", x.Edges, we)
		var wn []*rg.Node
		for _, id := range wantNodes {
			wn = append(wn, nodes[id])
		}
		WantNodes(t, "Expand nodes", x.Nodes, wn)
		// The same relations as Edges.
		es, err := s.Edges(bg, f)
		if err != nil {
			t.Fatal(err)
		}
		WantIDs(t, "Edges with the same filter", EdgeIDs(x.Edges), EdgeIDs(es))
	}
	t.Run("OUT: the relations from the nodes and the nodes they lead to", func(t *testing.T) {
		check(t, rg.EdgeFilter{NodeIDs: []string{"m1"}, Direction: rg.Out}, []string{"e01", "e04", "e05"}, []string{"n1", "r1", "r2"})
	})
	t.Run("IN: the relations to the nodes and the nodes they come from", func(t *testing.T) {
		check(t, rg.EdgeFilter{NodeIDs: []string{"r1"}, Direction: rg.In}, []string{"e01", "e02", "e03", "e07"}, []string{"m1", "m2", "m3", "r2"})
	})
	t.Run("many nodes at once: each relation and each node once, by id", func(t *testing.T) {
		check(t, rg.EdgeFilter{NodeIDs: []string{"m1", "m2", "m3", "m1"}, Direction: rg.Out, Kinds: []rg.RelKind{rg.RelMemberOf}},
			[]string{"e01", "e02", "e03", "e04"}, []string{"r1", "r2"})
	})
	t.Run("BOTH: a relation between two of the nodes brings both ends", func(t *testing.T) {
		check(t, rg.EdgeFilter{NodeIDs: []string{"r1", "r2"}, Direction: rg.Both, Kinds: []rg.RelKind{rg.RelMemberOf}},
			[]string{"e01", "e02", "e03", "e04", "e07"}, []string{"m1", "m2", "m3", "r1", "r2"})
	})
	t.Run("no direction means BOTH", func(t *testing.T) {
		check(t, rg.EdgeFilter{NodeIDs: []string{"n1"}}, []string{"e05", "e06", "e08"}, []string{"m1", "r1", "r2"})
	})
	t.Run("year and ids narrow, and only the ends of what is kept come back", func(t *testing.T) {
		check(t, rg.EdgeFilter{NodeIDs: []string{"r1"}, Direction: rg.In, Year: Int(2016)}, []string{"e01", "e02", "e07"}, []string{"m1", "m2", "r2"})
		check(t, rg.EdgeFilter{NodeIDs: []string{"r1"}, Direction: rg.In, IDs: []string{"e03", "e08"}}, []string{"e03"}, []string{"m3"})
	})
	t.Run("nothing matches: empty, not nil", func(t *testing.T) {
		x, err := s.Expand(bg, rg.EdgeFilter{NodeIDs: []string{"missing", "n1"}, Direction: rg.Out})
		if err != nil {
			t.Fatal(err)
		}
		if x.Edges == nil || x.Nodes == nil || len(x.Edges)+len(x.Nodes) != 0 {
			t.Fatalf("Expand = %d edges (nil %v), %d nodes (nil %v); want two empty lists", len(x.Edges), x.Edges == nil, len(x.Nodes), x.Nodes == nil)
		}
	})
	t.Run("many node ids, most missing, in one call", func(t *testing.T) {
		var ids []string
		for i := range 998 {
			ids = append(ids, fmt.Sprintf("missing-%d", i))
		}
		ids = append(ids, "m2", "m3")
		check(t, rg.EdgeFilter{NodeIDs: ids, Direction: rg.Out}, []string{"e02", "e03"}, []string{"r1"})
	})
	t.Run("no node ids is BAD_USER_INPUT", func(t *testing.T) {
		_, err := s.Expand(bg, rg.EdgeFilter{Direction: rg.Out})
		WantCode(t, err, rg.EBADINPUT)
	})
	t.Run("more than MaxBatchIDs node ids is BAD_USER_INPUT", func(t *testing.T) {
		_, err := s.Expand(bg, rg.EdgeFilter{NodeIDs: make([]string, rg.MaxBatchIDs+1)})
		WantCode(t, err, rg.EBADINPUT)
	})
	t.Run("an unknown direction or kind is BAD_USER_INPUT", func(t *testing.T) {
		_, err := s.Expand(bg, rg.EdgeFilter{NodeIDs: []string{"m1"}, Direction: "SIDEWAYS"})
		WantCode(t, err, rg.EBADINPUT)
		_, err = s.Expand(bg, rg.EdgeFilter{NodeIDs: []string{"m1"}, Kinds: []rg.RelKind{"LIKES"}})
		WantCode(t, err, rg.EBADINPUT)
	})
}
