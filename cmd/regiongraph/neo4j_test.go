package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// closedAddr returns a local address where nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// One-shot commands fail within the open timeout, naming the address.
func TestOneShotCommandsNeo4jUnreachable(t *testing.T) {
	for _, cmd := range [][]string{{"import"}, {"export", "--format", "graphml"}} {
		t.Run(cmd[0], func(t *testing.T) { oneShotUnreachable(t, cmd) })
	}
}

func oneShotUnreachable(t *testing.T, cmd []string) {
	addr := closedAddr(t)
	env := map[string]string{"NEO4J_URI": "neo4j://" + addr, "NEO4J_PASSWORD": "secret-password"}
	var stderr bytes.Buffer
	a := &app{stdout: io.Discard, stderr: &stderr, getenv: func(k string) string { return env[k] }}
	start := time.Now()
	args := append(cmd, "--store", "neo4j", "--open-timeout", "2s")
	if cmd[0] == "export" {
		args = append(args, "-o", t.TempDir()+"/out.graphml")
	}
	err := a.run(context.Background(), args)
	took := time.Since(start)
	if err == nil {
		t.Fatalf("%s against an address where nothing listens succeeded", cmd[0])
	}
	if exitCode(err) == 0 {
		t.Error("exit code 0")
	}
	if !strings.Contains(err.Error(), addr) {
		t.Errorf("the message does not name %s: %v", addr, err)
	}
	if strings.Contains(err.Error(), "secret-password") || strings.Contains(err.Error(), "goroutine") {
		t.Errorf("the message leaks a password or a stack: %v", err)
	}
	t.Logf("%s failed after %v (open timeout 2s): %v", cmd[0], took.Round(time.Millisecond), err)
}

func TestServeNeo4jUnreachableKeepsServing(t *testing.T) {
	addr := closedAddr(t)
	s := startServer(t, t.TempDir()+"/unused.db", map[string]string{"NEO4J_URI": "neo4j://" + addr, "REGIONGRAPH_OPEN_TIMEOUT": "1s"})
	for _, c := range []struct {
		path string
		code int
	}{{"/healthz", http.StatusOK}, {"/readyz", http.StatusServiceUnavailable}} {
		resp, err := http.Get(s.url + c.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.code {
			t.Errorf("%s: %d, want %d", c.path, resp.StatusCode, c.code)
		}
	}
	body, _ := json.Marshal(map[string]string{"query": "{ plans { totalCount } }"})
	resp, err := http.Post(s.url+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r gqlResponse
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	if len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != "UNAVAILABLE" {
		t.Errorf("a query without Neo4j: %+v, want UNAVAILABLE", r.Errors)
	}
	// The server logs why and keeps retrying.
	deadline := time.Now().Add(hangBound)
	for !strings.Contains(s.stderr.String(), addr) && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(s.stderr.String(), "retrying") || !strings.Contains(s.stderr.String(), addr) {
		t.Errorf("the log does not say it retries %s:\n%s", addr, s.stderr.String())
	}
}
