package resolvers_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/regiongraph/regiongraph/graph"
	"github.com/regiongraph/regiongraph/resolvers"
)

// directCases are answered by the direct path; each gives the executor's
// data exactly.
var directCases = []struct {
	name, query string
	vars        map[string]any
}{
	{"Typename", `{ __typename }`, nil},
	{"AllNodeFields", `{
		municipalities(first: 3) { __typename totalCount pageInfo { __typename hasNextPage endCursor } edges { __typename cursor node { ...all } } nodes { ...all number county } }
		regions { nodes { ...all } } networks(first: 5) { nodes { ...all field } } partners(first: 5, orderBy: {field: ID, direction: DESC}) { nodes { ...all category } }
		funds { nodes { ...all category } }
		initiatives(first: 30, orderBy: {field: COST_NOK, direction: DESC}) { nodes { ...all code planYear costText costNok yearlyAmounts { __typename year amountNok } goals activities a11: amountIn(year: 2011) a12: amountIn(year: 2012) } }
		focusAreas { nodes { ...all code } } strategyAreas(first: 5) { nodes { ...all code } } topics { nodes { ...all goals } } plans { nodes { ...all year adopted } }
	}
	fragment all on Node { __typename id kind name aliases description source { __typename planId section quote outside reference citation plan { id name year } } }`, nil},
	{"EveryRelationField", `{
		municipalities(first: 50) { nodes { id memberOf { id } members { id } participatesIn { id } participants { id } facilitates { id } facilitatedBy { id } coordinates { id } coordinatedBy { id } funds { id } funding { id } fundedBy { id } partners { id } representedIn { id } representatives { id } topics { id } administers { id } administeredBy { id } } }
		regions { nodes { id members(year: 2014) { name } facilitates { id } coordinates(year: 2011, orderBy: {field: CODE}) { id } representedIn { id } partners { id } } }
		funds { nodes { id funds { id } funding { id asWritten } administeredBy { id } } }
		initiatives(first: 100) { nodes { id owners { id } funders { id } funding { id asWritten amountNok fromYear toYear role } participants { id } facilitatedBy { id } focusAreas { id } strategyAreas { id } relevantFor { id } topics { id } plan { id } parent { id } subInitiatives { id } overlaps { id } } }
		focusAreas { nodes { id strategyAreas { id } initiatives { id code } relevantInitiatives { id } topics { id } plans { id } } }
		strategyAreas(first: 50) { nodes { id focusArea { id } initiatives(planYear: 2011) { id } relevantInitiatives { id } } }
		topics { nodes { id initiatives { id } actors { id } coordinatedBy { id } parent { id } subTopics { id } focusAreas { id } plans { id } } }
		plans { nodes { id initiatives(orderBy: {field: NAME}) { id } focusAreas { id } strategyAreas { id } topics { id } } }
	}`, nil},
	{"RelationsNeighboursConnections", `{ node(id: "kongsbergregionen") { id
		relations { id kind from { id } to { name } fromId toId }
		out: relations(direction: OUT, kinds: [FACILITATES, COORDINATES], year: 2014) { id }
		neighbours(nodeKinds: [MUNICIPALITY], orderBy: {field: NAME, direction: DESC}) { id }
		n2: neighbours(direction: IN) { __typename ... on Municipality { county } }
		relationsConnection(first: 7, kinds: [COORDINATES]) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id to { id } } } nodes { id } }
		page2: relationsConnection(first: 7, after: "x", direction: OUT) { totalCount nodes { id } }
	} }`, nil},
	{"READMEWhoFunds", `{ initiatives(filter: {text: "LUP 2011"}) { nodes { name costNok funding { asWritten from { name } source { citation } } } } }`, nil},
	{"READMEPLOM", `{ search(text: "plom", kinds: [NETWORK]) { nodes { ... on Network { name coordinates { ... on Initiative { code name costNok parent { name } } } } } } }`, nil},
	{"READMEFocus", `{ focusAreas(orderBy: {field: CODE}) { nodes { code name initiatives(planYear: 2011) { code name amountIn(year: 2011) funders { name } } } } }`, nil},
	{"Nested", `{ municipalities { nodes { name memberOf { name facilitates { ... on Network { name coordinates { ... on Initiative { name funders { name } } } } } } } } }`, nil},
	{"SearchPaged", `{ a: search(text: "kongsberg", first: 3) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { __typename ... on Node { id name } } } }
		b: search(text: "kongsberg", first: 3, after: "c2VhcmNoOjM") { totalCount nodes { ... on Actor { id memberOf { id } } } } }`, nil},
	{"NodeNodesRelations", `{ node(id: "kommune-kongsberg") { id ... on Actor { memberOf { id } } }
		missing: node(id: "kommune-finnes-ikke") { id }
		nodes(ids: ["kommune-kongsberg", "nope", "kongsbergregionen", "kommune-kongsberg"]) { __typename id ... on Region { members(year: 2021) { id } } }
		relations(kinds: [MEMBER_OF], year: 2014) { id from { name ... on Actor { memberOf { id } } } to { id } source { citation } } }`, nil},
	{"VariablesSkipInclude", `query Q($y: Int, $withFunders: Boolean!, $skipCode: Boolean!, $f: InitiativeFilter, $o: NodeOrder) {
		initiatives(filter: $f, orderBy: $o, first: 20) { nodes { name code @skip(if: $skipCode) funders(year: $y) @include(if: $withFunders) { name } ...F @include(if: $withFunders) } } }
		fragment F on Initiative { owners { ...A } }
		fragment A on Actor { name ... on Municipality { county } }`,
		map[string]any{"y": 2011, "withFunders": true, "skipCode": true, "f": map[string]any{"planYear": 2011, "focusArea": "satsingsomrade-1"}, "o": map[string]any{"field": "CODE"}}},
	{"InputDefaults", `{ a: initiatives(filter: {related: [{kind: IN_FOCUS_AREA, nodes: ["satsingsomrade-2"]}]}, orderBy: {direction: DESC}) { totalCount nodes { name } }
		b: municipalities(filter: {related: [{kind: MEMBER_OF, nodes: ["kongsbergregionen"]}], year: 2014}, orderBy: {field: ID}) { nodes { id } }
		c: initiatives(filter: {related: [{kind: FUNDS, direction: IN, nodes: ["fond-regionale-utviklingsmidler"]}]}, first: 5) { totalCount pageInfo { endCursor } }
		subs: initiatives(filter: {related: [{kind: PART_OF, nodes: ["tiltak-2011-5-6"]}]}) { totalCount nodes { code } }
		none: initiatives(filter: {related: [{kind: PART_OF, nodes: ["tiltak-2011-5-6a"]}]}) { totalCount } }`, nil},
	{"Neighbourhood", `{ a: neighbourhood(id: "kommune-kongsberg", depth: 2, first: 30) { __typename truncated depth year
			root { __typename id name ... on Actor { memberOf { id } } }
			nodes { __typename id kind name ... on Initiative { code funders { name } } }
			relations { __typename id kind fromId toId fromYear toYear from { id name } to { id } source { citation } } }
		b: neighbourhood(id: "kongsbergregionen", kinds: [MUNICIPALITY, NETWORK, REGION], relations: [MEMBER_OF, FACILITATES], year: 2014) { nodes { id } relations { id } truncated }
		c: neighbourhood(id: "kommune-flesberg") { root { id } nodes { name } } }`, nil},
	{"SourcesPlans", `{ relations(kinds: [FUNDS], year: 2011) { id source { plan { name initiatives(orderBy: {field: CODE}) { code } } citation } } }`, nil},
}

func newDirect(t testing.TB) (*resolvers.Resolver, *executor.Executor, func(t testing.TB, query string, vars map[string]any) map[string]any) {
	t.Helper()
	store := openStore(t, 1)
	res := &resolvers.Resolver{Store: store}
	cfg := graph.Config{Resolvers: res}
	cfg.Directives.HasRole = resolvers.HasRole
	exec := executor.New(graph.NewExecutableSchema(cfg))
	// gqlgen's executor itself (the HTTP handler answers these queries
	// with Direct): the resolvers, with the request's loaders.
	viaExecutor := func(t testing.TB, query string, vars map[string]any) map[string]any {
		t.Helper()
		ctx, oc := operation(t, exec, query, vars)
		ctx = resolvers.WithLoaders(ctx, resolvers.NewLoaders(store, 0))
		handler, rctx := exec.DispatchOperation(ctx, oc)
		resp := handler(rctx)
		if len(resp.Errors) > 0 {
			t.Fatalf("the executor answers with errors: %+v", resp.Errors)
		}
		var data map[string]any
		if err := json.Unmarshal(resp.Data, &data); err != nil {
			t.Fatalf("the executor's data: %v", err)
		}
		return data
	}
	return res, exec, viaExecutor
}

func operation(t testing.TB, exec *executor.Executor, query string, vars map[string]any) (context.Context, *graphql.OperationContext) {
	t.Helper()
	ctx := graphql.StartOperationTrace(context.Background())
	oc, errs := exec.CreateOperationContext(ctx, &graphql.RawParams{Query: query, Variables: vars})
	if len(errs) > 0 {
		t.Fatalf("invalid query: %v", errs)
	}
	return ctx, oc
}

func TestDirectMatchesExecutor(t *testing.T) {
	res, exec, viaExecutor := newDirect(t)
	for _, c := range directCases {
		t.Run(c.name, func(t *testing.T) {
			want := viaExecutor(t, c.query, c.vars)
			ctx, oc := operation(t, exec, c.query, c.vars)
			data, outcome := res.Direct(ctx, oc, 1_000_000)
			if outcome != resolvers.DirectOK {
				t.Fatalf("Direct: outcome %d, want DirectOK", outcome)
			}
			var got map[string]any
			if err := json.Unmarshal(data, &got); err != nil {
				t.Fatalf("Direct wrote invalid JSON: %v\n%s", err, data)
			}
			if !reflect.DeepEqual(got, want) {
				gb, _ := json.Marshal(got)
				wb, _ := json.Marshal(want)
				t.Fatalf("Direct's data differs from the executor's:\ndirect   %.3000s\nexecutor %.3000s", gb, wb)
			}
			if len(data) < 40 && string(data) != `{"__typename":"Query"}` {
				t.Fatalf("suspiciously little data: %s", data)
			}
		})
	}
}

func TestDirectLeavesTheRestToTheExecutor(t *testing.T) {
	res, exec, _ := newDirect(t)
	for name, q := range map[string]string{
		"Mutation":            `mutation { unlink(id: "x") { id } }`,
		"Introspection":       `{ __schema { queryType { name } } }`,
		"Analysis":            `{ centrality { totalCount } }`,
		"History":             `{ municipalities { nodes { changes { totalCount } } } }`,
		"FragmentWithHistory": `{ node(id: "kommune-kongsberg") { ...H } } fragment H on Municipality { changes { totalCount } }`,
		"BadPageSize":         `{ municipalities(first: 5000) { totalCount } }`,
		"BadCursor":           `{ municipalities(after: "nope") { totalCount } }`,
		"EmptySearch":         `{ search(text: " ") { totalCount } }`,
		"BadAfter":            `{ regions { nodes { relationsConnection(first: 2000) { totalCount } } } }`,
		"RelationsNoArgs":     `{ relations { id } }`,
		"NeighbourhoodDepth":  `{ neighbourhood(id: "kommune-kongsberg", depth: 9) { truncated } }`,
		"NeighbourhoodFirst":  `{ neighbourhood(id: "kommune-kongsberg", first: 0) { truncated } }`,
		"NeighbourhoodNoNode": `{ neighbourhood(id: "kommune-finnes-ikke") { truncated } }`,
	} {
		t.Run(name, func(t *testing.T) {
			ctx, oc := operation(t, exec, q, nil)
			if data, outcome := res.Direct(ctx, oc, 1_000_000); outcome != resolvers.DirectNo {
				t.Fatalf("Direct answered (outcome %d): %s", outcome, data)
			}
		})
	}
}

// TestDirectResultsCap holds the direct path to the results cap, counted
// as the executor counts, also where a node recurs under the same
// selection (the networks under every municipality in the second query,
// each written again as a copy of its first time).
func TestDirectResultsCap(t *testing.T) {
	res, exec, _ := newDirect(t)
	var ctx context.Context
	var oc *graphql.OperationContext
	for _, q := range []string{
		`{ municipalities { nodes { name memberOf { name } } } }`,
		`{ municipalities { nodes { name memberOf { name facilitates { ... on Network { name coordinates { ... on Initiative { name } } } } } } } }`,
	} {
		ctx, oc = operation(t, exec, q, nil)
		data, outcome := res.Direct(ctx, oc, 1_000_000)
		if outcome != resolvers.DirectOK {
			t.Fatalf("outcome %d", outcome)
		}
		var v map[string]any
		_ = json.Unmarshal(data, &v)
		n := countValues(v["municipalities"]) + 1
		for _, max := range []int{n, n - 1, 5} {
			ctx, oc := operation(t, exec, q, nil)
			_, outcome := res.Direct(ctx, oc, max)
			if want := max < n; (outcome == resolvers.DirectOverResults) != want {
				t.Errorf("%s: cap %d for %d values: outcome %d", q, max, n, outcome)
			}
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, outcome := res.Direct(ctx, oc, 1_000_000); outcome != resolvers.DirectCancelled {
		t.Errorf("cancelled context: outcome %d", outcome)
	}
}

// countValues counts as the results cap does: one per field, one more per
// list element.
func countValues(v any) int {
	switch x := v.(type) {
	case map[string]any:
		n := 0
		for _, e := range x {
			n += 1 + countValues(e)
		}
		return n
	case []any:
		n := len(x)
		for _, e := range x {
			n += countValues(e)
		}
		return n
	}
	return 0
}

// BenchmarkDirect runs the load benchmark's queries through the direct
// path: validation (cached parse, as the handler does) and Direct, with a
// request's fresh loaders each time.
func BenchmarkDirect(b *testing.B) {
	res, exec, _ := newDirect(b)
	exec.SetQueryCache(graphql.MapCache[*ast.QueryDocument]{})
	for _, q := range benchQueries {
		b.Run(q.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				ctx := resolvers.WithLoaders(graphql.StartOperationTrace(context.Background()), resolvers.NewLoaders(res.Store, 0))
				oc, errs := exec.CreateOperationContext(ctx, &graphql.RawParams{Query: q.query})
				if len(errs) > 0 {
					b.Fatal(errs)
				}
				if _, outcome := res.Direct(ctx, oc, 1_000_000); outcome != resolvers.DirectOK {
					b.Fatalf("outcome %d", outcome)
				}
			}
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(time.Microsecond)/float64(b.N), "cpu-µs/op")
		})
	}
}

// TestDirectStoreCallsIndependentOfRows: the direct path reads the nested
// query with the same store calls for the bundled dataset and for twice its
// rows, one Expand per relation field and no dataloader call.
func TestDirectStoreCallsIndependentOfRows(t *testing.T) {
	counts := map[int]int{}
	for _, copies := range []int{1, 2} {
		store := openStore(t, copies)
		res := &resolvers.Resolver{Store: store}
		cfg := graph.Config{Resolvers: res}
		cfg.Directives.HasRole = resolvers.HasRole
		exec := executor.New(graph.NewExecutableSchema(cfg))
		store.reset()
		ctx, oc := operation(t, exec, nestedQuery, nil)
		data, outcome := res.Direct(ctx, oc, 1_000_000)
		if outcome != resolvers.DirectOK {
			t.Fatalf("outcome %d", outcome)
		}
		var v struct {
			Municipalities struct {
				TotalCount int `json:"totalCount"`
			} `json:"municipalities"`
		}
		if err := json.Unmarshal(data, &v); err != nil || v.Municipalities.TotalCount != 8*copies {
			t.Fatalf("dataset ×%d: %d municipalities (%v)", copies, v.Municipalities.TotalCount, err)
		}
		counts[copies] = store.total()
		t.Logf("dataset ×%d, direct: %d store calls %v", copies, store.total(), store.calls)
		if store.calls["Edges"]+store.calls["Nodes"] > 0 {
			t.Errorf("dataset ×%d: %d Edges and %d Nodes calls; want every level read by Expand", copies, store.calls["Edges"], store.calls["Nodes"])
		}
		// gqlgen's executor over the resolvers reads ahead the same way.
		store.reset()
		ctx, oc = operation(t, exec, nestedQuery, nil)
		ctx = resolvers.WithLoaders(ctx, resolvers.NewLoaders(store, 0))
		handler, rctx := exec.DispatchOperation(ctx, oc)
		if resp := handler(rctx); len(resp.Errors) > 0 {
			t.Fatal(resp.Errors)
		}
		t.Logf("dataset ×%d, executor: %d store calls %v", copies, store.total(), store.calls)
		if store.total() != counts[copies] || store.calls["Edges"]+store.calls["Nodes"] > 0 {
			t.Errorf("dataset ×%d: the executor made %d store calls %v; want the direct path's %d, all Expand and FindNodes", copies, store.total(), store.calls, counts[copies])
		}
	}
	if counts[1] != counts[2] || counts[1] > 8 {
		t.Errorf("store calls: %d for the bundled dataset, %d for twice its rows; want the same, at most 8", counts[1], counts[2])
	}
}
