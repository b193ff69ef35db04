package server_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/regiongraph/regiongraph/server"
)

// TestAccessLogKeepsGraphQLErrors: with a sample that logs almost no plain
// success, a GraphQL request answered 200 with errors (a query that does
// not parse, a field error, sent as application/json) is still logged,
// and a plain success is not.
func TestAccessLogKeepsGraphQLErrors(t *testing.T) {
	var logs syncBuffer
	h := newServer(t, server.Config{Logger: slog.New(slog.NewTextHandler(&logs, nil)), AccessLogSample: 1000})
	post := func(id, query string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(fmt.Sprintf(`{"query": %q}`, query)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("X-Request-Id", id)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	for _, c := range []struct {
		id, query string
		errors    bool
	}{
		{"plain-1", "{ plans { totalCount } }", false},
		{"unparsed-1", "{ plans { totalCount ", true},
		{"plain-2", "{ __typename }", false},
		{"missing-1", `{ node(id: "no-such-node") { id } plan(id: "no-such-plan") { name } }`, true},
	} {
		rec := post(c.id, c.query)
		if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), `"errors"`) != c.errors {
			t.Fatalf("%s: %d %s (want errors: %v)", c.id, rec.Code, rec.Body.String(), c.errors)
		}
		logged := strings.Contains(logs.String(), "requestId="+c.id+" route=/graphql")
		if logged != c.errors {
			t.Errorf("%s: access log line %v, want %v:\n%s", c.id, logged, c.errors, logs.String())
		}
	}
}
