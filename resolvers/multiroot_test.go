package resolvers_test

import (
	"encoding/json"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/storetest"
)

// TestMultiRootMutation: the fields of one mutation are applied one by one,
// in order; a field that fails answers null with its error and changes
// nothing, and the fields applied before and after it are answered. Before,
// `a: createNetwork b: deleteNetwork` as an editor committed a and answered
// data: null, so the client believed nothing was written.
func TestMultiRootMutation(t *testing.T) {
	g := newGQL(t)
	g.ok(admin, `mutation { createNetwork(input: {id: "nettverk-gammel", name: "Gammelt nettverk", `+src+`}) { id } }`, nil, nil)
	history := storetest.HistoryLen(t, g.store, "")

	r := g.as(editor, `mutation {
	  a: createNetwork(input: {id: "nettverk-ny", name: "Nytt nettverk", `+src+`}) { id }
	  b: deleteNetwork(id: "nettverk-gammel") { id }
	  c: createNetwork(input: {id: "nettverk-ny", name: "Nytt igjen", `+src+`}) { id }
	  d: createNetwork(input: {id: "nettverk-tredje", name: "Tredje", `+src+`}) { id }
	}`, nil)
	var data map[string]*struct{ ID string }
	if err := json.Unmarshal(r.Data, &data); err != nil || data == nil {
		t.Fatalf("data %s (%v): the committed fields must be answered", r.Data, err)
	}
	if data["a"] == nil || data["a"].ID != "nettverk-ny" || data["d"] == nil || data["d"].ID != "nettverk-tredje" {
		t.Errorf("applied fields: a %+v, d %+v", data["a"], data["d"])
	}
	if v, ok := data["b"]; !ok || v != nil {
		t.Errorf("b (forbidden) = %+v, present %v; want null", v, ok)
	}
	if v, ok := data["c"]; !ok || v != nil {
		t.Errorf("c (conflict) = %+v, present %v; want null", v, ok)
	}
	if len(r.Errors) != 2 {
		t.Fatalf("errors %+v, want two (b FORBIDDEN, c CONFLICT)", r.Errors)
	}
	codes := map[any]bool{}
	for _, e := range r.Errors {
		codes[e.Extensions["code"]] = true
	}
	if !codes[rg.EFORBIDDEN] || !codes[rg.ECONFLICT] {
		t.Errorf("errors %+v, want FORBIDDEN and CONFLICT", r.Errors)
	}

	// What the answer says is what the store holds.
	ns, err := g.store.Nodes(t.Context(), []string{"nettverk-ny", "nettverk-gammel", "nettverk-tredje"})
	if err != nil || len(ns) != 3 {
		t.Fatalf("nodes after the mutation: %d (%v), want all three (a and d created, the old one kept)", len(ns), err)
	}
	for _, n := range ns {
		if n.ID == "nettverk-ny" && n.Name != "Nytt nettverk" {
			t.Errorf("c overwrote a: %q", n.Name)
		}
	}
	if n := storetest.HistoryLen(t, g.store, ""); n != history+2 {
		t.Errorf("history grew by %d, want 2 (a and d)", n-history)
	}
}
