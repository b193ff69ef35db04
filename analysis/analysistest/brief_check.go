package analysistest

import (
	"context"
	"slices"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/analysis"
)

// RunBrief checks the lobbying brief on a store holding the bundled
// dataset (open returns an empty store): the brief on E134
// Saggrenda/Gvammen in 2014 totals 0 NOK, takes in its parent topic, names
// Statens vegvesen first among who to talk to, reached in one actor-to-actor
// step, and no route of any topic's brief passes a fund, plan or area. The
// routes come from the store's ShortestPaths, so every store must answer
// alike.
func RunBrief(t *testing.T, open func(t *testing.T) rg.Store) {
	s := open(t)
	f, err := Bundled()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := s.Apply(ctx, f.Changes()); err != nil {
		t.Fatalf("load the bundled dataset: %v", err)
	}
	y := 2014
	b, err := analysis.LoadBrief(ctx, s, analysis.Subject{Topic: "sak-e134-saggrenda-gvammen"}, &y)
	if err != nil {
		t.Fatal(err)
	}
	if b.Funding.TotalNok != 0 || len(b.ParentTopics) != 1 || b.ParentTopics[0].ID != "sak-e134" {
		t.Errorf("total %d NOK, parent topics %d: want 0 NOK and E134", b.Funding.TotalNok, len(b.ParentTopics))
	}
	if len(b.TalkTo) == 0 || b.TalkTo[0].Actor.Node.ID != "partner-statens-vegvesen" {
		t.Fatalf("who to talk to first: %d contacts, want Statens vegvesen first", len(b.TalkTo))
	}
	if p := b.TalkTo[0].Path; p == nil || p.Path == nil || p.Via != analysis.ViaActors || len(p.Path.Edges) != 1 {
		t.Errorf("route to Statens vegvesen: %+v, want one actor-to-actor step", p)
	}
	forbidden := []rg.Kind{rg.KindFund, rg.KindPlan, rg.KindFocusArea, rg.KindStrategyArea}
	for _, topic := range []string{"sak-e134", "sak-fylkesveger", "sak-kollektivtransport", "sak-bredband"} {
		b, err := analysis.LoadBrief(ctx, s, analysis.Subject{Topic: topic}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range b.Paths {
			if p.Path == nil {
				continue
			}
			for _, n := range p.Path.Nodes[1 : len(p.Path.Nodes)-1] {
				if slices.Contains(forbidden, n.Kind) {
					t.Errorf("%s: the route to %s passes the %s %s", topic, p.To.ID, n.Kind, n.ID)
				}
			}
		}
	}
}
