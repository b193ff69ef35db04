package gqlhttp

import (
	"context"
	"encoding/json"
	"math"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/resolvers"
)

// costSchema is the executable schema with cost functions for the
// complexity limit. gqlgen's own cost of a list field is 1 plus its
// children's, however many items it returns; here a list field costs
// 1 + n × its children, n being what it can return:
//
//   - with `first` given (other than its default): first (never more than
//     the page-size cap): a client asking for 1000 pays for 1000, however
//     few there are today;
//   - a list query or relationsConnection with its default `first`: the
//     default page, but no more than the graph holds (the nodes of the
//     kind; a node's relations at most);
//   - a relation list (memberOf, funders, relations, ...): the highest
//     degree of its relation kind(s) in its direction, from the store's
//     Stats (resolvers.ListEstimate), so a walk through the graph is
//     estimated at what it can return, not at a flat guess per level;
//   - another list of objects: the number of `ids` when it takes them, else
//     ListEstimate (also the fallback when the store has no Stats);
//   - a list field inside a type returned by a field with `first` (a
//     connection's `nodes`) is already counted by that `first`: 1 + children;
//   - everything else costs 1 + children, as in gqlgen.
//
// The rules come from the schema, so fields added later are costed too.
type costSchema struct {
	graphql.ExecutableSchema
	rules map[string]costRule // "Type.field"
}

type costKind int

const (
	costPlain    costKind = iota // 1 + children
	costFirst                    // 1 + first × children
	costIDs                      // 1 + len(ids) × children, estimate without ids
	costEstimate                 // 1 + estimate × children
)

type costRule struct {
	kind      costKind
	firstDef  int // the schema's default for first, 0 when none
	estimate  int
	pageLimit int
}

func newCostSchema(es graphql.ExecutableSchema, estimate, pageLimit int) *costSchema {
	s := es.Schema()
	pageTypes := map[string]bool{}
	for _, t := range s.Types {
		for _, f := range t.Fields {
			if f.Arguments.ForName("first") != nil && f.Type.Elem == nil {
				pageTypes[f.Type.Name()] = true
			}
		}
	}
	rules := map[string]costRule{}
	for _, t := range s.Types {
		if t.Kind != ast.Object && t.Kind != ast.Interface {
			continue
		}
		if strings.HasPrefix(t.Name, "__") {
			continue
		}
		for _, f := range t.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			r := costRule{kind: costPlain, estimate: estimate, pageLimit: pageLimit}
			elemKind := s.Types[f.Type.Name()]
			composite := elemKind != nil && (elemKind.Kind == ast.Object || elemKind.Kind == ast.Interface || elemKind.Kind == ast.Union)
			switch {
			case f.Arguments.ForName("first") != nil:
				r.kind = costFirst
				if a := f.Arguments.ForName("first"); a.DefaultValue != nil {
					if v, err := a.DefaultValue.Value(nil); err == nil {
						r.firstDef = asInt(v)
					}
				}
			case f.Type.Elem != nil && composite && pageTypes[t.Name]:
				r.kind = costPlain
			case f.Type.Elem != nil && composite && f.Arguments.ForName("ids") != nil:
				r.kind = costIDs
			case f.Type.Elem != nil && composite:
				r.kind = costEstimate
			}
			rules[t.Name+"."+f.Name] = r
		}
	}
	return &costSchema{ExecutableSchema: es, rules: rules}
}

// costState collects, per complexity calculation, the largest `first` asked
// for, so the page-size cap can be reported.
type costState struct {
	maxFirst      int
	maxFirstField string
	// stats are the graph's cardinalities; nil: the flat estimates.
	stats *rg.GraphStats
	// elements counts a list's elements too (1 + n × (1 + children)):
	// where n is exact (one node's relations) rather than a bound, so that
	// the estimate is still at least the values of the answer.
	elements bool
}

type costStateKey struct{}

func withCostState(ctx context.Context, s *costState) context.Context {
	return context.WithValue(ctx, costStateKey{}, s)
}

// Complexity implements graphql.ExecutableSchema.
func (c *costSchema) Complexity(ctx context.Context, typeName, field string, child int, args map[string]any) (int, bool) {
	r, ok := c.rules[typeName+"."+field]
	if !ok {
		// __typename and introspection: gqlgen's own cost, 1 + children
		// (the generated Complexity would build an execution context to
		// say so).
		return 0, false
	}
	st, _ := ctx.Value(costStateKey{}).(*costState)
	n := 1
	switch r.kind {
	case costFirst:
		n = r.firstDef
		// The arguments come with the schema's defaults filled in: a
		// `first` other than its default was asked for.
		given := false
		if v, ok := args["first"]; ok && v != nil {
			n = asInt(v)
			given = r.firstDef == 0 || n != r.firstDef
		}
		if st != nil && n > st.maxFirst {
			st.maxFirst, st.maxFirstField = n, typeName+"."+field
		}
		if n <= 0 {
			// 0 asks for the default page size; negative is an error later.
			n = rg.DefaultPageSize
		}
		n = min(n, r.pageLimit)
		if !given && st != nil && st.stats != nil {
			if est, ok := resolvers.ListEstimate(*st.stats, typeName, field, args); ok {
				n = min(n, est)
			}
		}
	case costIDs:
		n = r.estimate
		if v, ok := args["ids"].([]any); ok {
			n = len(v)
		}
	case costEstimate:
		n = r.estimate
		if st != nil && st.stats != nil {
			if est, ok := resolvers.ListEstimate(*st.stats, typeName, field, args); ok {
				n = est
			}
		}
	}
	if st != nil && st.elements && r.kind != costPlain {
		child = satAdd(child, 1)
	}
	return satAdd(1, satMul(n, child)), true
}

func satMul(a, b int) int {
	if a <= 0 || b <= 0 {
		return 0
	}
	if a > math.MaxInt32 || b > math.MaxInt32 || a > math.MaxInt32/b {
		return math.MaxInt32
	}
	return a * b
}

func satAdd(a, b int) int {
	if a+b < a || a+b > math.MaxInt32 {
		return math.MaxInt32
	}
	return a + b
}

// asInt reads a GraphQL Int argument as it comes from literals (int64),
// variables (int64, json.Number, float64) or Go code (int).
func asInt(v any) int {
	switch v := v.(type) {
	case int:
		return v
	case int32:
		return int(v)
	case int64:
		if v > math.MaxInt32 {
			return math.MaxInt32
		}
		if v < math.MinInt32 {
			return math.MinInt32
		}
		return int(v)
	case float64:
		if v > math.MaxInt32 {
			return math.MaxInt32
		}
		return int(v)
	case json.Number:
		i, err := v.Int64()
		if err != nil {
			return math.MaxInt32
		}
		return asInt(i)
	case *int:
		if v != nil {
			return *v
		}
	}
	return 0
}
