package boltstore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/boltstore"
	"github.com/regiongraph/regiongraph/storetest"
)

// benchGraph has 3000 nodes (municipalities, partners, networks and
// initiatives) and about 7000 relations.
func benchGraph() storetest.Graph {
	var g storetest.Graph
	for i := range 100 {
		g.Nodes = append(g.Nodes, storetest.N(fmt.Sprintf("kommune-%03d", i), rg.KindMunicipality, fmt.Sprintf("Kommune %d Tromsø", i)))
	}
	for i := range 400 {
		g.Nodes = append(g.Nodes, storetest.N(fmt.Sprintf("partner-%03d", i), rg.KindPartner, fmt.Sprintf("Partner %d", i)))
	}
	for i := range 500 {
		g.Nodes = append(g.Nodes, storetest.N(fmt.Sprintf("nettverk-%03d", i), rg.KindNetwork, fmt.Sprintf("Nettverk %d", i)))
	}
	for i := range 2000 {
		n := storetest.FullInitiative(fmt.Sprintf("tiltak-%04d", i))
		n.Name = fmt.Sprintf("Tiltak %d for Nore og Uvdal", i)
		n.PlanYear = storetest.Int(2015 + i%10)
		g.Nodes = append(g.Nodes, n)
	}
	for i := range 2000 {
		g.Edges = append(g.Edges,
			storetest.E(fmt.Sprintf("funds-%04d", i), rg.RelFunds, fmt.Sprintf("partner-%03d", i%400), fmt.Sprintf("tiltak-%04d", i)),
			storetest.EY(fmt.Sprintf("part-%04d", i), rg.RelParticipatesIn, fmt.Sprintf("kommune-%03d", i%100), fmt.Sprintf("tiltak-%04d", i), storetest.Int(2015+i%10), nil),
			storetest.E(fmt.Sprintf("coord-%04d", i), rg.RelCoordinates, fmt.Sprintf("nettverk-%03d", i%500), fmt.Sprintf("tiltak-%04d", i)),
		)
	}
	for i := range 1000 {
		g.Edges = append(g.Edges, storetest.E(fmt.Sprintf("member-%04d", i), rg.RelMemberOf, fmt.Sprintf("kommune-%03d", i%100), fmt.Sprintf("nettverk-%03d", i%500)))
	}
	return g
}

func benchStore(b *testing.B) *boltstore.Store {
	b.Helper()
	s, err := boltstore.Open(filepath.Join(b.TempDir(), "bench.db"), quiet())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	storetest.Load(b, s, benchGraph())
	return s
}

func BenchmarkFindNodes(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		f    rg.NodeFilter
	}{
		{"all-by-name", rg.NodeFilter{}},
		{"text", rg.NodeFilter{Text: "nore og"}},
		{"kind-planyear-by-cost-desc", rg.NodeFilter{Kinds: []rg.Kind{rg.KindInitiative}, PlanYear: storetest.Int(2020), Order: rg.Order{Field: rg.OrderByCostNok, Desc: true}}},
		{"related-year", rg.NodeFilter{Related: []rg.Related{{Kind: rg.RelParticipatesIn, Direction: rg.Out, NodeIDs: []string{"tiltak-0001", "tiltak-0101", "tiltak-0201"}}}, Year: storetest.Int(2016)}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.FindNodes(ctx, bc.f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEdges(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	ids := make([]string, 100)
	for i := range ids {
		ids[i] = fmt.Sprintf("tiltak-%04d", i*20)
	}
	for _, bc := range []struct {
		name string
		f    rg.EdgeFilter
	}{
		{"100-nodes-both", rg.EdgeFilter{NodeIDs: ids}},
		{"100-nodes-in-kind-year", rg.EdgeFilter{NodeIDs: ids, Direction: rg.In, Kinds: []rg.RelKind{rg.RelParticipatesIn}, Year: storetest.Int(2020)}},
		{"all", rg.EdgeFilter{}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Edges(ctx, bc.f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkApply(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	for _, size := range []int{1, 100} {
		b.Run(fmt.Sprintf("batch-%d", size), func(b *testing.B) {
			i := 0
			for b.Loop() {
				cs := make([]rg.Change, 0, size)
				for range size {
					n := storetest.Partner(fmt.Sprintf("bench-%d-%d", size, i))
					i++
					cs = append(cs, rg.Change{Op: rg.OpUpsertNode, Node: n})
				}
				if _, err := s.Apply(ctx, cs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkHistory reads a page of the whole history and of one node's,
// with 10000 changes recorded (the bench graph's) plus 1000 updates of one
// node.
func BenchmarkHistory(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	for i := range 1000 {
		n := storetest.FullInitiative("tiltak-0001")
		n.Description = fmt.Sprintf("v%d", i)
		storetest.MustApply(b, s, rg.Change{Op: rg.OpUpdateNode, Node: n})
	}
	for _, f := range []rg.HistoryFilter{{First: 50}, {ID: "tiltak-0001", First: 50}, {ID: "kommune-001", First: 50}} {
		p, err := s.History(ctx, f)
		if err != nil || len(p.Entries) == 0 {
			b.Fatalf("History(%+v): %d entries, %v", f, len(p.Entries), err)
		}
		b.Run(fmt.Sprintf("id=%q", f.ID), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.History(ctx, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
