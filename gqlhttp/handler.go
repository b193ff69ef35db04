package gqlhttp

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/graph"
	"github.com/regiongraph/regiongraph/live"
	"github.com/regiongraph/regiongraph/resolvers"
)

// Options configure the GraphQL handler.
type Options struct {
	Logger *slog.Logger
	// LoaderWait is how long a dataloader waits for more keys before it
	// calls the store. Dataloaders serve only what was not read ahead
	// (resolvers/readahead.go); the default, 0, waits for no timer: the
	// keys asked for while the first one's batch is being scheduled share
	// its store call.
	LoaderWait time.Duration
	// Limits bound every request; zero fields take DefaultLimits.
	Limits Limits
	// NoIntrospection turns schema introspection off, and with it the
	// "Did you mean" suggestions of validation errors.
	NoIntrospection bool
	// Observer is told of every request's outcome and of every limit that
	// refused one (the metrics); nil: nobody.
	Observer Observer
	// Work runs the analyses: the places among MaxAnalysisConcurrent that
	// operations selecting an analysis field take, shared with the other
	// routes' computations. Nil: a Work of the handler's own.
	Work *Work
	// Hub streams the changes subscription; the handler wraps the store
	// with it so that its writes wake the streams. Nil: a hub of the
	// handler's own.
	Hub *live.Hub
	// StreamHeartbeat is how often a subscription stream with nothing to
	// send sends a comment (default 15s); StreamLifetime how long a stream
	// lasts before the client is asked to resume (default
	// Limits.StreamLifetime).
	StreamHeartbeat, StreamLifetime time.Duration
}

// Observer is told what happens to GraphQL requests.
type Observer interface {
	// Request reports one GraphQL request: its operation name (sanitised:
	// "anonymous", "other" or a short plain name), its outcome and how long
	// it took from being read to being answered.
	Request(operation, outcome string, d time.Duration)
	// Rejected reports a request refused by the named limit.
	Rejected(limit string)
	// InFlight is called with +1 when a request starts and -1 when its
	// work has stopped, which may be after its answer (a timeout, a client
	// gone).
	InFlight(delta int)
}

// Outcomes of a request, as given to Observer.Request.
const (
	OutcomeOK          = "ok"           // data, no errors
	OutcomeFieldErrors = "field_errors" // data with errors
	OutcomeBadRequest  = "bad_request"  // refused: malformed, invalid or over a limit
	OutcomeTimeout     = "timeout"      // parse or execution timeout
	OutcomeOverloaded  = "overloaded"   // no place among MaxConcurrent (or MaxAnalysisConcurrent) in QueueWait
	OutcomeInternal    = "internal"     // an unexpected error or panic
	// OutcomeClientClosed (router.go): the client went away before the answer.
)

// NewHandler returns the GraphQL handler over store: GraphQL over HTTP (GET
// and POST, application/json and application/graphql-response+json) with
// every limit of o.Limits enforced, per-request dataloaders and the error
// presenter. The guards every route shares (authentication, the place among
// MaxConcurrent, the request id, the access log) are the Router's: register
// it with Router.Handle and BudgetGraphQL.
func NewHandler(store rg.Store, o Options) http.Handler {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	lim := o.Limits.withDefaults()
	if o.Hub == nil {
		o.Hub = live.New(live.Options{})
	}
	if o.StreamHeartbeat <= 0 {
		o.StreamHeartbeat = defaultStreamHeartbeat
	}
	if o.StreamLifetime <= 0 {
		o.StreamLifetime = lim.StreamLifetime
	}
	store = o.Hub.Store(store)
	work := o.Work
	if work == nil {
		work = NewWork(store, lim, nil, o.Logger)
	}
	res := &resolvers.Resolver{Store: store, Hub: o.Hub}
	cfg := graph.Config{Resolvers: res}
	cfg.Directives.HasRole = resolvers.HasRole
	es := newCostSchema(graph.NewExecutableSchema(cfg), lim.ListEstimate, lim.MaxPageSize)
	exec := executor.New(es)
	cache := lru.New[*ast.QueryDocument](1000)
	exec.SetQueryCache(cache)
	if !o.NoIntrospection {
		exec.Use(extension.Introspection{})
	}
	exec.SetDisableSuggestion(o.NoIntrospection)
	cost := &costLimit{es: es, lim: lim, stats: &statsCache{store: store}}
	exec.Use(cost)
	exec.Use(resultsLimit{})
	exec.SetErrorPresenter(resolvers.ErrorPresenter(o.Logger, !o.NoIntrospection))
	exec.SetRecoverFunc(resolvers.Recover(o.Logger))
	return &front{
		exec:       exec,
		cache:      cache,
		lim:        lim,
		log:        o.Logger,
		obs:        o.Observer,
		work:       work,
		store:      store,
		resolver:   res,
		loaderWait: o.LoaderWait,
		ops:        newOpNames(100),
		cost:       cost,

		noIntrospection: o.NoIntrospection,
		hub:             o.Hub,
		streamHeartbeat: o.StreamHeartbeat,
		streamLifetime:  o.StreamLifetime,
	}
}

var _ graphql.Cache[*ast.QueryDocument] = (*lru.LRU[*ast.QueryDocument])(nil)
