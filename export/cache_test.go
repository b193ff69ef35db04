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
