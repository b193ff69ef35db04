package gqlhttp

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// acceptsEventStreamSlow is acceptsEventStream as it was before its fast
// path: every part of the header parsed.
func acceptsEventStreamSlow(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err == nil && mt == "text/event-stream" && params["q"] != "0" {
			return true
		}
	}
	return false
}

// TestAcceptsEventStreamAsParsed holds the fast path (parts without
// "event-stream" skipped unparsed) to parsing every part, over headers
// that ask for SSE in many spellings, refuse it, or never mention it.
func TestAcceptsEventStreamAsParsed(t *testing.T) {
	parts := []string{
		"", " ", "text/event-stream", "TEXT/EVENT-STREAM", "Text/Event-Stream; q=0.5",
		"text/event-stream;q=0", "text/event-stream; q=0", "text/event-stream ; charset=utf-8",
		"text/event-streams", "text/event-stream;", "event-stream", "application/json",
		"application/graphql-response+json", "*/*", "text/*", "application/json;q=0.9",
		"text/event-stream; q=\"0\"", "text/event-stream; q=1;q=0", ";;", "text/event-ſtream",
		"a/b; x=\"event-stream\"",
	}
	var seen int
	for _, a := range parts {
		for _, b := range parts {
			for _, sep := range []string{",", ", ", " ,"} {
				for _, h := range []string{a, a + sep + b, b + sep + a + sep} {
					seen++
					if got, want := acceptsEventStream(h), acceptsEventStreamSlow(h); got != want {
						t.Errorf("acceptsEventStream(%q) = %v, parsing every part says %v", h, got, want)
					}
				}
			}
		}
	}
	if !acceptsEventStream("application/json, TEXT/Event-Stream") || acceptsEventStream("text/event-stream;q=0") {
		t.Error("the fast path misreads a plain header")
	}
	t.Logf("%d headers compared", seen)
}

// TestContentLengthAsFormatted holds the shared Content-Length values to
// the decimal length, on both sides of the table's end.
func TestContentLengthAsFormatted(t *testing.T) {
	for _, n := range []int{0, 1, 9, 10, 99, 100, 4095, 4096, len(contentLengths) - 1, len(contentLengths), len(contentLengths) + 1, 1 << 20} {
		for range 2 { // made, then shared
			v := contentLength(n)
			if len(v) != 1 || v[0] != strconv.Itoa(n) {
				t.Fatalf("contentLength(%d) = %q", n, v)
			}
		}
	}
}

// chunkReader reads its data a few bytes at a time, then fails with err
// (io.EOF or another).
type chunkReader struct {
	data  []byte
	chunk int
	err   error
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, c.err
	}
	n := copy(p[:min(len(p), c.chunk)], c.data)
	c.data = c.data[n:]
	return n, nil
}

// TestReadAtMostAsLimitReader holds readAtMost to bytes.Buffer.ReadFrom
// over io.LimitReader: the same bytes and error, for bodies shorter than,
// as long as and longer than the limit, read in chunks of every size,
// ending in io.EOF or an error.
func TestReadAtMostAsLimitReader(t *testing.T) {
	body := []byte(strings.Repeat("0123456789abcdef", 200))
	failed := errors.New("connection reset")
	for _, size := range []int{0, 1, 511, 512, 513, 1500, len(body)} {
		for _, limit := range []int64{1, 3, 512, 513, 1000, 4000} {
			for _, chunk := range []int{1, 7, 512, 4096} {
				for _, end := range []error{io.EOF, failed} {
					var got, want bytes.Buffer
					gotErr := readAtMost(&got, &chunkReader{body[:size], chunk, end}, limit)
					_, wantErr := want.ReadFrom(io.LimitReader(&chunkReader{body[:size], chunk, end}, limit))
					if !bytes.Equal(got.Bytes(), want.Bytes()) || gotErr != wantErr {
						t.Fatalf("size %d, limit %d, chunk %d, %v: %d bytes, %v; ReadFrom: %d bytes, %v", size, limit, chunk, end, got.Len(), gotErr, want.Len(), wantErr)
					}
				}
			}
		}
	}
}

// countAnswers counts the late answers given for it, taking a while over
// each (so that stop has to wait for one under way).
type countAnswers struct{ n atomic.Int32 }

func (c *countAnswers) answerLate() {
	time.Sleep(2 * time.Millisecond)
	c.n.Add(1)
}

// TestLateAnswersOnlyForWorkPastItsTime: of lates armed together, those
// stopped before their time are never answered for and their stop reports
// them in time; those left past it are answered for once each, their stop
// reporting them late and returning only once the answer has; a late
// stopped in time is armed again (as the front does for its second phase);
// and none is left in the watch's list.
func TestLateAnswersOnlyForWorkPastItsTime(t *testing.T) {
	const n = 40
	var lates [n]late
	var counts [n]countAnswers
	now := time.Now()
	for i := range lates {
		when := now.Add(time.Hour) // stopped in time
		if i%2 == 1 {
			when = now.Add(time.Duration(i) * time.Millisecond) // left to fire
		}
		lates[i].arm(when, &counts[i])
	}
	for i := 0; i < n; i += 2 {
		if !lates[i].stop() {
			t.Fatalf("late %d, stopped an hour early, reports the work late", i)
		}
		// Armed again, and left to fire.
		lates[i].arm(time.Now().Add(time.Millisecond), &counts[i])
	}
	deadline := time.Now().Add(time.Minute)
	for i := range lates {
		for counts[i].n.Load() == 0 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		if lates[i].stop() {
			t.Fatalf("late %d, past its time, reports the work in time", i)
		}
		if c := counts[i].n.Load(); c != 1 {
			t.Fatalf("late %d answered for %d times", i, c)
		}
	}
	// None of them is left in the watch's list (other tests' may be).
	lateWatch.mu.Lock()
	defer lateWatch.mu.Unlock()
	for l := lateWatch.head; l != nil; l = l.next {
		for i := range lates {
			if l == &lates[i] {
				t.Fatalf("late %d is still watched after its stop", i)
			}
		}
	}
}

// TestLateWatchSetsItsTimerRarely: lates armed in the order of their
// times and stopped in time, as a route's requests are, set the watch's
// one timer once, not once each; a late due before the timer's time gets
// it set again, and is answered for at its time, not at the others'.
func TestLateWatchSetsItsTimerRarely(t *testing.T) {
	var first late
	var firstCount countAnswers
	first.arm(time.Now().Add(time.Hour), &firstCount)
	lateWatch.mu.Lock()
	sets := lateWatch.sets
	lateWatch.mu.Unlock()
	var l late
	var c countAnswers
	for i := range 1000 {
		l.arm(time.Now().Add(time.Hour+time.Duration(i)*time.Millisecond), &c)
		if !l.stop() {
			t.Fatalf("late %d, stopped an hour early, reports the work late", i)
		}
	}
	lateWatch.mu.Lock()
	n := lateWatch.sets - sets
	lateWatch.mu.Unlock()
	if n != 0 {
		t.Errorf("1000 lates due after the first set the timer %d times", n)
	}

	var soon late
	var soonCount countAnswers
	soon.arm(time.Now().Add(20*time.Millisecond), &soonCount)
	deadline := time.Now().Add(time.Minute)
	for soonCount.n.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if soonCount.n.Load() != 1 {
		t.Errorf("a late due in 20ms, armed after one due in an hour, answered for %d times within a minute", soonCount.n.Load())
	}
	soon.stop()
	if !first.stop() || firstCount.n.Load() != 0 {
		t.Errorf("the late due in an hour was answered for")
	}
}

// TestExactRoutesAsMux: whatever route the exact routes find for a
// request, the mux finds the same one (its pattern); the patterns the
// exact routes leave to the mux (wildcards, subtrees, hosts, unclean
// paths) are not found by them; and the server's own routes, the common
// requests, are found by them.
func TestExactRoutesAsMux(t *testing.T) {
	patterns := []string{
		"/graphql", "POST /graphql/stream", "GET /healthz", "GET /readyz", "GET /metrics",
		"GET /brief/{id}", "GET /export/{format}", "GET /export/graph.xlsx", "GET /{$}",
		"GET /static/{file...}", "GET /map/data.json", "POST /import", "/sub/", "example.com/host",
		"PUT /graphql", "DELETE /readyz", "GET /x/",
	}
	mux := http.NewServeMux()
	exact := exactRoutes{}
	for _, p := range patterns {
		h := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
		mux.Handle(p, h)
		exact.add(p, h)
	}
	found := map[string]bool{}
	for _, method := range []string{"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"} {
		for _, path := range []string{
			"/graphql", "/graphql/", "/graphql/stream", "/healthz", "/readyz", "/metrics", "/brief/x",
			"/export/graph.xlsx", "/export/csv", "/", "/static/a.js", "/map/data.json", "/import",
			"/sub/", "/sub/x", "/host", "/b", "/a/../b", "/nowhere", "//graphql",
		} {
			r := httptest.NewRequest(method, path, nil)
			_, want := mux.Handler(r)
			h, got := exact.find(method, r.URL.Path)
			if h == nil {
				continue
			}
			if got != want {
				t.Errorf("%s %s: the exact routes find %q, the mux %q", method, path, got, want)
			}
			found[method+" "+path] = true
		}
	}
	for _, want := range []string{"POST /graphql", "GET /graphql", "PUT /graphql", "POST /graphql/stream", "GET /healthz", "GET /readyz", "GET /map/data.json", "GET /export/graph.xlsx"} {
		if !found[want] {
			t.Errorf("%s: not found by the exact routes", want)
		}
	}
	for _, not := range []string{"HEAD /healthz", "GET /brief/x", "GET /", "GET /sub/x", "GET /host", "GET /a/../b", "GET /export/csv", "HEAD /graphql"} {
		if found[not] {
			t.Errorf("%s: found by the exact routes; the mux is to find it", not)
		}
	}
}
