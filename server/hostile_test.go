package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/regiongraph/regiongraph/gqlhttp"
	"github.com/regiongraph/regiongraph/metrics"
	"github.com/regiongraph/regiongraph/server"
)

// The hostile-input suite runs the real HTTP stack (server.New behind
// server.ServeWith, on 127.0.0.1) with the default limits, except for the
// timeouts: the slow-client cases shorten the header and parse timeouts so
// they finish quickly, and the others lengthen the header, parse and
// execution timeouts so that a loaded machine cannot turn a refusal by a
// named limit into a timeout (a new connection whose request is late by the
// header timeout is closed without an answer). Each case must be refused (a 4xx, or a GraphQL error
// naming what was wrong), or, just inside the limits, answered. How long the
// server took is logged, never asserted (the machine may be loaded): it is
// measured inside the server, from the last byte of the body read (or the
// handler's start, for requests whose body is never read) to the handler's
// return; .ci/run prints the table. After every case the server must still
// answer a normal query, and after a burst of all of them the heap must be
// within 64 MiB of what it was before.

const (
	readHeaderTimeout = time.Second
	parseTimeout      = time.Second
	// patientTimeout is the parse and execution timeout of the cases that
	// are not about time.
	patientTimeout = time.Minute
	// hangBound only catches a connection the server never closes: it is
	// hundreds of times the timeouts, so a loaded machine cannot reach it.
	hangBound = 2 * time.Minute
)

// hostileServer is the server under attack, with the server-side timing of
// every request by its X-Case header.
type hostileServer struct {
	url     string
	addr    string
	metrics *metrics.Metrics

	mu      sync.Mutex
	timings map[string]caseTiming
}

type caseTiming struct {
	d         time.Duration // last body byte read (or handler start) to handler return
	bodyBytes int64         // body bytes the server read
}

// timedBody records when the last read of the body returned and how much
// was read.
type timedBody struct {
	io.ReadCloser
	mu   sync.Mutex
	last time.Time
	n    int64
}

func (b *timedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.mu.Lock()
	b.last = time.Now()
	b.n += int64(n)
	b.mu.Unlock()
	return n, err
}

// startHostile starts the server with the given header, parse and execution
// timeouts (zero: the default execution timeout).
func startHostile(t *testing.T, header, parse, exec time.Duration) *hostileServer {
	t.Helper()
	m := metrics.New()
	cfg := server.Config{
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		Metrics: m,
		GraphQL: gqlhttp.Options{Limits: gqlhttp.Limits{ParseTimeout: parse, ExecTimeout: exec}},
	}
	h := newServer(t, cfg)
	hs := &hostileServer{metrics: m, timings: map[string]caseTiming{}}
	timed := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tb := &timedBody{ReadCloser: r.Body, last: time.Now()}
		// A copy of the request carries the timed body: net/http's own
		// request keeps its body, as it does in production.
		r2 := r.WithContext(r.Context())
		r2.Body = tb
		h.ServeHTTP(w, r2)
		end := time.Now()
		if name := r.Header.Get("X-Case"); name != "" {
			tb.mu.Lock()
			ct := caseTiming{d: end.Sub(tb.last), bodyBytes: tb.n}
			tb.mu.Unlock()
			hs.mu.Lock()
			hs.timings[name] = ct
			hs.mu.Unlock()
		}
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- server.ServeWith(ctx, ln, timed, slog.New(slog.NewTextHandler(io.Discard, nil)),
			server.ServeOptions{Drain: 5 * time.Second, ReadHeaderTimeout: header})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
	})
	hs.addr = ln.Addr().String()
	hs.url = "http://" + hs.addr
	return hs
}

func (hs *hostileServer) timing(name string) (caseTiming, bool) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	ct, ok := hs.timings[name]
	delete(hs.timings, name)
	return ct, ok
}

// healthy checks /healthz and a real query.
func (hs *hostileServer) healthy(t *testing.T, client *http.Client) {
	t.Helper()
	resp, err := client.Get(hs.url + "/healthz")
	if err != nil {
		t.Fatalf("healthz: %v", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %d", resp.StatusCode)
	}
	body := `{"query":"{ municipalities(first: 3, orderBy: {field: NAME}) { totalCount nodes { name } } }"}`
	resp, err = client.Post(hs.url+"/graphql", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("normal query: %v", err)
	}
	defer resp.Body.Close()
	var r struct {
		Data struct {
			Municipalities struct{ TotalCount int }
		}
		Errors []any
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || resp.StatusCode != 200 || len(r.Errors) > 0 || r.Data.Municipalities.TotalCount == 0 {
		t.Fatalf("normal query after a hostile one: status %d, err %v, %+v", resp.StatusCode, err, r)
	}
}

// hostileCase is one hostile request and what its refusal must say.
type hostileCase struct {
	name   string
	method string
	path   string // default /graphql
	ctype  string
	accept string
	body   func() []byte
	// status is the HTTP status wanted; 0 means any 4xx.
	status int
	// limit, when set, is the extensions.limit the error must name.
	limit string
	// contains, when set, must be in the first error's message.
	contains string
	// maxBodyRead, when set, bounds the body bytes the server may read.
	maxBodyRead int64
	// noEcho is a string of the request that must not be in the answer.
	noEcho string
	// accepted marks a query just inside the limits: it must be answered
	// (200, no errors).
	accepted bool
	// raw sends the request on a connection of its own, written by hand
	// (Go's client would retry an idempotent request the server cut off).
	raw bool
}

func query(q string) func() []byte {
	return func() []byte {
		b, _ := json.Marshal(map[string]any{"query": q})
		return b
	}
}

var fresh atomic.Int64

// freshQuery is query with a new comment each time, so the server's query
// cache does not hide the cost of parsing and validating it.
func freshQuery(q string) func() []byte {
	return func() []byte {
		return query(fmt.Sprintf("%s\n# %d", q, fresh.Add(1)))()
	}
}

func repeat(s string, n int) string { return strings.Repeat(s, n) }

// nested returns a selection of list fields nested n deep: memberOf and
// members alternate under municipalities.
func nested(n int) string {
	var b strings.Builder
	b.WriteString("{ municipalities { nodes { ")
	for i := 0; i < n; i++ {
		if i%2 == 0 {
			b.WriteString("memberOf { ")
		} else {
			b.WriteString("members { ")
		}
	}
	b.WriteString("name")
	b.WriteString(repeat(" }", n))
	b.WriteString(" } } }")
	return b.String()
}

func hostileCases() []hostileCase {
	gqlJSON := "application/json"
	var cases []hostileCase
	add := func(c hostileCase) { cases = append(cases, c) }

	// Nesting.
	add(hostileCase{name: "DeepNesting20", body: query(nested(20)), limit: gqlhttp.LimitDepth})
	add(hostileCase{name: "ListFanOut12", body: query(nested(11)), limit: gqlhttp.LimitComplexity})
	add(hostileCase{name: "WideNesting", body: func() []byte {
		var b strings.Builder
		b.WriteString("{")
		for i := 0; i < 40; i++ {
			fmt.Fprintf(&b, " a%d: initiatives(first: 1000) { nodes { funders { name } owners { name } } }", i)
		}
		b.WriteString(" }")
		return query(b.String())()
	}, limit: gqlhttp.LimitComplexity})
	add(hostileCase{name: "HugePage", body: query(`{ initiatives(first: 1000000) { totalCount } }`), limit: gqlhttp.LimitPageSize})

	// Aliases, fragments, duplicates.
	add(hostileCase{name: "AliasBomb900", body: func() []byte {
		var b strings.Builder
		b.WriteString("{")
		for i := 0; i < 900; i++ {
			fmt.Fprintf(&b, " a%d:__typename", i)
		}
		b.WriteString(" }")
		return query(b.String())()
	}, limit: gqlhttp.LimitFields})
	add(hostileCase{name: "AliasBomb5000", body: func() []byte {
		var b strings.Builder
		b.WriteString("{")
		for i := 0; i < 5000; i++ {
			fmt.Fprintf(&b, " a%d:__typename", i)
		}
		b.WriteString(" }")
		return query(b.String())()
	}, limit: gqlhttp.LimitQueryBytes})
	add(hostileCase{name: "FragmentBomb", body: func() []byte {
		var b strings.Builder
		b.WriteString("{ ...F30 }\nfragment F0 on Query { __typename __typename }\n")
		for i := 1; i <= 30; i++ {
			fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d }\n", i, i-1, i-1)
		}
		return query(b.String())()
	}, limit: gqlhttp.LimitFields})
	add(hostileCase{name: "FragmentCycle", body: query(`{ ...A } fragment A on Query { ...B __typename } fragment B on Query { ...A }`), contains: "fragment cycle"})
	add(hostileCase{name: "FragmentSelfCycle", body: query(`{ municipalities { nodes { ...M } } } fragment M on Municipality { name memberOf { ...M } }`), contains: "fragment cycle"})
	add(hostileCase{name: "DuplicateFields1400", body: query("{" + repeat(" __typename", 1400) + " }"), limit: gqlhttp.LimitFields})
	add(hostileCase{name: "DuplicateFields5000", body: query("{" + repeat(" __typename", 5000) + " }"), limit: gqlhttp.LimitQueryBytes})
	add(hostileCase{name: "DuplicateFields14000", body: query("{" + repeat(" __typename", 14000) + " }"), limit: gqlhttp.LimitQueryBytes})
	add(hostileCase{name: "ManyTokens", body: query("{ nodes(ids: [" + repeat(`"a",`, 3500) + `]) { id } }`), limit: gqlhttp.LimitTokens})

	// Variables and lists.
	add(hostileCase{name: "HugeVariableList", body: func() []byte {
		ids := make([]string, 60000)
		for i := range ids {
			ids[i] = "x"
		}
		b, _ := json.Marshal(map[string]any{"query": `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, "variables": map[string]any{"ids": ids}})
		return b
	}, limit: gqlhttp.LimitJSONItems})
	add(hostileCase{name: "HugeVariableList500k", body: func() []byte {
		return []byte(`{"query":"query($ids: [ID!]!) { nodes(ids: $ids) { id } }","variables":{"ids":[` + strings.TrimSuffix(repeat("1,", 500000), ",") + `]}}`)
	}, limit: gqlhttp.LimitJSONItems})
	add(hostileCase{name: "HugeVariableObject", body: func() []byte {
		return []byte(`{"query":"{ __typename }","variables":{"o":{` + strings.TrimSuffix(repeat(`"":1,`, 200000), ",") + `}}}`)
	}, limit: gqlhttp.LimitJSONItems})
	add(hostileCase{name: "CostlyVariableList", body: func() []byte {
		ids := make([]string, 9000)
		for i := range ids {
			ids[i] = "x"
		}
		b, _ := json.Marshal(map[string]any{"query": `query($ids: [ID!]!) { nodes(ids: $ids) { id name aliases description source { citation } relations { id } } }`, "variables": map[string]any{"ids": ids}})
		return b
	}, limit: gqlhttp.LimitComplexity})
	add(hostileCase{name: "HugeVariableString", body: func() []byte {
		b, _ := json.Marshal(map[string]any{"query": `query($t: String!) { search(text: $t) { totalCount } }`, "variables": map[string]any{"t": repeat("å", 600000)}})
		return b
	}, status: http.StatusRequestEntityTooLarge, limit: gqlhttp.LimitBodyBytes})
	add(hostileCase{name: "DeeplyNestedJSON", body: func() []byte {
		return []byte(`{"query":"{ __typename }","variables":{"a":` + repeat("[", 100000) + repeat("]", 100000) + `}}`)
	}, limit: gqlhttp.LimitJSONDepth})

	// Malformed bodies.
	add(hostileCase{name: "InvalidUTF8", body: func() []byte {
		return []byte("{\"query\":\"{ search(text: \\\"\xff\xfe\xfd\\\") { totalCount } }\"}")
	}, status: http.StatusBadRequest, contains: "UTF-8"})
	add(hostileCase{name: "MalformedJSON", body: func() []byte {
		return []byte(`{"query": "{ __typename }", "variables": {"secret-payload-7f3a": ` + repeat("1,", 1000))
	}, status: http.StatusBadRequest, noEcho: "secret-payload-7f3a"})
	add(hostileCase{name: "QueryNotString", body: func() []byte { return []byte(`{"query": {"secret-payload-7f3a": 1}}`) }, status: http.StatusBadRequest, noEcho: "secret-payload-7f3a"})
	add(hostileCase{name: "EmptyBody", body: func() []byte { return nil }, status: http.StatusBadRequest})
	add(hostileCase{name: "BatchArray", body: func() []byte {
		return []byte("[" + strings.TrimSuffix(repeat(`{"query":"{ __typename }"},`, 1000), ",") + "]")
	}, status: http.StatusBadRequest, contains: "batch"})

	// Content types and methods.
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "application/graphql", "application/json; charset=latin1"} {
		add(hostileCase{name: "ContentType " + ct, ctype: ct, body: query("{ __typename }"), status: http.StatusUnsupportedMediaType})
	}
	add(hostileCase{name: "NoContentType", ctype: "-", body: query("{ __typename }"), status: http.StatusUnsupportedMediaType})
	for _, m := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch, "PROPFIND"} {
		add(hostileCase{name: "Method " + m, method: m, body: query("{ __typename }"), status: http.StatusMethodNotAllowed})
	}
	add(hostileCase{name: "MutationOverGET", method: http.MethodGet, path: "/graphql?query=" + url.QueryEscape("mutation { __typename }"), status: http.StatusMethodNotAllowed})
	add(hostileCase{name: "NotAcceptable", accept: "text/csv", body: query("{ __typename }"), status: http.StatusNotAcceptable})

	// Size.
	add(hostileCase{name: "OversizedBody", body: func() []byte {
		return []byte(`{"query":"{ __typename }","pad":"` + repeat("x", 8<<20) + `"}`)
	}, status: http.StatusRequestEntityTooLarge, limit: gqlhttp.LimitBodyBytes, maxBodyRead: gqlhttp.DefaultLimits.MaxBodyBytes + 64<<10})
	add(hostileCase{name: "OversizedURL", method: http.MethodGet, path: "/graphql?query=" + repeat("a", 100<<10), status: http.StatusRequestHeaderFieldsTooLarge, raw: true})

	// Just inside the limits: validation and execution stay cheap.
	add(hostileCase{name: "AtLimit DuplicateFields300", body: freshQuery("{" + repeat(" __typename", 300) + " }"), status: http.StatusOK, accepted: true})
	add(hostileCase{name: "AtLimit NestedDuplicates300", body: freshQuery("{" + repeat(" plans { totalCount }", 150) + " }"), status: http.StatusOK, accepted: true})
	add(hostileCase{name: "AtLimit Aliases300", body: func() []byte {
		var b strings.Builder
		b.WriteString("{")
		for i := 0; i < 200; i++ {
			if i < 100 {
				fmt.Fprintf(&b, " a%d: plans(first: 1) { totalCount }", i)
			} else {
				fmt.Fprintf(&b, " b%d: __typename", i)
			}
		}
		b.WriteString(" }")
		return freshQuery(b.String())()
	}, status: http.StatusOK, accepted: true})
	add(hostileCase{name: "AtLimit FragmentBomb256", body: func() []byte {
		var b strings.Builder
		b.WriteString("{ ...F7 }\nfragment F0 on Query { __typename __typename }\n")
		for i := 1; i <= 7; i++ {
			fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d }\n", i, i-1, i-1)
		}
		return freshQuery(b.String())()
	}, status: http.StatusOK, accepted: true})
	add(hostileCase{name: "AtLimit Depth15", body: freshQuery(`{ initiatives(first: 1) { nodes { parent { parent { parent { parent { parent { parent { parent { parent { parent { parent { parent { plan { name } } } } } } } } } } } } } } }`), status: http.StatusOK, accepted: true})

	for i := range cases {
		if cases[i].method == "" {
			cases[i].method = http.MethodPost
		}
		if cases[i].ctype == "" {
			cases[i].ctype = gqlJSON
		}
		if cases[i].accept == "" {
			cases[i].accept = "application/graphql-response+json"
		}
	}
	return cases
}

type hostileResult struct {
	status int
	errs   []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	}
	raw []byte
}

func (hs *hostileServer) send(t *testing.T, client *http.Client, c hostileCase) (hostileResult, error) {
	t.Helper()
	var body io.Reader
	if c.body != nil {
		body = bytes.NewReader(c.body())
	}
	path := c.path
	if path == "" {
		path = "/graphql"
	}
	req, err := http.NewRequest(c.method, hs.url+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if c.ctype != "-" {
		req.Header.Set("Content-Type", c.ctype)
	}
	req.Header.Set("Accept", c.accept)
	req.Header.Set("X-Case", c.name)
	var resp *http.Response
	if c.raw {
		resp, err = rawDo(hs.addr, req)
	} else {
		resp, err = client.Do(req)
	}
	if err != nil {
		return hostileResult{}, err
	}
	defer resp.Body.Close()
	var r hostileResult
	r.status = resp.StatusCode
	r.raw, _ = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var out struct {
		Errors []struct {
			Message    string         `json:"message"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	_ = json.Unmarshal(r.raw, &out)
	r.errs = out.Errors
	return r, nil
}

func TestHostileInput(t *testing.T) {
	hs := startHostile(t, patientTimeout, patientTimeout, patientTimeout)
	client := &http.Client{Timeout: hangBound}
	hs.healthy(t, client)

	type row struct {
		name   string
		status int
		d      time.Duration
		what   string
	}
	var rows []row
	for _, c := range hostileCases() {
		t.Run(c.name, func(t *testing.T) {
			// Send it twice: the first use of a code path allocates, so the
			// second time is the one logged. Both must be answered alike.
			var best caseTiming
			var res hostileResult
			for attempt := 0; attempt < 2; attempt++ {
				r, err := hs.send(t, client, c)
				if err != nil {
					t.Fatalf("request failed: %v", err)
				}
				ct, ok := hs.timing(c.name)
				if !ok && c.status != http.StatusRequestHeaderFieldsTooLarge {
					t.Fatalf("the handler did not see the request")
				}
				if attempt == 1 && r.status != res.status {
					t.Errorf("status %d the first time, %d the second", res.status, r.status)
				}
				res, best = r, ct
			}
			if c.status != 0 && res.status != c.status {
				t.Errorf("status %d, want %d: %s", res.status, c.status, clipBytes(res.raw))
			}
			if c.status == 0 && (res.status < 400 || res.status > 499) {
				t.Errorf("status %d, want 4xx: %s", res.status, clipBytes(res.raw))
			}
			switch {
			case c.accepted:
				if len(res.errs) > 0 {
					t.Errorf("a query inside the limits was refused: %+v", res.errs)
				}
			case c.status != http.StatusRequestHeaderFieldsTooLarge:
				if len(res.errs) == 0 {
					t.Fatalf("no GraphQL error in the answer: %s", clipBytes(res.raw))
				}
				e := res.errs[0]
				if e.Extensions["code"] == nil {
					t.Errorf("error has no extensions.code: %+v", e)
				}
				if c.limit != "" && e.Extensions["limit"] != c.limit {
					t.Errorf("error names limit %v, want %s: %s", e.Extensions["limit"], c.limit, e.Message)
				}
				if c.limit != "" && (e.Extensions["max"] == nil || !strings.Contains(e.Message, c.limit)) {
					t.Errorf("error does not give the limit's name and value: %+v", e)
				}
				if c.contains != "" && !strings.Contains(e.Message, c.contains) {
					t.Errorf("message %q does not say %q", e.Message, c.contains)
				}
			}
			if c.noEcho != "" && bytes.Contains(res.raw, []byte(c.noEcho)) {
				t.Errorf("the answer echoes the request: %s", clipBytes(res.raw))
			}
			if c.maxBodyRead > 0 && best.bodyBytes > c.maxBodyRead {
				t.Errorf("the server read %d body bytes; at most %d wanted", best.bodyBytes, c.maxBodyRead)
			}
			hs.healthy(t, client)
			what := ""
			if len(res.errs) > 0 {
				what = fmt.Sprint(res.errs[0].Extensions["limit"])
				if what == "<nil>" {
					what = clip(res.errs[0].Message, 60)
				}
			}
			rows = append(rows, row{c.name, res.status, best.d, what})
		})
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].d > rows[j].d })
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "\n  %-40s %d  %8.2fms  %s", r.name, r.status, float64(r.d.Microseconds())/1000, r.what)
	}
	t.Logf("hostile cases (server-side time from request read to answer, slowest first):%s", b.String())
}

// rawDo writes req on a new connection and reads the answer, even when the
// server answers before the request is written whole.
func rawDo(addr string, req *http.Request) (*http.Response, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	req.Close = true
	go func() { _ = req.Write(c) }()
	resp, err := http.ReadResponse(bufio.NewReader(c), req)
	if err != nil {
		c.Close()
		return nil, err
	}
	body, _ := io.ReadAll(resp.Body)
	c.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

func clipBytes(b []byte) string { return clip(string(b), 300) }

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// TestSlowClients holds connections open the slowloris way (headers sent a
// byte at a time; a body that never finishes) and checks that the server
// drops the first (the header timeout) and answers the second with 408 (the
// parse timeout) although the client keeps sending, while answering other
// clients all along. Without those timeouts the connections would stay open
// as long as the client trickles; the times are logged.
func TestSlowClients(t *testing.T) {
	hs := startHostile(t, readHeaderTimeout, parseTimeout, 0)
	client := &http.Client{Timeout: hangBound}

	const conns = 30
	type outcome struct {
		kind   string
		closed time.Duration
		status int
		err    error
	}
	results := make(chan outcome, 2*conns)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	slow := func(kind string, head string, trickle string) {
		defer wg.Done()
		c, err := net.Dial("tcp", hs.addr)
		if err != nil {
			results <- outcome{kind: kind, err: err}
			return
		}
		defer c.Close()
		start := time.Now()
		if _, err := io.WriteString(c, head); err != nil {
			results <- outcome{kind: kind, err: err}
			return
		}
		// Trickle a byte every 50ms until the server closes or answers.
		readDone := make(chan outcome, 1)
		go func() {
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				readDone <- outcome{kind: kind, closed: time.Since(start)}
				return
			}
			_ = resp.Body.Close()
			readDone <- outcome{kind: kind, closed: time.Since(start), status: resp.StatusCode}
		}()
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case o := <-readDone:
				results <- o
				return
			case <-stop:
				results <- outcome{kind: kind, err: fmt.Errorf("still open after %v: the server never closed it", hangBound)}
				return
			case <-tick.C:
				_, _ = c.Write([]byte{trickle[i%len(trickle)]})
			}
		}
	}
	for i := 0; i < conns; i++ {
		wg.Add(2)
		go slow("headers", "POST /graphql HTTP/1.1\r\nHost: x\r\n", "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaa\r\n")
		go slow("body", "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"query\":\"", " ")
	}
	// Other clients are served meanwhile (their slowest answer is logged).
	var worst time.Duration
	for i := 0; i < 10; i++ {
		start := time.Now()
		hs.healthy(t, client)
		worst = max(worst, time.Since(start))
		time.Sleep(30 * time.Millisecond)
	}
	timer := time.AfterFunc(hangBound, func() { close(stop) })
	wg.Wait()
	timer.Stop()
	close(results)
	var headerMax, bodyMax time.Duration
	for o := range results {
		if o.err != nil {
			t.Errorf("%s: %v", o.kind, o.err)
			continue
		}
		switch o.kind {
		case "headers":
			// Dropped, without a successful answer, though the client
			// was still sending.
			if o.status != 0 && o.status < 400 {
				t.Errorf("slow headers: status %d, want the connection dropped", o.status)
			}
			headerMax = max(headerMax, o.closed)
		case "body":
			if o.status != http.StatusRequestTimeout {
				t.Errorf("slow body: status %d, want 408", o.status)
			}
			bodyMax = max(bodyMax, o.closed)
		}
	}
	hs.healthy(t, client)
	t.Logf("%d slow-header connections dropped within %v (timeout %v); %d slow bodies answered 408 within %v (timeout %v); other clients' slowest answer meanwhile %v",
		conns, headerMax, readHeaderTimeout, conns, bodyMax, parseTimeout, worst)
}

// TestHostileBurstHeap sends every hostile case several times, from several
// clients at once, and checks that the heap after the burst (after a GC) is
// within 64 MiB of the heap before it, and that the server is healthy.
func TestHostileBurstHeap(t *testing.T) {
	hs := startHostile(t, patientTimeout, patientTimeout, patientTimeout)
	client := &http.Client{Timeout: hangBound}
	hs.healthy(t, client)
	cases := hostileCases()
	// Build the bodies once: the test's own garbage should not count.
	type prepared struct {
		c    hostileCase
		body []byte
	}
	var ps []prepared
	for _, c := range cases {
		var b []byte
		if c.body != nil {
			b = c.body()
		}
		ps = append(ps, prepared{c, b})
	}
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	before := heap()
	var peak uint64
	stopPeak := make(chan struct{})
	peakDone := make(chan struct{})
	go func() {
		defer close(peakDone)
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
			select {
			case <-stopPeak:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	const rounds, workers = 5, 4
	var wg sync.WaitGroup
	errs := make(chan error, rounds*workers*len(ps))
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				for _, p := range ps {
					c := p.c
					body := p.body
					c.body = func() []byte { return body }
					c.name = "" // no timing
					res, err := hs.send(t, client, c)
					if err != nil {
						errs <- fmt.Errorf("%s: %w", p.c.name, err)
						continue
					}
					// Under load (the race detector, a busy machine) a
					// request may hit the parse timeout or the concurrency
					// cap instead: a 503 naming the limit is a refusal too.
					timedOut := res.status == http.StatusServiceUnavailable && len(res.errs) > 0 && res.errs[0].Extensions["limit"] != nil
					if (res.status < 400 || res.status > 499) && !c.accepted && !timedOut {
						errs <- fmt.Errorf("%s: status %d", p.c.name, res.status)
					}
				}
			}
		}()
	}
	wg.Wait()
	close(stopPeak)
	<-peakDone
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	after := heap()
	hs.healthy(t, client)
	const mib = 1 << 20
	t.Logf("heap before %.1f MiB, after %.1f MiB (peak during the burst %.1f MiB); %d requests",
		float64(before)/mib, float64(after)/mib, float64(peak)/mib, rounds*workers*len(ps))
	if after > before+64*mib {
		t.Errorf("heap grew by %.1f MiB over the burst; at most 64 MiB allowed", float64(after-before)/mib)
	}
}
