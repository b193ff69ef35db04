package boltstore_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/data"
	"github.com/regiongraph/regiongraph/dataset"
	"github.com/regiongraph/regiongraph/storetest"
)

// TestTextFilterAsScan holds FindNodes with a text filter (whose
// candidates come from an index of the folded names', aliases' and codes'
// trigrams when that is smaller than the kinds asked for) to rg.Matches
// over every node: the same nodes, in the same order, with the same count,
// for substrings of the bundled data's names, aliases and codes (across
// word and field boundaries, folded or not), texts no node has and short
// texts, with and without kinds, before and after renaming, re-coding and
// deleting nodes.
func TestTextFilterAsScan(t *testing.T) {
	ctx := context.Background()
	s := openAt(t, filepath.Join(t.TempDir(), "store.db"))
	ds, err := dataset.ParseBytes(data.Kongsbergregionen, data.KongsbergregionenFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(ctx, ds.Changes()); err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(13, 2011))
	all := func() []*rg.Node {
		p, err := s.FindNodes(ctx, rg.NodeFilter{First: rg.MaxPageSize})
		if err != nil {
			t.Fatal(err)
		}
		if p.TotalCount > len(p.Nodes) {
			t.Fatalf("%d nodes, more than a page", p.TotalCount)
		}
		return p.Nodes
	}
	texts := func(ns []*rg.Node) []string {
		out := []string{"LUP 2011", "lup", "Kongsberg", "KONGSBERGREGIONEN", "tromsø", "ål", "a", "zz", "", "  nore   og ",
			"zzzz", "qxj", "1.1", "3.1", "(", "e 134", "æøå"}
		for range 300 {
			n := ns[rnd.IntN(len(ns))]
			src := append([]string{n.Name, n.Code, n.Name + " " + n.Code}, n.Aliases...)
			str := src[rnd.IntN(len(src))]
			if str == "" {
				continue
			}
			r := []rune(str)
			i := rnd.IntN(len(r))
			j := min(len(r), i+1+rnd.IntN(12))
			sub := string(r[i:j])
			switch rnd.IntN(3) {
			case 0:
				sub = strings.ToUpper(sub)
			case 1:
				sub = rg.Fold(sub)
			}
			out = append(out, sub)
		}
		return out
	}
	kindSets := [][]rg.Kind{nil, {rg.KindInitiative}, {rg.KindMunicipality, rg.KindNetwork}, {rg.KindPlan}}
	compare := func(stage string) {
		ns := all()
		compared, found := 0, 0
		for _, text := range texts(ns) {
			for _, kinds := range kindSets {
				var hits []*rg.Node
				for _, n := range ns {
					if (len(kinds) == 0 || slices.Contains(kinds, n.Kind)) && rg.Matches(n, text) {
						hits = append(hits, n)
					}
				}
				var o rg.NodeFilter // FindNodes' default order
				slices.SortFunc(hits, func(a, b *rg.Node) int {
					return rg.CompareKeys(o.Order, rg.SortValue(a, o.Order.Field), a.ID, rg.SortValue(b, o.Order.Field), b.ID)
				})
				want := storetest.NodeIDs(hits)
				for _, first := range []int{3, rg.MaxPageSize} {
					p, err := s.FindNodes(ctx, rg.NodeFilter{Text: text, Kinds: kinds, First: first})
					if err != nil {
						t.Fatalf("%s: FindNodes(%q, %v): %v", stage, text, kinds, err)
					}
					got := storetest.NodeIDs(p.Nodes)
					if p.TotalCount != len(want) || !slices.Equal(got, want[:min(first, len(want))]) {
						t.Fatalf("%s: FindNodes(%q, %v, first %d): %d %v, scanning gives %d %v", stage, text, kinds, first, p.TotalCount, got, len(want), want)
					}
					compared++
				}
				if len(want) > 0 {
					found++
				}
			}
		}
		if found < 100 {
			t.Fatalf("%s: only %d filters found anything", stage, found)
		}
		t.Logf("%s: %d filters compared, %d found nodes", stage, compared, found)
	}
	compare("loaded")

	// Rename some nodes, re-code others, delete a few: the old texts
	// must no longer find them, the new ones must.
	ns := all()
	var cs []rg.Change
	for i, n := range ns {
		switch i % 17 {
		case 0:
			m := n.Clone()
			m.Name = fmt.Sprintf("Omdøpt Åsgård %d %s", i, n.Name[:len(n.Name)/2])
			m.Aliases = nil
			cs = append(cs, rg.Change{Op: rg.OpUpdateNode, Node: m})
		case 1:
			if n.Code != "" {
				m := n.Clone()
				m.Code = fmt.Sprintf("Z%d", i)
				cs = append(cs, rg.Change{Op: rg.OpUpdateNode, Node: m})
			}
		case 2:
			cs = append(cs, rg.Change{Op: rg.OpDeleteNode, ID: n.ID, Detach: true})
		}
	}
	if _, err := s.Apply(ctx, cs); err != nil {
		t.Fatal(err)
	}
	compare("changed")
	for _, text := range []string{"omdøpt åsgård", "OMDOPT ASGARD 17"} {
		if p, err := s.FindNodes(ctx, rg.NodeFilter{Text: text}); err != nil || p.TotalCount == 0 {
			t.Fatalf("FindNodes(%q) after renaming: %v, %v", text, p.TotalCount, err)
		}
	}
}
