package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regiongraph/regiongraph/analysis/analysistest"
	"github.com/regiongraph/regiongraph/boltstore"
	"github.com/regiongraph/regiongraph/server"
)

func bundledServer(t *testing.T) http.Handler {
	t.Helper()
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "test.db"), boltstore.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	f, err := analysistest.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(context.Background(), f.Changes()); err != nil {
		t.Fatal(err)
	}
	return server.New(s, server.Config{Logger: slog.New(slog.DiscardHandler)})
}

func getPath(t *testing.T, h http.Handler, path string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Result(), string(body)
}

// TestBriefMarkdown: /brief/{id}.md serves the brief on a topic as
// Markdown, with the initiative tied to E134, the road authority reached
// from the region in 2014, and every source numbered.
func TestBriefMarkdown(t *testing.T) {
	h := bundledServer(t)
	res, body := getPath(t, h, "/brief/sak-e134.md?year=2014")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", res.StatusCode, body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/markdown; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	for _, want := range []string{
		"# Lobbying brief: E134\n",
		"### 2.1 E134 (plan 2011)",
		"## Outside bodies and how to reach them\n\n### Statens vegvesen\n\n1. Kongsbergregionen",
		"## Sources\n\n1. Handlingsplan 2011 Kongsbergregionen, SATSINGSOMRÅDE 2: «E134 2.1 Utvikling innen veg og bane»",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("brief lacks %q:\n%s", want, body)
		}
	}
	_, initiative := getPath(t, h, "/brief/tiltak-2011-1-4.md")
	if !strings.Contains(initiative, "# Lobbying brief: LUP 2011") || !strings.Contains(initiative, "Regionale utviklingsmidler") {
		t.Errorf("brief on LUP 2011 lacks its title or fund:\n%s", initiative)
	}
}

// TestBriefMarkdownErrors: unknown ids, ids that are neither a topic nor
// an initiative, and paths without .md are 404; a bad year is 400.
func TestBriefMarkdownErrors(t *testing.T) {
	h := bundledServer(t)
	for path, want := range map[string]int{
		"/brief/no-such-topic.md":         http.StatusNotFound,
		"/brief/kommune-kongsberg.md":     http.StatusNotFound,
		"/brief/sak-e134":                 http.StatusNotFound,
		"/brief/sak-e134.txt":             http.StatusNotFound,
		"/brief/Bad_Id.md":                http.StatusNotFound,
		"/brief/sak-e134.md?year=twenty":  http.StatusBadRequest,
		"/brief/sak-e134.md?year=3000":    http.StatusBadRequest,
		"/brief/sak-e134.md?year=2011":    http.StatusOK,
		"/brief/tiltak-2011-5-6.md":       http.StatusOK,
		"/brief/tiltak-2014-a.md?year=20": http.StatusBadRequest,
	} {
		if res, body := getPath(t, h, path); res.StatusCode != want {
			t.Errorf("GET %s = %d, want %d: %s", path, res.StatusCode, want, body)
		}
	}
}

// TestBriefMarkdownRanked: the served brief on E134 Saggrenda/Gvammen
// totals 0 NOK (not the region's funding), says who to talk to first with
// cited reasons, and marks what comes through the parent topic.
func TestBriefMarkdownRanked(t *testing.T) {
	h := bundledServer(t)
	res, body := getPath(t, h, "/brief/sak-e134-saggrenda-gvammen.md?year=2014")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", res.StatusCode, body)
	}
	for _, want := range []string{"· total 0 NOK", "## Who to talk to first\n\n1. **Statens vegvesen**", "through the parent topic E134"} {
		if !strings.Contains(body, want) {
			t.Errorf("brief lacks %q:\n%s", want, body)
		}
	}
	_, all := getPath(t, h, "/brief/sak-e134-saggrenda-gvammen.md")
	if !strings.Contains(all, "· total 0 NOK") {
		t.Errorf("the brief over all years does not total 0 NOK:\n%s", all)
	}
}
