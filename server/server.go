// Package server is regiongraph's HTTP face: which routes there are (the
// GraphQL endpoint and its explorer, the map page and its data, the
// exports, the briefs, health, readiness and metrics), CORS and serving.
// Every route is registered through a gqlhttp.Router, behind its guards.
package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/rs/cors"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/auth"
	"github.com/regiongraph/regiongraph/gqlhttp"
	"github.com/regiongraph/regiongraph/httplane"
	"github.com/regiongraph/regiongraph/live"
	"github.com/regiongraph/regiongraph/metrics"
	"github.com/regiongraph/regiongraph/web"
)

// Config configures the HTTP server.
type Config struct {
	// CORSOrigins are the origins allowed to call the API from a browser.
	// Empty: no cross-origin access at all.
	CORSOrigins []string
	Logger      *slog.Logger
	// GraphQL configures the GraphQL front; its Limits are every route's.
	GraphQL gqlhttp.Options
	// Metrics, when set, are served on /metrics and record requests, limit
	// rejections and store calls.
	Metrics *metrics.Metrics
	// Ready reports whether the server can answer queries (the store is
	// reachable); /readyz answers 503 while it returns an error. Nil: the
	// store's Ready method if it has one, else always ready. /healthz only
	// says the process serves HTTP.
	Ready func(context.Context) error
	// Tokens are the bearer tokens the API accepts; nil accepts none, so
	// that nothing can be written.
	Tokens *auth.Set
	// RequireAuthForReads makes every request but GET /healthz need a
	// valid token: GraphQL, the map page and its data, the exports, the
	// briefs, /readyz and /metrics.
	RequireAuthForReads bool
	// AccessLogSample is gqlhttp.Config.AccessLogSample: above 1, one in
	// that many plain successes is logged, everything else always.
	AccessLogSample int
	// Admitted is gqlhttp.Config.Admitted: called as each request starts,
	// after the guards (tests use it to hold places and outlast deadlines).
	Admitted func(ctx context.Context, route string)
}

// New returns the HTTP handler over store. Every route is registered
// through a gqlhttp.Router, so every route is behind its guards
// (authentication, per-role body limits, a pool of places, a deadline,
// request ids, the access log and the metrics); Routes lists them.
func New(store rg.Store, cfg Config) *gqlhttp.Router {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	log := cfg.Logger
	cfg.GraphQL.Logger = log
	ready := cfg.Ready
	if rd, ok := store.(interface{ Ready(context.Context) error }); ok && ready == nil {
		ready = rd.Ready
	}
	lim := cfg.GraphQL.Limits
	var (
		routeObs gqlhttp.RouteObserver
		workObs  gqlhttp.WorkObserver
	)
	if cfg.Metrics != nil {
		store = cfg.Metrics.Store(store)
		if cfg.GraphQL.Observer == nil {
			cfg.GraphQL.Observer = cfg.Metrics
		}
		routeObs, workObs = cfg.Metrics, cfg.Metrics
	}
	work := gqlhttp.NewWork(store, lim, workObs, log)
	cfg.GraphQL.Work = work

	c := cors.New(cors.Options{
		AllowedOrigins:   cfg.CORSOrigins, // nil allows none
		AllowedMethods:   []string{http.MethodGet, http.MethodPost},
		AllowedHeaders:   []string{"Content-Type", "Authorization"},
		AllowCredentials: false,
		MaxAge:           600,
	})
	if len(cfg.CORSOrigins) == 0 {
		c = cors.New(cors.Options{AllowOriginFunc: func(string) bool { return false }})
	}
	rt := gqlhttp.NewRouter(gqlhttp.Config{
		Logger:   log,
		Limits:   lim,
		Auth:     auth.Options{Tokens: cfg.Tokens, RequireForReads: cfg.RequireAuthForReads, Logger: log},
		Observer: routeObs,
		Wrap:     c.Handler,
		Admitted: cfg.Admitted,

		AccessLogSample: cfg.AccessLogSample,
	})

	rt.HandleHealth(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	}))
	// One hub for the changes subscription, woken by the GraphQL writes
	// and the spreadsheet imports alike.
	if cfg.GraphQL.Hub == nil {
		cfg.GraphQL.Hub = live.New(live.Options{MaxStreams: rt.Limits().MaxConcurrent})
	}
	gql := gqlhttp.NewHandler(store, cfg.GraphQL)
	rt.Handle("/graphql", "/graphql", gqlhttp.BudgetGraphQL, graphQLRoute(gql))
	// Subscriptions (Server-Sent Events): a route of its own, a place per
	// open stream (MaxConcurrent of them), for the stream's lifetime.
	rt.Handle("POST "+gqlhttp.StreamPath, gqlhttp.StreamPath, gqlhttp.BudgetStream, gqlhttp.StreamRoute(gql))
	rt.Handle("GET /readyz", "/readyz", gqlhttp.BudgetExec, readyz(log, ready))
	if cfg.Metrics != nil {
		rt.Handle("GET /metrics", "/metrics", gqlhttp.BudgetExec, cfg.Metrics.Handler())
	}
	registerMap(rt, store, work, log)                     // GET /, /static/, /map/data.json, /map/options.json
	registerExports(rt, store, work, log)                 // GET /export/{format}
	registerBrief(rt, store, work, log)                   // GET /brief/{id}.md
	registerSheets(rt, store, work, cfg.GraphQL.Hub, log) // POST /import, GET /export/graph.xlsx, /export/template.xlsx
	return rt
}

// readyz answers 200 when ready is nil or returns nil within two seconds,
// and 503 otherwise, with the reason's message (a domain error's message
// names the cause, never a path or an address; anything else is logged
// and answered "internal error").
func readyz(log *slog.Logger, ready func(context.Context) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if ready != nil {
			ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
			defer cancel()
			if err := ready(ctx); err != nil {
				log.LogAttrs(r.Context(), slog.LevelWarn, "not ready", slog.String("requestId", rg.RequestID(r.Context())), slog.Any("err", err))
				w.WriteHeader(http.StatusServiceUnavailable)
				fmt.Fprintln(w, "not ready:", rg.ErrorMessage(err))
				return
			}
		}
		fmt.Fprintln(w, "ready")
	})
}

// graphQLRoute sends browsers asking for HTML to the explorer and everything
// else to the GraphQL handler.
func graphQLRoute(gql http.Handler) http.Handler {
	explorer := staticFile("explorer.html")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Query().Get("query") == "" && strings.Contains(r.Header.Get("Accept"), "text/html") {
			explorer.ServeHTTP(w, r)
			return
		}
		gql.ServeHTTP(w, r)
	})
}

func staticFile(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := fs.ReadFile(web.Static, name)
		if err != nil {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		// GraphiQL (web/explorer): scripts and workers from here only; Monaco
		// sets inline styles and its fonts are data: URLs.
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; worker-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(b)
	})
}

// Serve serves h on ln until ctx is done, then shuts down gracefully, giving
// in-flight requests up to drain to finish.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger, drain time.Duration) error {
	return ServeWith(ctx, ln, h, log, ServeOptions{Drain: drain})
}

// ServeOptions configure the HTTP server.
type ServeOptions struct {
	// Drain is how long shutdown waits for in-flight requests. Default 15s.
	Drain time.Duration
	// ReadHeaderTimeout bounds reading a request's headers, so slow clients
	// (slowloris) cannot hold connections open. Default 5s.
	ReadHeaderTimeout time.Duration
	// NoLane serves every request through net/http alone. By default the
	// plain GET and POST requests take httplane's lane (see there), which
	// answers them for a fraction of net/http's CPU; everything else is
	// net/http's either way.
	NoLane bool
}

// ServeWith is Serve with options.
func ServeWith(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger, o ServeOptions) error {
	if o.Drain <= 0 {
		o.Drain = 15 * time.Second
	}
	if o.ReadHeaderTimeout <= 0 {
		o.ReadHeaderTimeout = 5 * time.Second
	}
	drain := o.Drain
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: o.ReadHeaderTimeout,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	var front interface {
		Serve(net.Listener) error
		Shutdown(context.Context) error
		Close() error
	} = srv
	if !o.NoLane {
		front = &httplane.Server{HTTP: srv}
	}
	errc := make(chan error, 1)
	go func() { errc <- front.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "drain", drain)
	sctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	if err := front.Shutdown(sctx); err != nil {
		// Requests still running after the drain are cut off.
		_ = front.Close()
		return fmt.Errorf("shutdown: requests still running after %s were cut off: %w", drain, err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	}
	return nil
}
