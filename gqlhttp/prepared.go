package gqlhttp

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	rg "github.com/regiongraph/regiongraph"
)

// Preparing a request (decoding its body, finding its document in the
// query cache, coercing its variables, estimating its cost) is most of
// the work of a small one, and clients send the same bodies again and
// again: the map page's queries, a dashboard's. A POST body without
// variables or extensions, once prepared without an error, is kept with
// what preparing it gave; the next request with the same bytes starts
// from a new operation context made of that, and only the cost is
// estimated again (the graph it is estimated on changes). The document,
// the operation and the executor's hooks are the same objects a fresh
// preparation would give (the query cache would return the same
// document); nothing kept is written by a request.

// maxPreparedBody is the longest body kept; maxPrepared how many are
// (then the cache starts again).
const (
	maxPreparedBody = 4 << 10
	maxPrepared     = 1024
)

// prepared is a request as decoded and prepared once: its operation
// context's fields as CreateOperationContext set them (not the context
// itself, whose cache of collected fields is each request's own).
type prepared struct {
	req Request
	op  string

	rawQuery, operationName string
	doc                     *ast.QueryDocument
	operation               *ast.OperationDefinition
	disableIntrospection    bool
	recoverFunc             graphql.RecoverFunc
	resolverMiddleware      graphql.FieldMiddleware
	rootResolverMiddleware  graphql.RootFieldMiddleware
}

// operationContext is a new operation context as the request was
// prepared, with start and variables of its own.
func (k *prepared) operationContext(start time.Time) *graphql.OperationContext {
	return &graphql.OperationContext{
		RawQuery:               k.rawQuery,
		Variables:              map[string]any{},
		OperationName:          k.operationName,
		Doc:                    k.doc,
		Operation:              k.operation,
		DisableIntrospection:   k.disableIntrospection,
		RecoverFunc:            k.recoverFunc,
		ResolverMiddleware:     k.resolverMiddleware,
		RootResolverMiddleware: k.rootResolverMiddleware,
		Stats:                  graphql.Stats{OperationStart: start},
	}
}

type prepCache struct {
	mu sync.RWMutex
	m  map[string]*prepared
}

// cacheable reports whether the request decoded from body may be kept.
func cacheable(body []byte, req *Request) bool {
	return len(body) <= maxPreparedBody && len(req.Variables) == 0 && req.Extensions == nil && !req.GET
}

// get returns what body was prepared as, or nil.
func (c *prepCache) get(body []byte) *prepared {
	if len(body) > maxPreparedBody {
		return nil
	}
	c.mu.RLock()
	p := c.m[string(body)]
	c.mu.RUnlock()
	return p
}

// put keeps req, prepared as p, under its body.
func (c *prepCache) put(body string, req *Request, p prep) {
	if p.oc == nil || p.reply != nil {
		return
	}
	oc := p.oc
	if oc.Headers != nil || oc.Extensions != nil {
		return
	}
	kept := &prepared{req: *req, op: p.op,
		rawQuery: oc.RawQuery, operationName: oc.OperationName, doc: oc.Doc, operation: oc.Operation,
		disableIntrospection: oc.DisableIntrospection, recoverFunc: oc.RecoverFunc,
		resolverMiddleware: oc.ResolverMiddleware, rootResolverMiddleware: oc.RootResolverMiddleware}
	kept.req.Variables = nil
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxPrepared {
		c.m = map[string]*prepared{}
	}
	c.m[body] = kept
	c.mu.Unlock()
}

// prepareAgain is prepare for a request prepared before as k: a new
// operation context made from what preparing it gave, with this request's
// start and variables of its own, its cost estimated again. A panic is
// answered as prepare answers one.
func (f *front) prepareAgain(ctx context.Context, k *prepared, rt responseType) (p prep) {
	defer func() {
		if v := recover(); v != nil {
			f.log.LogAttrs(ctx, slog.LevelError, "panic preparing a request", slog.String("requestId", rg.RequestID(ctx)), slog.String("panic", fmt.Sprint(v)))
			p = prep{reply: f.internal(ctx)}
		}
	}()
	oc := k.operationContext(graphql.GetStartTime(ctx))
	if err := f.cost.MutateOperationContext(ctx, oc); err != nil {
		return prep{op: "unvalidated", reply: f.requestErrors(ctx, rt, []*gqlerror.Error{err})}
	}
	return prep{oc: oc, op: k.op}
}
