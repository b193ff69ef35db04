package auth

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"

	rg "github.com/regiongraph/regiongraph"
)

// Options configure Middleware.
type Options struct {
	Tokens *Set
	// RequireForReads makes every request need a valid token; otherwise a
	// request without one goes through as anonymous (and the resolvers
	// refuse it anything but reads).
	RequireForReads bool
	Logger          *slog.Logger
}

// Middleware authenticates the bearer token in the Authorization header and
// puts its principal in the request's context (regiongraph.WithPrincipal).
//
// A header that is not "Bearer <token>", or a token that is not in the set,
// is refused with 401 and the GraphQL error UNAUTHENTICATED, whatever the
// request asks for: a client with a wrong token learns so at once. A request
// without the header is refused so only when RequireForReads is set.
func Middleware(o Options, next http.Handler) http.Handler {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		if h == "" {
			if o.RequireForReads {
				refuse(w, "this server needs a bearer token for every request")
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			refuse(w, `the Authorization header must be "Bearer <token>"`)
			return
		}
		p, ok := o.Tokens.Lookup(strings.TrimSpace(token))
		if !ok {
			o.Logger.LogAttrs(r.Context(), slog.LevelWarn, "auth: unknown token", slog.String("remote", r.RemoteAddr), slog.String("path", r.URL.Path))
			refuse(w, "the bearer token is not valid")
			return
		}
		next.ServeHTTP(w, r.WithContext(rg.WithPrincipal(r.Context(), p)))
	})
}

// refuse writes a GraphQL response with one UNAUTHENTICATED error and 401.
func refuse(w http.ResponseWriter, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("WWW-Authenticate", `Bearer realm="regiongraph"`)
	w.WriteHeader(http.StatusUnauthorized)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []any{map[string]any{"message": msg, "extensions": map[string]any{"code": rg.EUNAUTHENTICATED}}},
	})
}
