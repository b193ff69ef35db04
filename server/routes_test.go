package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/auth"
	"github.com/regiongraph/regiongraph/gqlhttp"
	"github.com/regiongraph/regiongraph/metrics"
	"github.com/regiongraph/regiongraph/server"
)

// routeTable is a server with reads behind tokens, small limits and an
// Admitted hook the test can set, so that any route can be made to hold
// its place or outlast its deadline.
type routeTable struct {
	h     *gqlhttp.Router
	token string
	hook  atomic.Pointer[func(ctx context.Context, route string)]
}

func newRouteTable(t *testing.T) *routeTable {
	t.Helper()
	set, err := auth.Load("", "rita:reader:"+auth.Hash("reader-token"), "test")
	if err != nil {
		t.Fatal(err)
	}
	rt := &routeTable{token: "reader-token"}
	rt.h = newServer(t, server.Config{
		Logger:              slog.New(slog.NewTextHandler(io.Discard, nil)),
		Metrics:             metrics.New(),
		Tokens:              set,
		RequireAuthForReads: true,
		GraphQL: gqlhttp.Options{Limits: gqlhttp.Limits{
			ParseTimeout: 150 * time.Millisecond, ExecTimeout: 250 * time.Millisecond, AnalysisTimeout: 350 * time.Millisecond,
			MaxConcurrent: 1, QueueWait: 30 * time.Millisecond,
		}},
		Admitted: func(ctx context.Context, route string) {
			if f := rt.hook.Load(); f != nil {
				(*f)(ctx, route)
			}
		},
	})
	return rt
}

// samplePath turns a ServeMux pattern into a request: its method (GET when
// the pattern has none) and a path with every wildcard filled in.
func samplePath(pattern string) (method, path string) {
	method, path = http.MethodGet, pattern
	if m, p, ok := strings.Cut(pattern, " "); ok {
		method, path = m, p
	}
	path = strings.ReplaceAll(path, "{$}", "")
	path = regexp.MustCompile(`\{[^}]*\}`).ReplaceAllStringFunc(path, func(w string) string {
		switch w {
		case "{id}":
			return "sak-e134.md"
		case "{format}":
			return "graphml"
		}
		return "index.html"
	})
	if path == "/graphql" {
		path += "?query=" + url.QueryEscape("{ __typename }")
	}
	return method, path
}

func (rt *routeTable) do(method, path, token string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	rt.h.ServeHTTP(rec, req)
	return rec
}

func errorLimit(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	var body struct {
		Errors []struct {
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || len(body.Errors) != 1 {
		t.Fatalf("body %q is not one error (%v)", rec.Body.String(), err)
	}
	if c := body.Errors[0].Extensions["code"]; c != rg.EUNAVAILABLE {
		t.Errorf("code %v, want %s", c, rg.EUNAVAILABLE)
	}
	l, _ := body.Errors[0].Extensions["limit"].(string)
	return l
}

// TestRouteTable walks every route the server registered (from its
// router, not from a list written here) and checks the guards on each:
//
//   - auth: with reads behind tokens, every route but GET /healthz answers
//     401 without a token;
//   - cap: with the route's one place held, another request waits
//     QueueWait and gets 503 with Retry-After, naming max-concurrent;
//   - deadline: a request whose work outlasts the route's deadline is
//     answered 503 with Retry-After, naming the route's time limit.
func TestRouteTable(t *testing.T) {
	rt := newRouteTable(t)
	routes := rt.h.Routes()
	names := map[string]bool{}
	for _, r := range routes {
		names[r.Name] = true
	}
	// The walk below is only as good as the routes it finds: the ones the
	// issue names must be among them.
	for _, want := range []string{"/graphql", "/map/data.json", "/map/options.json", "/export/", "/brief/", "/", "/static/", "/metrics", "/readyz", "/healthz"} {
		if !names[want] {
			t.Errorf("no route %s among %+v", want, routes)
		}
	}
	for _, r := range routes {
		method, path := samplePath(r.Pattern)
		t.Run(strings.ReplaceAll(r.Pattern, "/", "_"), func(t *testing.T) {
			if r.Timeout <= 0 || r.Limit == "" {
				t.Fatalf("route %+v has no deadline", r)
			}
			rec := rt.do(method, path, "")
			switch {
			case r.Public && r.Pattern != "GET /healthz":
				t.Fatalf("route %s skips authentication; only GET /healthz may", r.Pattern)
			case r.Public:
				if rec.Code != http.StatusOK {
					t.Errorf("%s %s without a token: %d, want 200", method, path, rec.Code)
				}
			default:
				if rec.Code != http.StatusUnauthorized {
					t.Errorf("%s %s without a token: %d, want 401: %s", method, path, rec.Code, rec.Body.String())
				}
				// Two Authorization headers, the first valid: refused.
				req := httptest.NewRequest(method, path, nil)
				req.Header.Add("Authorization", "Bearer "+rt.token)
				req.Header.Add("Authorization", "Bearer someone-else")
				two := httptest.NewRecorder()
				rt.h.ServeHTTP(two, req)
				if two.Code != http.StatusUnauthorized {
					t.Errorf("%s %s with two Authorization headers: %d, want 401", method, path, two.Code)
				}
				if r.MaxConcurrent <= 0 {
					t.Errorf("route %s has no cap", r.Pattern)
				}
			}

			// Deadline: the work ignores the deadline for a while (longer
			// than the grace the guard gives a handler to answer in its
			// own words).
			stall := func(ctx context.Context, route string) {
				if route == r.Name {
					<-ctx.Done()
					time.Sleep(400 * time.Millisecond)
				}
			}
			rt.hook.Store(&stall)
			rec = rt.do(method, path, rt.token)
			rt.hook.Store(nil)
			if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
				t.Errorf("past the deadline: %d, Retry-After %q: %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body.String())
			} else if l := errorLimit(t, rec); l != r.Limit {
				t.Errorf("past the deadline: limit %q, want %q", l, r.Limit)
			}

			if r.Public {
				return
			}
			// Cap: the route's one place is held.
			entered, release := make(chan struct{}), make(chan struct{})
			hold := func(ctx context.Context, route string) {
				if route == r.Name {
					close(entered)
					<-release
				}
			}
			rt.hook.Store(&hold)
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				rt.do(method, path, rt.token)
			}()
			<-entered
			rec = rt.do(method, path, rt.token)
			close(release)
			wg.Wait()
			rt.hook.Store(nil)
			if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
				t.Errorf("over the cap: %d, Retry-After %q: %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body.String())
			} else if l := errorLimit(t, rec); l != gqlhttp.LimitConcurrency {
				t.Errorf("over the cap: limit %q, want %q", l, gqlhttp.LimitConcurrency)
			}
			// With the place free again, a request with a token gets in
			// (not necessarily 200: a sample path may not exist, and on a
			// loaded machine the small deadline may pass).
			rec = rt.do(method, path, rt.token)
			if rec.Code == http.StatusUnauthorized || rec.Code == http.StatusServiceUnavailable && strings.Contains(rec.Body.String(), gqlhttp.LimitConcurrency) {
				t.Errorf("with a token and a free place: %d %s", rec.Code, rec.Body.String())
			}
		})
	}
}
