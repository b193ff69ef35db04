package export

import (
	"context"
	"fmt"
	"maps"
	"testing"

	rg "github.com/regiongraph/regiongraph"
)

// TestCachedLayoutIsLayout: a cached layout equals a new one, and changing
// what was returned does not change the cache.
func TestCachedLayoutIsLayout(t *testing.T) {
	sg := &rg.Subgraph{}
	for i := 0; i < 12; i++ {
		sg.Nodes = append(sg.Nodes, &rg.Node{ID: fmt.Sprintf("n-%02d", i), Kind: rg.KindPartner, Name: "P"})
		if i > 0 {
			sg.Edges = append(sg.Edges, &rg.Edge{ID: fmt.Sprintf("e-%02d", i), Kind: rg.RelPartnerOf, From: "n-00", To: fmt.Sprintf("n-%02d", i)})
		}
	}
	cached := func(sg *rg.Subgraph) map[string]Point {
		pos, err := cachedLayout(context.Background(), sg)
		if err != nil {
			t.Fatal(err)
		}
		return pos
	}
	fresh := Layout(sg)
	first := cached(sg)
	if !maps.Equal(first, fresh) {
		t.Fatal("a first cached layout differs from Layout")
	}
	first["n-00"] = Point{X: -1, Y: -1}
	if second := cached(sg); !maps.Equal(second, fresh) {
		t.Error("changing a returned layout changed the cache")
	}
	// Another graph is another entry.
	sg.Edges = sg.Edges[:5]
	if other := cached(sg); maps.Equal(other, fresh) {
		t.Error("a different graph got the same layout")
	}
}

// TestLayoutStopsWithItsContext: a layout whose context is done stops with
// its error instead of finishing (the map's data and the exports stop when
// their request does).
func TestLayoutStopsWithItsContext(t *testing.T) {
	sg := &rg.Subgraph{}
	for i := range 600 { // one component beyond isomapMax: the optimiser's rounds
		sg.Nodes = append(sg.Nodes, &rg.Node{ID: fmt.Sprintf("n-%04d", i), Kind: rg.KindPartner, Name: "P"})
		if i > 0 {
			sg.Edges = append(sg.Edges, &rg.Edge{ID: fmt.Sprintf("e-%04d", i), Kind: rg.RelPartnerOf, From: fmt.Sprintf("n-%04d", i/2), To: fmt.Sprintf("n-%04d", i)})
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if pos, err := LayoutContext(ctx, sg); err == nil || pos != nil {
		t.Errorf("a cancelled layout: %d positions, %v", len(pos), err)
	}
	if _, err := NewContext(ctx, Filter{}, sg); err == nil {
		t.Error("NewContext with a cancelled context laid out")
	}
	if pos, err := LayoutContext(context.Background(), sg); err != nil || len(pos) != len(sg.Nodes) {
		t.Errorf("a layout: %d positions, %v", len(pos), err)
	}
}
