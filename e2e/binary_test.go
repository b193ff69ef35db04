package e2e

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBinaryOperations runs the real binary: health, readiness and metrics
// answer, a query is served, a hostile query is refused, and SIGTERM stops
// it cleanly.
func TestBinaryOperations(t *testing.T) {
	// Every request logged (the default samples plain successes).
	p := start(t, nil, "-data", filepath.Join(t.TempDir(), "ops.db"), "-access-log-sample", "1")
	client := &http.Client{Timeout: hangBound}
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready", "/metrics": "regiongraph_graphql_requests_in_flight"} {
		resp, err := client.Get(p.url + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Errorf("GET %s: %d %.200s", path, resp.StatusCode, b)
		}
	}
	a, err := post(context.Background(), client, p.url, "", `{ plans { totalCount } }`, nil)
	if err != nil || a.Status != 200 || len(a.Errors) > 0 {
		t.Errorf("query: %v %d %+v", err, a.Status, a.Errors)
	}
	a, err = post(context.Background(), client, p.url, "", "{"+strings.Repeat(" __typename", 1000)+" }", nil)
	if err != nil || len(a.Errors) == 0 || a.Errors[0].Extensions["limit"] != "max-fields" {
		t.Errorf("1000 fields: %v %+v", err, a.Errors)
	}
	// The request id is in the access log.
	req, _ := http.NewRequest(http.MethodGet, p.url+"/healthz", nil)
	req.Header.Set("X-Request-Id", "e2e-request-77")
	if resp, err := client.Do(req); err == nil {
		resp.Body.Close()
	}
	p.stop(t, 20*time.Second)
	if !strings.Contains(p.stderr.String(), "requestId=e2e-request-77") {
		t.Errorf("the access log has no request id:\n%s", p.stderr.String())
	}
}
