// Package server is regiongraph's HTTP face: routes, CORS, request ids,
// access logs, health, the explorer and the map page.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
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
	"github.com/regiongraph/regiongraph/metrics"
	"github.com/regiongraph/regiongraph/resolvers"
	"github.com/regiongraph/regiongraph/web"
)

// Config configures the HTTP server.
type Config struct {
	// CORSOrigins are the origins allowed to call the API from a browser.
	// Empty: no cross-origin access at all.
	CORSOrigins []string
	Logger      *slog.Logger
	GraphQL     resolvers.Options
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
	// RequireAuthForReads makes every GraphQL request need a valid token.
	RequireAuthForReads bool
}

// New returns the HTTP handler over store.
func New(store rg.Store, cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cfg.GraphQL.Logger = cfg.Logger
	ready := cfg.Ready
	if rd, ok := store.(interface{ Ready(context.Context) error }); ok && ready == nil {
		ready = rd.Ready
	}
	if cfg.Metrics != nil {
		store = cfg.Metrics.Store(store)
		if cfg.GraphQL.Observer == nil {
			cfg.GraphQL.Observer = cfg.Metrics
		}
	}
	// The auth middleware puts the token's principal in the context; the
	// GraphQL front then enforces every limit (the body limit by role).
	authOpts := auth.Options{Tokens: cfg.Tokens, RequireForReads: cfg.RequireAuthForReads, Logger: cfg.Logger}
	gql := auth.Middleware(authOpts, resolvers.NewHandler(store, cfg.GraphQL))

	mux := http.NewServeMux()
	mux.Handle("/graphql", graphQLRoute(gql))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("GET /readyz", readyz(cfg.Logger, ready))
	if cfg.Metrics != nil {
		mux.Handle("GET /metrics", cfg.Metrics.Handler())
	}
	registerMap(mux, store, cfg.Logger)     // GET /, /static/, /map/data.json, /map/options.json
	registerExports(mux, store, cfg.Logger) // GET /export/{format}
	mux.Handle("GET /brief/{id}", BriefHandler(store))

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
	return withRequestID(accessLog(cfg.Logger, cfg.Metrics, recoverPanics(cfg.Logger, c.Handler(authData(authOpts, mux)))))
}

// readyz answers 200 when ready is nil or returns nil within two seconds,
// and 503 otherwise; the reason is logged, the answer says only "not ready".
func readyz(log *slog.Logger, ready func(context.Context) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if ready != nil {
			ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
			defer cancel()
			if err := ready(ctx); err != nil {
				log.LogAttrs(r.Context(), slog.LevelWarn, "not ready", slog.String("requestId", resolvers.RequestID(r.Context())), slog.Any("err", err))
				w.WriteHeader(http.StatusServiceUnavailable)
				fmt.Fprintln(w, "not ready:", rg.ErrorMessage(err))
				return
			}
		}
		fmt.Fprintln(w, "ready")
	})
}

// route names a path for the metrics (a fixed set, so labels stay few).
func route(path string) string {
	switch path {
	case "/graphql", "/healthz", "/readyz", "/metrics", "/", "/map/data.json", "/map/options.json":
		return path
	}
	switch {
	case strings.HasPrefix(path, "/export/"):
		return "/export/"
	case strings.HasPrefix(path, "/static/"):
		return "/static/"
	}
	return "other"
}

// authData sends the routes that return graph data besides /graphql (the
// map's data and the exports) through the auth middleware, so that with
// RequireAuthForReads they need a token too. Pages, static files and the
// health checks stay open.
func authData(o auth.Options, next http.Handler) http.Handler {
	guarded := auth.Middleware(o, next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/map/") || strings.HasPrefix(r.URL.Path, "/export/") {
			guarded.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
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

// withRequestID gives every request an id (the client's X-Request-Id when it
// is short and plain, else a new one), echoed in the response.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !plainID(id) {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(resolvers.WithRequestID(r.Context(), id)))
	})
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

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(s int) { w.status = s; w.ResponseWriter.WriteHeader(s) }
func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func accessLog(log *slog.Logger, m *metrics.Metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		m.HTTP(route(r.URL.Path), sw.status)
		log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("requestId", resolvers.RequestID(r.Context())),
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", sw.status), slog.Int("bytes", sw.bytes),
			slog.Duration("duration", time.Since(start)))
	})
}

func recoverPanics(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.LogAttrs(r.Context(), slog.LevelError, "panic in handler", slog.String("requestId", resolvers.RequestID(r.Context())), slog.String("panic", fmt.Sprint(v)))
				http.Error(w, `{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}`, http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
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
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "drain", drain)
	sctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		// Requests still running after the drain are cut off.
		_ = srv.Close()
		return fmt.Errorf("shutdown: requests still running after %s were cut off: %w", drain, err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	}
	return nil
}
