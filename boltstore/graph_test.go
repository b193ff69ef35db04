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
// one call or many, and whether they are new or put again (the same value,
// or a new one for the id, which must replace the old pointer in every
// list: issue 14's lists hold the stored relations themselves).
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
			// New values for some ids: a batch, one by one, and a batch
			// giving one id twice (the last value counts).
			renew := func(e *rg.Edge, note string) *rg.Edge {
				c := e.Clone()
				c.Role = note
				return c
			}
			var batch []*rg.Edge
			for _, e := range es[200:300] {
				batch = append(batch, renew(e, "batch"))
			}
			g.putEdges(batch)
			for _, e := range es[300:310] {
				g.putEdge(renew(e, "one"))
			}
			twice := append([]*rg.Edge{renew(es[400], "first")}, es[410:480]...)
			twice = append(twice, renew(es[400], "last"), es[410])
			g.putEdges(twice)
			if got := g.edges[es[400].ID].Role; got != "last" {
				t.Errorf("relation %s given twice in a batch: note %q, want the last value's", es[400].ID, got)
			}

			want := map[string][]string{}
			for _, e := range all {
				want["out "+e.From+" "+string(e.Kind)] = append(want["out "+e.From+" "+string(e.Kind)], e.ID)
				want["in "+e.To+" "+string(e.Kind)] = append(want["in "+e.To+" "+string(e.Kind)], e.ID)
			}
			got := map[string][]string{}
			check := func(key string, l []*rg.Edge) {
				for _, e := range l {
					got[key] = append(got[key], e.ID)
					if g.edges[e.ID] != e {
						t.Errorf("%s: holds a stale value of %s (note %q, stored %q)", key, e.ID, e.Role, g.edges[e.ID].Role)
					}
				}
			}
			for id, a := range g.adj {
				for k, l := range a.out {
					check("out "+id+" "+string(k), l)
				}
				for k, l := range a.in {
					check("in "+id+" "+string(k), l)
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

// A relation given twice in one batch with different ends (which Apply
// refuses, but putEdges must not turn into a stale pointer) is listed at
// the ends of the value stored only.
func TestPutEdgesRepeatedIDKeepsLastEnds(t *testing.T) {
	g := newGraph()
	var es []*rg.Edge
	for i := range 100 {
		es = append(es, &rg.Edge{ID: fmt.Sprintf("e%04d", i), Kind: rg.RelFunds, From: "a", To: fmt.Sprintf("m%d", i)})
	}
	es = append(es, &rg.Edge{ID: "e0005", Kind: rg.RelFunds, From: "b", To: "c"})
	g.putEdges(es)
	var at []string
	for id, a := range g.adj {
		for _, l := range []map[rg.RelKind][]*rg.Edge{a.out, a.in} {
			for _, e := range l[rg.RelFunds] {
				if e.ID == "e0005" {
					at = append(at, id)
				}
			}
		}
	}
	slices.Sort(at)
	if !slices.Equal(at, []string{"b", "c"}) {
		t.Errorf("e0005 listed at %v, want [b c]", at)
	}
	if n := g.degree("a", rg.Out); n != 99 {
		t.Errorf("a has %d relations out, want 99", n)
	}
}
