package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/regiongraph/regiongraph/server"
)

// TestShippedQueriesWithinDefaultLimits runs every query the project ships
// (the explorer's examples, the map page's, the README's and docs'
// ```graphql blocks) against the default limits: none may be refused by a
// limit.
func TestShippedQueriesWithinDefaultLimits(t *testing.T) {
	queries := map[string]string{}
	read := func(path string) string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, m := range regexp.MustCompile("(?s)\"([^\"]+)\": `([^`]*)`").FindAllStringSubmatch(read("../web/explorer/src/examples.js"), -1) {
		queries["explorer "+m[1]] = m[2]
	}
	for _, m := range regexp.MustCompile("(?s)const [A-Z_]+ = `((?:query|\\{)[^`]*)`").FindAllStringSubmatch(read("../web/static/map.js"), -1) {
		queries["map.js "+strings.Fields(m[1])[1]] = m[1]
	}
	docs, _ := filepath.Glob("../docs/*.md")
	for _, f := range append([]string{"../README.md"}, docs...) {
		for i, m := range regexp.MustCompile("(?s)```graphql\n(.*?)```").FindAllStringSubmatch(read(f), -1) {
			queries[filepath.Base(f)+" block "+string(rune('a'+i))] = m[1]
		}
	}
	if len(queries) < 8 {
		t.Fatalf("found only %d shipped queries", len(queries))
	}
	h := newServer(t, server.Config{})
	for name, q := range queries {
		body, _ := json.Marshal(map[string]any{"query": q, "variables": map[string]any{"id": "kommune-kongsberg", "year": 2011}})
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var r struct {
			Errors []struct {
				Message    string         `json:"message"`
				Extensions map[string]any `json:"extensions"`
			} `json:"errors"`
		}
		_ = json.Unmarshal(rec.Body.Bytes(), &r)
		for _, e := range r.Errors {
			if e.Extensions["limit"] != nil {
				t.Errorf("%s is refused by a default limit: %s", name, e.Message)
			}
		}
	}
	t.Logf("%d shipped queries within the default limits", len(queries))
}
