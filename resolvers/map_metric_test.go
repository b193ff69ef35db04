package resolvers_test

import (
	"testing"

	"github.com/regiongraph/regiongraph/gqlhttp"
)

// The map sized by a centrality shows the same values as the centrality
// query, for actors, and 0 for everything else.
func TestPartnershipMapSizedByCentrality(t *testing.T) {
	h := gqlhttp.NewHandler(openStore(t, 1), gqlhttp.Options{})
	for _, m := range []struct{ metric, field string }{{"PAGERANK", "pageRank"}, {"BETWEENNESS", "betweenness"}, {"CLOSENESS", "closeness"}} {
		t.Run(m.metric, func(t *testing.T) {
			r := post(t, h, `{ partnershipMap(filter: {year: 2014}, metric: `+m.metric+`) { metric nodes { id value size node { kind } } }
			  centrality(year: 2014, first: 1000) { scores { actor { id } `+m.field+` } } }`)
			if len(r.Errors) > 0 {
				t.Fatal(r.Errors)
			}
			want := map[string]float64{}
			for _, s := range r.Data["centrality"].(map[string]any)["scores"].([]any) {
				sc := s.(map[string]any)
				want[sc["actor"].(map[string]any)["id"].(string)] = sc[m.field].(float64)
			}
			pm := r.Data["partnershipMap"].(map[string]any)
			if pm["metric"] != m.metric {
				t.Errorf("metric %v", pm["metric"])
			}
			sizes := map[float64]bool{}
			actors := 0
			for _, n := range pm["nodes"].([]any) {
				mn := n.(map[string]any)
				id, v := mn["id"].(string), mn["value"].(float64)
				sizes[mn["size"].(float64)] = true
				if w, ok := want[id]; ok {
					actors++
					if v != w {
						t.Errorf("%s: map value %v, centrality %v", id, v, w)
					}
				} else if v != 0 {
					t.Errorf("%s (not an actor) has value %v", id, v)
				}
			}
			if actors < 20 || len(sizes) < 3 {
				t.Errorf("%d actors on the map, %d distinct sizes", actors, len(sizes))
			}
		})
	}
}
