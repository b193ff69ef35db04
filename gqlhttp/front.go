package gqlhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/live"
	"github.com/regiongraph/regiongraph/resolvers"
)

// front is the GraphQL-over-HTTP handler in front of gqlgen's executor. It
// owns everything before execution, in this order, each step cheap and
// bounded by the one before (the Router's guards having authenticated the
// request and given it a place among MaxConcurrent): the method and
// content type, the body (size, UTF-8, JSON depth, one object), the query's
// length, its tokens (lexed, not parsed), then the parse and the fields and
// depth of the parsed document (fragments measured once each), and only
// then gqlgen's validation, variable coercion, the page-size and cost
// limits, a place among MaxAnalysisConcurrent for an operation that selects
// an analysis field, and execution under its deadline (ExecTimeout, or
// AnalysisTimeout for analyses) with the results cap.
type front struct {
	exec       *executor.Executor
	cache      graphql.Cache[*ast.QueryDocument]
	lim        Limits
	log        *slog.Logger
	obs        Observer
	work       *Work
	store      rg.Store
	resolver   *resolvers.Resolver
	loaderWait time.Duration
	ops        *opNames
	cost       *costLimit // also run by exec
	preps      prepCache
	// noIntrospection refuses __schema and __type before validation.
	noIntrospection bool
	// hub bounds the subscription streams; a stream sends a heartbeat
	// every streamHeartbeat and ends after streamLifetime.
	hub                             *live.Hub
	streamHeartbeat, streamLifetime time.Duration
}

// reply is what a request is answered with.
type reply struct {
	status  int
	errs    gqlerror.List
	data    json.RawMessage // nil: no data entry
	ext     map[string]any
	outcome string
	op      string
	header  http.Header
	// wire, when set, is the whole response, written as it is and then
	// given back to respBufs.
	wire *bytes.Buffer
}

// respBufs hold the responses being written.
var respBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func putRespBuf(b *bytes.Buffer) {
	if b.Cap() <= 1<<20 {
		b.Reset()
		respBufs.Put(b)
	}
}

type wireResponse struct {
	Errors     gqlerror.List   `json:"errors,omitempty"`
	Data       json.RawMessage `json:"data,omitempty"`
	Extensions map[string]any  `json:"extensions,omitempty"`
}

// frontReq is one request in front.ServeHTTP: what answering it late
// needs, and the phase it is in.
type frontReq struct {
	f       *front
	w       http.ResponseWriter
	r       *http.Request
	start   time.Time
	rt      responseType
	tracked func() // nil, or the Track of the work going on after a late answer
	late    late   // answers for a late phase
	req     Request
	// The phase running, for a late answer: its limit, budget, what it
	// does and the operation's name ("" before it is known).
	limit  string
	budget time.Duration
	what   string
	op     string
}

// answerLate answers for a phase that is late, the work going on: the
// answer goes out now (closing the connection), the request keeps its
// place until the work has stopped, and the request's context ends, as
// the guard ends it once a request is answered.
func (q *frontReq) answerLate() {
	q.tracked = Track(q.r.Context())
	rep := q.f.timeout(q.r, q.limit, q.budget, q.what)
	if q.op != "" {
		rep.op = q.op
	}
	q.f.write(q.w, q.r, q.start, q.rt, rep)
	_ = http.NewResponseController(q.w).Flush()
	stopRequest(q.r.Context())
}

func (f *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	// The request counts as in flight until its work has stopped, which
	// may be after its answer (a timeout, a client gone); so does its
	// place in the route's pool (Track). The work runs in this goroutine;
	// a phase that overruns its deadline is answered by a timer (late).
	if f.obs != nil {
		f.obs.InFlight(1)
	}
	q := &frontReq{f: f, w: w, r: r, start: start}
	var release func() // the place among MaxAnalysisConcurrent
	var timer *late    // answers for a late phase
	defer func() {
		if timer != nil {
			timer.stop() // its answer, if it started, has returned
		}
		if release != nil {
			release()
		}
		if f.obs != nil {
			f.obs.InFlight(-1)
		}
		if q.tracked != nil {
			q.tracked()
		}
	}()
	accept := r.Header["Accept"]
	var accept0 string
	if len(accept) > 0 {
		accept0 = accept[0]
	}
	rt, ok := negotiate(accept0)
	sse := acceptsEventStream(accept0)
	if !ok && sse {
		ok, rt = true, typeJSON // errors before the stream are answered as JSON
	}
	q.rt = rt
	if !ok {
		_ = r.Body.Close()
		w.Header().Set("Connection", "close")
		f.write(w, r, start, rt, f.refuse(&RequestError{Status: http.StatusNotAcceptable,
			Message: "the Accept header allows neither application/graphql-response+json nor application/json"}))
		return
	}

	// Reading and preparing (parse, checks, validation) share ParseTimeout.
	deadline := start.Add(f.lim.ParseTimeout)
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(deadline)
	req := &q.req
	hit, key, rerr := decodeRequest(r, f.lim, req, &f.preps)
	if rerr != nil {
		// Closing the body stops net/http from reading what is left of
		// it before answering (it would wait on a slow client); the
		// connection is closed after the answer.
		_ = r.Body.Close()
		w.Header().Set("Connection", "close")
		f.write(w, r, start, rt, f.refuse(rerr))
		return
	}
	// The body is read: lift the deadline, or net/http's watch for the
	// client going away would fail and cancel the request.
	_ = rc.SetReadDeadline(time.Time{})
	ctx := graphql.StartOperationTrace(r.Context())
	var p prep
	// The work goes on when late (bounded by the limits it has passed).
	q.limit, q.budget, q.what = LimitParseTime, f.lim.ParseTimeout, "reading, parsing and validating the request"
	timer = &q.late
	timer.arm(deadline, q)
	if hit != nil {
		p = f.prepareAgain(ctx, hit, rt)
	} else {
		p = f.prepare(ctx, req, rt)
		if key != "" && p.reply == nil {
			f.preps.put(key, req, p)
		}
	}
	if !timer.stop() {
		return
	}
	if p.reply != nil {
		if p.reply.op == "" {
			p.reply.op = p.op
		}
		f.write(w, r, start, rt, p.reply)
		return
	}
	subscription := p.oc.Operation != nil && p.oc.Operation.Operation == ast.Subscription
	if onStream := onStreamRoute(r.Context()); subscription != onStream || subscription && !sse {
		rep := f.subscriptionElsewhere(ctx, rt, subscription)
		rep.op = p.op
		f.write(w, r, start, rt, rep)
		return
	}
	if subscription {
		f.stream(w, r, start, rt, p)
		return
	}

	// An operation that selects an analysis field runs under
	// AnalysisTimeout and takes a place among MaxAnalysisConcurrent.
	budget, limit := f.lim.ExecTimeout, LimitExecTime
	if selectsAnalysis(p.oc) {
		budget, limit = f.lim.AnalysisTimeout, LimitAnalysisTime
		rel, err := f.work.slot(ctx)
		if err != nil {
			var rep *reply
			if over, ok := err.(*OverloadedError); ok {
				rep = f.overloaded(over.Limit, over.Max)
			} else {
				rep = f.timeout(r, limit, budget, "waiting for a place to run the analysis")
			}
			rep.op = p.op
			f.write(w, r, start, rt, rep)
			return
		}
		release = rel
	}

	// Execution, under its budget and the results cap.
	q.limit, q.budget, q.what, q.op = limit, budget, "executing the operation", p.op
	now := time.Now()
	timer.arm(now.Add(budget+50*time.Millisecond), q)
	rep := f.execute(ctx, p, budget, now, limit)
	if timer.stop() {
		f.write(w, r, start, rt, rep)
	}
}

// selectsAnalysis reports whether the operation selects, at its root, one
// of resolvers.AnalysisFields (fragments included).
func selectsAnalysis(oc *graphql.OperationContext) bool {
	if oc == nil || oc.Operation == nil || oc.Operation.Operation != ast.Query {
		return false
	}
	seen := map[string]bool{}
	var walk func(ast.SelectionSet) bool
	walk = func(set ast.SelectionSet) bool {
		for _, sel := range set {
			switch sel := sel.(type) {
			case *ast.Field:
				if slices.Contains(resolvers.AnalysisFields, sel.Name) {
					return true
				}
			case *ast.InlineFragment:
				if walk(sel.SelectionSet) {
					return true
				}
			case *ast.FragmentSpread:
				if seen[sel.Name] {
					continue
				}
				seen[sel.Name] = true
				if def := oc.Doc.Fragments.ForName(sel.Name); def != nil && walk(def.SelectionSet) {
					return true
				}
			}
		}
		return false
	}
	return walk(oc.Operation.SelectionSet)
}

// prep is a request ready to execute, or the reply refusing it.
type prep struct {
	oc    *graphql.OperationContext
	op    string
	reply *reply
}

func (f *front) prepare(ctx context.Context, req *Request, rt responseType) (p prep) {
	defer func() {
		if v := recover(); v != nil {
			f.log.LogAttrs(ctx, slog.LevelError, "panic preparing a request", slog.String("requestId", rg.RequestID(ctx)), slog.String("panic", fmt.Sprint(v)))
			p = prep{reply: f.internal(ctx)}
		}
	}()
	p.op = "unvalidated"
	reqErr := func(errs ...*gqlerror.Error) prep {
		return prep{op: p.op, reply: f.requestErrors(ctx, rt, errs)}
	}
	if len(req.Query) > f.lim.MaxQueryBytes {
		return reqErr(limitError(rg.EBADINPUT, LimitQueryBytes, f.lim.MaxQueryBytes, "the query is %d bytes long", len(req.Query)))
	}
	doc, cached := f.cache.Get(ctx, req.Query)
	if !cached {
		if n := countTokens(req.Query, f.lim.MaxTokens); n > f.lim.MaxTokens {
			return reqErr(limitError(rg.EBADINPUT, LimitTokens, f.lim.MaxTokens, "the query has more than %d tokens", f.lim.MaxTokens))
		}
		var err error
		doc, err = parser.ParseQuery(&ast.Source{Input: req.Query})
		if err != nil {
			if ge, ok := err.(*gqlerror.Error); ok {
				return reqErr(ge)
			}
			return reqErr(gqlerror.Errorf("the query could not be parsed"))
		}
		s, gerr := checkShape(doc, f.lim.MaxFields)
		if gerr != nil {
			return reqErr(gerr)
		}
		if s.Fields > f.lim.MaxFields {
			return reqErr(limitError(rg.EBADINPUT, LimitFields, f.lim.MaxFields, "the query selects more than %d fields (aliases and fragment spreads counted)", f.lim.MaxFields))
		}
		if s.Depth > f.lim.MaxDepth {
			return reqErr(limitError(rg.EBADINPUT, LimitDepth, f.lim.MaxDepth, "the query nests %d levels deep", s.Depth))
		}
		if s.Introspection && f.noIntrospection {
			return reqErr(&gqlerror.Error{Message: "introspection is turned off on this server", Extensions: map[string]any{"code": rg.EBADINPUT}})
		}
	}
	if req.GET {
		if op := doc.Operations.ForName(req.OperationName); op != nil && op.Operation != ast.Query {
			rep := f.requestErrors(ctx, rt, gqlerror.List{{Message: "a " + string(op.Operation) + " must be sent with POST, not GET", Extensions: map[string]any{"code": rg.EBADINPUT}}})
			rep.status = http.StatusMethodNotAllowed
			rep.header = http.Header{"Allow": {"POST"}}
			return prep{op: p.op, reply: rep}
		}
	}
	oc, errs := f.exec.CreateOperationContext(ctx, &graphql.RawParams{
		Query:         req.Query,
		OperationName: req.OperationName,
		Variables:     req.Variables,
		Extensions:    req.Extensions,
	})
	if len(errs) > 0 {
		return reqErr(errs...)
	}
	if oc.Operation != nil {
		// A validated operation without a name is "anonymous".
		p.op = f.ops.name(oc.Operation.Name)
	}
	return prep{oc: oc, op: p.op}
}

// execute runs the prepared operation for budget from now, under the
// results cap.
func (f *front) execute(ctx context.Context, p prep, budget time.Duration, now time.Time, limit string) (rep *reply) {
	ec := &execCtx{}
	ec.initAt(ctx, now.Add(budget), now)
	defer ec.stop()
	ctx = ec
	st := &ec.st
	st.max, st.cancel = int64(f.lim.MaxResults), &ec.deadlineCtx
	ec.loaders.Init(f.store, f.loaderWait)
	defer func() {
		if v := recover(); v != nil {
			f.log.LogAttrs(ctx, slog.LevelError, "panic executing a request", slog.String("requestId", rg.RequestID(ctx)), slog.String("panic", fmt.Sprint(v)))
			rep = f.internal(ctx)
			rep.op = p.op
		}
	}()
	// The common read queries are answered directly (resolvers.Direct),
	// the rest (and any that fails on the way) by gqlgen's executor.
	// Its data is written straight into the response.
	wire := respBufs.Get().(*bytes.Buffer)
	wire.WriteString(`{"data":`)
	switch f.resolver.DirectTo(ctx, p.oc, f.lim.MaxResults, wire) {
	case resolvers.DirectOK:
		wire.WriteByte('}')
		return &reply{status: http.StatusOK, wire: wire, op: p.op, outcome: OutcomeOK}
	case resolvers.DirectOverResults:
		st.over.Store(true)
	case resolvers.DirectCancelled:
		putRespBuf(wire)
		rep := f.timeoutCtx(ctx, limit, budget, "executing the operation")
		rep.op = p.op
		return rep
	}
	putRespBuf(wire)
	var resp *graphql.Response
	if !st.over.Load() {
		handler, rctx := f.exec.DispatchOperation(ctx, p.oc)
		resp = handler(rctx)
	}
	switch {
	case st.over.Load():
		// Answered as the other limits are: no data, the status by
		// response type.
		rep := &reply{op: p.op, outcome: OutcomeBadRequest}
		rep.errs = gqlerror.List{limitError(rg.EBADINPUT, LimitResults, f.lim.MaxResults, "the response would hold more than %d values", f.lim.MaxResults)}
		f.rejected(rep.errs)
		return rep
	case ctx.Err() != nil || resp == nil:
		rep := f.timeoutCtx(ctx, limit, budget, "executing the operation")
		rep.op = p.op
		return rep
	}
	rep = &reply{status: http.StatusOK, errs: resp.Errors, data: resp.Data, ext: resp.Extensions, op: p.op, outcome: OutcomeOK}
	if len(rep.data) == 0 {
		rep.data = json.RawMessage("null")
	}
	if len(resp.Errors) > 0 {
		rep.outcome = OutcomeFieldErrors
		for _, e := range resp.Errors {
			if c, _ := e.Extensions["code"].(string); c == rg.EINTERNAL {
				rep.outcome = OutcomeInternal
			}
		}
	}
	return rep
}

// requestErrors is the reply to a request refused before execution: the
// errors presented, no data entry, status 400 for
// application/graphql-response+json and 200 for application/json (as the
// GraphQL-over-HTTP spec asks).
func (f *front) requestErrors(ctx context.Context, rt responseType, errs gqlerror.List) *reply {
	resp := f.exec.DispatchError(graphql.WithOperationContext(ctx, &graphql.OperationContext{}), errs)
	f.rejected(errs)
	return &reply{errs: resp.Errors, outcome: OutcomeBadRequest}
}

func (f *front) rejected(errs gqlerror.List) {
	if f.obs == nil {
		return
	}
	for _, e := range errs {
		if l, ok := e.Extensions["limit"].(string); ok {
			f.obs.Rejected(l)
		}
	}
}

func (f *front) refuse(e *RequestError) *reply {
	ext := map[string]any{"code": requestErrorCode(e.Status)}
	if e.Limit != "" {
		ext["limit"] = e.Limit
		ext["max"] = e.Max
		if f.obs != nil {
			f.obs.Rejected(e.Limit)
		}
	}
	rep := &reply{status: e.Status, errs: gqlerror.List{{Message: e.Message, Extensions: ext}}, outcome: OutcomeBadRequest}
	if e.Allow != "" {
		rep.header = http.Header{"Allow": {e.Allow}}
	}
	if e.Status == http.StatusRequestTimeout {
		rep.outcome = OutcomeTimeout
	}
	return rep
}

func (f *front) overloaded(limit string, max int) *reply {
	if f.obs != nil {
		f.obs.Rejected(limit)
	}
	return &reply{
		status: http.StatusServiceUnavailable,
		errs: gqlerror.List{limitError(rg.EUNAVAILABLE, limit, max,
			"the server is running as many analyses as it may and none finished within %s; try again", f.lim.QueueWait)},
		outcome: OutcomeOverloaded,
		header:  http.Header{"Retry-After": {retryOverloaded}},
	}
}

// timeout is the reply to a request that ran out of time, or, when its
// client has gone, the reply nobody reads, counted as client_closed.
func (f *front) timeout(r *http.Request, limit string, d time.Duration, what string) *reply {
	return f.timeoutCtx(r.Context(), limit, d, what)
}

func (f *front) timeoutCtx(ctx context.Context, limit string, d time.Duration, what string) *reply {
	if clientGone(ctx) {
		return &reply{
			status:  StatusClientClosed,
			errs:    gqlerror.List{{Message: "the request was cancelled", Extensions: map[string]any{"code": rg.EUNAVAILABLE}}},
			outcome: OutcomeClientClosed,
		}
	}
	if f.obs != nil {
		f.obs.Rejected(limit)
	}
	return &reply{
		status:  http.StatusServiceUnavailable,
		errs:    gqlerror.List{limitError(rg.EUNAVAILABLE, limit, d.String(), "%s took too long and was stopped", what)},
		outcome: OutcomeTimeout,
		header:  http.Header{"Retry-After": {retryTimeout}},
	}
}

func (f *front) internal(ctx context.Context) *reply {
	id := rg.RequestID(ctx)
	ext := map[string]any{"code": rg.EINTERNAL}
	msg := "internal error"
	if id != "" {
		ext["requestId"] = id
		msg = "internal error (request id " + id + ")"
	}
	return &reply{status: http.StatusInternalServerError, errs: gqlerror.List{{Message: msg, Extensions: ext}}, outcome: OutcomeInternal}
}

// clientGone reports whether the request's client went away (rather than
// its deadline passing).
func clientGone(ctx context.Context) bool {
	return ClientGone(ctx) || errors.Is(ctx.Err(), context.Canceled)
}

func (f *front) write(w http.ResponseWriter, r *http.Request, start time.Time, rt responseType, rep *reply) {
	status := rep.status
	if status == 0 {
		status = http.StatusOK
		if rt == typeGraphQLResponse {
			status = http.StatusBadRequest
		}
	}
	h := w.Header()
	for k, v := range rep.header {
		h[k] = v
	}
	var b []byte
	switch {
	case rep.wire != nil:
		b = rep.wire.Bytes()
		defer putRespBuf(rep.wire)
	case len(rep.errs) == 0 && rep.ext == nil && rep.data != nil:
		// Data alone (the executor's, compact): escaped as json.Marshal
		// escapes a json.RawMessage.
		wire := respBufs.Get().(*bytes.Buffer)
		defer putRespBuf(wire)
		wire.WriteString(`{"data":`)
		json.HTMLEscape(wire, rep.data)
		wire.WriteByte('}')
		b = wire.Bytes()
	default:
		var err error
		b, err = json.Marshal(wireResponse{Errors: rep.errs, Data: rep.data, Extensions: rep.ext})
		if err != nil {
			f.log.LogAttrs(r.Context(), slog.LevelError, "encoding a response", slog.String("requestId", rg.RequestID(r.Context())), slog.Any("err", err))
			status = http.StatusInternalServerError
			b = []byte(`{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}`)
			rep.outcome = OutcomeInternal
		}
	}
	h["Content-Type"] = contentTypes[rt]
	h["Content-Length"] = contentLength(len(b))
	h["X-Content-Type-Options"] = nosniff
	h["Cache-Control"] = noStore
	if rep.outcome != OutcomeOK {
		// A refusal or field errors answered 200 (application/json) is
		// logged as every failure is.
		logAlways(r.Context())
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
	if f.obs != nil {
		op := rep.op
		if op == "" {
			op = "anonymous"
		}
		f.obs.Request(op, rep.outcome, time.Since(start))
	}
}

// Response headers, shared by every response (never changed: net/http and
// the guards only read them; their capacity is their length, so an append
// copies).
var (
	contentTypes = map[responseType][]string{
		typeJSON:            {string(typeJSON) + "; charset=utf-8"},
		typeGraphQLResponse: {string(typeGraphQLResponse) + "; charset=utf-8"},
	}
	nosniff = []string{"nosniff"}
	noStore = []string{"no-store"}
)

// contentLengths are the Content-Length headers of the shorter responses,
// made once each (shared as the other headers are).
var contentLengths [8192]atomic.Pointer[[]string]

func contentLength(n int) []string {
	if n >= len(contentLengths) {
		return []string{strconv.Itoa(n)}
	}
	if v := contentLengths[n].Load(); v != nil {
		return *v
	}
	v := []string{strconv.Itoa(n)}
	contentLengths[n].Store(&v)
	return v
}

// execCtx is an execution's context, carrying its execState and its
// loaders (one value, without a context.WithValue for each).
type execCtx struct {
	deadlineCtx
	st      execState
	loaders resolvers.Loaders
}

func (c *execCtx) Value(key any) any {
	switch key.(type) {
	case execStateKey:
		return &c.st
	case resolvers.LoadersKey:
		return &c.loaders
	}
	return c.deadlineCtx.Value(key)
}

// opNames bounds the operation names used as metric labels: plain names of
// up to 64 characters, the first max distinct ones; "other" after that.
type opNames struct {
	mu   sync.Mutex
	max  int
	seen map[string]struct{}
}

func newOpNames(max int) *opNames { return &opNames{max: max, seen: map[string]struct{}{}} }

func (o *opNames) name(n string) string {
	if n == "" {
		return "anonymous"
	}
	if len(n) > 64 {
		return "other"
	}
	for _, c := range n {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return "other"
		}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.seen[n]; ok {
		return n
	}
	if len(o.seen) >= o.max {
		return "other"
	}
	o.seen[n] = struct{}{}
	return n
}
