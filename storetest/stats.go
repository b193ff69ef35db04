package storetest

import (
	"math"
	"testing"

	rg "github.com/regiongraph/regiongraph"
)

// testStats checks Store.Stats on the graph Edges is tested on, and that it
// follows changes.
func testStats(t *testing.T, open Opener) {
	s := openWith(t, open, edgeGraph())
	want := func(t *testing.T, st rg.GraphStats, nodes map[rg.Kind]int, rels map[rg.RelKind]rg.RelationDegrees, maxOut, maxIn, maxBoth int) {
		t.Helper()
		if st.MaxOut != maxOut || st.MaxIn != maxIn || st.MaxBoth != maxBoth {
			t.Errorf("most relations of one node: out %d, in %d, in all %d; want %d, %d, %d", st.MaxOut, st.MaxIn, st.MaxBoth, maxOut, maxIn, maxBoth)
		}
		if st.MaxDegree(rg.Out) != maxOut || st.MaxDegree(rg.In) != maxIn || st.MaxDegree(rg.Both) != maxBoth {
			t.Errorf("MaxDegree disagrees with MaxOut, MaxIn, MaxBoth")
		}
		if len(st.Nodes) != len(nodes) {
			t.Errorf("node kinds %v, want %v", st.Nodes, nodes)
		}
		for k, n := range nodes {
			if st.Nodes[k] != n {
				t.Errorf("%s nodes: %d, want %d", k, st.Nodes[k], n)
			}
		}
		if len(st.Relations) != len(rels) {
			t.Errorf("relation kinds %v, want %v", st.Relations, rels)
		}
		for k, w := range rels {
			g := st.Relations[k]
			if g.Count != w.Count || g.MaxOut != w.MaxOut || g.MaxIn != w.MaxIn || math.Abs(g.MeanOut-w.MeanOut) > 1e-9 || math.Abs(g.MeanIn-w.MeanIn) > 1e-9 {
				t.Errorf("%s: %+v, want %+v", k, g, w)
			}
		}
	}
	// MEMBER_OF: m1->r1, m1->r2, m2->r1, m3->r1, r2->r1: 5 relations; out:
	// m1 2, m2 1, m3 1, r2 1 (4 nodes, max 2); in: r1 4, r2 1 (2 nodes, max 4).
	// FACILITATES: r1->n1, r2->n1. PARTICIPATES_IN: m1->n1.
	// Of any kind: m1 has 3 leaving, r1 4 entering, and 5 in all (1 + 4).
	nodes := map[rg.Kind]int{rg.KindMunicipality: 3, rg.KindRegion: 2, rg.KindNetwork: 1}
	rels := map[rg.RelKind]rg.RelationDegrees{
		rg.RelMemberOf:       {Count: 5, MaxOut: 2, MaxIn: 4, MeanOut: 5.0 / 4, MeanIn: 5.0 / 2},
		rg.RelFacilitates:    {Count: 2, MaxOut: 1, MaxIn: 2, MeanOut: 1, MeanIn: 2},
		rg.RelParticipatesIn: {Count: 1, MaxOut: 1, MaxIn: 1, MeanOut: 1, MeanIn: 1},
	}
	t.Run("counts nodes by kind and relations by kind with their degrees", func(t *testing.T) {
		st, err := s.Stats(bg)
		if err != nil {
			t.Fatal(err)
		}
		want(t, st, nodes, rels, 3, 4, 5)
		if d := st.Relations[rg.RelMemberOf]; d.Max(rg.Out) != 2 || d.Max(rg.In) != 4 || d.Max(rg.Both) != 6 {
			t.Errorf("Max: out %d, in %d, both %d; want 2, 4, 6", d.Max(rg.Out), d.Max(rg.In), d.Max(rg.Both))
		}
	})
	t.Run("follows every change at once", func(t *testing.T) {
		MustApply(t, s,
			rg.Change{Op: rg.OpCreateNode, Node: N("m4", rg.KindMunicipality, "M4")},
			rg.Change{Op: rg.OpCreateEdge, Edge: E("e09", rg.RelMemberOf, "m4", "r2")},
			rg.Change{Op: rg.OpCreateEdge, Edge: E("e10", rg.RelMemberOf, "m4", "r1")},
			rg.Change{Op: rg.OpCreateEdge, Edge: E("e11", rg.RelParticipatesIn, "m4", "n1")},
			rg.Change{Op: rg.OpDeleteEdge, ID: "e06"},
		)
		st, err := s.Stats(bg)
		if err != nil {
			t.Fatal(err)
		}
		nodes[rg.KindMunicipality] = 4
		rels[rg.RelMemberOf] = rg.RelationDegrees{Count: 7, MaxOut: 2, MaxIn: 5, MeanOut: 7.0 / 5, MeanIn: 7.0 / 2}
		rels[rg.RelFacilitates] = rg.RelationDegrees{Count: 1, MaxOut: 1, MaxIn: 1, MeanOut: 1, MeanIn: 1}
		rels[rg.RelParticipatesIn] = rg.RelationDegrees{Count: 2, MaxOut: 1, MaxIn: 2, MeanOut: 1, MeanIn: 2}
		// m1 and m4 have 3 leaving; r1 5 entering and 5 in all.
		want(t, st, nodes, rels, 3, 5, 5)
		MustApply(t, s, rg.Change{Op: rg.OpDeleteEdge, ID: "e08"})
		st, err = s.Stats(bg)
		if err != nil {
			t.Fatal(err)
		}
		delete(rels, rg.RelFacilitates)
		want(t, st, nodes, rels, 3, 5, 5)
	})
	t.Run("an empty store has no kinds", func(t *testing.T) {
		st, err := openEmpty(t, open).Stats(bg)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Nodes)+len(st.Relations) != 0 || st.MaxBoth != 0 {
			t.Fatalf("empty store: %+v", st)
		}
	})
}
