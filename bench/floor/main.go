// Command floor is the floor of the load benchmark: a Go net/http server
// that answers every POST to /graphql with {"data":{"__typename":"Query"}}
// from a constant, after reading the body, and /healthz with ok. What
// `go run ./bench -bin <floor> -no-peer -queries typename` measures is the
// cost of an HTTP request in Go on the machine, before any work of ours.
//
//	go build -o /tmp/floor ./bench/floor
//	go run ./bench -bin /tmp/floor -no-peer -queries typename
//
// It listens on REGIONGRAPH_ADDR (default 127.0.0.1:18301), as the real
// binary does. FLOOR_TIMEOUTS=1 gives its http.Server the timeouts the
// real binary's has (read 30s, write 60s, idle 120s), to measure what the
// connection deadlines they set on every request cost.
package main

import (
	"io"
	"log"
	"net/http"
	"os"
	"time"
)

func main() {
	addr := os.Getenv("REGIONGRAPH_ADDR")
	if addr == "" {
		addr = "127.0.0.1:18301"
	}
	body := []byte(`{"data":{"__typename":"Query"}}`)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	mux.HandleFunc("POST /graphql", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	if os.Getenv("FLOOR_TIMEOUTS") == "1" {
		srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout = 30*time.Second, 60*time.Second, 120*time.Second
	}
	log.Fatal(srv.ListenAndServe())
}
