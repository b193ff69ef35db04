package resolvers

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/graph"
)

// Options configure the GraphQL handler.
type Options struct {
	Logger *slog.Logger
	// LoaderWait is how long a dataloader waits for more keys before it
	// calls the store. Default 1ms.
	LoaderWait time.Duration
	// ComplexityLimit bounds a query's cost. Default 20000.
	ComplexityLimit int
	// NoIntrospection turns schema introspection off.
	NoIntrospection bool
}

// NewHandler returns the GraphQL handler over store: POST and GET, with
// per-request dataloaders, the error presenter and a complexity limit.
func NewHandler(store rg.Store, o Options) http.Handler {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.LoaderWait == 0 {
		o.LoaderWait = time.Millisecond
	}
	if o.ComplexityLimit == 0 {
		o.ComplexityLimit = 20000
	}
	cfg := graph.Config{Resolvers: &Resolver{Store: store}}
	cfg.Directives.HasRole = HasRole
	srv := handler.New(graph.NewExecutableSchema(cfg))
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	if !o.NoIntrospection {
		srv.Use(extension.Introspection{})
	}
	srv.Use(extension.FixedComplexityLimit(o.ComplexityLimit))
	srv.SetErrorPresenter(ErrorPresenter(o.Logger))
	srv.SetRecoverFunc(Recover(o.Logger))
	return LoaderMiddleware(store, o.LoaderWait, srv)
}
