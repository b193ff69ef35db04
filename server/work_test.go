package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/boltstore"
	"github.com/regiongraph/regiongraph/data"
	"github.com/regiongraph/regiongraph/dataset"
	"github.com/regiongraph/regiongraph/gqlhttp"
	"github.com/regiongraph/regiongraph/metrics"
	"github.com/regiongraph/regiongraph/server"
)

// stallStore is the bundled dataset whose Subgraph and FindNodes (what
// every map, export, brief and analysis reads first) wait for their context
// to end and then keep working until the test lets them finish: a
// computation that stops late.
type stallStore struct {
	rg.Store
	entered chan struct{} // told of every Subgraph call
	finish  chan struct{} // closed by the test
	stopped chan struct{} // told when a call returns
}

func newStallStore(t testing.TB) *stallStore {
	t.Helper()
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "s.db"), boltstore.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	ds, err := dataset.ParseBytes(data.Kongsbergregionen, data.KongsbergregionenFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(context.Background(), ds.Changes()); err != nil {
		t.Fatal(err)
	}
	return &stallStore{Store: s, entered: make(chan struct{}, 16), finish: make(chan struct{}), stopped: make(chan struct{}, 16)}
}

func (s *stallStore) Subgraph(ctx context.Context, f rg.SubgraphFilter) (*rg.Subgraph, error) {
	return nil, s.stall(ctx)
}

// FindNodes stalls too, so that a computation that counts before it loads
// (analysis.Precheck) stalls there, whenever its deadline passes.
func (s *stallStore) FindNodes(ctx context.Context, f rg.NodeFilter) (rg.NodePage, error) {
	return rg.NodePage{}, s.stall(ctx)
}

func (s *stallStore) stall(ctx context.Context) error {
	s.entered <- struct{}{}
	defer func() { s.stopped <- struct{}{} }()
	<-ctx.Done()
	<-s.finish
	return ctx.Err()
}

// scrape returns the value of one series of /metrics ("name{labels}" as
// Prometheus writes it), 0 when it is not there.
func scrape(t *testing.T, h http.Handler, series string) float64 {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics: %d", rec.Code)
	}
	sc := bufio.NewScanner(rec.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", sc.Text(), err)
			}
			return f
		}
	}
	return 0
}

// eventually waits until cond holds, failing the test if it never does.
// It bounds a wait for something that must happen; it asserts no time.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s never happened", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// workRoutes are requests whose work runs in the store's Subgraph, one per
// kind of work: the map's data, an export, a brief and a GraphQL analysis.
var workRoutes = []struct {
	name, route, method, target, body, inflight string
}{
	{"MapData", "/map/data.json", http.MethodGet, "/map/data.json?metric=pagerank", "", ""},
	{"Export", "/export/", http.MethodGet, "/export/graphml", "", ""},
	{"Brief", "/brief/", http.MethodGet, "/brief/sak-e134.md", "", ""},
	{"GraphQLAnalysis", "/graphql", http.MethodPost, "/graphql", `{"query":"{ centrality(orderBy: PAGERANK) { actorCount } }"}`, "regiongraph_graphql_requests_in_flight"},
}

func newWorkServer(t *testing.T, store rg.Store, log io.Writer) (*gqlhttp.Router, *httptest.Server) {
	t.Helper()
	h := server.New(store, server.Config{
		Logger:  slog.New(slog.NewTextHandler(log, nil)),
		Metrics: metrics.New(),
		GraphQL: gqlhttp.Options{Limits: gqlhttp.Limits{AnalysisTimeout: 300 * time.Millisecond, MaxConcurrent: 1, QueueWait: 20 * time.Millisecond}},
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return h, srv
}

func send(ctx context.Context, srv *httptest.Server, method, target, body string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, srv.URL+target, strings.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func limitOf(b []byte) string {
	var body struct {
		Errors []struct {
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if json.Unmarshal(b, &body) != nil || len(body.Errors) == 0 {
		return ""
	}
	l, _ := body.Errors[0].Extensions["limit"].(string)
	return l
}

// TestWorkHoldsItsPlaceUntilItStops (issue 17): a request whose work
// outlasts its deadline is answered 503 at the deadline, but it counts in
// requests_in_flight, and keeps its place (and its analysis's), until the
// work has stopped; only then are they free.
func TestWorkHoldsItsPlaceUntilItStops(t *testing.T) {
	for _, c := range workRoutes {
		t.Run(c.name, func(t *testing.T) {
			store := newStallStore(t)
			h, srv := newWorkServer(t, store, io.Discard)
			flight := `regiongraph_requests_in_flight{route="` + c.route + `"}`
			resp, b, err := send(context.Background(), srv, c.method, c.target, c.body)
			if err != nil {
				t.Fatal(err)
			}
			<-store.entered
			if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || limitOf(b) != gqlhttp.LimitAnalysisTime {
				t.Fatalf("past the analysis budget: %d, Retry-After %q: %s", resp.StatusCode, resp.Header.Get("Retry-After"), b)
			}
			// Answered, but still working.
			if v := scrape(t, h, flight); v != 1 {
				t.Errorf("%s = %v after the answer while the work runs, want 1", flight, v)
			}
			if c.inflight != "" {
				if v := scrape(t, h, c.inflight); v != 1 {
					t.Errorf("%s = %v after the answer while the work runs, want 1", c.inflight, v)
				}
			}
			if v := scrape(t, h, "regiongraph_analyses_running"); v != 1 {
				t.Errorf("regiongraph_analyses_running = %v while the work runs, want 1", v)
			}
			// Its place is held: MaxConcurrent is 1.
			resp, b, err = send(context.Background(), srv, c.method, c.target, c.body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusServiceUnavailable || limitOf(b) != gqlhttp.LimitConcurrency {
				t.Errorf("while the first one's work runs: %d %s, want 503 naming %s", resp.StatusCode, b, gqlhttp.LimitConcurrency)
			}
			if v := scrape(t, h, flight); v != 1 {
				t.Errorf("%s = %v, still want 1", flight, v)
			}

			close(store.finish)
			<-store.stopped
			eventually(t, "the place freed once the work stopped", func() bool {
				return scrape(t, h, flight) == 0 && scrape(t, h, "regiongraph_analyses_running") == 0 &&
					(c.inflight == "" || scrape(t, h, c.inflight) == 0)
			})
		})
	}
}

// TestClientGoneIsClientClosed (issue 12): a client that goes away
// mid-request is logged and counted as client_closed (499): not a 500
// INTERNAL, not a 503 timeout, no error in the log. Its work stops, and its
// place is held until it has.
func TestClientGoneIsClientClosed(t *testing.T) {
	for _, c := range workRoutes {
		t.Run(c.name, func(t *testing.T) {
			store := newStallStore(t)
			var logs syncBuffer
			h, srv := newWorkServer(t, store, &logs)
			ctx, cancel := context.WithCancel(context.Background())
			errc := make(chan error, 1)
			go func() {
				_, _, err := send(ctx, srv, c.method, c.target, c.body)
				errc <- err
			}()
			<-store.entered
			cancel()
			if err := <-errc; err == nil {
				t.Fatal("the cancelled request was answered")
			}
			flight := `regiongraph_requests_in_flight{route="` + c.route + `"}`
			if v := scrape(t, h, flight); v != 1 {
				t.Errorf("%s = %v while the work of the gone client runs, want 1", flight, v)
			}
			close(store.finish)
			<-store.stopped
			closed := `regiongraph_requests_total{outcome="client_closed",route="` + c.route + `"}`
			eventually(t, "the request counted once its work stopped", func() bool { return scrape(t, h, closed) == 1 })
			if v := scrape(t, h, `regiongraph_http_requests_total{code="499",route="`+c.route+`"}`); v != 1 {
				t.Errorf("code 499 counted %v times, want 1", v)
			}
			for _, code := range []string{"500", "503"} {
				if v := scrape(t, h, `regiongraph_http_requests_total{code="`+code+`",route="`+c.route+`"}`); v != 0 {
					t.Errorf("a gone client counted as %s (%v)", code, v)
				}
			}
			if c.route == "/graphql" {
				if v := scrape(t, h, `regiongraph_graphql_requests_total{operation="anonymous",outcome="client_closed"}`); v != 1 {
					t.Errorf("GraphQL outcome client_closed counted %v times, want 1", v)
				}
				if v := scrape(t, h, `regiongraph_graphql_requests_total{operation="anonymous",outcome="timeout"}`); v != 0 {
					t.Errorf("a gone client counted as a GraphQL timeout")
				}
			}
			eventually(t, "the in-flight count back to 0", func() bool { return scrape(t, h, flight) == 0 })
			text := logs.String()
			if strings.Contains(text, "level=ERROR") {
				t.Errorf("a gone client logged an error:\n%s", text)
			}
			if !strings.Contains(text, "status=499") || !strings.Contains(text, "outcome=client_closed") {
				t.Errorf("the access log does not say client_closed:\n%s", text)
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
