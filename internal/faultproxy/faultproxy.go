// Package faultproxy is a TCP proxy for tests that stands between a server
// and its Neo4j and fails on demand: in Refuse mode nothing listens on its
// port, in Hang mode it accepts and never answers (and freezes open
// connections), in Up mode it forwards to the upstream address.
package faultproxy

import (
	"net"
	"sync"
	"testing"
)

// Mode is what the proxy does with connections.
type Mode string

const (
	Refuse Mode = "refuse" // nothing listens on the port
	Hang   Mode = "hang"   // accept, never answer, freeze open connections
	Up     Mode = "up"     // forward to the upstream
)

// Proxy is a fault-injecting TCP proxy on a fixed loopback address.
type Proxy struct {
	// Addr is the proxy's host:port; it stays the same across modes.
	Addr string

	t        testing.TB
	upstream string

	mu    sync.Mutex
	mode  Mode
	ln    net.Listener
	conns []net.Conn
	cond  *sync.Cond
}

// New starts a proxy to upstream ("" for one that only refuses or hangs) in
// mode, and refuses (closing every connection) when t ends.
func New(t testing.TB, upstream string, mode Mode) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{t: t, Addr: ln.Addr().String(), upstream: upstream}
	p.cond = sync.NewCond(&p.mu)
	_ = ln.Close()
	p.Set(mode)
	t.Cleanup(func() { p.Set(Refuse) })
	return p
}

// Set switches the proxy to mode.
func (p *Proxy) Set(mode Mode) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mode = mode
	p.cond.Broadcast()
	if mode == Refuse {
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
		ln, err := net.Listen("tcp", p.Addr)
		if err != nil {
			p.t.Fatalf("faultproxy: listen again on %s: %v", p.Addr, err)
		}
		p.ln = ln
		go p.accept(ln)
	}
}

func (p *Proxy) accept(ln net.Listener) {
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

func (p *Proxy) serve(c net.Conn) {
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

// pipe copies src to dst, pausing while the mode is Hang.
func (p *Proxy) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		p.mu.Lock()
		for p.mode == Hang {
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
