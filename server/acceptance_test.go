package server_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regiongraph/regiongraph/gqlhttp"
	"github.com/regiongraph/regiongraph/metrics"
	"github.com/regiongraph/regiongraph/server"
)

// TestFortyMapRequests is issue 12's acceptance: 40 parallel anonymous
// GET /map/data.json?metric=betweenness on a generated graph of 7 000
// nodes (3 000 partners, 4 000 initiatives) are every one answered, 200 or
// 503 with Retry-After, and cost one computation; a { __typename } query
// sent while they run is answered. Times are logged, never asserted: the
// analysis budget is cut to 3 s so that the test does not wait for the
// whole computation (which takes tens of seconds on a loaded machine).
func TestFortyMapRequests(t *testing.T) {
	loadStart := time.Now()
	store := generatedStore(t, 3000, 4000)
	t.Logf("generated 7 000 nodes in %v", time.Since(loadStart))
	var logs syncBuffer
	m := metrics.New()
	h := server.New(store, server.Config{
		Logger:  slog.New(slog.NewTextHandler(&logs, nil)),
		Metrics: m,
		GraphQL: gqlhttp.Options{Limits: gqlhttp.Limits{AnalysisTimeout: 3 * time.Second}},
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 2 * time.Minute}

	type answer struct {
		status     int
		retryAfter string
		limit      string
		took       time.Duration
		err        error
	}
	const n = 40
	answers := make([]answer, n)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t0 := time.Now()
			resp, err := client.Get(srv.URL + "/map/data.json?metric=betweenness")
			if err != nil {
				answers[i] = answer{err: err}
				return
			}
			defer resp.Body.Close()
			var body json.RawMessage
			_ = json.NewDecoder(resp.Body).Decode(&body)
			answers[i] = answer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"), limit: limitOf(body), took: time.Since(t0)}
		}()
	}

	// Meanwhile, once the computation runs, a trivial query.
	eventually(t, "the map's computation started", func() bool { return scrape(t, h, "regiongraph_analyses_running") == 1 })
	t0 := time.Now()
	resp, b, err := send(context.Background(), srv, http.MethodPost, "/graphql", `{"query":"{ __typename }"}`)
	typenameTook := time.Since(t0)
	if err != nil {
		t.Fatalf("{ __typename } while the map computes: %v", err)
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `"__typename":"Query"`) {
		t.Errorf("{ __typename } while the map computes: %d %s", resp.StatusCode, b)
	}
	wg.Wait()
	lastAnswer := time.Since(start)

	counts := map[string]int{}
	var slowest time.Duration
	for i, a := range answers {
		switch {
		case a.err != nil:
			t.Errorf("request %d: %v", i, a.err)
		case a.status == http.StatusOK:
			counts["200"]++
		case a.status == http.StatusServiceUnavailable && a.retryAfter != "":
			counts["503 "+a.limit]++
		default:
			t.Errorf("request %d: %d (Retry-After %q, limit %q), want 200 or 503 with Retry-After", i, a.status, a.retryAfter, a.limit)
		}
		slowest = max(slowest, a.took)
	}
	if misses := scrape(t, h, `regiongraph_analysis_results_total{result="miss"}`); misses != 1 {
		t.Errorf("%v computations for 40 identical requests, want 1", misses)
	}
	// Work cut off by the budget may go on until it next looks at its
	// context: the places are held, and the in-flight count kept, until
	// it stops.
	eventually(t, "the map's work stopped", func() bool {
		return scrape(t, h, `regiongraph_requests_in_flight{route="/map/data.json"}`) == 0 && scrape(t, h, "regiongraph_analyses_running") == 0
	})
	workStopped := time.Since(start)

	serverTime := "?"
	if m := regexp.MustCompile(`route=/graphql method=POST path=/graphql status=200 outcome=ok bytes=\d+ duration=(\S+)`).FindStringSubmatch(logs.String()); m != nil {
		serverTime = m[1]
	}
	t.Logf("40 map requests: %v; slowest answered after %v, all by %v; the work stopped %v after the start",
		counts, slowest.Round(time.Millisecond), lastAnswer.Round(time.Millisecond), workStopped.Round(time.Millisecond))
	t.Logf("{ __typename } meanwhile: %v at the client, %s in the server", typenameTook.Round(time.Microsecond), serverTime)
	t.Logf("shared results: %v hit, %v shared, %v miss",
		scrape(t, h, `regiongraph_analysis_results_total{result="hit"}`), scrape(t, h, `regiongraph_analysis_results_total{result="shared"}`),
		scrape(t, h, `regiongraph_analysis_results_total{result="miss"}`))
}
