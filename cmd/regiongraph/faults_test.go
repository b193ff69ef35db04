package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// faultProxy stands between the server and Neo4j: in "refuse" mode nothing
// listens on its port, in "hang" mode it accepts and never answers (and
// freezes open connections), in "up" mode it forwards to upstream.
type faultProxy struct {
	t        *testing.T
	addr     string
	upstream string

	mu    sync.Mutex
	mode  string
	ln    net.Listener
	conns []net.Conn
	cond  *sync.Cond
}

func newFaultProxy(t *testing.T, upstream, mode string) *faultProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{t: t, addr: ln.Addr().String(), upstream: upstream}
	p.cond = sync.NewCond(&p.mu)
	_ = ln.Close()
	p.set(mode)
	t.Cleanup(func() { p.set("refuse") })
	return p
}

func (p *faultProxy) set(mode string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mode = mode
	p.cond.Broadcast()
	if mode == "refuse" {
		if p.ln != nil {
			_ = p.ln.Close()
			p.ln = nil
		}
		for _, c := range p.conns {
			_ = c.Close()
		}
		p.conns = nil
		return
	}
	if p.ln == nil {
		ln, err := net.Listen("tcp", p.addr)
		if err != nil {
			p.t.Fatalf("listen again on %s: %v", p.addr, err)
		}
		p.ln = ln
		go p.accept(ln)
	}
}

func (p *faultProxy) accept(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		p.conns = append(p.conns, c)
		p.mu.Unlock()
		go p.serve(c)
	}
}

func (p *faultProxy) serve(c net.Conn) {
	if p.upstream == "" {
		return // hang: hold the connection, never answer
	}
	u, err := net.Dial("tcp", p.upstream)
	if err != nil {
		_ = c.Close()
		return
	}
	p.mu.Lock()
	p.conns = append(p.conns, u)
	p.mu.Unlock()
	go p.pipe(u, c)
	p.pipe(c, u)
}

// pipe copies src to dst, pausing while the mode is "hang".
func (p *faultProxy) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		p.mu.Lock()
		for p.mode == "hang" {
			p.cond.Wait()
		}
		p.mu.Unlock()
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			_ = dst.Close()
			return
		}
	}
}

func get(t *testing.T, u string) (int, time.Duration) {
	t.Helper()
	start := time.Now()
	resp, err := (&http.Client{Timeout: hangBound}).Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, time.Since(start)
}

// gql posts a query and returns the first error code ("" for none) and the
// time it took.
func gql(t *testing.T, base, q string) (string, time.Duration) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": q})
	start := time.Now()
	resp, err := (&http.Client{Timeout: hangBound}).Post(base+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	defer resp.Body.Close()
	var r gqlResponse
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if len(r.Errors) > 0 {
		c, _ := r.Errors[0].Extensions["code"].(string)
		return c, time.Since(start)
	}
	return "", time.Since(start)
}

// hangBound is how long a test client waits for an answer: only a request
// that would never be answered reaches it (a Neo4j that hangs holds a
// request for ever unless the server's own bounds cut it off), never a
// slow machine.
const hangBound = 2 * time.Minute

// TestNeo4jHangingListener: a Neo4j address that accepts and never answers
// neither stops the server from serving nor holds requests: /healthz is 200,
// /readyz 503 and queries UNAVAILABLE (without -store-timeout they would
// wait for ever). The times are logged.
func TestNeo4jHangingListener(t *testing.T) {
	p := newFaultProxy(t, "", "hang")
	s := startServer(t, t.TempDir()+"/unused.db", map[string]string{
		"NEO4J_URI": "bolt://" + p.addr, "REGIONGRAPH_OPEN_TIMEOUT": "1s", "REGIONGRAPH_STORE_TIMEOUT": "1s",
	})
	if code, d := get(t, s.url+"/healthz"); code != 200 {
		t.Errorf("/healthz: %d after %v", code, d)
	}
	code, d := get(t, s.url+"/readyz")
	if code != 503 {
		t.Errorf("/readyz: %d after %v, want 503", code, d)
	}
	t.Logf("/readyz answered %d after %v (its bound is 2s)", code, d)
	var worst time.Duration
	for i := 0; i < 20; i++ {
		code, d := gql(t, s.url, `{ plans { totalCount } }`)
		if code != "UNAVAILABLE" {
			t.Fatalf("query %d against a hanging Neo4j: code %q, want UNAVAILABLE", i, code)
		}
		worst = max(worst, d)
	}
	t.Logf("hanging Neo4j: the slowest of 20 queries answered UNAVAILABLE in %v (store timeout 1s)", worst)
}

// TestNeo4jRecoversWithoutRestart needs a Neo4j (the tier's): the server
// starts while Neo4j is unreachable, becomes ready once it is reachable,
// fails fast while it hangs, and recovers again, all without a restart.
func TestNeo4jRecoversWithoutRestart(t *testing.T) {
	n4j := neo4jEnv(t)
	uri := n4j["NEO4J_URI"]
	u, err := url.Parse(uri)
	if err != nil || u.Host == "" {
		t.Fatalf("NEO4J_URI %q: %v", uri, err)
	}
	upstream := u.Host
	if !strings.Contains(upstream, ":") {
		upstream += ":7687"
	}
	p := newFaultProxy(t, upstream, "refuse")
	env := map[string]string{
		"NEO4J_URI": "bolt://" + p.addr, "NEO4J_USER": n4j["NEO4J_USER"], "NEO4J_PASSWORD": n4j["NEO4J_PASSWORD"],
		"NEO4J_DATABASE": n4j["NEO4J_DATABASE"], "REGIONGRAPH_OPEN_TIMEOUT": "2s", "REGIONGRAPH_STORE_TIMEOUT": "2s",
	}
	s := startServer(t, t.TempDir()+"/unused.db", env)
	waitFor := func(what string, d time.Duration, ok func() bool) {
		// d only catches what never happens: it is far beyond the backoff.
		t.Helper()
		deadline := time.Now().Add(d)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within %v", what, d)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	if code, _ := get(t, s.url+"/readyz"); code != 503 {
		t.Fatalf("/readyz while Neo4j refuses: %d", code)
	}
	if code, _ := gql(t, s.url, `{ __typename plans { totalCount } }`); code != "UNAVAILABLE" {
		t.Fatalf("query while Neo4j refuses: %q", code)
	}
	p.set("up")
	waitFor("ready once Neo4j is reachable", hangBound, func() bool { c, _ := get(t, s.url+"/readyz"); return c == 200 })
	// A Neo4j just started (the tier's own, cold) may plan the first query
	// for longer than the 2s store timeout on a loaded machine: queries
	// must answer, within the wait.
	waitFor("queries answer once connected", hangBound, func() bool { c, _ := gql(t, s.url, `{ plans { totalCount } }`); return c == "" })
	p.set("hang")
	code, d := gql(t, s.url, `{ plans { totalCount } }`)
	if code != "UNAVAILABLE" {
		t.Errorf("query while Neo4j hangs: %q after %v, want UNAVAILABLE (store timeout 2s)", code, d)
	}
	code2, d2 := gql(t, s.url, `{ plans { totalCount } }`)
	if code2 != "UNAVAILABLE" {
		t.Errorf("next query while Neo4j hangs: %q after %v, want UNAVAILABLE", code2, d2)
	}
	t.Logf("while Neo4j hangs: UNAVAILABLE after %v, then after %v (the guard is open)", d, d2)
	p.set("up")
	waitFor("recovered after the hang", hangBound, func() bool { c, _ := gql(t, s.url, `{ plans { totalCount } }`); return c == "" })
}
