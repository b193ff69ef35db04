package export_test

import (
	"fmt"
	"maps"
	"math"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/export"
)

// checkLayout checks that every node has a finite position in the positive
// quadrant and that no two nodes are drawn on one spot.
func checkLayout(t *testing.T, sg *rg.Subgraph, pos map[string]export.Point) {
	t.Helper()
	if len(pos) != len(sg.Nodes) {
		t.Fatalf("%d positions for %d nodes", len(pos), len(sg.Nodes))
	}
	for id, p := range pos {
		if math.IsNaN(p.X) || math.IsNaN(p.Y) || math.IsInf(p.X, 0) || math.IsInf(p.Y, 0) || p.X < 0 || p.Y < 0 {
			t.Fatalf("%s at (%v, %v)", id, p.X, p.Y)
		}
	}
	ids := make([]string, 0, len(pos))
	for id := range pos {
		ids = append(ids, id)
	}
	for i := range ids {
		for j := i + 1; j < len(ids); j++ {
			a, b := pos[ids[i]], pos[ids[j]]
			if math.Hypot(a.X-b.X, a.Y-b.Y) < 0.5 {
				t.Fatalf("%s and %s on one spot (%v, %v)", ids[i], ids[j], a.X, a.Y)
			}
		}
	}
}

func TestLayoutIsDeterministicAndSpread(t *testing.T) {
	nodes, edges := fixture()
	sg := &rg.Subgraph{Nodes: nodes, Edges: edges}
	a, b := export.Layout(sg), export.Layout(sg)
	if !maps.Equal(a, b) {
		t.Error("two layouts of the same graph differ")
	}
	checkLayout(t, sg, a)
	// The node without relations is placed apart from the rest.
	usn := a["partner-usn"]
	for id, p := range a {
		if id != "partner-usn" && math.Hypot(p.X-usn.X, p.Y-usn.Y) < export.EdgeLength/2 {
			t.Errorf("%s is close to the lone node", id)
		}
	}
}

// star builds a hub with n initiatives coordinated by it and, around them,
// m partners in a chain, so that one component exceeds the Isomap bound.
func star(n int) *rg.Subgraph {
	sg := &rg.Subgraph{Nodes: []*rg.Node{{ID: "hub", Kind: rg.KindRegion, Name: "Hub"}}}
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("i-%04d", i)
		sg.Nodes = append(sg.Nodes, &rg.Node{ID: id, Kind: rg.KindInitiative, Name: id})
		sg.Edges = append(sg.Edges, &rg.Edge{ID: "c-" + id, Kind: rg.RelCoordinates, From: "hub", To: id})
		if i > 0 && i%3 == 0 {
			sg.Edges = append(sg.Edges, &rg.Edge{ID: "o-" + id, Kind: rg.RelOverlaps, From: id, To: fmt.Sprintf("i-%04d", i-1)})
		}
	}
	return sg
}

func TestLayoutOfLargeComponents(t *testing.T) {
	for _, n := range []int{1, 2, 3, 120, 450} {
		sg := star(n)
		pos := export.Layout(sg)
		checkLayout(t, sg, pos)
	}
}

// TestNewKeepsCirclesApart: after sizing, no two node circles overlap.
func TestNewKeepsCirclesApart(t *testing.T) {
	nodes, edges := fixture()
	for _, sg := range []*rg.Subgraph{{Nodes: nodes, Edges: edges}, star(30)} {
		g := export.New(export.Filter{}, sg)
		checkLayout(t, sg, g.Pos)
		for i, a := range sg.Nodes {
			for _, b := range sg.Nodes[i+1:] {
				pa, pb := g.Pos[a.ID], g.Pos[b.ID]
				if d := math.Hypot(pa.X-pb.X, pa.Y-pb.Y); d < g.Size(a.ID)+g.Size(b.ID) {
					t.Errorf("%s and %s overlap: %.1f apart, radii %.1f and %.1f", a.ID, b.ID, d, g.Size(a.ID), g.Size(b.ID))
				}
			}
		}
	}
}
