package gqlhttp

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	rg "github.com/regiongraph/regiongraph"
)

// costLimit refuses, after validation and variable coercion, an operation
// that asks for a page over MaxPageSize or whose estimated cost (costSchema)
// is over MaxComplexity.
type costLimit struct {
	es  graphql.ExecutableSchema
	lim Limits
	// stats gives the cardinalities relation lists are estimated by; nil
	// (or no Stats yet): the flat ListEstimate.
	stats *statsCache
	// costs are the estimates of operations without variables under the
	// current stats (cleared when they change): a cached document's
	// operation is estimated once, not on every request.
	mu        sync.Mutex
	costs     map[*ast.OperationDefinition]costResult
	costStats *rg.GraphStats
}

// costResult is an operation's estimate.
type costResult struct {
	cost          int
	maxFirst      int
	maxFirstField string
}

// maxCachedCosts bounds the estimates kept (the query cache holds 1000
// documents).
const maxCachedCosts = 1000

// estimate is the operation's cost and largest `first` under stats.
func (c *costLimit) estimate(ctx context.Context, oc *graphql.OperationContext, stats *rg.GraphStats) costResult {
	cacheable := len(oc.Variables) == 0
	if cacheable {
		c.mu.Lock()
		if c.costStats != stats {
			c.costs, c.costStats = nil, stats
		}
		r, ok := c.costs[oc.Operation]
		c.mu.Unlock()
		if ok {
			return r
		}
	}
	st := &costState{stats: stats}
	cctx := withCostState(ctx, st)
	// A node asked for by id (node(id: ...)) is estimated by its own
	// relations where the store tells them at once, not by the most any
	// node has: the other root fields as usual.
	rest := oc.Operation.SelectionSet
	cost := 0
	if c.stats != nil && c.stats.store != nil {
		rest = nil
		for _, sel := range oc.Operation.SelectionSet {
			if f, ok := sel.(*ast.Field); ok && f.Name == "node" && f.ObjectDefinition != nil && f.ObjectDefinition.Name == "Query" {
				if id, ok := f.ArgumentMap(oc.Variables)["id"].(string); ok {
					if deg, err := rg.NodeDegreesOf(ctx, c.stats.store, id); err == nil {
						cost = satAdd(cost, c.nodeCost(cctx, st, f, oc.Variables, &deg))
						continue
					}
				}
			}
			rest = append(rest, sel)
		}
	}
	if len(rest) > 0 {
		cost = satAdd(cost, complexity.Calculate(cctx, c.es, &ast.OperationDefinition{Operation: oc.Operation.Operation, SelectionSet: rest}, oc.Variables))
	}
	r := costResult{cost: cost, maxFirst: st.maxFirst, maxFirstField: st.maxFirstField}
	if cacheable {
		c.mu.Lock()
		if c.costStats == stats {
			if c.costs == nil || len(c.costs) >= maxCachedCosts {
				c.costs = map[*ast.OperationDefinition]costResult{}
			}
			c.costs[oc.Operation] = r
		}
		c.mu.Unlock()
	}
	return r
}

// nodeCost is the cost of root field f, node(id: ...), whose node has the
// relations deg: as gqlgen's complexity walk costs it, but its own fields'
// lists are estimated by deg instead of the graph's Stats (the fields
// below them by the Stats), each element counted as well (1 + n × (1 +
// children)), since n is then what the list holds, not a bound.
func (c *costLimit) nodeCost(ctx context.Context, st *costState, f *ast.Field, vars map[string]any, deg *rg.GraphStats) int {
	schema := c.es.Schema()
	fieldCost := func(typeName, field string, child int, args map[string]any) int {
		if n, ok := c.es.Complexity(ctx, typeName, field, child, args); ok && n >= 1 {
			return n
		}
		return satAdd(1, child)
	}
	sum := 0
	var walk func(ss ast.SelectionSet)
	walk = func(ss ast.SelectionSet) {
		for _, sel := range ss {
			switch s := sel.(type) {
			case *ast.Field:
				def := schema.Types[s.Definition.Type.Name()]
				child := 0
				if def.Kind == ast.Object || def.Kind == ast.Interface || def.Kind == ast.Union {
					child = complexity.Calculate(ctx, c.es, &ast.OperationDefinition{SelectionSet: s.SelectionSet}, vars)
				}
				args := s.ArgumentMap(vars)
				saved := st.stats
				st.stats, st.elements = deg, true
				n := 0
				if s.ObjectDefinition.Kind == ast.Interface {
					// The most any type implementing it costs, as gqlgen.
					for _, t := range schema.GetPossibleTypes(s.ObjectDefinition) {
						n = max(n, fieldCost(t.Name, s.Name, child, args))
					}
				} else {
					n = fieldCost(s.ObjectDefinition.Name, s.Name, child, args)
				}
				st.stats, st.elements = saved, false
				sum = satAdd(sum, n)
			case *ast.FragmentSpread:
				walk(s.Definition.SelectionSet)
			case *ast.InlineFragment:
				walk(s.SelectionSet)
			}
		}
	}
	walk(f.SelectionSet)
	return fieldCost("Query", f.Name, sum, f.ArgumentMap(vars))
}

// statsCache keeps the store's Stats for the cost estimate, which runs in
// the parse phase under ParseTimeout: a request never waits on the store
// for them more than statsWait (statsFirstWait while there are none yet).
// Stats older than statsFresh are refreshed
// by one call at a time, in the background, bounded by statsCallTimeout;
// meanwhile the last ones serve (none yet: the flat estimates). The
// embedded store answers at once, so there they are current within
// statsFresh; on Neo4j a slow or unreachable database delays no request.
type statsCache struct {
	store    rg.Store
	mu       sync.Mutex
	stats    *rg.GraphStats
	at       time.Time
	inflight chan struct{}
}

const (
	statsFresh       = time.Second
	statsWait        = 50 * time.Millisecond
	statsFirstWait   = time.Second
	statsCallTimeout = 30 * time.Second
)

func (c *statsCache) get(ctx context.Context) *rg.GraphStats {
	if c == nil || c.store == nil {
		return nil
	}
	c.mu.Lock()
	if c.stats != nil && time.Since(c.at) < statsFresh {
		s := c.stats
		c.mu.Unlock()
		return s
	}
	ch := c.inflight
	if ch == nil {
		ch = make(chan struct{})
		c.inflight = ch
		go c.refresh(ch)
	}
	wait := statsWait
	if c.stats == nil {
		wait = statsFirstWait
	}
	c.mu.Unlock()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ch:
	case <-t.C:
	case <-ctx.Done():
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

func (c *statsCache) refresh(done chan struct{}) {
	ctx, cancel := context.WithTimeout(context.Background(), statsCallTimeout)
	defer cancel()
	st, err := c.store.Stats(ctx)
	c.mu.Lock()
	if err == nil {
		c.stats, c.at = &st, time.Now()
	}
	c.inflight = nil
	c.mu.Unlock()
	close(done)
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = (*costLimit)(nil)

func (*costLimit) ExtensionName() string                   { return "CostLimit" }
func (*costLimit) Validate(graphql.ExecutableSchema) error { return nil }
func (c *costLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	r := c.estimate(ctx, oc, c.stats.get(ctx))
	cost := r.cost
	if r.maxFirst > c.lim.MaxPageSize {
		e := limitError(rg.EBADINPUT, LimitPageSize, c.lim.MaxPageSize, "%s asks for first: %d", r.maxFirstField, r.maxFirst)
		e.Extensions["field"] = "first"
		return e
	}
	if cost > c.lim.MaxComplexity {
		est := fmt.Sprint(cost)
		if cost >= math.MaxInt32 {
			est = fmt.Sprintf("more than %d", math.MaxInt32-1)
		}
		return limitError(rg.EBADINPUT, LimitComplexity, c.lim.MaxComplexity,
			"the operation's estimated cost is %s (a list counts its `first`, or without it the most items the graph gives it: a relation kind's highest degree, a kind's nodes)", est)
	}
	return nil
}

// execState is one execution's count of results, shared by its fields.
type execState struct {
	max    int64
	n      atomic.Int64
	over   atomic.Bool
	cancel *deadlineCtx // the execution's, stopped when over the cap
}

type execStateKey struct{}

// resultsLimit counts the values of a response: one per resolved field and
// one per element of a list. Past MaxResults it cancels the execution, gives
// lists no elements (so no further objects are made) and stops calling
// resolvers; the handler then answers with the limit's error alone. Once
// the execution's context is done (cancelled or timed out) it calls no more
// resolvers either, so a timed-out operation stops quickly.
type resultsLimit struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.FieldInterceptor
} = resultsLimit{}

func (resultsLimit) ExtensionName() string                   { return "ResultsLimit" }
func (resultsLimit) Validate(graphql.ExecutableSchema) error { return nil }
func (resultsLimit) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	st, _ := ctx.Value(execStateKey{}).(*execState)
	if st == nil {
		return next(ctx)
	}
	fc := graphql.GetFieldContext(ctx)
	if err := ctx.Err(); err != nil {
		if fc != nil && (fc.IsResolver || fc.IsMethod) {
			return nil, err
		}
	}
	res, err := next(ctx)
	// Only a list field needs its length, and so reflection; the schema
	// says which fields are lists.
	if fc != nil && fc.Field.Definition != nil && fc.Field.Definition.Type.Elem == nil {
		if st.n.Add(1) > st.max && st.over.CompareAndSwap(false, true) && st.cancel != nil {
			st.cancel.stop()
		}
		return res, err
	}
	n := int64(1)
	rv := reflect.ValueOf(res)
	isSlice := rv.Kind() == reflect.Slice
	if isSlice {
		n += int64(rv.Len())
	}
	if st.n.Add(n) > st.max {
		if st.over.CompareAndSwap(false, true) && st.cancel != nil {
			st.cancel.stop()
		}
		if isSlice && rv.Len() > 0 {
			res = rv.Slice(0, 0).Interface()
		}
	}
	return res, err
}
