package httplane

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// conn is one connection the lane serves.
type conn struct {
	s      *Server
	c      *net.TCPConn
	io     io.ReadWriter // c, or its sysIO on Linux
	base   context.Context
	remote string
	buf    []byte // buf[r:w] is read and not yet answered
	r, w   int
	state  atomic.Int32
	watch  watcher

	readDeadline, writeDeadline time.Time // as last set
	resp                        response
	body                        bodyReader
	memo                        headMemo // of the heads read so far
}

// serve answers the connection's requests until it closes, or hands it to
// net/http.
func (c *conn) serve() {
	defer c.s.untrack(c)
	wait, first := c.s.headerTimeout(), true
	for {
		if c.r == c.w {
			c.r, c.w = 0, 0
			if !c.read(wait, first) {
				c.close()
				return
			}
		}
		if !c.state.CompareAndSwap(stateIdle, stateActive) {
			c.close() // Shutdown or Close got there first
			return
		}
		h, complete, ok := parseHead(c.buf[c.r:c.w], c.s.take, &c.memo)
		end := c.r + h.size + int(h.contentLength)
		if !complete || !ok || h.contentLength > int64(len(c.buf)) || end > c.w {
			c.handOver()
			return
		}
		keep := c.serveRequest(&h, c.buf[c.r+h.size:end])
		c.r = end
		if !keep || !c.state.CompareAndSwap(stateActive, stateIdle) {
			c.close()
			return
		}
		if c.r > 0 && c.r < c.w { // a pipelined request: to the front
			c.w = copy(c.buf, c.buf[c.r:c.w])
			c.r = 0
		}
		wait, first = c.s.idleTimeout(), false
	}
}

// read waits up to wait for the next bytes (any number of them). The
// idle wait between requests is coarse, as the write deadline is: between
// half of it and all of it.
func (c *conn) read(wait time.Duration, first bool) bool {
	switch {
	case wait > 0:
		now := time.Now()
		if first || c.readDeadline.Sub(now) < wait/2 {
			c.readDeadline = now.Add(wait)
			_ = c.c.SetReadDeadline(c.readDeadline)
		}
	case !c.readDeadline.IsZero(): // no idle timeout: wait as long as it takes
		c.readDeadline = time.Time{}
		_ = c.c.SetReadDeadline(c.readDeadline)
	}
	n, err := c.io.Read(c.buf[c.w:])
	c.w += n
	return n > 0 || err == nil
}

func (c *conn) close() {
	c.state.Store(stateClosed)
	_ = c.c.Close()
}

// handOver gives the connection, with what the lane has read of it, to
// the http.Server.
func (c *conn) handOver() {
	_ = c.c.SetReadDeadline(time.Time{})
	c.s.untrack(c) // net/http's to shut down from now
	c.s.handoff.give(&replayConn{Conn: c.c, pending: append([]byte(nil), c.buf[c.r:c.w]...)})
}

// serveRequest answers one request and reports whether the connection
// stays open.
func (c *conn) serveRequest(h *head, body []byte) (keep bool) {
	ctx, cancel := context.WithCancelCause(c.base)
	defer cancel(context.Canceled)
	req := (&http.Request{
		Method:        h.method,
		URL:           h.url,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h.header,
		ContentLength: h.contentLength,
		Close:         h.close,
		Host:          h.host,
		RemoteAddr:    c.remote,
		RequestURI:    h.uri,
		Body:          http.NoBody,
	}).WithContext(ctx)
	if len(body) > 0 {
		c.body = bodyReader{b: body}
		req.Body = &c.body
	}
	now := time.Now()
	if d := c.s.HTTP.WriteTimeout; d > 0 && c.writeDeadline.Sub(now) < d/2 {
		// Coarse: a write deadline between WriteTimeout/2 and WriteTimeout
		// away, renewed when half of it is gone (setting it costs more
		// than a small answer).
		c.writeDeadline = now.Add(d)
		_ = c.c.SetWriteDeadline(c.writeDeadline)
	}
	w := &c.resp
	// The header map is the connection's, emptied for each request (a
	// handler does not use its ResponseWriter once it has returned).
	hdr := w.header
	if hdr == nil || len(hdr) > 32 {
		hdr = make(http.Header, 8)
	} else {
		clear(hdr)
	}
	*w = response{c: c, req: req, header: hdr, out: w.out[:0], body: w.body[:0]}

	c.watch.arm(c, cancel, now)
	panicked := c.call(w, req)
	gone, extra := c.watch.stop(c)
	if extra >= 0 { // the watch read the start of the next request
		if c.w == len(c.buf) {
			c.buf = append(c.buf, 0)
		}
		c.buf[c.w] = byte(extra)
		c.w++
	}
	if panicked || gone {
		return false
	}
	if err := w.finish(); err != nil {
		return false
	}
	return !w.closeAfter
}

// call runs the handler; a panic is logged and closes the connection, as
// in net/http.
func (c *conn) call(w *response, req *http.Request) (panicked bool) {
	defer func() {
		if v := recover(); v != nil {
			panicked = true
			if v != http.ErrAbortHandler {
				buf := make([]byte, 64<<10)
				buf = buf[:runtime.Stack(buf, false)]
				c.s.logf("httplane: panic serving %s: %v\n%s", c.remote, v, buf)
			}
		}
	}()
	c.s.HTTP.Handler.ServeHTTP(w, req)
	return false
}

// bodyReader is a request body the lane has read whole.
type bodyReader struct {
	b      []byte
	closed bool
}

func (b *bodyReader) Read(p []byte) (int, error) {
	if b.closed {
		return 0, http.ErrBodyReadAfterClose
	}
	if len(b.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, b.b)
	b.b = b.b[n:]
	return n, nil
}

func (b *bodyReader) Close() error {
	b.closed = true
	return nil
}

// errClientGone ends a request's context when its client closes the
// connection.
var errClientGone = errors.New("httplane: the client closed the connection")

// watcher reads the connection while a request runs longer than the
// server's Watch, as net/http does for every request: a read that fails
// means the client is gone and ends the request's context; a byte read is
// the start of a pipelined request, kept for later. The server's sweeper
// starts it (no timer per request: a timer shorter than every other wakes
// the runtime's network poller, which on an otherwise idle server costs
// more than the request).
type watcher struct {
	mu      sync.Mutex
	state   int   // watchOff, watchArmed, watchReading
	started int64 // when the request started, in Unix nanoseconds
	cancel  context.CancelCauseFunc
	done    chan struct{}
	abort   bool
	one     [1]byte
	got     int  // bytes read: 0 or 1
	failed  bool // the read failed other than by the abort
}

const (
	watchOff = iota
	watchArmed
	watchReading
)

func (wt *watcher) arm(c *conn, cancel context.CancelCauseFunc, now time.Time) {
	wt.mu.Lock()
	wt.state, wt.started, wt.cancel, wt.abort, wt.got, wt.failed = watchArmed, now.UnixNano(), cancel, false, 0, false
	wt.mu.Unlock()
	c.s.active.Add(1)
	c.s.wakeSweeper()
}

// startIfDue starts the watch if the request has run for at least watch.
func (wt *watcher) startIfDue(c *conn, now int64, watch time.Duration) {
	wt.mu.Lock()
	defer wt.mu.Unlock()
	if wt.state != watchArmed || now-wt.started < int64(watch) {
		return
	}
	wt.state, wt.done = watchReading, make(chan struct{})
	_ = c.c.SetReadDeadline(time.Time{})
	c.readDeadline = time.Time{}
	go func() {
		defer close(wt.done)
		n, err := c.c.Read(wt.one[:])
		wt.mu.Lock()
		defer wt.mu.Unlock()
		wt.got = n
		if n == 0 && err != nil && !wt.abort {
			wt.failed = true
			wt.cancel(errClientGone)
		}
	}()
}

// stop ends the watch: it reports whether the client has gone, and the
// byte read of the next request, or -1.
func (wt *watcher) stop(c *conn) (gone bool, extra int) {
	c.s.active.Add(-1)
	wt.mu.Lock()
	if wt.state != watchReading {
		wt.state = watchOff
		wt.mu.Unlock()
		return false, -1
	}
	wt.abort = true
	done := wt.done
	wt.mu.Unlock()
	_ = c.c.SetReadDeadline(time.Unix(1, 0)) // wakes the read
	<-done
	_ = c.c.SetReadDeadline(time.Time{})
	c.readDeadline = time.Time{}
	wt.mu.Lock()
	defer wt.mu.Unlock()
	wt.state = watchOff
	if wt.got == 1 {
		return wt.failed, int(wt.one[0])
	}
	return wt.failed, -1
}
