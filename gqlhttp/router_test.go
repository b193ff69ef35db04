package gqlhttp_test

import (
	"bytes"
	"encoding/json"
	"io"
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

// logBuffer collects the router's log lines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestRouterPanics: a handler that panics is answered 500 INTERNAL with the
// request id and without the panic's text, which is logged; one that panics
// with http.ErrAbortHandler has its connection aborted, as net/http does.
func TestRouterPanics(t *testing.T) {
	var logs logBuffer
	rt := gqlhttp.NewRouter(gqlhttp.Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	rt.Handle("GET /boom", "/boom", gqlhttp.BudgetExec, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("secret-detail 7f3a") }))
	rt.Handle("GET /abort", "/abort", gqlhttp.BudgetExec, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) }))
	srv := httptest.NewServer(rt)
	t.Cleanup(srv.Close)

	resp, err := http.Get(srv.URL + "/boom")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var body struct {
		Errors []struct {
			Message    string         `json:"message"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(b, &body); err != nil || resp.StatusCode != http.StatusInternalServerError || len(body.Errors) != 1 ||
		body.Errors[0].Extensions["code"] != rg.EINTERNAL || body.Errors[0].Extensions["requestId"] != resp.Header.Get("X-Request-Id") {
		t.Errorf("a panic: %d %s", resp.StatusCode, b)
	}
	if strings.Contains(string(b), "secret-detail") || !strings.Contains(logs.String(), "secret-detail 7f3a") {
		t.Errorf("the panic's text is answered, or not logged: %s", b)
	}

	if resp, err := http.Get(srv.URL + "/abort"); err == nil {
		resp.Body.Close()
		t.Errorf("an aborted handler was answered %d", resp.StatusCode)
	}
}

// TestRouterBackstop: a handler that ignores its deadline is answered 503
// for it, with Retry-After and the route's time limit; what it writes later
// is dropped; the place is held until it returns.
func TestRouterBackstop(t *testing.T) {
	lim := gqlhttp.Limits{ExecTimeout: 100 * time.Millisecond, MaxConcurrent: 1, QueueWait: 10 * time.Millisecond}
	rt := gqlhttp.NewRouter(gqlhttp.Config{Limits: lim, Logger: slog.New(slog.DiscardHandler)})
	entered, release, returned := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	rt.Handle("GET /stubborn", "/stubborn", gqlhttp.BudgetExec, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release // ignores r.Context()
		_, err := w.Write([]byte("late"))
		returned <- err
	}))
	srv := httptest.NewServer(rt)
	t.Cleanup(srv.Close)
	// The backstop answers at the deadline (plus a grace), while the
	// handler still runs.
	resp, err := http.Get(srv.URL + "/stubborn")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	<-entered
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(b), `"limit":"exec-timeout"`) {
		t.Errorf("past the deadline: %d %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), b)
	}
	// Meanwhile its place is held.
	second := httptest.NewRecorder()
	rt.ServeHTTP(second, httptest.NewRequest(http.MethodGet, "/stubborn", nil))
	if second.Code != http.StatusServiceUnavailable || !strings.Contains(second.Body.String(), gqlhttp.LimitConcurrency) {
		t.Errorf("while the first runs: %d %s", second.Code, second.Body.String())
	}
	close(release)
	if err := <-returned; err == nil {
		t.Error("the handler's late write was accepted")
	}
}
