package gqlhttp

import (
	"context"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	pathpkg "path"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/auth"
)

// Config configures a Router.
type Config struct {
	Logger *slog.Logger
	// Limits give the guards their numbers: MaxConcurrent and QueueWait per
	// route, the body limits by role, the timeouts a route may use.
	Limits Limits
	// Auth authenticates every route but the health check.
	Auth auth.Options
	// Observer is told of every request (the metrics); nil: nobody.
	Observer RouteObserver
	// Wrap, when set, wraps the routes (CORS): it sees every request before
	// the guards, so that a browser's preflight, which carries no token, is
	// answered.
	Wrap func(http.Handler) http.Handler
	// Admitted, when set, is called with every request that got its place,
	// in its handler's goroutine and under its deadline, just before the
	// handler: a hook for tracing, and for tests that hold a place or
	// outlast a deadline on any route.
	Admitted func(ctx context.Context, route string)
	// AccessLogSample, above 1, logs one in that many of the requests
	// answered with a 2xx or 3xx within a second (and, for GraphQL,
	// without errors); every other request (an error, a refusal, GraphQL
	// errors answered 200, a slow answer, a client gone) is always logged.
	// 0 or 1: every request. The metrics count every request either way.
	AccessLogSample int
}

// RouteObserver is told what happens on the routes.
type RouteObserver interface {
	// Route reports one request: the route's name, its outcome (Outcome*),
	// the status answered and the time to the answer.
	Route(route, outcome string, status int, d time.Duration)
	// RouteInFlight is called with +1 when a request arrives and -1 when
	// its work has stopped, which may be well after its answer.
	RouteInFlight(route string, delta int)
	// Rejected reports a request refused by the named limit.
	Rejected(limit string)
}

// Outcomes of a request on any route, besides those of GraphQL requests.
const (
	OutcomeUnauthenticated = "unauthenticated" // 401
	OutcomeNotFound        = "not_found"       // 404, 405
	OutcomeClientClosed    = "client_closed"   // the client went away before the answer (logged as 499)
	OutcomeUnavailable     = "unavailable"     // 503 for another reason (the store cannot be reached)
	// OutcomeIncomplete: a streamed answer (an export) that stopped
	// midway for another reason than its client or its deadline; the
	// response was aborted.
	OutcomeIncomplete = "incomplete"
)

// StatusClientClosed is the status logged and counted for a request whose
// client went away before it was answered (nginx's 499); nothing is sent.
const StatusClientClosed = 499

// Route is a registered route, as Routes lists it.
type Route struct {
	// Pattern is the http.ServeMux pattern.
	Pattern string
	// Name labels the route in logs and metrics, and names its pool of
	// MaxConcurrent places (routes of one name share it).
	Name string
	// Budget says which time limits hold (see Budget); Timeout is the
	// route's deadline it gives: the handler's context ends then, and a
	// handler that has not answered shortly after gets 503 naming Limit.
	Budget  Budget
	Timeout time.Duration
	Limit   string
	// MaxConcurrent is the size of the route's pool; a request waits up to
	// QueueWait for a place, then gets 503 with Retry-After. 0 only for the
	// health check.
	MaxConcurrent int
	// MaxBodyBytes, when > 0, bounds the route's bodies whatever the role
	// (a spreadsheet upload); else MaxBodyBytes or MaxAdminBodyBytes.
	MaxBodyBytes int64
	// Public routes skip authentication and the cap: only /healthz.
	Public bool
}

// Router is an http.ServeMux whose routes are all behind the guards. Its
// only ways to add a route, Handle and HandleHealth, put the handler behind
// them, so a route cannot be added without them:
//
//   - a request id (the client's X-Request-Id when short and plain, else a
//     new one), echoed in X-Request-Id and on every log line;
//   - authentication (auth.Authenticate): with reads behind tokens, every
//     route but /healthz needs one;
//   - the body limit by role (MaxBodyBytes, MaxAdminBodyBytes for admins);
//   - the route's pool of MaxConcurrent places, waiting at most QueueWait;
//   - the route's deadline;
//   - the access log and the metrics by route and outcome, including
//     requests_in_flight, which counts a request until its work has stopped.
//
// A request keeps its place in the pool until its handler has returned and
// every piece of work it started in the background (see Track) has
// stopped, not merely until it is answered: the cap counts work.
type Router struct {
	cfg    Config
	log    *slog.Logger
	lim    Limits
	mux    *http.ServeMux
	exact  exactRoutes // the mux's routes without wildcards, found before it
	inner  http.Handler
	mu     sync.Mutex
	routes []Route
	pools  map[string]chan struct{}
	// logged counts the requests the access log may sample.
	logged atomic.Uint64
}

// NewRouter returns a Router with no routes.
func NewRouter(cfg Config) *Router {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Auth.Logger == nil {
		cfg.Auth.Logger = cfg.Logger
	}
	rt := &Router{cfg: cfg, log: cfg.Logger, lim: cfg.Limits.withDefaults(), mux: http.NewServeMux(), pools: map[string]chan struct{}{}}
	rt.exact = exactRoutes{}
	rt.inner = http.HandlerFunc(rt.route)
	if cfg.Wrap != nil {
		rt.inner = cfg.Wrap(rt.inner)
	}
	return rt
}

// Limits returns the router's limits, defaults filled in.
func (rt *Router) Limits() Limits { return rt.lim }

// HandleLong registers h as Handle does, for a route whose requests are
// few and long (a subscription stream, a spreadsheet upload): its pool has
// maxConcurrent places of its own, and maxBody (when > 0) bounds every
// body, whatever the role.
func (rt *Router) HandleLong(pattern, name string, budget Budget, maxConcurrent int, maxBody int64, h http.Handler) {
	timeout, limit := rt.lim.Timeout(budget)
	rt.add(Route{Pattern: pattern, Name: name, Budget: budget, Timeout: timeout, Limit: limit, MaxConcurrent: maxConcurrent, MaxBodyBytes: maxBody}, h)
}

// Handle registers h for pattern (an http.ServeMux pattern) behind every
// guard. name labels the route and names its pool; budget gives its
// deadline.
func (rt *Router) Handle(pattern, name string, budget Budget, h http.Handler) {
	timeout, limit := rt.lim.Timeout(budget)
	rt.add(Route{Pattern: pattern, Name: name, Budget: budget, Timeout: timeout, Limit: limit, MaxConcurrent: rt.lim.MaxConcurrent}, h)
}

// HandleHealth registers h as GET /healthz, the one route that needs no
// token and takes no place in a pool (so that a liveness probe is answered
// however busy the server is). It keeps the request id, deadline, log and
// metrics.
func (rt *Router) HandleHealth(h http.Handler) {
	timeout, limit := rt.lim.Timeout(BudgetExec)
	rt.add(Route{Pattern: "GET /healthz", Name: "/healthz", Budget: BudgetExec, Timeout: timeout, Limit: limit, Public: true}, h)
}

func (rt *Router) add(r Route, h http.Handler) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if _, ok := rt.pools[r.Name]; !ok && !r.Public {
		rt.pools[r.Name] = make(chan struct{}, r.MaxConcurrent)
	}
	rt.routes = append(rt.routes, r)
	g := rt.guard(r, rt.pools[r.Name], h)
	rt.mux.Handle(r.Pattern, g)
	rt.exact.add(r.Pattern, g)
}

// route passes the request to its route's guard: straight, for a path
// some route names without wildcards, else through the mux.
func (rt *Router) route(w http.ResponseWriter, r *http.Request) {
	if h, pattern := rt.exact.find(r.Method, r.URL.Path); h != nil {
		r.Pattern = pattern // as the mux sets it
		h.ServeHTTP(w, r)
		return
	}
	rt.mux.ServeHTTP(w, r)
}

// exactRoutes are the routes whose patterns are a plain path, with or
// without a method, by path. The mux would pick the same route for a
// request to that very path (no pattern is more specific than a plain
// path with its method, then the plain path alone), and finding it costs
// a map lookup instead of the mux's walk and its allocation. A GET route
// is not found for HEAD here: the mux answers those.
type exactRoutes map[string]*exactRoute

type exactRoute struct {
	anyPattern string // the pattern without a method, if any
	anyH       http.Handler
	methods    []methodRoute
}

type methodRoute struct {
	method, pattern string
	h               http.Handler
}

// add records pattern when it is a plain path ("/graphql", "POST /x"):
// no host, no wildcard, not a subtree (ending in /).
func (e exactRoutes) add(pattern string, h http.Handler) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		method, path = "", pattern
	}
	if strings.ContainsAny(method, "\t/") || !strings.HasPrefix(path, "/") || strings.HasSuffix(path, "/") || strings.ContainsAny(path, "{} \t") || path != pathpkg.Clean(path) {
		return
	}
	x := e[path]
	if x == nil {
		x = &exactRoute{}
		e[path] = x
	}
	if method == "" {
		x.anyPattern, x.anyH = pattern, h
		return
	}
	x.methods = append(x.methods, methodRoute{method: method, pattern: pattern, h: h})
}

// find returns the handler and pattern of the route for method and path,
// or nil when the mux is to find it.
func (e exactRoutes) find(method, path string) (http.Handler, string) {
	x := e[path]
	if x == nil {
		return nil, ""
	}
	for _, m := range x.methods {
		if m.method == method {
			return m.h, m.pattern
		}
	}
	if x.anyH != nil && method != http.MethodHead {
		return x.anyH, x.anyPattern
	}
	return nil, ""
}

// Routes returns the registered routes, in the order of registration.
func (rt *Router) Routes() []Route {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return slices.Clone(rt.routes)
}

// routed is what the Router's ServeHTTP and a route's guard share about one
// request, allocated once for both: the writer recording the answer (the
// one the Router hands on, through which the guard finds it), the start,
// the request id, and the guard's state, gate and context.
type routed struct {
	statusWriter
	start    time.Time
	id       string
	routed   bool // a guard took the request (and logs it)
	st       requestState
	g        gate
	ctx      stateCtx
	dl       deadlineCtx // under ctx
	late     late        // the guard's
	rt       *Router
	route    *Route    // the guard's
	idHeader [1]string // the X-Request-Id header's value
}

// routedOf finds the routed record under w, or nil when the request did
// not come through a Router's ServeHTTP (or a guard took it already).
func routedOf(w http.ResponseWriter) *routed {
	for {
		switch x := w.(type) {
		case *routed:
			if x.routed {
				return nil
			}
			return x
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			return nil
		}
	}
}

// stateCtx is a guarded request's context: its deadline's, carrying its
// requestState (one value, without a context.WithValue of its own).
type stateCtx struct {
	*deadlineCtx
	st *requestState
}

func (c *stateCtx) Value(key any) any {
	if _, ok := key.(requestStateKey); ok {
		return c.st
	}
	return c.deadlineCtx.Value(key)
}

// ServeHTTP gives the request its id and passes it to its route. A request
// no route takes (404, 405, a CORS preflight) is logged here.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := r.Header.Get("X-Request-Id")
	if !plainID(id) {
		id = newRequestID()
	}
	rq := &routed{statusWriter: statusWriter{ResponseWriter: w}, start: time.Now(), id: id}
	rq.idHeader[0] = id
	w.Header()["X-Request-Id"] = rq.idHeader[:]
	func() {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				rt.log.LogAttrs(r.Context(), slog.LevelError, "panic in handler", slog.String("requestId", id), slog.String("panic", fmt.Sprint(v)))
				if rq.status == 0 {
					writeJSONError(&rq.statusWriter, http.StatusInternalServerError, internalError(id), nil)
				}
			}
		}()
		rt.inner.ServeHTTP(rq, r)
	}()
	if rq.routed {
		return
	}
	outcome := outcomeOf(rq.status, "")
	if rt.cfg.Observer != nil {
		rt.cfg.Observer.Route("other", outcome, rq.status, time.Since(rq.start))
	}
	rt.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
		slog.String("requestId", id), slog.String("route", "other"),
		slog.String("method", r.Method), slog.String("path", r.URL.Path),
		slog.Int("status", rq.status), slog.Int("bytes", rq.bytes),
		slog.Duration("duration", time.Since(rq.start)))
}

// newRequestID is a random id of 16 hex digits (64 bits: unique among the
// requests a log holds; not a secret).
func newRequestID() string {
	const digits = "0123456789abcdef"
	var b [16]byte
	x := mrand.Uint64()
	for i := range b {
		b[i] = digits[x&15]
		x >>= 4
	}
	return string(b[:])
}

func plainID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// deadlineGrace is how long after its deadline a handler may take to answer
// before the guard answers 503 for it.
const deadlineGrace = 250 * time.Millisecond

// guard puts h behind the guards of route r.
func (rt *Router) guard(route Route, pool chan struct{}, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rq := routedOf(w)
		if rq == nil {
			// Served without the Router's ServeHTTP (a test calling the
			// mux): start here.
			rq = &routed{start: time.Now()}
		}
		rq.routed = true
		st, g := &rq.st, &rq.g
		st.route, st.limit, st.timeout, st.start, st.client = route.Name, route.Limit, route.Timeout, rq.start, r.Context()
		g.w, g.header, g.st = w, newHeader(), st
		// The request's context is built once: its id, its principal,
		// its deadline and state; the request is copied once, with it.
		ctx := r.Context()
		if rq.id != "" {
			ctx = rg.WithRequestID(ctx, rq.id)
		}
		logCtx := ctx
		defer func() {
			rt.finish(logCtx, r, st, g)
			// The handler and its work have stopped: nothing uses the
			// gate's header (its values were copied out) any more.
			putHeader(g.header)
		}()
		if obs := rt.cfg.Observer; obs != nil {
			obs.RouteInFlight(route.Name, 1)
			defer obs.RouteInFlight(route.Name, -1)
		}

		if !route.Public {
			actx, refusal := auth.AuthenticateContext(rt.cfg.Auth, ctx, r)
			if refusal != nil {
				st.setOutcome(OutcomeUnauthenticated)
				g.answer(func(w http.ResponseWriter) { auth.Refuse(w, refusal.Message) })
				return
			}
			ctx = actx
		}
		body := r.Body
		if body != nil && body != http.NoBody {
			limit := rt.lim.MaxBodyBytes
			if p, ok := rg.PrincipalFrom(ctx); ok && p.Role.Allows(rg.RoleAdmin) {
				limit = rt.lim.MaxAdminBodyBytes
			}
			if route.MaxBodyBytes > 0 {
				limit = route.MaxBodyBytes
			}
			body = http.MaxBytesReader(w, body, limit)
		}

		if pool != nil {
			if !rt.acquire(ctx, pool, route, g, st) {
				return
			}
			defer func() { <-pool }()
		}

		// The route's deadline, kept by the lates' watch (deadlineCtx).
		now := time.Now()
		rq.dl.initAt(ctx, now.Add(route.Timeout), now)
		defer rq.dl.stop()
		st.cancel = &rq.dl
		rq.ctx = stateCtx{deadlineCtx: &rq.dl, st: st}
		ctx = &rq.ctx
		r = r.WithContext(ctx)
		r.Body = body
		// The handler runs in this goroutine (the connection's: no
		// goroutine to start, no stack to grow, no hand-over); a timer
		// answers for it if it has not answered by its deadline, and the
		// guard keeps waiting for it, holding its place, until it stops.
		rq.rt, rq.route = rt, &route
		rq.late.arm(now.Add(route.Timeout+deadlineGrace), rq)
		aborted := rt.serve(ctx, route, g, st, h, r)
		rq.late.stop()
		// With work still running, the answer goes out now; the place is
		// given back only once that work has stopped.
		if st.pending.Load() > 0 {
			g.flush()
		}
		rq.dl.stop()
		st.work.Wait()
		if aborted {
			panic(http.ErrAbortHandler)
		}
	})
}

// answerLate answers for a guarded handler that has not answered by its
// deadline (and its grace).
func (rq *routed) answerLate() {
	route := rq.route
	if rq.g.answer(func(w http.ResponseWriter) { writeTimeout(w, route.Limit, route.Timeout, "the request") }) {
		rq.st.setOutcome(OutcomeTimeout)
		if obs := rq.rt.cfg.Observer; obs != nil {
			obs.Rejected(route.Limit)
		}
	}
	rq.g.flush()
}

// serve runs h, recovering a panic: http.ErrAbortHandler is reported (to be
// passed on to net/http once the request's work has stopped), any other
// panic is logged and answered 500.
func (rt *Router) serve(ctx context.Context, route Route, g *gate, st *requestState, h http.Handler, r *http.Request) (aborted bool) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				aborted = true
				st.setOutcome(OutcomeClientClosed)
				return
			}
			rt.log.LogAttrs(ctx, slog.LevelError, "panic in handler", slog.String("requestId", rg.RequestID(ctx)), slog.String("route", route.Name), slog.String("panic", fmt.Sprint(v)))
			st.setOutcome(OutcomeInternal)
			id := rg.RequestID(ctx)
			g.answer(func(w http.ResponseWriter) {
				writeJSONError(w, http.StatusInternalServerError, internalError(id), nil)
			})
		}
	}()
	if rt.cfg.Admitted != nil {
		rt.cfg.Admitted(ctx, route.Name)
	}
	h.ServeHTTP(g, r)
	return false
}

// late answers for work running in the caller's goroutine when that work
// overruns its deadline. It is no runtime timer of its own (arming and
// stopping one, twice or three times a request, cost more than the rest
// of a trivial request's guards): the armed ones are in lateWatch's list,
// and one runtime timer for them all, set for the earliest, looks through
// it then, answering for those past their time from a goroutine each. A
// late may be reused once stop has returned.
//
// Nothing is done for the list when a late stops: the watch's timer may
// then go off for nothing, and is set again for the earliest late left.
// Work is mostly stopped long before its deadline, and the deadlines of a
// route come in the order their work started, so the timer goes off about
// once per shortest deadline and is set again by arm rarely (each setting
// of a runtime timer may wake an idle thread to watch it; a ticker every
// few milliseconds woke one hundreds of times a second).
type late struct {
	who   lateAnswerer
	when  time.Time
	state atomic.Int32 // lateRunning, lateInTime or lateFired
	done  sync.WaitGroup

	prev, next *late // in lateWatch's list, under its lock
}

// lateAnswerer answers for work that is late, from a goroutine of its own.
type lateAnswerer interface{ answerLate() }

const (
	lateRunning = iota
	lateInTime
	lateFired
)

// lateWatch holds the armed lates.
var lateWatch struct {
	mu       sync.Mutex
	head     *late
	watching bool        // timer is set, for wake
	wake     time.Time   // when timer goes off: no later than any late's when
	timer    *time.Timer // runs watchLates
	sets     int         // how many times arm has set timer
}

// arm has who.answerLate called, from a goroutine of its own, once when
// has passed, unless stop is called first. l is new or was stopped.
func (l *late) arm(when time.Time, who lateAnswerer) {
	l.who, l.when = who, when
	l.done.Add(1)
	l.state.Store(lateRunning) // after who: the watch reads it after its CompareAndSwap
	lateWatch.mu.Lock()
	l.prev, l.next = nil, lateWatch.head
	if l.next != nil {
		l.next.prev = l
	}
	lateWatch.head = l
	if !lateWatch.watching || when.Before(lateWatch.wake) {
		lateWatch.watching, lateWatch.wake = true, when
		lateWatch.sets++
		if lateWatch.timer == nil {
			lateWatch.timer = time.AfterFunc(time.Until(when), watchLates)
		} else {
			lateWatch.timer.Reset(time.Until(when))
		}
	}
	lateWatch.mu.Unlock()
}

// unlink takes l out of lateWatch's list; lateWatch.mu is held.
func (l *late) unlink() {
	if l.prev != nil {
		l.prev.next = l.next
	} else {
		lateWatch.head = l.next
	}
	if l.next != nil {
		l.next.prev = l.prev
	}
	l.prev, l.next = nil, nil
}

// watchLates, the watch's timer's function, answers for the lates past
// their time and sets the timer for the earliest left.
func watchLates() {
	now := time.Now()
	lateWatch.mu.Lock()
	defer lateWatch.mu.Unlock()
	var earliest time.Time
	for l := lateWatch.head; l != nil; {
		next := l.next
		if !now.Before(l.when) {
			if l.state.CompareAndSwap(lateRunning, lateFired) {
				l.unlink()
				go l.fire()
			}
		} else if earliest.IsZero() || l.when.Before(earliest) {
			earliest = l.when
		}
		l = next
	}
	if earliest.IsZero() {
		lateWatch.watching = false
		return
	}
	lateWatch.wake = earliest
	lateWatch.timer.Reset(earliest.Sub(now))
}

func (l *late) fire() {
	defer l.done.Done()
	l.who.answerLate()
}

// stop is called when the work has stopped; it reports whether the work
// was in time (answer was not called). Either way, it returns once the
// answer, if it started, has returned.
func (l *late) stop() (inTime bool) {
	if l.state.CompareAndSwap(lateRunning, lateInTime) {
		lateWatch.mu.Lock()
		l.unlink()
		lateWatch.mu.Unlock()
		l.done.Done()
		return true
	}
	l.done.Wait()
	return false
}

// acquire waits up to QueueWait for a place in pool (the caller gives it
// back), answering 503 (or nothing, when the client has gone) if none frees
// up.
func (rt *Router) acquire(ctx context.Context, pool chan struct{}, route Route, g *gate, st *requestState) bool {
	select {
	case pool <- struct{}{}:
		return true
	default:
	}
	t := time.NewTimer(rt.lim.QueueWait)
	defer t.Stop()
	select {
	case pool <- struct{}{}:
		return true
	case <-ctx.Done():
		st.setOutcome(OutcomeClientClosed)
		return false
	case <-t.C:
	}
	st.setOutcome(OutcomeOverloaded)
	if obs := rt.cfg.Observer; obs != nil {
		obs.Rejected(LimitConcurrency)
	}
	// Close the connection after the answer, so that a client that keeps
	// sending a body does not keep it.
	g.answer(func(w http.ResponseWriter) {
		w.Header().Set("Connection", "close")
		writeOverloaded(w, LimitConcurrency, route.MaxConcurrent, rt.lim.QueueWait)
	})
	return false
}

// finish logs the request and counts it, once its work has stopped.
func (rt *Router) finish(ctx context.Context, r *http.Request, st *requestState, g *gate) {
	status, bytes, answered := g.result()
	if answered.IsZero() {
		// The handler wrote nothing: net/http answers 200 with no body,
		// unless the client has gone.
		st.noteClient()
		status, answered = http.StatusOK, time.Now()
	}
	outcome := st.getOutcome()
	if gone, at := st.gone(); outcome == OutcomeClientClosed || gone && !at.After(answered) {
		// Nobody was there to read the answer.
		status, outcome = StatusClientClosed, OutcomeClientClosed
	}
	outcome = outcomeOf(status, outcome)
	d := answered.Sub(st.start)
	if obs := rt.cfg.Observer; obs != nil {
		obs.Route(st.route, outcome, status, d)
	}
	if n := rt.cfg.AccessLogSample; n > 1 && status < 400 && d < time.Second && !st.logAlways.Load() && rt.logged.Add(1)%uint64(n) != 0 {
		return // sampled out: a plain success
	}
	if !rt.log.Enabled(ctx, slog.LevelInfo) {
		return
	}
	attrs := []slog.Attr{
		slog.String("requestId", rg.RequestID(ctx)), slog.String("route", st.route),
		slog.String("method", r.Method), slog.String("path", r.URL.Path),
		slog.Int("status", status), slog.String("outcome", outcome), slog.Int("bytes", bytes),
		slog.Duration("duration", d),
	}
	now := time.Now()
	if work := now.Sub(st.start); work-d > 100*time.Millisecond {
		// Work went on after the answer (a timeout, a client gone).
		attrs = append(attrs, slog.Duration("work", work))
	}
	// Handed to the handler as LogAttrs would, without the caller's
	// program counter (runtime.Callers, a tenth of the line's cost), which
	// an access line does not show.
	rec := slog.NewRecord(now, slog.LevelInfo, "request", 0)
	rec.AddAttrs(attrs...)
	_ = rt.log.Handler().Handle(ctx, rec)
}

// outcomeOf is the outcome set by whoever answered, or the one the status
// says.
func outcomeOf(status int, set string) string {
	if set != "" {
		return set
	}
	switch {
	case status == StatusClientClosed:
		return OutcomeClientClosed
	case status < 400:
		return OutcomeOK
	case status == http.StatusUnauthorized:
		return OutcomeUnauthenticated
	case status == http.StatusNotFound || status == http.StatusMethodNotAllowed:
		return OutcomeNotFound
	case status == http.StatusServiceUnavailable:
		return OutcomeUnavailable
	case status < 500:
		return OutcomeBadRequest
	}
	return OutcomeInternal
}

// requestState is what a guard knows of one request while it runs.
type requestState struct {
	route   string
	limit   string // the route's time limit
	timeout time.Duration
	start   time.Time
	client  context.Context // the request's own context: done when the client goes away
	cancel  *deadlineCtx    // the route's, stopped by Cancel
	work    sync.WaitGroup  // work started in the background (Track)
	pending atomic.Int32    // how much of it is running
	// logAlways keeps the request's access log line whatever the sample
	// (a GraphQL answer with errors, sent with status 200).
	logAlways atomic.Bool

	mu       sync.Mutex
	outcome  string
	goneAt   time.Time
	goneSeen bool
}

type requestStateKey struct{}

func (s *requestState) setOutcome(o string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.outcome == "" {
		s.outcome = o
	}
}

func (s *requestState) getOutcome() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.outcome
}

// gone reports whether the client was seen gone, and when first.
func (s *requestState) gone() (bool, time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.goneSeen, s.goneAt
}

// noteClient records when the client is first seen gone.
func (s *requestState) noteClient() {
	if s.client.Err() == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.goneSeen {
		s.goneSeen, s.goneAt = true, time.Now()
	}
}

// Track registers a piece of work that goes on in the background after the
// request's handler returns (a computation others still wait for, an
// execution past its deadline); the request keeps its place in its pool,
// and counts as in flight, until done is called. Outside a guarded request
// it does nothing.
func Track(ctx context.Context) (done func()) {
	st, _ := ctx.Value(requestStateKey{}).(*requestState)
	if st == nil {
		return func() {}
	}
	st.work.Add(1)
	st.pending.Add(1)
	return sync.OnceFunc(func() {
		st.pending.Add(-1)
		st.work.Done()
	})
}

// stopRequest ends the context of the guarded request in ctx (its work
// goes on only as long as it takes to notice), as the guard does once the
// request is answered.
func stopRequest(ctx context.Context) {
	if st, _ := ctx.Value(requestStateKey{}).(*requestState); st != nil && st.cancel != nil {
		st.cancel.stop()
	}
}

// SetOutcome records the outcome of the request in ctx for the access log
// and the metrics, when the status alone does not say it (a 503 that is a
// timeout). The first outcome set wins.
func SetOutcome(ctx context.Context, outcome string) {
	if st, _ := ctx.Value(requestStateKey{}).(*requestState); st != nil {
		st.setOutcome(outcome)
	}
}

// logAlways has the access log keep the line of the request in ctx
// whatever Config.AccessLogSample says: its answer is a failure that its
// status does not show (a GraphQL error sent with 200).
func logAlways(ctx context.Context) {
	if st, _ := ctx.Value(requestStateKey{}).(*requestState); st != nil {
		st.logAlways.Store(true)
	}
}

// ClientGone reports whether the client of the request in ctx has gone
// away (its connection closed), as opposed to the request's deadline
// having passed.
func ClientGone(ctx context.Context) bool {
	st, _ := ctx.Value(requestStateKey{}).(*requestState)
	if st == nil {
		return false
	}
	st.noteClient()
	return st.client.Err() != nil
}

// gate is the ResponseWriter a guarded handler writes to. The guard may
// answer for a handler that is late (then the handler's writes are
// dropped), and the handler may go on after its answer; the gate keeps the
// two apart.
type gate struct {
	w  http.ResponseWriter
	st *requestState

	mu       sync.Mutex
	header   http.Header // the handler's headers, copied out when it answers
	wrote    bool
	closed   bool // the guard answered: later writes are dropped
	status   int
	bytes    int
	answered time.Time
}

func (g *gate) Header() http.Header { return g.header }

// headers are the gates' emptied header maps.
var headers sync.Pool

func newHeader() http.Header {
	if h, ok := headers.Get().(http.Header); ok {
		return h
	}
	return make(http.Header, 8)
}

func putHeader(h http.Header) {
	if len(h) <= 32 {
		clear(h)
		headers.Put(h)
	}
}

func (g *gate) WriteHeader(code int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.writeHeaderLocked(code)
}

func (g *gate) writeHeaderLocked(code int) {
	if g.wrote || g.closed {
		return
	}
	if code >= 100 && code < 200 {
		g.w.WriteHeader(code)
		return
	}
	h := g.w.Header()
	for k, v := range g.header {
		h[k] = v
	}
	if g.st.pending.Load() > 0 {
		// Work goes on after this answer, and net/http reads the next
		// request on this connection only once it has stopped: the client
		// must not wait for that.
		h.Set("Connection", "close")
	}
	g.st.noteClient()
	g.wrote, g.status, g.answered = true, code, time.Now()
	g.w.WriteHeader(code)
}

func (g *gate) Write(b []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return 0, http.ErrHandlerTimeout
	}
	if !g.wrote {
		g.writeHeaderLocked(http.StatusOK)
	}
	n, err := g.w.Write(b)
	g.bytes += n
	return n, err
}

// Flush sends what was written so far.
func (g *gate) Flush() { g.flush() }

func (g *gate) flush() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.wrote {
		return
	}
	_ = http.NewResponseController(g.w).Flush()
}

// Unwrap gives http.ResponseController the writer underneath (for read
// deadlines).
func (g *gate) Unwrap() http.ResponseWriter { return g.w }

// answer writes the guard's own answer with write, unless the handler has
// answered already; it reports whether it did. Later writes by the handler
// are dropped.
func (g *gate) answer(write func(w http.ResponseWriter)) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.wrote || g.closed {
		return false
	}
	g.st.noteClient()
	// The handler is still running: see writeHeaderLocked.
	g.w.Header().Set("Connection", "close")
	sw := &statusWriter{ResponseWriter: g.w}
	write(sw)
	g.closed, g.wrote, g.status, g.bytes, g.answered = true, true, sw.status, sw.bytes, time.Now()
	return true
}

func (g *gate) result() (status, bytes int, answered time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.status, g.bytes, g.answered
}

// statusWriter remembers the status and size of what is written.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(s int) {
	if w.status == 0 && s >= 200 {
		w.status = s
	}
	w.ResponseWriter.WriteHeader(s)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
