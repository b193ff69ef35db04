package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/regiongraph/regiongraph/internal/faultproxy"
)

func get(t *testing.T, u string) (int, time.Duration) {
	t.Helper()
	start := time.Now()
	resp, err := (&http.Client{Timeout: hangBound}).Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, time.Since(start)
}

// gql posts a query and returns the first error code ("" for none) and the
// time it took.
func gql(t *testing.T, base, q string) (string, time.Duration) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": q})
	start := time.Now()
	resp, err := (&http.Client{Timeout: hangBound}).Post(base+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	defer resp.Body.Close()
	var r gqlResponse
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if len(r.Errors) > 0 {
		c, _ := r.Errors[0].Extensions["code"].(string)
		return c, time.Since(start)
	}
	return "", time.Since(start)
}

// hangBound is how long a test client waits for an answer: only a request
// that would never be answered reaches it (a Neo4j that hangs holds a
// request for ever unless the server's own bounds cut it off), never a
// slow machine.
const hangBound = 2 * time.Minute

// TestNeo4jHangingListener: a Neo4j address that accepts and never answers
// neither stops the server from serving nor holds requests: /healthz is 200,
// /readyz 503 and queries UNAVAILABLE (without -store-timeout they would
// wait for ever). The times are logged.
func TestNeo4jHangingListener(t *testing.T) {
	p := faultproxy.New(t, "", faultproxy.Hang)
	s := startServer(t, t.TempDir()+"/unused.db", map[string]string{
		"NEO4J_URI": "bolt://" + p.Addr, "REGIONGRAPH_OPEN_TIMEOUT": "1s", "REGIONGRAPH_STORE_TIMEOUT": "1s",
	})
	if code, d := get(t, s.url+"/healthz"); code != 200 {
		t.Errorf("/healthz: %d after %v", code, d)
	}
	code, d := get(t, s.url+"/readyz")
	if code != 503 {
		t.Errorf("/readyz: %d after %v, want 503", code, d)
	}
	t.Logf("/readyz answered %d after %v (its bound is the store timeout, 1s)", code, d)
	var worst time.Duration
	for i := 0; i < 20; i++ {
		code, d := gql(t, s.url, `{ plans { totalCount } }`)
		if code != "UNAVAILABLE" {
			t.Fatalf("query %d against a hanging Neo4j: code %q, want UNAVAILABLE", i, code)
		}
		worst = max(worst, d)
	}
	t.Logf("hanging Neo4j: the slowest of 20 queries answered UNAVAILABLE in %v (store timeout 1s)", worst)
}
