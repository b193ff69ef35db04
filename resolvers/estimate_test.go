package resolvers_test

import (
	"context"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/gqlhttp"
	"github.com/regiongraph/regiongraph/resolvers"
)

func TestListEstimate(t *testing.T) {
	st := rg.GraphStats{
		Nodes: map[rg.Kind]int{rg.KindMunicipality: 8, rg.KindRegion: 1, rg.KindInitiative: 82},
		Relations: map[rg.RelKind]rg.RelationDegrees{
			rg.RelMemberOf:    {Count: 8, MaxOut: 1, MaxIn: 8},
			rg.RelFacilitates: {Count: 12, MaxOut: 12, MaxIn: 1},
			rg.RelFunds:       {Count: 42, MaxOut: 19, MaxIn: 2},
			rg.RelPartnerOf:   {Count: 12, MaxOut: 12, MaxIn: 2},
			rg.RelInPlan:      {Count: 136, MaxOut: 2, MaxIn: 90},
		},
		MaxOut: 19, MaxIn: 91, MaxBoth: 93,
	}
	for _, c := range []struct {
		typ, field string
		args       map[string]any
		want       int
		ok         bool
	}{
		{"Query", "municipalities", nil, 8, true},
		{"Query", "initiatives", nil, 50, true}, // the default page
		{"Query", "initiatives", map[string]any{"first": int64(100)}, 82, true},
		{"Query", "initiatives", map[string]any{"first": int64(3)}, 3, true},
		{"Query", "search", map[string]any{"kinds": []any{"MUNICIPALITY", "REGION"}}, 9, true},
		{"Query", "centrality", nil, 0, false},
		{"Municipality", "memberOf", nil, 1, true},
		{"Region", "members", nil, 8, true},
		{"Actor", "members", nil, 8, true},
		{"Region", "facilitates", nil, 12, true},
		{"Initiative", "funders", nil, 2, true},
		{"Fund", "funds", map[string]any{"year": int64(2011)}, 19, true},
		{"Partner", "partners", nil, 14, true}, // both ways: a bound
		{"Initiative", "plan", nil, 1, true},
		{"Plan", "initiatives", nil, 90, true},
		{"Region", "relations", map[string]any{"direction": "OUT", "kinds": []any{"FACILITATES", "MEMBER_OF"}}, 13, true},
		{"Node", "relationsConnection", map[string]any{"kinds": []any{"IN_PLAN"}}, 92, true},
		{"Node", "relationsConnection", map[string]any{"first": int64(10)}, 10, true},
		{"Node", "relations", nil, 93, true}, // the most any node has
		{"Node", "neighbours", map[string]any{"direction": "OUT"}, 19, true},
		{"Plan", "relations", map[string]any{"kinds": []any{"IN_PLAN", "FUNDS"}}, 93, true}, // 92 + 21, but no node has more than 93
		{"Region", "name", nil, 0, false},
		{"Relation", "from", nil, 0, false},
	} {
		got, ok := resolvers.ListEstimate(st, c.typ, c.field, c.args)
		if got != c.want || ok != c.ok {
			t.Errorf("%s.%s(%v) = %d, %v; want %d, %v", c.typ, c.field, c.args, got, ok, c.want, c.ok)
		}
	}
}

// TestListEstimateBoundsTheAnswers checks on the bundled data that no list
// of the read queries holds more than its estimate.
func TestListEstimateBoundsTheAnswers(t *testing.T) {
	store := openStore(t, 1)
	st, err := store.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for typ, fields := range map[string][]string{
		"Region":       {"members", "facilitates", "coordinates", "partners", "representedIn", "relations", "neighbours"},
		"Initiative":   {"funders", "owners", "focusAreas", "topics", "subInitiatives", "overlaps", "relations", "neighbours"},
		"Fund":         {"funds", "administeredBy"},
		"FocusArea":    {"initiatives", "strategyAreas", "topics"},
		"Plan":         {"initiatives", "topics", "relations", "neighbours"},
		"Municipality": {"memberOf", "participatesIn", "coordinates", "partners"},
		"Partner":      {"partners", "coordinates", "funds"},
	} {
		for _, f := range fields {
			est, ok := resolvers.ListEstimate(st, typ, f, nil)
			if !ok {
				t.Fatalf("%s.%s: no estimate", typ, f)
			}
			root := map[string]string{"Region": "regions", "Initiative": "initiatives", "Fund": "funds", "FocusArea": "focusAreas", "Plan": "plans", "Municipality": "municipalities", "Partner": "partners"}[typ]
			r := post(t, gqlhttp.NewHandler(store, gqlhttp.Options{}), `{ nodes: `+root+`(first: 1000) { nodes { id `+f+` { __typename } } } }`)
			if len(r.Errors) > 0 {
				t.Fatalf("%s.%s: %+v", typ, f, r.Errors)
			}
			all := r.Data["nodes"].(map[string]any)["nodes"].([]any)
			if len(all) == 0 {
				t.Fatalf("no %s nodes", typ)
			}
			for _, n := range all {
				if l, ok := n.(map[string]any)[f].([]any); ok && len(l) > est {
					t.Errorf("%s.%s of %v holds %d, over its estimate %d", typ, f, n.(map[string]any)["id"], len(l), est)
				}
			}
		}
	}
}
