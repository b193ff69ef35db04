package resolvers

import (
	"reflect"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/graph"
)

// TestConnectionSelectionStable: the selection on a connection's nodes is
// what collecting the fields under nodes and edges.node gives, and, for an
// operation without variables, the same slice in every request that runs
// the (cached) document, so that what is collected from it is found again
// in the fields cache instead of being collected anew (and kept) per
// request.
func TestConnectionSelectionStable(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{Resolvers: &Resolver{}}).Schema()
	for _, q := range []string{
		`{ search(text: "kongsberg") { totalCount nodes { __typename id name } } }`,
		`{ search(text: "kongsberg") { edges { cursor node { id } } } }`,
		`{ search(text: "kongsberg") { nodes { id } edges { node { name } } } }`,
		`{ municipalities { nodes { name memberOf { name } } nodes { id } } }`,
	} {
		doc, err := gqlparser.LoadQueryWithRules(schema, q, nil)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		field := doc.Operations[0].SelectionSet[0].(*ast.Field)
		var sels []ast.SelectionSet
		for range 2 { // two requests
			oc := &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0]}
			sel := connectionNodeSelection(oc, NewLoaders(nil, 0), field)
			if want := collectedNodeSelection(oc, field); !reflect.DeepEqual(sel, want) {
				t.Fatalf("%s: selection %v, collecting gives %v", q, sel, want)
			}
			sels = append(sels, sel)
		}
		if len(sels[0]) == 0 || &sels[0][0] != &sels[1][0] {
			t.Errorf("%s: a new selection in each request", q)
		}
	}
}

// collectedNodeSelection is connectionNodeSelection by gqlgen's
// CollectFields alone, nothing cached.
func collectedNodeSelection(oc *graphql.OperationContext, f *ast.Field) ast.SelectionSet {
	var out ast.SelectionSet
	for _, c := range graphql.CollectFields(oc, f.SelectionSet, []string{typeName(f)}) {
		switch c.Name {
		case "nodes":
			out = append(out, c.Selections...)
		case "edges":
			for _, e := range graphql.CollectFields(oc, c.Selections, []string{typeName(c.Field)}) {
				if e.Name == "node" {
					out = append(out, e.Selections...)
				}
			}
		}
	}
	return out
}

// TestFollowForAsFollowOf: for every field of a document, followFor says
// what followOf says (for a relation field: its read keys, options and
// kind of answer; nil for any other field), with and without variables,
// and hands out a copy each time, so that one request's parents are not
// another's; without variables the answer is kept, and the next request
// finds it.
func TestFollowForAsFollowOf(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{Resolvers: &Resolver{}}).Schema()
	for _, c := range []struct {
		q    string
		vars map[string]any
	}{
		{`{ municipalities { nodes { name memberOf { name facilitates { ... on Network { coordinates(year: 2014, orderBy: {field: CODE, direction: DESC}) { ... on Initiative { funders { name } parent { name } } } } } } } } }`, nil},
		{`{ municipalities { nodes { relations(direction: OUT, kinds: [MEMBER_OF, FUNDS], year: 2014) { kind } neighbours(nodeKinds: [NETWORK]) { id } relationsConnection(first: 2, after: "x") { nodes { kind } } } } }`, nil},
		{`{ focusAreas { nodes { initiatives(planYear: 2011) { code } } } }`, nil},
		{`query($y: Int) { municipalities { nodes { relations(year: $y) { kind } memberOf { name } } } }`, map[string]any{"y": int64(2011)}},
	} {
		doc, err := gqlparser.LoadQueryWithRules(schema, c.q, nil)
		if err != nil {
			t.Fatalf("%s: %v", c.q, err)
		}
		var fields []*ast.Field
		var walk func(typ string, sel ast.SelectionSet)
		walk = func(typ string, sel ast.SelectionSet) {
			for _, s := range sel {
				switch s := s.(type) {
				case *ast.Field:
					fields = append(fields, s)
					walk(typeName(s), s.SelectionSet)
				case *ast.InlineFragment:
					walk(s.TypeCondition, s.SelectionSet)
				}
			}
		}
		walk("Query", doc.Operations[0].SelectionSet)
		relations := 0
		for _, f := range fields {
			typ := f.ObjectDefinition.Name
			want := followOf(typ, f, c.vars)
			var got [2]*follow
			for i := range got { // two requests
				got[i] = followFor(typ, f, c.vars)
				if (got[i] == nil) != (want == nil) {
					t.Fatalf("%s: %s.%s: followFor %v, followOf %v", c.q, typ, f.Name, got[i], want)
				}
				if want == nil {
					continue
				}
				if !reflect.DeepEqual(got[i].keys, want.keys) || !reflect.DeepEqual(got[i].opts, want.opts) ||
					got[i].field != want.field || got[i].one != want.one || got[i].edges != want.edges ||
					got[i].connSel != want.connSel || got[i].typeName != want.typeName || (got[i].accept == nil) != (want.accept == nil) {
					t.Fatalf("%s: %s.%s: followFor %+v, followOf %+v", c.q, typ, f.Name, *got[i], *want)
				}
			}
			if want == nil {
				continue
			}
			relations++
			if got[0] == got[1] {
				t.Fatalf("%s: %s.%s: the same follow for two requests", c.q, typ, f.Name)
			}
			got[0].parents = []*rg.Node{{ID: "a"}}
			if got[1].parents != nil {
				t.Fatalf("%s: %s.%s: one request's parents are another's", c.q, typ, f.Name)
			}
			follows.mu.RLock()
			_, kept := follows.m[followKey{f: f, typ: typ}]
			follows.mu.RUnlock()
			if kept != (len(c.vars) == 0) {
				t.Errorf("%s: %s.%s: kept %v with variables %v", c.q, typ, f.Name, kept, c.vars)
			}
		}
		if relations == 0 {
			t.Fatalf("%s: no relation field", c.q)
		}
	}
}
