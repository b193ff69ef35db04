// Command floor is the floor of the load benchmark: a Go server that
// answers every POST to /graphql with {"data":{"__typename":"Query"}} from
// a constant, after reading the body, and /healthz with ok. What
// `go run ./bench -bin <floor> -no-peer -queries typename` measures is the
// cost of an HTTP request in Go on the machine, before any work of ours.
//
//	go build -o /tmp/floor ./bench/floor
//	go run ./bench -bin /tmp/floor -no-peer -queries typename
//	FLOOR_MODE=raw go run ./bench -bin /tmp/floor -no-peer -queries typename   # (the environment reaches the child)
//
// FLOOR_PPROF=127.0.0.1:6062 serves net/http/pprof there, to profile a
// floor under load.
//
// It listens on REGIONGRAPH_ADDR (default 127.0.0.1:18301), as the real
// binary does. By default it is a net/http server; FLOOR_TIMEOUTS=1 gives
// it the timeouts the real binary's has (read 30s, write 60s, idle 120s),
// to measure what the connection deadlines they set on every request cost.
//
// FLOOR_MODE=lane serves the same handler through httplane (what
// regiongraph serve does by default): the floor under the real binary.
//
// FLOOR_MODE=raw serves HTTP/1.1 by hand instead (serveRaw): one goroutine
// per connection reading requests off a bufio.Reader and writing the
// constant answer, no header map, no goroutine or deadline per request.
// It is not a server to run anything on (it knows one request line, the
// Content-Length header and keep-alive, nothing else); it is the least any
// Go server can spend on a request on this machine: the kernel's TCP path
// and the runtime's network poller.
package main

import (
	"bufio"
	"bytes"
	"io"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof" // FLOOR_PPROF
	"os"
	"strconv"
	"time"

	"github.com/regiongraph/regiongraph/httplane"
)

var answer = []byte(`{"data":{"__typename":"Query"}}`)

func main() {
	addr := os.Getenv("REGIONGRAPH_ADDR")
	if addr == "" {
		addr = "127.0.0.1:18301"
	}
	if a := os.Getenv("FLOOR_PPROF"); a != "" { // profiling the floor itself
		go func() { log.Println(http.ListenAndServe(a, nil)) }()
	}
	if os.Getenv("FLOOR_MODE") == "raw" {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			log.Fatal(err)
		}
		log.Fatal(serveRaw(l))
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	mux.HandleFunc("POST /graphql", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(answer)
	})
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	if os.Getenv("FLOOR_TIMEOUTS") == "1" {
		srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout = 30*time.Second, 60*time.Second, 120*time.Second
	}
	if os.Getenv("FLOOR_MODE") == "lane" {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			log.Fatal(err)
		}
		log.Fatal((&httplane.Server{HTTP: srv}).Serve(l))
	}
	log.Fatal(srv.ListenAndServe())
}

// serveRaw answers every connection of l by hand (see the package comment)
// until l is closed.
func serveRaw(l net.Listener) error {
	for {
		c, err := l.Accept()
		if err != nil {
			return err
		}
		go serveRawConn(c)
	}
}

func serveRawConn(c net.Conn) {
	defer c.Close()
	r, w := bufio.NewReader(c), bufio.NewWriter(c)
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return
		}
		health := bytes.HasPrefix(line, []byte("GET /healthz "))
		length := 0
		for {
			h, err := r.ReadSlice('\n')
			if err != nil {
				return
			}
			if len(bytes.TrimSpace(h)) == 0 {
				break
			}
			if name, value, ok := bytes.Cut(h, []byte(":")); ok && bytes.EqualFold(name, []byte("Content-Length")) {
				if length, err = strconv.Atoi(string(bytes.TrimSpace(value))); err != nil || length < 0 {
					return
				}
			}
		}
		if _, err := r.Discard(length); err != nil {
			return
		}
		body, ctype := answer, "application/json"
		if health {
			body, ctype = []byte("ok\n"), "text/plain; charset=utf-8"
		}
		_, _ = w.WriteString("HTTP/1.1 200 OK\r\nContent-Type: " + ctype + "\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n")
		_, _ = w.Write(body)
		if r.Buffered() == 0 { // nothing pipelined behind it: send now
			if err := w.Flush(); err != nil {
				return
			}
		}
	}
}
