package neo4jstore

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/regiongraph/regiongraph"
)

// closedPort returns a local address where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatalf("close listener: %v", err)
	}
	return addr
}

// silentListener accepts connections and never answers.
func silentListener(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		<-done
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return l.Addr().String()
}

func TestOpenUnreachableIsUnavailableWithinConnectTimeout(t *testing.T) {
	const timeout = 2 * time.Second
	cases := []struct{ name, addr string }{
		{"closed port", closedPort(t)},
		{"listener that never answers", silentListener(t)},
	}
	for _, scheme := range []string{"neo4j", "bolt"} {
		for _, c := range cases {
			t.Run(scheme+"/"+c.name, func(t *testing.T) {
				start := time.Now()
				s, err := Open(context.Background(), Config{
					URI: scheme + "://" + c.addr, User: "neo4j", Password: "secret-password",
					ConnectTimeout: timeout, QueryTimeout: time.Second,
				})
				elapsed := time.Since(start)
				if err == nil {
					_ = s.Close()
					t.Fatalf("Open succeeded against %s", c.addr)
				}
				if code := regiongraph.ErrorCode(err); code != regiongraph.EUNAVAILABLE {
					t.Errorf("code = %s, want UNAVAILABLE (err: %v)", code, err)
				}
				if msg := regiongraph.ErrorMessage(err); !strings.Contains(msg, c.addr) {
					t.Errorf("message %q does not name the address %s", msg, c.addr)
				}
				if strings.Contains(err.Error(), "secret-password") {
					t.Errorf("error reveals the password: %v", err)
				}
				// A listener that never answers would hold Open for ever:
				// that it returned is the connect timeout at work. The
				// time is logged, not asserted (the machine may be loaded).
				t.Logf("%v after %v (connect timeout %v)", err, elapsed.Round(time.Millisecond), timeout)
			})
		}
	}
}

func TestOpenHonoursContextDeadline(t *testing.T) {
	addr := silentListener(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	// The connect timeout is an hour, so only the context's deadline can
	// end Open against a listener that never answers; two minutes only
	// catches Open not returning at all.
	done := make(chan error, 1)
	go func() {
		_, err := Open(ctx, Config{URI: "neo4j://" + addr, ConnectTimeout: time.Hour})
		done <- err
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(2 * time.Minute):
		t.Fatal("Open ignored its context's 300ms deadline (still waiting after 2 minutes)")
	}
	if regiongraph.ErrorCode(err) != regiongraph.EUNAVAILABLE {
		t.Fatalf("err = %v, want UNAVAILABLE", err)
	}
	t.Logf("%v after %v (context deadline 300ms)", err, time.Since(start).Round(time.Millisecond))
}

func TestOpenRejectsMalformedURI(t *testing.T) {
	_, err := Open(context.Background(), Config{URI: "http://localhost:7474", ConnectTimeout: time.Second})
	if err == nil {
		t.Fatal("Open accepted an http:// URI")
	}
	if !strings.Contains(err.Error(), "URI") {
		t.Errorf("error %v does not say the URI is the problem", err)
	}
}

// TestReadyIsOneAttempt: Ready against a Neo4j that refuses connections
// answers UNAVAILABLE at once, with its context still running: it makes one
// attempt and does not retry until the context ends (a readiness probe that
// kept retrying with growing pauses could sleep through the moment the
// database came back).
func TestReadyIsOneAttempt(t *testing.T) {
	st, err := loadedStatements()
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{URI: "neo4j://" + closedPort(t)}.withDefaults()
	driver, err := neo4j.NewDriverWithContext(cfg.URI, neo4j.NoAuth())
	if err != nil {
		t.Fatal(err)
	}
	s := &Store{driver: driver, cfg: cfg, st: st}
	defer s.closeQuietly()
	// Within 20s the driver's managed transactions (30s of retries by
	// default) would still be retrying; a refused connection takes
	// microseconds.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	err = s.Ready(ctx)
	if regiongraph.ErrorCode(err) != regiongraph.EUNAVAILABLE {
		t.Fatalf("Ready against a closed port: %v, want UNAVAILABLE", err)
	}
	if ctx.Err() != nil {
		t.Fatalf("Ready returned only when its context ended (%v): it retried instead of answering", err)
	}
	t.Logf("Ready against a closed port: %v after %v", err, time.Since(start))
}

// TestReadRetriesUntilItsDeadline: a one-statement read (Store.read, an
// auto-commit transaction, which the driver does not retry) retries a
// refused connection until its deadline, as the driver's managed
// transactions do, and then answers UNAVAILABLE.
func TestReadRetriesUntilItsDeadline(t *testing.T) {
	st, err := loadedStatements()
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{URI: "neo4j://" + closedPort(t), QueryTimeout: time.Minute}.withDefaults()
	driver, err := neo4j.NewDriverWithContext(cfg.URI, neo4j.NoAuth())
	if err != nil {
		t.Fatal(err)
	}
	s := &Store{driver: driver, cfg: cfg, st: st}
	defer s.closeQuietly()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err = s.Nodes(ctx, []string{"a"})
	if regiongraph.ErrorCode(err) != regiongraph.EUNAVAILABLE {
		t.Fatalf("Nodes against a closed port: %v, want UNAVAILABLE", err)
	}
	if ctx.Err() == nil {
		t.Fatalf("Nodes answered before its deadline (%v): it did not retry", err)
	}
	t.Logf("Nodes against a closed port, after retrying until the deadline: %v", err)
}
