// Package httplane serves the plain HTTP/1.1 requests of a connection by
// itself and hands every other connection to net/http.
//
// net/http spends more on a small request than the work of answering it:
// a header map built through textproto, a goroutine per request watching
// the connection for the client going away (started, then stopped with a
// read deadline in the past), buffered writers and a chunking writer. On a
// GraphQL endpoint answering in tens of microseconds that is most of the
// CPU. The lane reads a request the way the common client sends it (a
// complete GET or POST head and its body in the bytes read so far, with a
// Content-Length, keep-alive) straight from one buffer, calls the same
// http.Handler, and writes the head and the body in one write.
//
// Anything else is net/http's, for the rest of the connection's life: the
// connection, with the bytes the lane has read and not answered, goes to
// an http.Server, which reads them again from the start. That covers
// requests the lane does not take (other paths, methods and protocol
// versions, chunked bodies, Expect, Upgrade, anything malformed), requests
// that arrive in pieces (a head or a body that is not complete in the
// first read: slow clients meet net/http's own timeouts), requests larger
// than the lane's buffer and TLS connections. parseHead is strict so that
// the lane never reads a request otherwise than net/http would; a fuzz
// test holds it to http.ReadRequest.
//
// What the lane keeps of net/http's behaviour: the handler, the server's
// ReadHeaderTimeout, IdleTimeout and WriteTimeout, keep-alive and
// Connection: close, pipelining, the Date header, content sniffing, a
// request context that ends when the client goes away (watched only once
// a request has run for Watch, so a quick one costs no goroutine),
// graceful Shutdown and Close, and a recovered panic closing only its
// connection. A handler may Flush (the rest of the answer is then
// chunked) and set a write deadline through http.ResponseController.
package httplane

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Server is the lane in front of an http.Server.
type Server struct {
	// HTTP serves every connection the lane hands over; its Handler serves
	// the lane's requests too, and its ReadHeaderTimeout, IdleTimeout
	// (ReadTimeout when zero), WriteTimeout and ErrorLog apply to them.
	HTTP *http.Server
	// Take reports whether a request with this method (GET or POST) and
	// path takes the lane. Nil: every one.
	Take func(method, path string) bool
	// BufferSize is each connection's read buffer: a request larger than
	// it goes to net/http. Default 4 KiB.
	BufferSize int
	// Watch is how long a request runs before the lane watches its
	// connection for the client going away. Default 5 ms.
	Watch time.Duration
	// NetConnIO reads and writes through net.Conn's Read and Write even on
	// Linux, where the lane makes the system calls itself (sysIO): for
	// comparing the two.
	NetConnIO bool

	mu      sync.Mutex
	conns   map[*conn]struct{}
	ln      net.Listener
	handoff *handoff
	closing atomic.Bool
	httpErr chan error

	active   atomic.Int64 // requests the lane is serving
	sweeping atomic.Bool  // the sweeper runs (else it waits on wake)
	wake     chan struct{}
}

// connection states
const (
	stateIdle int32 = iota
	stateActive
	stateClosed
)

// Serve accepts connections on ln until Shutdown or Close; it returns
// http.ErrServerClosed then, as http.Server.Serve does.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.ln != nil {
		s.mu.Unlock()
		return errors.New("httplane: Serve called twice")
	}
	if s.closing.Load() {
		s.mu.Unlock()
		return http.ErrServerClosed
	}
	s.ln = ln
	s.conns = make(map[*conn]struct{})
	s.handoff = &handoff{addr: ln.Addr(), conns: make(chan net.Conn), done: make(chan struct{})}
	s.httpErr = make(chan error, 1)
	s.wake = make(chan struct{}, 1)
	s.mu.Unlock()
	go func() { s.httpErr <- s.HTTP.Serve(s.handoff) }()
	go s.sweep(s.handoff.done)

	var backoff time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if s.closing.Load() {
				return http.ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() { // as net/http: wait, then accept again
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				time.Sleep(backoff)
				continue
			}
			return fmt.Errorf("httplane: accept: %w", err)
		}
		backoff = 0
		tc, ok := c.(*net.TCPConn)
		if !ok {
			s.handoff.give(c) // TLS and the rest: net/http's
			continue
		}
		lc := s.track(tc)
		if lc == nil {
			_ = c.Close()
			continue
		}
		go lc.serve()
	}
}

// Shutdown stops accepting, closes idle connections, lets active ones
// finish their request and waits for them, and shuts the http.Server down
// with ctx; it returns ctx's error if ctx ends first.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closing.Store(true)
	s.mu.Lock()
	ln := s.ln
	s.mu.Unlock()
	if ln == nil {
		return s.HTTP.Shutdown(ctx)
	}
	_ = ln.Close()
	httpDone := make(chan error, 1)
	go func() { httpDone <- s.HTTP.Shutdown(ctx) }()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for s.closeIdle() > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	return <-httpDone
}

// Close closes the listener and every connection at once, the lane's and
// net/http's.
func (s *Server) Close() error {
	s.closing.Store(true)
	s.mu.Lock()
	ln := s.ln
	for c := range s.conns {
		c.state.Store(stateClosed)
		_ = c.c.Close()
	}
	s.mu.Unlock()
	if ln != nil {
		_ = ln.Close()
	}
	return s.HTTP.Close()
}

// closeIdle closes the lane's idle connections and reports how many
// connections the lane still has.
func (s *Server) closeIdle() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		if c.state.CompareAndSwap(stateIdle, stateClosed) {
			_ = c.c.Close()
		}
	}
	return len(s.conns)
}

// wakeSweeper wakes the sweeper if it waits: a request has started.
func (s *Server) wakeSweeper() {
	if !s.sweeping.Load() && s.sweeping.CompareAndSwap(false, true) {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}

// sweep starts the watch of every request that has run for Watch, every
// Watch while the lane serves requests, until done. It waits (no timer at
// all) once no request has run for a second.
func (s *Server) sweep(done <-chan struct{}) {
	watch := s.watchAfter()
	for {
		select {
		case <-s.wake:
		case <-done:
			return
		}
		tick := time.NewTicker(watch)
		quiet := time.Duration(0)
		for quiet < time.Second {
			select {
			case <-tick.C:
			case <-done:
				tick.Stop()
				return
			}
			if s.active.Load() == 0 {
				quiet += watch
				continue
			}
			quiet = 0
			now := time.Now().UnixNano()
			s.mu.Lock()
			for c := range s.conns {
				c.watch.startIfDue(c, now, watch)
			}
			s.mu.Unlock()
		}
		tick.Stop()
		s.sweeping.Store(false)
		// A request that started as the sweeper stopped saw it running
		// and did not wake it: look once more.
		if s.active.Load() > 0 && s.sweeping.CompareAndSwap(false, true) {
			select {
			case s.wake <- struct{}{}:
			default:
			}
		}
	}
}

func (s *Server) track(tc *net.TCPConn) *conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing.Load() {
		return nil
	}
	size := s.BufferSize
	if size <= 0 {
		size = 4 << 10
	}
	c := &conn{s: s, c: tc, io: tc, buf: make([]byte, size), remote: tc.RemoteAddr().String()}
	if sio := newSysIO(tc); sio != nil && !s.NetConnIO {
		c.io = sio
	}
	c.base = context.WithValue(context.WithValue(context.Background(), http.ServerContextKey, s.HTTP), http.LocalAddrContextKey, tc.LocalAddr())
	s.conns[c] = struct{}{}
	return c
}

func (s *Server) untrack(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

func (s *Server) take(method, path string) bool {
	return s.Take == nil || s.Take(method, path)
}

func (s *Server) watchAfter() time.Duration {
	if s.Watch > 0 {
		return s.Watch
	}
	return 5 * time.Millisecond
}

// idleTimeout is how long a kept-alive connection waits for its next
// request, as net/http reckons it.
func (s *Server) idleTimeout() time.Duration {
	if s.HTTP.IdleTimeout != 0 {
		return s.HTTP.IdleTimeout
	}
	return s.HTTP.ReadTimeout
}

// headerTimeout is how long a new connection waits for its first request.
func (s *Server) headerTimeout() time.Duration {
	if s.HTTP.ReadHeaderTimeout > 0 {
		return s.HTTP.ReadHeaderTimeout
	}
	return s.HTTP.ReadTimeout
}

func (s *Server) logf(format string, args ...any) {
	if s.HTTP.ErrorLog != nil {
		s.HTTP.ErrorLog.Printf(format, args...)
	}
}

// handoff is the listener the http.Server accepts handed-over connections
// from.
type handoff struct {
	addr  net.Addr
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func (h *handoff) Accept() (net.Conn, error) {
	select {
	case c := <-h.conns:
		return c, nil
	case <-h.done:
		return nil, net.ErrClosed
	}
}

func (h *handoff) Close() error {
	h.once.Do(func() { close(h.done) })
	return nil
}

func (h *handoff) Addr() net.Addr { return h.addr }

// give hands c to the http.Server, or closes it once that has stopped.
func (h *handoff) give(c net.Conn) {
	select {
	case h.conns <- c:
	case <-h.done:
		_ = c.Close()
	}
}

// replayConn is a handed-over connection: its reads return the bytes the
// lane had read first.
type replayConn struct {
	net.Conn
	pending []byte
}

func (c *replayConn) Read(p []byte) (int, error) {
	if len(c.pending) > 0 {
		n := copy(p, c.pending)
		c.pending = c.pending[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

// CloseWrite is the TCP connection's (net/http half-closes before closing
// a connection it has answered with an error).
func (c *replayConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
