package server_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/regiongraph/regiongraph/gqlhttp"
	"github.com/regiongraph/regiongraph/server"
)

var quiet = slog.New(slog.DiscardHandler)

// BenchmarkGuards: a { __typename } query through the router and its
// guards, and through the GraphQL front alone; the difference is what the
// guards cost a request.
func BenchmarkGuards(b *testing.B) {
	store := newStallStore(b).Store
	for _, c := range []struct {
		name string
		h    http.Handler
	}{{"Router", server.New(store, server.Config{Logger: quiet})}, {"FrontAlone", gqlhttp.NewHandler(store, gqlhttp.Options{Logger: quiet})}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				c.h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatal(rec.Code)
				}
			}
		})
	}
}

// BenchmarkMapData: /map/data.json?metric=betweenness on the bundled
// dataset, computed once and then served from the cache (the store's
// version unchanged).
func BenchmarkMapData(b *testing.B) {
	store := newStallStore(b).Store
	h := server.New(store, server.Config{Logger: quiet})
	get := func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/map/data.json?metric=betweenness", nil))
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code, rec.Body.String())
		}
	}
	get()
	for b.Loop() {
		get()
	}
}
