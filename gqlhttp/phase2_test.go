package gqlhttp_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/gqlhttp"
)

// lockedBuffer is a bytes.Buffer safe for the logger's concurrent writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) lines(substr string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.b.String(), substr)
}

// TestAccessLogSample: with a sample of 10, one in ten plain successes is
// logged and every failure is; the metrics' observer sees every request.
func TestAccessLogSample(t *testing.T) {
	for _, c := range []struct{ sample, wantOK int }{{10, 3}, {1, 30}, {0, 30}} {
		var buf lockedBuffer
		obs := &countingObserver{}
		rt := gqlhttp.NewRouter(gqlhttp.Config{Logger: slog.New(slog.NewTextHandler(&buf, nil)), AccessLogSample: c.sample, Observer: obs})
		rt.Handle("GET /ok", "/ok", gqlhttp.BudgetExec, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) }))
		rt.Handle("GET /bad", "/bad", gqlhttp.BudgetExec, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) }))
		for i := 0; i < 32; i++ {
			path := "/ok"
			if i%16 == 15 {
				path = "/bad"
			}
			rec := httptest.NewRecorder()
			rt.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		}
		if got := buf.lines("route=/ok"); got != c.wantOK {
			t.Errorf("sample %d: %d of 30 successes logged, want %d", c.sample, got, c.wantOK)
		}
		if got := buf.lines("route=/bad"); got != 2 {
			t.Errorf("sample %d: %d of 2 failures logged, want 2", c.sample, got)
		}
		if n := obs.count(); n != 32 {
			t.Errorf("sample %d: the observer saw %d requests, want 32", c.sample, n)
		}
	}
}

type countingObserver struct {
	mu sync.Mutex
	n  int
}

func (o *countingObserver) Route(route, outcome string, status int, d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.n++
}
func (o *countingObserver) RouteInFlight(string, int) {}
func (o *countingObserver) Rejected(string)           {}
func (o *countingObserver) count() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.n
}

// stuckStats is a store whose Stats does not answer until released.
type stuckStats struct {
	rg.Store
	release chan struct{}
}

func (s *stuckStats) Stats(ctx context.Context) (rg.GraphStats, error) {
	select {
	case <-s.release:
	case <-ctx.Done():
	}
	return rg.GraphStats{}, errors.New("stuck")
}

// TestCostDoesNotWaitForStats: when the store's Stats do not answer (a
// database that hangs), queries are still answered, estimated the flat way,
// within the parse timeout.
func TestCostDoesNotWaitForStats(t *testing.T) {
	s := &stuckStats{Store: openStore(t), release: make(chan struct{})}
	defer close(s.release)
	h := gqlhttp.NewHandler(s, gqlhttp.Options{})
	for range 3 {
		a := ask(t, h, "", `{ municipalities { nodes { name memberOf { name } } } }`, nil)
		if a.status != http.StatusOK || len(a.Errors) > 0 || len(a.Data) < 100 {
			t.Fatalf("answered %d %+v %s", a.status, a.Errors, a.Data)
		}
	}
}
