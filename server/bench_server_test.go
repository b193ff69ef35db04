package server_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/regiongraph/regiongraph/gqlhttp"
	"github.com/regiongraph/regiongraph/metrics"
	"github.com/regiongraph/regiongraph/server"
)

// BenchmarkServer runs requests through the whole HTTP handler as the
// binary builds it (metrics, an info-level access log, limits) in process,
// reporting CPU and allocations per request: the fixed cost of a request
// ({__typename}) and the other five queries of the load benchmark (go run
// ./bench, the peer's queries.json): the README's three, a four-level
// relation walk and a search.
func BenchmarkServer(b *testing.B) {
	s := bundledStore(b)
	log := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	h := server.New(s, server.Config{Logger: log, Metrics: metrics.New(), GraphQL: gqlhttp.Options{Limits: gqlhttp.Limits{MaxComplexity: 20_000_000}}})
	for _, q := range []struct{ name, body string }{
		{"Typename", `{"query": "{ __typename }"}`},
		{"READMEWhoFunds", `{"query": "{ initiatives(filter: {text: \"LUP 2011\"}) { nodes { name costNok funding { asWritten from { name } source { citation } } } } }"}`},
		{"READMEPLOM", `{"query": "{ search(text: \"plom\", kinds: [NETWORK]) { nodes { ... on Network { name coordinates { ... on Initiative { code name costNok parent { name } } } } } } }"}`},
		{"READMEFocus", `{"query": "{ focusAreas(orderBy: {field: CODE}) { nodes { code name initiatives(planYear: 2011) { code name amountIn(year: 2011) funders { name } } } } }"}`},
		{"Nested4Levels", `{"query": "{ municipalities { nodes { name memberOf { name facilitates { ... on Network { name coordinates { ... on Initiative { name funders { name } } } } } } } } }"}`},
		{"Search", `{"query": "{ search(text: \"kongsberg\") { totalCount nodes { __typename id name } } }"}`},
	} {
		b.Run(q.name, func(b *testing.B) {
			b.ReportAllocs()
			var ru0, ru1 syscall.Rusage
			_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
			body := []byte(q.body)
			w := &benchWriter{header: http.Header{}}
			for b.Loop() {
				// A request as net/http hands it over (no parsing of its
				// text, which would be the benchmark's cost, not ours).
				req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, "/graphql", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.RemoteAddr = "127.0.0.1:1234"
				w.reset()
				h.ServeHTTP(w, req)
				if w.status != http.StatusOK || bytes.Contains(w.body.Bytes(), []byte(`"errors"`)) {
					b.Fatalf("%d %s", w.status, w.body.String())
				}
			}
			_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
			cpu := time.Duration(ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano())
			b.ReportMetric(float64(cpu)/float64(time.Microsecond)/float64(b.N), "cpu-µs/op")
		})
	}
}

// benchWriter is a ResponseWriter that keeps the status and the body.
type benchWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *benchWriter) reset() {
	clear(w.header)
	w.status = 0
	w.body.Reset()
}

func (w *benchWriter) Header() http.Header { return w.header }

func (w *benchWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *benchWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(b)
}

// SetReadDeadline is net/http's (a no-op here), which the handler sets
// while it reads the body.
func (w *benchWriter) SetReadDeadline(time.Time) error { return nil }
