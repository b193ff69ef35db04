package export_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/boltstore"
	"github.com/regiongraph/regiongraph/export"
)

// newStore returns a boltstore in a temporary file holding nodes and edges.
func newStore(t *testing.T, nodes []*rg.Node, edges []*rg.Edge) rg.Store {
	t.Helper()
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "export.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	var changes []rg.Change
	for _, n := range nodes {
		changes = append(changes, rg.Change{Op: rg.OpCreateNode, Node: n})
	}
	for _, e := range edges {
		changes = append(changes, rg.Change{Op: rg.OpCreateEdge, Edge: e})
	}
	if _, err := s.Apply(context.Background(), changes); err != nil {
		t.Fatalf("load the fixture: %v", err)
	}
	return s
}

// TestOptionsDataYears: the map's year slider is offered every year the
// data names, the plan years and the years relations start and end in
// (the fixture: plans 2011 and 2014, Tinn a member until 2012, in the
// health network since 2014), and the drawn nodes carry the plan year and
// code that tell same-named initiatives apart.
func TestOptionsDataYears(t *testing.T) {
	nodes, edges := fixture()
	s := newStore(t, nodes, edges)
	o, err := export.Options(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]bool{}
	for _, n := range nodes {
		if n.PlanYear != nil && (n.Kind == rg.KindPlan || n.Kind == rg.KindInitiative) {
			want[*n.PlanYear] = true
		}
	}
	for _, e := range edges {
		for _, y := range []*int{e.FromYear, e.ToYear} {
			if y != nil {
				want[*y] = true
			}
		}
	}
	if len(want) < 3 || !want[2012] {
		t.Fatalf("the fixture names too few years: %v", want)
	}
	if len(o.DataYears) != len(want) || !slices.IsSorted(o.DataYears) {
		t.Errorf("dataYears %v, want the %d years %v ascending", o.DataYears, len(want), want)
	}
	for _, y := range o.DataYears {
		if !want[y] {
			t.Errorf("dataYears has %d, which the data does not name", y)
		}
	}
	g, err := export.Build(context.Background(), s, export.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range g.MapData().Nodes {
		if n.ID == "tiltak-2014-a" && (n.Code != "A" || n.PlanYear == nil || *n.PlanYear != 2014) {
			t.Errorf("map node %s: code %q, plan year %v", n.ID, n.Code, n.PlanYear)
		}
	}
}
