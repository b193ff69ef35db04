package httplane

import (
	"bytes"
	"io"
	"log"
	"net"
	"net/http"
	"syscall"
	"testing"
	"time"
)

// BenchmarkLane is the cost of a small POST answered with a small JSON
// body over loopback, one kept-alive connection, through the lane (with
// its own system calls, and with net.Conn's: LaneNetConnIO) and through
// net/http alone, with the timeouts regiongraph serve sets. The client
// writes fixed bytes and reads the answer into one buffer, so what
// differs between them is the server. cpu-µs/op is the process's
// CPU (client included) per request.
func BenchmarkLane(b *testing.B) {
	answer := []byte(`{"data":{"__typename":"Query"}}`)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(answer)
	})
	req := []byte("POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 26\r\n\r\n{\"query\":\"{ __typename }\"}")
	for _, c := range []struct {
		name            string
		lane, netConnIO bool
	}{{"Lane", true, false}, {"LaneNetConnIO", true, true}, {"NetHTTP", false, false}} {
		b.Run(c.name, func(b *testing.B) {
			srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			var front interface {
				Serve(net.Listener) error
				Close() error
			} = srv
			if c.lane {
				front = &Server{HTTP: srv, NetConnIO: c.netConnIO}
			}
			go func() { _ = front.Serve(ln) }()
			defer front.Close()
			conn, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close()
			buf := make([]byte, 4096)
			b.ReportAllocs()
			var ru0, ru1 syscall.Rusage
			_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
			for b.Loop() {
				if _, err := conn.Write(req); err != nil {
					b.Fatal(err)
				}
				n := 0
				for !bytes.HasSuffix(buf[:n], answer) {
					m, err := conn.Read(buf[n:])
					if err != nil {
						b.Fatalf("after %q: %v", buf[:n], err)
					}
					n += m
				}
			}
			_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
			cpu := time.Duration(ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano())
			b.ReportMetric(float64(cpu)/float64(time.Microsecond)/float64(b.N), "cpu-µs/op")
		})
	}
}

// BenchmarkParseHead parses a Go client's request head as a connection
// does: the first time (nothing remembered) and again (the connection's
// memo has its target and lines).
func BenchmarkParseHead(b *testing.B) {
	raw := []byte("POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:8099\r\nUser-Agent: Go-http-client/1.1\r\nContent-Length: 28\r\nContent-Type: application/json\r\nAccept-Encoding: gzip\r\n\r\n")
	take := func(string, string) bool { return true }
	for _, c := range []struct {
		name string
		memo *headMemo
	}{{"First", nil}, {"Again", &headMemo{}}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, ok := parseHead(raw, take, c.memo); !ok {
					b.Fatal("not taken")
				}
			}
		})
	}
}
