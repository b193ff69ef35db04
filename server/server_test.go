package server_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regiongraph/regiongraph/boltstore"
	"github.com/regiongraph/regiongraph/data"
	"github.com/regiongraph/regiongraph/dataset"
	"github.com/regiongraph/regiongraph/gqlhttp"
	"github.com/regiongraph/regiongraph/server"
)

func newServer(t *testing.T, cfg server.Config) *gqlhttp.Router {
	t.Helper()
	return server.New(bundledStore(t), cfg)
}

// bundledStore is a new embedded store holding the bundled Kongsbergregionen
// data, closed when the test ends.
func bundledStore(tb testing.TB) *boltstore.Store {
	tb.Helper()
	s, err := boltstore.Open(filepath.Join(tb.TempDir(), "s.db"), boltstore.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	ds, err := dataset.ParseBytes(data.Kongsbergregionen, data.KongsbergregionenFile)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := s.Apply(context.Background(), ds.Changes()); err != nil {
		tb.Fatal(err)
	}
	return s
}

func do(h http.Handler, method, target string, hdr map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestCORS(t *testing.T) {
	preflight := map[string]string{"Origin": "https://kart.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
	t.Run("NoOriginAllowedByDefault", func(t *testing.T) {
		h := newServer(t, server.Config{})
		for _, m := range []string{http.MethodOptions, http.MethodGet} {
			rec := do(h, m, "/graphql?query="+url.QueryEscape("{ plans { totalCount } }"), preflight)
			if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "" {
				t.Errorf("%s: Access-Control-Allow-Origin %q with no origins configured", m, got)
			}
		}
	})
	t.Run("ConfiguredOriginOnly", func(t *testing.T) {
		h := newServer(t, server.Config{CORSOrigins: []string{"https://kart.example"}})
		if got := do(h, http.MethodOptions, "/graphql", preflight).Header().Get("Access-Control-Allow-Origin"); got != "https://kart.example" {
			t.Errorf("configured origin: Access-Control-Allow-Origin %q", got)
		}
		other := map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
		if got := do(h, http.MethodOptions, "/graphql", other).Header().Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("other origin: Access-Control-Allow-Origin %q", got)
		}
	})
}

func TestRoutes(t *testing.T) {
	h := newServer(t, server.Config{})
	t.Run("GETQuery", func(t *testing.T) {
		rec := do(h, http.MethodGet, "/graphql?query="+url.QueryEscape(`{ plans(orderBy: {field: PLAN_YEAR}) { nodes { year } } }`), map[string]string{"Accept": "application/json"})
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"year":2011`) {
			t.Errorf("GET query: %d %s", rec.Code, rec.Body.String())
		}
		if rec.Header().Get("X-Request-Id") == "" {
			t.Error("no X-Request-Id")
		}
	})
	t.Run("ExplorerForBrowsers", func(t *testing.T) {
		rec := do(h, http.MethodGet, "/graphql", map[string]string{"Accept": "text/html,application/xhtml+xml"})
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "GraphQL explorer") {
			t.Errorf("explorer: %d", rec.Code)
		}
		if strings.Contains(rec.Body.String(), "https://") {
			t.Error("the explorer loads something from the internet")
		}
	})
	t.Run("Healthz", func(t *testing.T) {
		if rec := do(h, http.MethodGet, "/healthz", nil); rec.Code != http.StatusOK {
			t.Errorf("/healthz %d", rec.Code)
		}
	})
	t.Run("RequestIDEchoed", func(t *testing.T) {
		rec := do(h, http.MethodGet, "/healthz", map[string]string{"X-Request-Id": "abc-123"})
		if rec.Header().Get("X-Request-Id") != "abc-123" {
			t.Errorf("request id %q", rec.Header().Get("X-Request-Id"))
		}
		rec = do(h, http.MethodGet, "/healthz", map[string]string{"X-Request-Id": "<script>"})
		if rec.Header().Get("X-Request-Id") == "<script>" {
			t.Error("a request id with markup is echoed")
		}
	})
}
