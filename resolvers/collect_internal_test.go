package resolvers

import (
	"reflect"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

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
