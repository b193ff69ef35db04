package auth

import (
	"context"
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

// Refusal is why a request was refused: the message of its
// UNAUTHENTICATED error, answered with 401.
type Refusal struct {
	Message string
}

func (r *Refusal) Error() string { return r.Message }

// Authenticate checks the bearer token in r's Authorization header and
// returns the request with its principal in the context
// (regiongraph.WithPrincipal), or the refusal.
//
// More than one Authorization header, a header that is not
// "Bearer <token>", or a token that is not in the set is refused, whatever
// the request asks for: a client with a wrong token learns so at once. A
// request without the header is refused only when RequireForReads is set;
// otherwise it goes through without a principal.
func Authenticate(o Options, r *http.Request) (*http.Request, *Refusal) {
	ctx, refusal := AuthenticateContext(o, r.Context(), r)
	if refusal != nil {
		return nil, refusal
	}
	if ctx == r.Context() {
		return r, nil
	}
	return r.WithContext(ctx), nil
}

// AuthenticateContext is Authenticate for a caller that builds the
// request's context itself: it checks r's Authorization header and returns
// ctx with the principal (ctx itself when the request has no token), or
// the refusal. ctx is what the refusal of an unknown token is logged with.
func AuthenticateContext(o Options, ctx context.Context, r *http.Request) (context.Context, *Refusal) {
	hs := r.Header.Values("Authorization")
	switch {
	case len(hs) > 1:
		return nil, &Refusal{"the request has more than one Authorization header; send one"}
	case len(hs) == 0 || hs[0] == "":
		if o.RequireForReads {
			return nil, &Refusal{"this server needs a bearer token for every request"}
		}
		return ctx, nil
	}
	scheme, token, ok := strings.Cut(hs[0], " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return nil, &Refusal{`the Authorization header must be "Bearer <token>"`}
	}
	p, ok := o.Tokens.Lookup(strings.TrimSpace(token))
	if !ok {
		log := o.Logger
		if log == nil {
			log = slog.Default()
		}
		log.LogAttrs(ctx, slog.LevelWarn, "auth: unknown token", slog.String("requestId", rg.RequestID(ctx)), slog.String("remote", r.RemoteAddr), slog.String("path", r.URL.Path))
		return nil, &Refusal{"the bearer token is not valid"}
	}
	return rg.WithPrincipal(ctx, p), nil
}

// Middleware authenticates every request with Authenticate: a refused
// request gets 401 and the GraphQL error UNAUTHENTICATED.
func Middleware(o Options, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r2, refusal := Authenticate(o, r)
		if refusal != nil {
			Refuse(w, refusal.Message)
			return
		}
		next.ServeHTTP(w, r2)
	})
}

// Refuse writes a GraphQL response with one UNAUTHENTICATED error and 401.
func Refuse(w http.ResponseWriter, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("WWW-Authenticate", `Bearer realm="regiongraph"`)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusUnauthorized)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []any{map[string]any{"message": msg, "extensions": map[string]any{"code": rg.EUNAUTHENTICATED}}},
	})
}
