package httplane

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// seen is what the test handler saw of a request, echoed in its answer.
type seen struct {
	Via           string // "lane" or "http", the same length
	Method, URI   string
	Path, Query   string
	Host          string
	Header        http.Header
	ContentLength int64
	Close         bool
	Body          string
	RemoteSet     bool
}

// echo answers what it saw, in a way chosen by the request's path.
func echo(w http.ResponseWriter, r *http.Request) {
	via := "http"
	if _, lane := w.(*response); lane {
		via = "lane"
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s := seen{Via: via, Method: r.Method, URI: r.RequestURI, Path: r.URL.Path, Query: r.URL.RawQuery, Host: r.Host,
		Header: r.Header, ContentLength: r.ContentLength, Close: r.Close, Body: string(body), RemoteSet: r.RemoteAddr != ""}
	js, _ := json.Marshal(s)
	switch r.URL.Path {
	case "/json":
		w.Header().Set("Content-Type", "application/json")
		w.Header().Add("X-Multi", "a")
		w.Header().Add("X-Multi", "b")
		_, _ = w.Write(js)
	case "/sniff": // no Content-Type: sniffed
		_, _ = w.Write([]byte("<html><body>" + string(js) + "</body></html>"))
	case "/created":
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(js)
	case "/nocontent":
		w.WriteHeader(http.StatusNoContent)
	case "/notmodified":
		w.Header().Set("Etag", `"x"`)
		w.WriteHeader(http.StatusNotModified)
	case "/flush": // part of the answer at once, the rest later: chunked
		_, _ = w.Write(js[:10])
		http.NewResponseController(w).Flush()
		_, _ = w.Write(js[10:])
	case "/big": // more than the lane keeps before it streams
		w.Header().Set("Content-Type", "text/plain")
		line := bytes.Repeat([]byte("0123456789abcdef"), 64)
		for range (maxKept / len(line)) * 3 {
			_, _ = w.Write(line)
		}
		_, _ = w.Write(js)
	case "/close":
		w.Header().Set("Connection", "close")
		_, _ = w.Write(js)
	case "/empty":
	default:
		http.NotFound(w, r)
	}
}

// pair starts the same handler behind the lane and behind net/http alone.
func pair(t *testing.T, h http.Handler) (lane, plain string) {
	t.Helper()
	quiet := log.New(io.Discard, "", 0)
	ln1, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln2, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ls := &Server{HTTP: &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: time.Minute, WriteTimeout: time.Minute, ErrorLog: quiet}}
	ps := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: time.Minute, WriteTimeout: time.Minute, ErrorLog: quiet}
	served := make(chan error, 2)
	go func() { served <- ls.Serve(ln1) }()
	go func() { served <- ps.Serve(ln2) }()
	t.Cleanup(func() {
		_ = ls.Close()
		_ = ps.Close()
		for range 2 {
			if err := <-served; !errors.Is(err, http.ErrServerClosed) {
				t.Errorf("Serve: %v", err)
			}
		}
	})
	return ln1.Addr().String(), ln2.Addr().String()
}

// exchange writes raw on a new connection and reads the answers to n
// requests, each with the request it answers (for the framing).
func exchange(t *testing.T, addr string, raw string, methods ...string) []*http.Response {
	t.Helper()
	c := dial(t, addr)
	_ = c.SetDeadline(time.Now().Add(30 * time.Second)) // a hung server fails the test instead of hanging it
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	var out []*http.Response
	for _, m := range methods {
		resp, err := http.ReadResponse(br, &http.Request{Method: m})
		if len(out) > 0 && len(out) < len(methods) && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)) && out[len(out)-1].Close {
			break // the server closed the connection after an answer that said so
		}
		if err != nil {
			t.Fatalf("reading answer %d to %q: %v", len(out)+1, raw, err)
		}
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("reading body %d: %v", len(out)+1, err)
		}
		resp.Body = io.NopCloser(bytes.NewReader(b))
		out = append(out, resp)
	}
	return out
}

func bodyOf(r *http.Response) string {
	b, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(b))
	return string(b)
}

// comparable renders an answer without its Date, and with the handler's
// Via field cleared.
func comparable(t *testing.T, r *http.Response) string {
	t.Helper()
	h := r.Header.Clone()
	h.Del("Date")
	body := bodyOf(r)
	body = strings.Replace(body, `{"Via":"lane"`, `{"Via":"http"`, 1)
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "%d chunked=%v len=%d close=%v\n", r.StatusCode, slices.Contains(r.TransferEncoding, "chunked"), r.ContentLength, r.Close)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %q\n", k, h[k])
	}
	b.WriteString(body)
	return b.String()
}

func laneServed(r *http.Response) bool { return strings.Contains(bodyOf(r), `{"Via":"lane"`) }

// The lane answers every plain request as net/http does (status, headers
// but Date, framing, body) and hands the handler the same request.
func TestLaneAnswersAsNetHTTP(t *testing.T) {
	lane, plain := pair(t, http.HandlerFunc(echo))
	post := func(path, body string, extra ...string) string {
		return "POST " + path + " HTTP/1.1\r\nHost: example.test\r\nContent-Type: application/json\r\n" + strings.Join(extra, "") +
			fmt.Sprintf("Content-Length: %d\r\n\r\n", len(body)) + body
	}
	get := func(uri string, extra ...string) string {
		return "GET " + uri + " HTTP/1.1\r\nHost: example.test\r\n" + strings.Join(extra, "") + "\r\n"
	}
	for _, c := range []struct {
		name, raw string
		// flush: answers the lane sends before the handler ends are
		// chunked where net/http may still set a length; only the body
		// and status are compared.
		flush bool
	}{
		{"PostJSON", post("/json", `{"query":"{ __typename }"}`), false},
		{"GetQuery", get("/json?query=%7B__typename%7D&x=1", "Accept: application/json\r\n", "X-Custom:  spaced value \r\n"), false},
		{"LowercaseNames", "POST /json HTTP/1.1\r\nhost: example.test\r\ncontent-length: 2\r\nx-odd_name: 1\r\n\r\n{}", false},
		{"EmptyPost", "POST /json HTTP/1.1\r\nHost: example.test\r\n\r\n", false},
		{"Sniffed", post("/sniff", "x"), false},
		{"Created", post("/created", "y"), false},
		{"NoContent", post("/nocontent", "z"), false},
		{"NotModified", get("/notmodified"), false},
		{"NotFound", get("/nowhere"), false},
		{"EmptyAnswer", get("/empty"), false},
		{"ClientClose", post("/json", "{}", "Connection: close\r\n"), false},
		{"HandlerClose", get("/close"), false},
		{"Flush", get("/flush"), true},
		{"Big", get("/big"), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := exchange(t, lane, c.raw, "x")[0]
			b := exchange(t, plain, c.raw, "x")[0]
			if c.flush {
				if a.StatusCode != b.StatusCode || strings.Replace(bodyOf(a), `{"Via":"lane"`, `{"Via":"http"`, 1) != bodyOf(b) {
					t.Errorf("lane %d %.200q\nnet/http %d %.200q", a.StatusCode, bodyOf(a), b.StatusCode, bodyOf(b))
				}
			} else if ca, cb := comparable(t, a), comparable(t, b); ca != cb {
				t.Errorf("lane:\n%s\nnet/http:\n%s", ca, cb)
			}
			if a.Header.Get("Date") == "" {
				t.Error("the lane's answer has no Date")
			}
			if strings.Contains(bodyOf(b), `"Via"`) && !laneServed(a) {
				t.Errorf("a plain request was not served by the lane: %.200s", bodyOf(a))
			}
		})
	}
}

// Requests the lane does not take are net/http's, and so is the rest of
// their connection; the answers are net/http's own.
func TestLaneHandsOverWhatItDoesNotTake(t *testing.T) {
	lane, plain := pair(t, http.HandlerFunc(echo))
	plainReq := "GET /json HTTP/1.1\r\nHost: h\r\n\r\n"
	for _, c := range []struct{ name, raw string }{
		{"Chunked", "POST /json HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"},
		{"HTTP10", "GET /json HTTP/1.0\r\nHost: h\r\nConnection: keep-alive\r\n\r\n"},
		{"Put", "PUT /json HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}"},
		{"Head", "HEAD /json HTTP/1.1\r\nHost: h\r\n\r\n"},
		{"Expect", "POST /json HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n{}"},
		{"NoHost", "GET /json HTTP/1.1\r\n\r\n"},
		{"TwoHosts", "GET /json HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"},
		{"TwoLengths", "POST /json HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}"},
		{"BareLF", "GET /json HTTP/1.1\nHost: h\n\n"},
		{"Folded", "GET /json HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n  2\r\n\r\n"},
		{"SpaceBeforeColon", "GET /json HTTP/1.1\r\nHost: h\r\nX-A : 1\r\n\r\n"},
		{"AbsoluteURI", "GET http://h/json HTTP/1.1\r\nHost: h\r\n\r\n"},
		{"GetWithBody", "GET /json HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}"},
		{"Upgrade", "GET /json HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"},
		{"LargerThanTheBuffer", "POST /json HTTP/1.1\r\nHost: h\r\nContent-Length: 8000\r\n\r\n" + strings.Repeat("a", 8000)},
	} {
		t.Run(c.name, func(t *testing.T) {
			method := strings.Fields(c.raw)[0]
			// The odd request, then a plain one on the same connection.
			a := exchange(t, lane, c.raw+plainReq, method, "GET")
			b := exchange(t, plain, c.raw+plainReq, method, "GET")
			if len(a) != len(b) {
				t.Fatalf("%d answers from the lane, %d from net/http", len(a), len(b))
			}
			for i := range a {
				if ca, cb := comparable(t, a[i]), comparable(t, b[i]); ca != cb {
					t.Errorf("answer %d, lane:\n%s\nnet/http:\n%s", i+1, ca, cb)
				}
				if laneServed(a[i]) {
					t.Errorf("answer %d was the lane's; the connection should be net/http's", i+1)
				}
			}
		})
	}
}

// Requests sent in one write are answered in order, each by the lane.
func TestLanePipelines(t *testing.T) {
	lane, _ := pair(t, http.HandlerFunc(echo))
	var raw strings.Builder
	for i := range 20 {
		body := fmt.Sprintf(`{"n":%d}`, i)
		fmt.Fprintf(&raw, "POST /json?n=%d HTTP/1.1\r\nHost: h\r\nContent-Length: %d\r\n\r\n%s", i, len(body), body)
	}
	methods := slices.Repeat([]string{"POST"}, 20)
	for i, r := range exchange(t, lane, raw.String(), methods...) {
		var s seen
		if err := json.Unmarshal([]byte(bodyOf(r)), &s); err != nil {
			t.Fatalf("answer %d: %v", i, err)
		}
		if want := fmt.Sprintf(`{"n":%d}`, i); s.Body != want || s.Query != fmt.Sprintf("n=%d", i) || s.Via != "lane" {
			t.Errorf("answer %d: %+v, want body %s from the lane", i, s, want)
		}
	}
}

// The connection's header map is emptied between its requests: an answer
// carries the headers its handler set and none of an earlier answer's.
func TestLaneAnswerHeadersAreEachRequestsOwn(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := r.URL.Query().Get("n")
		w.Header().Set("X-N", n)
		switch n {
		case "0":
			w.Header().Set("X-Only-First", "x")
		case "1":
			for i := range 40 { // more than the lane keeps a map of
				w.Header().Set(fmt.Sprintf("X-Only-Second-%d", i), "x")
			}
		}
		if _, seen := r.Header["X-Seen"]; seen {
			w.Header().Set("X-Saw", "yes")
		}
		_, _ = io.WriteString(w, n)
	})
	lane := serveLane(t, &Server{HTTP: &http.Server{Handler: h}})
	raw := "GET /?n=0 HTTP/1.1\r\nHost: h\r\nX-Seen: 1\r\n\r\n" +
		"GET /?n=1 HTTP/1.1\r\nHost: h\r\n\r\n" +
		"GET /?n=2 HTTP/1.1\r\nHost: h\r\n\r\n"
	for i, r := range exchange(t, lane, raw, "GET", "GET", "GET") {
		n := fmt.Sprint(i)
		if got := r.Header.Get("X-N"); got != n || bodyOf(r) != n {
			t.Errorf("answer %d: X-N %q, body %q", i, got, bodyOf(r))
		}
		first, second := r.Header.Get("X-Only-First") != "", r.Header.Get("X-Only-Second-7") != ""
		saw := r.Header.Get("X-Saw") != ""
		if first != (i == 0) || second != (i == 1) || saw != (i == 0) {
			t.Errorf("answer %d: headers %v", i, r.Header)
		}
	}
}

// A request whose head and body arrive in pieces is answered (by net/http
// when the lane has only part of it).
func TestLaneRequestInPieces(t *testing.T) {
	lane, _ := pair(t, http.HandlerFunc(echo))
	c := dial(t, lane)
	for _, part := range []string{"POST /json HTTP/1.1\r\nHo", "st: h\r\nContent-Length: 7\r\n\r\n{\"a\"", ":1}"} {
		if _, err := io.WriteString(c, part); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	var s seen
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil || s.Body != `{"a":1}` {
		t.Errorf("answer %+v, %v", s, err)
	}
}

// A request still running when its client closes the connection has its
// context ended, with the cause; one that ends in time does not.
func TestLaneCancelsWhenTheClientGoes(t *testing.T) {
	causes := make(chan error, 1)
	started := make(chan struct{}, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/quick" {
			_, _ = io.WriteString(w, "quick")
			return
		}
		started <- struct{}{}
		select {
		case <-r.Context().Done():
			causes <- context.Cause(r.Context())
		case <-time.After(time.Minute):
			causes <- nil
		}
	})
	lane, _ := pair(t, h)
	// A quick request first, on the same connection: its end must not
	// end the next one.
	c := dial(t, lane)
	_, _ = io.WriteString(c, "GET /quick HTTP/1.1\r\nHost: h\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || bodyOf(resp) != "quick" {
		t.Fatalf("quick: %v", err)
	}
	_, _ = io.WriteString(c, "GET /slow HTTP/1.1\r\nHost: h\r\n\r\n")
	<-started
	_ = c.Close()
	if cause := <-causes; !errors.Is(cause, errClientGone) {
		t.Errorf("cause %v, want %v", cause, errClientGone)
	}
}

// A request pipelined behind a long one (the watch reads its first byte)
// is answered whole.
func TestLaneWatchKeepsThePipelinedByte(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			time.Sleep(100 * time.Millisecond) // several Watch periods
		}
		_, _ = io.WriteString(w, r.URL.Path)
	})
	lane, _ := pair(t, h)
	c := dial(t, lane)
	_, _ = io.WriteString(c, "GET /slow HTTP/1.1\r\nHost: h\r\n\r\n")
	time.Sleep(50 * time.Millisecond) // the second request arrives while the first runs
	_, _ = io.WriteString(c, "GET /next HTTP/1.1\r\nHost: h\r\n\r\n")
	br := bufio.NewReader(c)
	for _, want := range []string{"/slow", "/next"} {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("%s: %v", want, err)
		}
		if got := bodyOf(resp); got != want {
			t.Errorf("answer %q, want %q", got, want)
		}
	}
}

// A panic in the handler closes its connection only; the server goes on.
func TestLanePanicClosesOnlyItsConnection(t *testing.T) {
	var logged bytes.Buffer
	var mu sync.Mutex
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/panic" {
			panic("boom")
		}
		_, _ = io.WriteString(w, "fine")
	})
	ls := &Server{HTTP: &http.Server{Handler: h, ErrorLog: log.New(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logged.Write(p)
	}), "", 0)}}
	addr := serveLane(t, ls)
	c := dial(t, addr)
	_, _ = io.WriteString(c, "GET /panic HTTP/1.1\r\nHost: h\r\n\r\n")
	if n, err := c.Read(make([]byte, 100)); n != 0 || err == nil {
		t.Errorf("after a panic the connection answered %d bytes, %v; want it closed", n, err)
	}
	resp, err := http.Get("http://" + addr + "/fine")
	if err != nil || bodyOf(resp) != "fine" {
		t.Errorf("the next connection: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logged.String(), "panic serving") || !strings.Contains(logged.String(), "boom") {
		t.Errorf("the panic was not logged: %q", logged.String())
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// Shutdown closes idle connections at once, lets a running request finish
// (its answer says Connection: close) and then returns; Serve returns
// http.ErrServerClosed.
func TestLaneShutdown(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/held" {
			started <- struct{}{}
			<-release
		}
		_, _ = io.WriteString(w, r.URL.Path)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ls := &Server{HTTP: &http.Server{Handler: h, ErrorLog: log.New(io.Discard, "", 0)}}
	served := make(chan error, 1)
	go func() { served <- ls.Serve(ln) }()
	addr := ln.Addr().String()

	idle := dial(t, addr)
	_, _ = io.WriteString(idle, "GET /first HTTP/1.1\r\nHost: h\r\n\r\n")
	ibr := bufio.NewReader(idle)
	if resp, err := http.ReadResponse(ibr, nil); err != nil || bodyOf(resp) != "/first" {
		t.Fatalf("first: %v", err)
	}

	busy := dial(t, addr)
	_, _ = io.WriteString(busy, "GET /held HTTP/1.1\r\nHost: h\r\n\r\n")
	<-started

	shut := make(chan error, 1)
	go func() { shut <- ls.Shutdown(context.Background()) }()
	// The idle connection is closed.
	if _, err := ibr.ReadByte(); err == nil {
		t.Error("the idle connection is still open")
	}
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned (%v) with a request running", err)
	default:
	}
	close(release)
	resp, err := http.ReadResponse(bufio.NewReader(busy), nil)
	if err != nil || bodyOf(resp) != "/held" || !resp.Close {
		t.Fatalf("the running request: %v, close %v", err, resp != nil && resp.Close)
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		t.Errorf("Serve: %v", err)
	}
	if _, err := net.Dial("tcp", addr); err == nil {
		t.Error("the listener still accepts")
	}
}

// A new connection that sends nothing is closed after ReadHeaderTimeout.
func TestLaneClosesSilentConnections(t *testing.T) {
	ls := &Server{HTTP: &http.Server{Handler: http.HandlerFunc(echo), ReadHeaderTimeout: 100 * time.Millisecond, ErrorLog: log.New(io.Discard, "", 0)}}
	addr := serveLane(t, ls)
	for _, sent := range []string{"", "GET /json HTTP/1.1\r\nHost"} { // nothing; half a head (net/http's then)
		c := dial(t, addr)
		_, _ = io.WriteString(c, sent)
		b, err := io.ReadAll(c)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Errorf("sent %q: the server kept the connection open", sent)
		}
		if len(b) > 0 && !bytes.HasPrefix(b, []byte("HTTP/1.1 4")) {
			t.Errorf("sent %q: answered %q", sent, b)
		}
	}
}

// With a ReadHeaderTimeout but no idle or read timeout (as net/http reads
// them: idle connections then wait as long as it takes), a kept-alive
// connection outlives the header timeout between its requests.
func TestLaneIdleWithoutTimeoutOutlivesTheHeaderTimeout(t *testing.T) {
	ls := &Server{HTTP: &http.Server{Handler: http.HandlerFunc(echo), ReadHeaderTimeout: 50 * time.Millisecond, ErrorLog: log.New(io.Discard, "", 0)}}
	addr := serveLane(t, ls)
	c := dial(t, addr)
	br := bufio.NewReader(c)
	for i := range 2 {
		if i > 0 {
			time.Sleep(200 * time.Millisecond) // four header timeouts, idle
		}
		_, _ = io.WriteString(c, "GET /json HTTP/1.1\r\nHost: h\r\n\r\n")
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("request %d after an idle wait: %v", i+1, err)
		}
		if !laneServed(resp) {
			t.Errorf("request %d was not the lane's", i+1)
		}
	}
}

// serveLane serves ls on a loopback port until the test ends.
func serveLane(t *testing.T, ls *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = ls.Serve(ln) }()
	t.Cleanup(func() { _ = ls.Close() })
	return ln.Addr().String()
}

// dial connects to addr until the test ends; a hung server fails the test
// after 30 s instead of hanging it.
func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	return c
}

// A header value with a line break cannot add a header or split the
// answer: the lane sends it as net/http does, the breaks as spaces.
func TestLaneHeaderValuesCannotSplitTheAnswer(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Echo", "a\r\nX-Injected: 1")
		w.Header().Set("X-Plain", "b")
		_, _ = io.WriteString(w, "ok")
	})
	lane, plain := pair(t, h)
	var got [2]http.Header
	for i, addr := range []string{lane, plain} {
		rs := exchange(t, addr, "GET /x HTTP/1.1\r\nHost: h\r\n\r\nGET /x HTTP/1.1\r\nHost: h\r\n\r\n", "GET", "GET")
		if len(rs) != 2 || bodyOf(rs[1]) != "ok" {
			t.Fatalf("%s: the second answer on the connection is not whole", addr)
		}
		got[i] = rs[0].Header
	}
	for i, name := range []string{"lane", "net/http"} {
		if got[i].Get("X-Injected") != "" || got[i].Get("X-Plain") != "b" {
			t.Errorf("%s: headers %v", name, got[i])
		}
	}
	if a, b := got[0].Get("X-Echo"), got[1].Get("X-Echo"); a != b {
		t.Errorf("X-Echo: lane %q, net/http %q", a, b)
	}
}
