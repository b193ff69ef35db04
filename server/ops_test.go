package server_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/gqlhttp"
	"github.com/regiongraph/regiongraph/metrics"
	"github.com/regiongraph/regiongraph/server"
)

func TestMetrics(t *testing.T) {
	m := metrics.New()
	h := newServer(t, server.Config{Metrics: m, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	for _, body := range []string{
		`{"query":"query Plans { plans { totalCount nodes { name } } }"}`,
		`{"query":"{` + strings.Repeat(" __typename", 400) + ` }"}`, // over max-fields
		`{"query":"{ nope }"}`,
	} {
		req, _ := http.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
	}
	rec := do(h, http.MethodGet, "/metrics", nil)
	if rec.Code != 200 {
		t.Fatalf("/metrics: %d", rec.Code)
	}
	text := rec.Body.String()
	for _, want := range []string{
		`regiongraph_graphql_requests_total{operation="Plans",outcome="ok"} 1`,
		`regiongraph_graphql_requests_total{operation="unvalidated",outcome="bad_request"} 2`,
		`regiongraph_limit_rejections_total{limit="max-fields"} 1`,
		`regiongraph_graphql_request_duration_seconds_bucket{operation="Plans",outcome="ok"`,
		`regiongraph_graphql_requests_in_flight 0`,
		`regiongraph_store_calls_total{method="FindNodes",outcome="ok"} 1`,
		`regiongraph_store_call_duration_seconds_bucket{method="FindNodes"`,
		`regiongraph_http_requests_total{code="200",route="/graphql"}`,
		`go_goroutines`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics has no %s\n%s", want, grepLines(text, "regiongraph_graphql_requests_total"))
		}
	}
}

func TestReadyz(t *testing.T) {
	down := errors.New("neo4j: connection refused")
	ready := func(context.Context) error {
		return rg.Errorf(rg.EUNAVAILABLE, "the database is not reachable: %v", down)
	}
	h := newServer(t, server.Config{Ready: ready, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if rec := do(h, http.MethodGet, "/readyz", nil); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("/readyz not ready: %d", rec.Code)
	}
	if rec := do(h, http.MethodGet, "/healthz", nil); rec.Code != http.StatusOK {
		t.Errorf("/healthz while not ready: %d", rec.Code)
	}
	h = newServer(t, server.Config{})
	if rec := do(h, http.MethodGet, "/readyz", nil); rec.Code != http.StatusOK {
		t.Errorf("/readyz with the embedded store: %d", rec.Code)
	}
}

// heldStore holds FindNodes: it says so on entered, then waits for release
// (nil: for its context to end).
type heldStore struct {
	rg.Store
	entered chan struct{}
	release chan struct{}
}

func (s *heldStore) FindNodes(ctx context.Context, f rg.NodeFilter) (rg.NodePage, error) {
	s.entered <- struct{}{}
	select {
	case <-s.release:
	case <-ctx.Done():
		return rg.NodePage{}, ctx.Err()
	}
	return s.Store.FindNodes(ctx, f)
}

// TestGracefulShutdown: a request in flight when shutdown starts is
// answered within the drain; one that would outlast it is cut off and Serve
// says so. The store holds the request until shutdown has started (or for
// ever), so neither outcome depends on how fast the machine is.
func TestGracefulShutdown(t *testing.T) {
	for _, c := range []struct {
		name        string
		drain       time.Duration
		released    bool
		wantAnswer  bool
		wantErrText string
	}{
		{"DrainsInFlight", time.Minute, true, true, ""},
		{"CutsOffPastTheDrain", 300 * time.Millisecond, false, false, "cut off"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := bundledStore(t)
			quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
			held := &heldStore{Store: s, entered: make(chan struct{}, 1), release: make(chan struct{})}
			h := server.New(held, server.Config{Logger: quiet, GraphQL: gqlhttp.Options{Limits: gqlhttp.Limits{ExecTimeout: 5 * time.Minute}}})
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			served := make(chan error, 1)
			go func() { served <- server.ServeWith(ctx, ln, h, quiet, server.ServeOptions{Drain: c.drain}) }()
			answered := make(chan int, 1)
			go func() {
				resp, err := http.Post("http://"+ln.Addr().String()+"/graphql", "application/json", bytes.NewReader([]byte(`{"query":"{ municipalities { totalCount } }"}`)))
				if err != nil {
					answered <- 0
					return
				}
				resp.Body.Close()
				answered <- resp.StatusCode
			}()
			<-held.entered // the request is in flight
			start := time.Now()
			cancel()
			if c.released {
				// Let the request finish once shutdown has begun.
				time.Sleep(50 * time.Millisecond)
				close(held.release)
			}
			err = <-served
			took := time.Since(start)
			status := <-answered
			if c.wantAnswer && (err != nil || status != 200) {
				t.Errorf("in-flight request: status %d, Serve: %v", status, err)
			}
			if !c.wantAnswer && (err == nil || !strings.Contains(err.Error(), c.wantErrText) || status == 200) {
				t.Errorf("request past the drain: status %d, Serve: %v", status, err)
			}
			t.Logf("shutdown took %v with a drain of %v: status %d, Serve: %v", took, c.drain, status, err)
		})
	}
}

func grepLines(text, prefix string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// ServeWith answers the same with the lane (the default) and without it
// (ServeOptions.NoLane, serve -http-lane=false): a GraphQL answer, an error
// answer and the map page, the status, content type and body alike.
func TestServeWithAndWithoutTheLane(t *testing.T) {
	s := bundledStore(t)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	gql := server.New(s, server.Config{Logger: quiet})
	var mu sync.Mutex
	writers := map[bool]map[string]bool{false: {}, true: {}} // noLane: the writer types that served
	var noLaneNow bool
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		writers[noLaneNow][fmt.Sprintf("%T", w)] = true
		mu.Unlock()
		gql.ServeHTTP(w, r)
	})
	answers := map[bool][]string{}
	for _, noLane := range []bool{false, true} {
		mu.Lock()
		noLaneNow = noLane
		mu.Unlock()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		served := make(chan error, 1)
		go func() { served <- server.ServeWith(ctx, ln, h, quiet, server.ServeOptions{NoLane: noLane}) }()
		base := "http://" + ln.Addr().String()
		for _, r := range []struct{ method, path, body string }{
			{http.MethodPost, "/graphql", `{"query":"{ municipalities { totalCount nodes { name } } }"}`},
			{http.MethodPost, "/graphql", `{"query":"{ nope }"}`},
			{http.MethodGet, "/graphql?query=%7B__typename%7D", ""},
			{http.MethodGet, "/healthz", ""},
		} {
			req, _ := http.NewRequest(r.method, base+r.path, strings.NewReader(r.body))
			if r.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("noLane %v, %s %s: %v", noLane, r.method, r.path, err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			answers[noLane] = append(answers[noLane], resp.Status+" "+resp.Header.Get("Content-Type")+" "+string(b))
		}
		cancel()
		if err := <-served; err != nil {
			t.Errorf("noLane %v: Serve: %v", noLane, err)
		}
	}
	for i := range answers[false] {
		if answers[false][i] != answers[true][i] {
			t.Errorf("answer %d\nwith the lane: %.300s\nwithout:       %.300s", i+1, answers[false][i], answers[true][i])
		}
	}
	if w := writers[false]; len(w) != 1 || !w["*httplane.response"] {
		t.Errorf("with the lane, the requests were served by %v; want *httplane.response", w)
	}
	if w := writers[true]; w["*httplane.response"] || len(w) == 0 {
		t.Errorf("with NoLane, the requests were served by %v; want net/http's writer", w)
	}
	if !strings.Contains(answers[false][0], `"totalCount":`) {
		t.Errorf("first answer: %.200s", answers[false][0])
	}
}
