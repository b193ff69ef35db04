package storetest

import (
	"context"
	"strings"
	"testing"

	rg "github.com/regiongraph/regiongraph"
)

// validationGraph has one node of every kind that the validation cases
// relate or update, and one relation.
func validationGraph() Graph {
	muni := N("muni", rg.KindMunicipality, "Muni")
	muni.Number = "3006"
	return Graph{
		Nodes: []*rg.Node{
			muni, N("net", rg.KindNetwork, "Net"), Partner("partner"), FullInitiative("init"),
			N("focus", rg.KindFocusArea, "Focus"), N("strategy", rg.KindStrategyArea, "Strategy"),
		},
		Edges: []*rg.Edge{EY("muni-in-net", rg.RelMemberOf, "muni", "net", Int(2020), nil)},
	}
}

// nodeWith returns a valid Partner "new" changed by f.
func nodeWith(f func(n *rg.Node)) *rg.Node {
	n := Partner("new")
	f(n)
	return n
}

// initWith returns a valid Initiative "new-init" changed by f.
func initWith(f func(n *rg.Node)) *rg.Node {
	n := FullInitiative("new-init")
	f(n)
	return n
}

// edgeWith returns a valid FUNDS relation partner -> init changed by f.
func edgeWith(f func(e *rg.Edge)) *rg.Edge {
	e := FullEdge("new-e", "partner", "init")
	f(e)
	return e
}

func createNode(n *rg.Node) rg.Change { return rg.Change{Op: rg.OpCreateNode, Node: n} }
func createEdge(e *rg.Edge) rg.Change { return rg.Change{Op: rg.OpCreateEdge, Edge: e} }

// testValidation checks every validation rule through Apply: each invalid
// change is refused with its code and field path, and changes neither the
// graph nor the history.
func testValidation(t *testing.T, open Opener) {
	long := func(n int) string { return strings.Repeat("x", n) }
	cases := []struct {
		name   string
		change rg.Change
		code   string
		field  string
	}{
		// Ids.
		{"a node without id", createNode(nodeWith(func(n *rg.Node) { n.ID = "" })), rg.EBADINPUT, "changes[0].node.id"},
		{"an id with upper case", createNode(nodeWith(func(n *rg.Node) { n.ID = "Kommune-A" })), rg.EBADINPUT, "changes[0].node.id"},
		{"an id with a space", createNode(nodeWith(func(n *rg.Node) { n.ID = "kommune a" })), rg.EBADINPUT, "changes[0].node.id"},
		{"an id with a double hyphen", createNode(nodeWith(func(n *rg.Node) { n.ID = "a--b" })), rg.EBADINPUT, "changes[0].node.id"},
		{"an id starting with a hyphen", createNode(nodeWith(func(n *rg.Node) { n.ID = "-a" })), rg.EBADINPUT, "changes[0].node.id"},
		{"an id with a non-ASCII letter", createNode(nodeWith(func(n *rg.Node) { n.ID = "ås" })), rg.EBADINPUT, "changes[0].node.id"},
		{"an id longer than 100 bytes", createNode(nodeWith(func(n *rg.Node) { n.ID = strings.Repeat("a", rg.MaxIDLen+1) })), rg.EBADINPUT, "changes[0].node.id"},
		{"a relation without id", createEdge(edgeWith(func(e *rg.Edge) { e.ID = "" })), rg.EBADINPUT, "changes[0].edge.id"},
		{"a relation end that is not a slug", createEdge(edgeWith(func(e *rg.Edge) { e.From = "Partner" })), rg.EBADINPUT, "changes[0].edge.from"},
		{"a relation without to", createEdge(edgeWith(func(e *rg.Edge) { e.To = "" })), rg.EBADINPUT, "changes[0].edge.to"},
		{"a delete of an id that is not a slug", rg.Change{Op: rg.OpDeleteNode, ID: "A B"}, rg.EBADINPUT, "changes[0].id"},
		{"a source plan that is not a slug", createNode(nodeWith(func(n *rg.Node) { n.Source.Plan = "Plan 2020" })), rg.EBADINPUT, "changes[0].node.source.plan"},

		// Kinds.
		{"an unknown node kind", createNode(nodeWith(func(n *rg.Node) { n.Kind = "Person" })), rg.EBADINPUT, "changes[0].node.kind"},
		{"an unknown relation kind", createEdge(edgeWith(func(e *rg.Edge) { e.Kind = "LIKES" })), rg.EBADINPUT, "changes[0].edge.kind"},

		// Names and text.
		{"a missing name", createNode(nodeWith(func(n *rg.Node) { n.Name = "" })), rg.EBADINPUT, "changes[0].node.name"},
		{"a blank name", createNode(nodeWith(func(n *rg.Node) { n.Name = " \u00a0 " })), rg.EBADINPUT, "changes[0].node.name"},
		{"a name of 201 characters", createNode(nodeWith(func(n *rg.Node) { n.Name = strings.Repeat("ø", rg.MaxNameLen+1) })), rg.EBADINPUT, "changes[0].node.name"},
		{"a name of invalid UTF-8", createNode(nodeWith(func(n *rg.Node) { n.Name = "Kongsberg \xff" })), rg.EBADINPUT, "changes[0].node.name"},
		{"a name with a NUL", createNode(nodeWith(func(n *rg.Node) { n.Name = "a\x00b" })), rg.EBADINPUT, "changes[0].node.name"},
		{"a name with a newline", createNode(nodeWith(func(n *rg.Node) { n.Name = "a\nb" })), rg.EBADINPUT, "changes[0].node.name"},
		{"a name with a C1 control", createNode(nodeWith(func(n *rg.Node) { n.Name = "a\u0085b" })), rg.EBADINPUT, "changes[0].node.name"},
		{"an alias with a tab", createNode(nodeWith(func(n *rg.Node) { n.Aliases = []string{"ok", "a\tb"} })), rg.EBADINPUT, "changes[0].node.aliases[1]"},
		{"an empty alias", createNode(nodeWith(func(n *rg.Node) { n.Aliases = []string{""} })), rg.EBADINPUT, "changes[0].node.aliases[0]"},
		{"101 aliases", createNode(nodeWith(func(n *rg.Node) { n.Aliases = make([]string, rg.MaxListLen+1) })), rg.EBADINPUT, "changes[0].node.aliases"},
		{"a description over 4000 characters", createNode(nodeWith(func(n *rg.Node) { n.Description = long(rg.MaxTextLen + 1) })), rg.EBADINPUT, "changes[0].node.description"},
		{"a description with an escape character", createNode(nodeWith(func(n *rg.Node) { n.Description = "a\x1b[31m" })), rg.EBADINPUT, "changes[0].node.description"},
		{"a goal of invalid UTF-8", createNode(initWith(func(n *rg.Node) { n.Goals = []string{"\xc3"} })), rg.EBADINPUT, "changes[0].node.goals[0]"},
		{"a relation role with a control character", createEdge(edgeWith(func(e *rg.Edge) { e.Role = "styre\x07" })), rg.EBADINPUT, "changes[0].edge.role"},
		{"a relation's text as written over 4000 characters", createEdge(edgeWith(func(e *rg.Edge) { e.AsWritten = long(rg.MaxTextLen + 1) })), rg.EBADINPUT, "changes[0].edge.asWritten"},

		// Years.
		{"a plan year of 1899", createNode(initWith(func(n *rg.Node) { n.PlanYear = Int(1899) })), rg.EBADINPUT, "changes[0].node.planYear"},
		{"a plan year of 2101", createNode(initWith(func(n *rg.Node) { n.PlanYear = Int(2101) })), rg.EBADINPUT, "changes[0].node.planYear"},
		{"a yearly amount's year of 1899", createNode(initWith(func(n *rg.Node) { n.YearlyAmounts[1].Year = 1899 })), rg.EBADINPUT, "changes[0].node.yearlyAmounts[1].year"},
		{"a year given twice in yearly amounts", createNode(initWith(func(n *rg.Node) { n.YearlyAmounts[1].Year = n.YearlyAmounts[0].Year })), rg.EBADINPUT, "changes[0].node.yearlyAmounts[1].year"},
		{"a fromYear of 1899", createEdge(edgeWith(func(e *rg.Edge) { e.FromYear = Int(1899) })), rg.EBADINPUT, "changes[0].edge.fromYear"},
		{"a toYear of 2101", createEdge(edgeWith(func(e *rg.Edge) { e.ToYear = Int(2101) })), rg.EBADINPUT, "changes[0].edge.toYear"},
		{"a fromYear after the toYear", createEdge(edgeWith(func(e *rg.Edge) { e.FromYear, e.ToYear = Int(2025), Int(2024) })), rg.EBADINPUT, "changes[0].edge.toYear"},

		// Amounts.
		{"a negative cost", createNode(initWith(func(n *rg.Node) { n.CostNok = Int64(-1) })), rg.EBADINPUT, "changes[0].node.costNok"},
		{"a cost over 10^12", createNode(initWith(func(n *rg.Node) { n.CostNok = Int64(rg.MaxAmountNok + 1) })), rg.EBADINPUT, "changes[0].node.costNok"},
		{"a negative yearly amount", createNode(initWith(func(n *rg.Node) { n.YearlyAmounts[0].AmountNok = -5 })), rg.EBADINPUT, "changes[0].node.yearlyAmounts[0].amountNok"},
		{"a negative relation amount", createEdge(edgeWith(func(e *rg.Edge) { e.AmountNok = Int64(-1) })), rg.EBADINPUT, "changes[0].edge.amountNok"},
		{"a relation amount over 10^12", createEdge(edgeWith(func(e *rg.Edge) { e.AmountNok = Int64(rg.MaxAmountNok + 1) })), rg.EBADINPUT, "changes[0].edge.amountNok"},

		// Fields per kind and required fields.
		{"a cost on a partner", createNode(nodeWith(func(n *rg.Node) { n.CostNok = Int64(1) })), rg.EBADINPUT, "changes[0].node.costNok"},
		{"a field on a municipality", createNode(nodeWith(func(n *rg.Node) { n.Kind, n.Field = rg.KindMunicipality, "helse" })), rg.EBADINPUT, "changes[0].node.field"},
		{"a kommunenummer on a network", createNode(nodeWith(func(n *rg.Node) { n.Kind, n.Number = rg.KindNetwork, "3006" })), rg.EBADINPUT, "changes[0].node.number"},
		{"a source with neither plan nor outside", createNode(nodeWith(func(n *rg.Node) { n.Source = rg.Source{Section: "1"} })), rg.EBADINPUT, "changes[0].node.source.plan"},
		{"a source outside the plans without reference", createNode(nodeWith(func(n *rg.Node) { n.Source = rg.Source{Outside: true} })), rg.EBADINPUT, "changes[0].node.source.reference"},
		{"a change without its node", rg.Change{Op: rg.OpCreateNode}, rg.EBADINPUT, "changes[0].node"},
		{"a change without its relation", rg.Change{Op: rg.OpUpsertEdge}, rg.EBADINPUT, "changes[0].edge"},

		// The relation table.
		{"MEMBER_OF from a partner", createEdge(E("new-e", rg.RelMemberOf, "partner", "net")), rg.EBADINPUT, "changes[0].edge.kind"},
		{"FUNDS to a focus area", createEdge(E("new-e", rg.RelFunds, "partner", "focus")), rg.EBADINPUT, "changes[0].edge.kind"},
		{"PART_OF between unlike kinds", createEdge(E("new-e", rg.RelPartOf, "init", "focus")), rg.EBADINPUT, "changes[0].edge.kind"},
		{"IN_STRATEGY_AREA from a municipality", createEdge(E("new-e", rg.RelInStrategyArea, "muni", "strategy")), rg.EBADINPUT, "changes[0].edge.kind"},
		{"a relation from a node to itself", createEdge(PartnerOf("new-e", "partner", "partner")), rg.EBADINPUT, "changes[0].edge.to"},

		// References and duplicates.
		{"a relation from a missing node", createEdge(edgeWith(func(e *rg.Edge) { e.From = "nobody" })), rg.ENOTFOUND, "changes[0].edge.from"},
		{"a relation to a missing node", createEdge(edgeWith(func(e *rg.Edge) { e.To = "nothing" })), rg.ENOTFOUND, "changes[0].edge.to"},
		{"an update of a missing node", rg.Change{Op: rg.OpUpdateNode, Node: Partner("nobody")}, rg.ENOTFOUND, "changes[0].node.id"},
		{"an update of a missing relation", rg.Change{Op: rg.OpUpdateEdge, Edge: edgeWith(func(e *rg.Edge) { e.ID = "nothing" })}, rg.ENOTFOUND, "changes[0].edge.id"},
		{"a delete of a missing node", rg.Change{Op: rg.OpDeleteNode, ID: "nobody"}, rg.ENOTFOUND, "changes[0].id"},
		{"a delete of a node of another kind", rg.Change{Op: rg.OpDeleteNode, ID: "partner", Kind: rg.KindMunicipality}, rg.ENOTFOUND, "changes[0].id"},
		{"a delete of a missing relation", rg.Change{Op: rg.OpDeleteEdge, ID: "nothing"}, rg.ENOTFOUND, "changes[0].id"},
		{"a duplicate node id", createNode(Partner("partner")), rg.ECONFLICT, "changes[0].node.id"},
		{"a duplicate node id of another kind", createNode(N("muni", rg.KindRegion, "Region")), rg.ECONFLICT, "changes[0].node.id"},
		{"a duplicate relation id", createEdge(EY("muni-in-net", rg.RelMemberOf, "muni", "net", nil, nil)), rg.ECONFLICT, "changes[0].edge.id"},
		{"a delete of a node with relations without detach", rg.Change{Op: rg.OpDeleteNode, ID: "muni"}, rg.ECONFLICT, "changes[0].id"},

		// Partial updates.
		{"a partial update naming an unknown field", rg.Change{Op: rg.OpUpdateNode, Node: Partner("partner"), Fields: []string{"name", "colour"}}, rg.EBADINPUT, "changes[0].fields[1]"},
		{"a partial update naming the id", rg.Change{Op: rg.OpUpdateNode, Node: Partner("partner"), Fields: []string{"id"}}, rg.EBADINPUT, "changes[0].fields[0]"},
		{"a partial update naming a relation's end", rg.Change{Op: rg.OpUpdateEdge, Edge: &rg.Edge{ID: "muni-in-net", To: "partner"}, Fields: []string{"to"}}, rg.EBADINPUT, "changes[0].fields[0]"},
		{"a partial update naming a field twice", rg.Change{Op: rg.OpUpdateNode, Node: Partner("partner"), Fields: []string{"name", "name"}}, rg.EBADINPUT, "changes[0].fields[1]"},
		{"fields on a create", rg.Change{Op: rg.OpCreateNode, Node: Partner("new"), Fields: []string{"name"}}, rg.EBADINPUT, "changes[0].fields"},
		{"a partial update that clears the name", rg.Change{Op: rg.OpUpdateNode, Node: &rg.Node{ID: "partner", Kind: rg.KindPartner}, Fields: []string{"name"}}, rg.EBADINPUT, "changes[0].node.name"},
		{"a partial update setting a field the kind has not", rg.Change{Op: rg.OpUpdateNode, Node: &rg.Node{ID: "partner", Kind: rg.KindPartner, CostNok: Int64(5)}, Fields: []string{"costNok"}}, rg.EBADINPUT, "changes[0].node.costNok"},
		{"a partial update of another kind", rg.Change{Op: rg.OpUpdateNode, Node: &rg.Node{ID: "partner", Kind: rg.KindFund, Name: "F"}, Fields: []string{"name"}}, rg.EBADINPUT, "changes[0].node.kind"},
		{"a partial update making toYear precede fromYear", rg.Change{Op: rg.OpUpdateEdge, Edge: &rg.Edge{ID: "muni-in-net", ToYear: Int(2019)}, Fields: []string{"toYear"}}, rg.EBADINPUT, "changes[0].edge.toYear"},
		{"a partial update moving a relation's end", rg.Change{Op: rg.OpUpdateEdge, Edge: &rg.Edge{ID: "muni-in-net", To: "partner", Role: "x"}, Fields: []string{"role"}}, rg.EBADINPUT, "changes[0].edge.to"},
		{"a partial update of a missing node", rg.Change{Op: rg.OpUpdateNode, Node: &rg.Node{ID: "nobody", Kind: rg.KindPartner, Name: "X"}, Fields: []string{"name"}}, rg.ENOTFOUND, "changes[0].node.id"},
		{"a partial update of a missing relation", rg.Change{Op: rg.OpUpdateEdge, Edge: &rg.Edge{ID: "nothing"}, Fields: []string{"role"}}, rg.ENOTFOUND, "changes[0].edge.id"},
	}

	s := openWith(t, open, validationGraph())
	before := TakeSnapshot(t, s)
	history := AllHistory(t, s, "")
	for _, tc := range cases {
		t.Run(tc.name+" is "+tc.code, func(t *testing.T) {
			_, err := s.Apply(As("editor", rg.RoleEditor, "test"), []rg.Change{tc.change})
			WantCode(t, err, tc.code)
			WantFieldIs(t, err, tc.field)
			WantSnapshot(t, s, before)
			if n := HistoryLen(t, s, ""); n != len(history) {
				t.Fatalf("history has %d entries after a refused change, want %d", n, len(history))
			}
		})
	}

	t.Run("a reason with a control character is BAD_USER_INPUT on reason", func(t *testing.T) {
		ctx := rg.WithReason(context.Background(), "fix\x00")
		_, err := s.Apply(ctx, []rg.Change{createNode(Partner("new"))})
		WantCode(t, err, rg.EBADINPUT)
		WantFieldIs(t, err, "reason")
		WantSnapshot(t, s, before)
	})
	t.Run("a reason over 4000 characters is BAD_USER_INPUT on reason", func(t *testing.T) {
		ctx := rg.WithReason(context.Background(), long(rg.MaxTextLen+1))
		_, err := s.Apply(ctx, []rg.Change{createNode(Partner("new"))})
		WantCode(t, err, rg.EBADINPUT)
		WantFieldIs(t, err, "reason")
		WantSnapshot(t, s, before)
	})

	t.Run("values at the limits are accepted", func(t *testing.T) {
		s := openWith(t, open, validationGraph())
		n := initWith(func(n *rg.Node) {
			n.Name = strings.Repeat("ø", rg.MaxNameLen)
			n.Description = long(rg.MaxTextLen)
			n.PlanYear = Int(rg.MinYear)
			n.CostNok = Int64(rg.MaxAmountNok)
			n.YearlyAmounts = []rg.YearAmount{{Year: rg.MinYear, AmountNok: 0}, {Year: rg.MaxYear, AmountNok: rg.MaxAmountNok}}
			n.Aliases = make([]string, rg.MaxListLen)
			for i := range n.Aliases {
				n.Aliases[i] = "a"
			}
		})
		id := strings.Repeat("a", rg.MaxIDLen)
		e := edgeWith(func(e *rg.Edge) {
			e.ID, e.To = id, "new-init"
			e.FromYear, e.ToYear = Int(rg.MaxYear), Int(rg.MaxYear)
			e.AmountNok = Int64(0)
		})
		e2 := EY("a-1-b", rg.RelFunds, "partner", "new-init", Int(rg.MinYear), Int(rg.MaxYear))
		e2.AmountNok = Int64(rg.MaxAmountNok)
		MustApply(t, s, createNode(n), createEdge(e), createEdge(e2))
		got, err := s.Nodes(bg, []string{"new-init"})
		if err != nil {
			t.Fatal(err)
		}
		WantNodes(t, "Nodes", got, []*rg.Node{n})
		es, err := s.Edges(bg, rg.EdgeFilter{IDs: []string{id, "a-1-b"}})
		if err != nil {
			t.Fatal(err)
		}
		WantEdges(t, "Edges", es, []*rg.Edge{e2, e}) // by id
	})

	t.Run("every relation the table allows is accepted", func(t *testing.T) {
		var g Graph
		for _, k := range rg.Kinds {
			g.Nodes = append(g.Nodes, N(strings.ToLower(string(k))+"-a", k, string(k)), N(strings.ToLower(string(k))+"-b", k, string(k)))
		}
		s := openWith(t, open, g)
		var cs []rg.Change
		for _, rel := range rg.RelKinds {
			for _, from := range rg.Kinds {
				for _, to := range rg.Kinds {
					if rg.CheckEndpoints(rel, from, to) != nil {
						continue
					}
					id := strings.ToLower(strings.ReplaceAll(string(rel), "_", "-") + "-" + string(from) + "-" + string(to))
					cs = append(cs, createEdge(E(id, rel, strings.ToLower(string(from))+"-a", strings.ToLower(string(to))+"-b")))
				}
			}
		}
		if len(cs) < len(rg.RelKinds) {
			t.Fatalf("only %d allowed pairs", len(cs))
		}
		res := MustApply(t, s, cs...)
		if res.Created != len(cs) {
			t.Fatalf("created %d of %d relations", res.Created, len(cs))
		}
	})
}
