package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// TestRawFloorAnswersKeepAlive: the hand-written floor answers a health
// check and GraphQL POSTs with bodies, one after another on one kept-alive
// connection, as the load benchmark's client sends them.
func TestRawFloorAnswersKeepAlive(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- serveRaw(l) }()
	t.Cleanup(func() { l.Close(); <-done })
	var conns int
	var d net.Dialer
	tr := &http.Transport{MaxIdleConnsPerHost: 1, DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		conns++
		return d.DialContext(ctx, network, addr)
	}}
	client := &http.Client{Transport: tr}
	t.Cleanup(tr.CloseIdleConnections)
	base := "http://" + l.Addr().String()
	get := func(resp *http.Response, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("status %d, %v", resp.StatusCode, err)
		}
		return string(b)
	}
	if got := get(client.Get(base + "/healthz")); got != "ok\n" {
		t.Errorf("healthz: %q", got)
	}
	for i := range 5 {
		body := `{"query":"{ __typename }"}` + strings.Repeat(" ", i*1000)
		if got := get(client.Post(base+"/graphql", "application/json", strings.NewReader(body))); got != string(answer) {
			t.Errorf("POST %d: %q", i, got)
		}
	}
	if conns != 1 {
		t.Errorf("%d connections for 6 requests; want one kept alive", conns)
	}
}
