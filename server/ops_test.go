package server_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/boltstore"
	"github.com/regiongraph/regiongraph/data"
	"github.com/regiongraph/regiongraph/dataset"
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

// slowStore delays FindNodes.
type slowStore struct {
	rg.Store
	delay time.Duration
}

func (s *slowStore) FindNodes(ctx context.Context, f rg.NodeFilter) (rg.NodePage, error) {
	select {
	case <-time.After(s.delay):
	case <-ctx.Done():
		return rg.NodePage{}, ctx.Err()
	}
	return s.Store.FindNodes(ctx, f)
}

// TestGracefulShutdown: requests in flight when shutdown starts finish
// within the drain; one that would outlast it is cut off and Serve says so.
func TestGracefulShutdown(t *testing.T) {
	for _, c := range []struct {
		name        string
		delay       time.Duration
		drain       time.Duration
		wantAnswer  bool
		wantErrText string
	}{
		{"DrainsInFlight", 300 * time.Millisecond, 5 * time.Second, true, ""},
		{"CutsOffPastTheDrain", 5 * time.Second, 300 * time.Millisecond, false, "cut off"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := boltstore.Open(filepath.Join(t.TempDir(), "s.db"), boltstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			ds, _ := dataset.ParseBytes(data.Kongsbergregionen, data.KongsbergregionenFile)
			if _, err := s.Apply(context.Background(), ds.Changes()); err != nil {
				t.Fatal(err)
			}
			quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
			h := server.New(&slowStore{Store: s, delay: c.delay}, server.Config{Logger: quiet})
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			served := make(chan error, 1)
			go func() { served <- server.ServeWith(ctx, ln, h, quiet, server.ServeOptions{Drain: c.drain}) }()
			answered := make(chan int, 1)
			go func() {
				resp, err := http.Post("http://"+ln.Addr().String()+"/graphql", "application/json", bytes.NewReader([]byte(`{"query":"{ plans { totalCount } }"}`)))
				if err != nil {
					answered <- 0
					return
				}
				resp.Body.Close()
				answered <- resp.StatusCode
			}()
			time.Sleep(100 * time.Millisecond) // the request is in flight
			start := time.Now()
			cancel()
			err = <-served
			took := time.Since(start)
			status := <-answered
			if c.wantAnswer && (err != nil || status != 200) {
				t.Errorf("in-flight request: status %d, Serve: %v", status, err)
			}
			if !c.wantAnswer && (err == nil || !strings.Contains(err.Error(), c.wantErrText) || status == 200) {
				t.Errorf("request past the drain: status %d, Serve: %v", status, err)
			}
			if took > c.drain+2*time.Second {
				t.Errorf("shutdown took %v with a drain of %v", took, c.drain)
			}
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
