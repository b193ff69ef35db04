package boltstore

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	rg "github.com/regiongraph/regiongraph"
)

// randomGraph is a graph of n nodes of three kinds and about m relations of
// three kinds, a few nodes hubs, some relations bounded in years; parallel
// relations between two nodes occur.
func randomGraph(r *rand.Rand, n, m int) *graph {
	g := newGraph()
	kinds := []rg.Kind{rg.KindMunicipality, rg.KindInitiative, rg.KindPartner}
	for i := range n {
		g.putNode(&rg.Node{ID: fmt.Sprintf("n%03d", i), Kind: kinds[r.IntN(len(kinds))], Name: fmt.Sprint("node ", i)})
	}
	rels := []rg.RelKind{rg.RelFunds, rg.RelPartnerOf, rg.RelCoordinates}
	var es []*rg.Edge
	for i := range m {
		a := r.IntN(n)
		if r.IntN(4) == 0 {
			a = r.IntN(3) // hubs
		}
		b := r.IntN(n)
		if a == b {
			continue
		}
		e := &rg.Edge{ID: fmt.Sprintf("e%04d", i), Kind: rels[r.IntN(len(rels))], From: fmt.Sprintf("n%03d", a), To: fmt.Sprintf("n%03d", b)}
		if r.IntN(3) == 0 {
			y := 2010 + r.IntN(4)
			e.FromYear, e.ToYear = &y, &y
		}
		es = append(es, e)
	}
	g.putEdges(es)
	return g
}

// subgraphReference is the subgraph walk before it stopped at MaxNodes: every
// level walked to the depth, then cut.
func (g *graph) subgraphReference(f rg.SubgraphFilter) *rg.Subgraph {
	kinds := set(f.Kinds)
	rels := uniq(f.Relations)
	nodeOK := func(n *rg.Node) bool { return kinds == nil || kinds[n.Kind] }
	edgeOK := func(e *rg.Edge) bool { return e.HoldsInYear(f.Year) }
	var picked []*rg.Node
	roots := uniq(slices.Clone(f.Roots))
	seen := map[string]bool{}
	for _, id := range roots {
		seen[id] = true
		picked = append(picked, g.nodes[id])
	}
	level := roots
	for d := 0; d < f.Depth && len(level) > 0; d++ {
		var next []string
		for _, id := range level {
			g.incident(id, rg.Both, rels, func(e *rg.Edge) {
				o := e.Other(id)
				if seen[o] || !edgeOK(e) || !nodeOK(g.nodes[o]) {
					return
				}
				seen[o] = true
				next = append(next, o)
			})
		}
		slices.Sort(next)
		for _, id := range next {
			picked = append(picked, g.nodes[id])
		}
		level = next
	}
	sg := &rg.Subgraph{}
	if f.MaxNodes > 0 && len(picked) > f.MaxNodes {
		picked = picked[:f.MaxNodes]
		sg.Truncated = true
	}
	in := map[string]bool{}
	for _, n := range picked {
		in[n.ID] = true
	}
	var edges []*rg.Edge
	for _, n := range picked {
		g.incident(n.ID, rg.Out, rels, func(e *rg.Edge) {
			if in[e.To] && edgeOK(e) {
				edges = append(edges, e)
			}
		})
	}
	slices.SortFunc(picked, func(a, b *rg.Node) int { return cmp.Compare(a.ID, b.ID) })
	sortEdges(edges)
	sg.Nodes, sg.Edges = picked, edges
	return sg
}

func subgraphIDs(sg *rg.Subgraph) string {
	s := fmt.Sprint(sg.Truncated, " nodes")
	for _, n := range sg.Nodes {
		s += " " + n.ID
	}
	s += " edges"
	for _, e := range sg.Edges {
		s += " " + e.ID
	}
	return s
}

// TestSubgraphStopsAtMaxNodesSameAnswer holds the walk that stops once
// MaxNodes are reached to the answer of the walk to the full depth, on
// random graphs with hubs, for roots, depths, limits, kinds, relations and
// years.
func TestSubgraphStopsAtMaxNodesSameAnswer(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for gi := range 30 {
		g := randomGraph(r, 20+r.IntN(200), 50+r.IntN(600))
		for qi := range 40 {
			f := rg.SubgraphFilter{Depth: 1 + r.IntN(3)}
			for range 1 + r.IntN(3) {
				f.Roots = append(f.Roots, fmt.Sprintf("n%03d", r.IntN(len(g.nodes))))
			}
			if r.IntN(4) > 0 {
				f.MaxNodes = 1 + r.IntN(60)
			}
			if r.IntN(4) == 0 {
				f.Kinds = []rg.Kind{rg.KindInitiative, rg.KindPartner}
			}
			if r.IntN(4) == 0 {
				f.Relations = []rg.RelKind{rg.RelFunds, rg.RelCoordinates}
			}
			if r.IntN(4) == 0 {
				y := 2011
				f.Year = &y
			}
			got, err := g.subgraph(f)
			if err != nil {
				t.Fatal(err)
			}
			if a, b := subgraphIDs(got), subgraphIDs(g.subgraphReference(f)); a != b {
				t.Fatalf("graph %d query %d %+v:\n got %s\nwant %s", gi, qi, f, a, b)
			}
		}
	}
}
