package boltstore

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	rg "github.com/regiongraph/regiongraph"
)

// putEdges keeps every adjacency list sorted and without repeats, whether
// the relations come in id order (appended in place) or not (sorted), in
// one call or many, and whether they are new or put again.
func TestPutEdgesKeepsListsSorted(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var all []*rg.Edge
	for i := range 600 {
		all = append(all, &rg.Edge{ID: fmt.Sprintf("e%04d", i), Kind: rg.RelKind([]string{"FUNDS", "CONCERNS"}[i%2]), From: fmt.Sprintf("n%d", i%7), To: fmt.Sprintf("m%d", i%5)})
	}
	for _, order := range []string{"sorted", "shuffled", "mixed"} {
		t.Run(order, func(t *testing.T) {
			g := newGraph()
			es := slices.Clone(all)
			if order != "sorted" {
				rng.Shuffle(len(es), func(i, j int) { es[i], es[j] = es[j], es[i] })
			}
			if order == "mixed" {
				slices.SortFunc(es[:300], func(a, b *rg.Edge) int { return strings.Compare(a.ID, b.ID) })
			}
			for from := 0; from < len(es); from += 100 {
				g.putEdges(es[from:min(from+100, len(es))])
			}
			g.putEdges(es[:100]) // again
			want := map[string][]string{}
			for _, e := range all {
				want["out "+e.From+" "+string(e.Kind)] = append(want["out "+e.From+" "+string(e.Kind)], e.ID)
				want["in "+e.To+" "+string(e.Kind)] = append(want["in "+e.To+" "+string(e.Kind)], e.ID)
			}
			got := map[string][]string{}
			for id, a := range g.adj {
				for k, ids := range a.out {
					got["out "+id+" "+string(k)] = ids
				}
				for k, ids := range a.in {
					got["in "+id+" "+string(k)] = ids
				}
			}
			if len(got) != len(want) {
				t.Fatalf("%d lists, want %d", len(got), len(want))
			}
			for k, w := range want {
				if !slices.Equal(got[k], w) {
					t.Errorf("%s: %v, want %v", k, got[k], w)
				}
			}
			if len(g.edges) != len(all) {
				t.Errorf("%d relations, want %d", len(g.edges), len(all))
			}
		})
	}
}
