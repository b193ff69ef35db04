package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// boltProxy forwards TCP connections from 127.0.0.1 to a Bolt server and
// counts, over all connections, what the clients (the drivers) do:
//
//   - round trips: flights of client bytes, a flight being what the client
//     sends before the server next answers. A driver that sends BEGIN,
//     waits for its SUCCESS, then sends RUN+PULL and waits for the records
//     makes two round trips; one that pipelines BEGIN+RUN+PULL makes one.
//     A client that writes twice without waiting longer than hold between
//     the writes is counted once; one that waits longer without having had
//     an answer too (it does not, when it pipelines) would be counted twice.
//   - the Bolt messages the clients send (BEGIN, RUN, PULL, COMMIT, ...),
//     read from the chunked stream after the handshake.
//
// The proxy holds every server answer for hold before forwarding it, so
// that what a client writes without waiting (a pipelined batch, even in
// several writes) lands in one flight: a flight then starts only when the
// client wrote after it had an answer, which is what a round trip is. It
// is for counting only: timed runs connect to Neo4j directly.
type boltProxy struct {
	ln     net.Listener
	target string
	hold   time.Duration

	mu    sync.Mutex
	stats boltStats
	wg    sync.WaitGroup
	conns map[net.Conn]bool
}

// boltStats are counters over all connections.
type boltStats struct {
	Conns      int            // connections opened
	RoundTrips int            // client flights
	Messages   map[string]int // client messages by name
	BytesUp    int64          // client to server
	BytesDown  int64          // server to client
}

func (s boltStats) clone() boltStats {
	m := make(map[string]int, len(s.Messages))
	for k, v := range s.Messages {
		m[k] = v
	}
	s.Messages = m
	return s
}

// sub is s minus an earlier snapshot.
func (s boltStats) sub(t boltStats) boltStats {
	d := boltStats{Conns: s.Conns - t.Conns, RoundTrips: s.RoundTrips - t.RoundTrips,
		BytesUp: s.BytesUp - t.BytesUp, BytesDown: s.BytesDown - t.BytesDown, Messages: map[string]int{}}
	for k, v := range s.Messages {
		if v != t.Messages[k] {
			d.Messages[k] = v - t.Messages[k]
		}
	}
	return d
}

// boltMessages names the request messages of Bolt 5 by signature.
var boltMessages = map[byte]string{
	0x01: "HELLO", 0x02: "GOODBYE", 0x0F: "RESET", 0x10: "RUN", 0x11: "BEGIN", 0x12: "COMMIT",
	0x13: "ROLLBACK", 0x2F: "DISCARD", 0x3F: "PULL", 0x54: "TELEMETRY", 0x66: "ROUTE", 0x6A: "LOGON", 0x6B: "LOGOFF",
}

func startBoltProxy(target string, hold time.Duration) (*boltProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &boltProxy{ln: ln, target: target, hold: hold, stats: boltStats{Messages: map[string]int{}}, conns: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is host:port to give the driver (with the bolt:// scheme: neo4j://
// would route to the server's own address, around the proxy).
func (p *boltProxy) Addr() string { return p.ln.Addr().String() }

// Snapshot returns the counters so far.
func (p *boltProxy) Snapshot() boltStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats.clone()
}

// Close stops accepting, closes every connection and waits.
func (p *boltProxy) Close() {
	_ = p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *boltProxy) track(c net.Conn, on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if on {
		p.conns[c] = true
	} else {
		delete(p.conns, c)
	}
}

func (p *boltProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = c.Close()
			continue
		}
		p.mu.Lock()
		p.stats.Conns++
		p.mu.Unlock()
		p.track(c, true)
		p.track(s, true)
		p.wg.Add(1)
		go p.serve(c, s)
	}
}

// serve copies both ways. serverSpoke is set before server bytes are
// written to the client, so a client that waited for them is seen to have
// waited when its next bytes arrive.
func (p *boltProxy) serve(c, s net.Conn) {
	defer p.wg.Done()
	var (
		mu          sync.Mutex
		serverSpoke = true // the first client bytes start a flight
		done        = make(chan struct{})
		parse       boltParser
	)
	go func() {
		defer close(done)
		buf := make([]byte, 64<<10)
		var first []byte // the server's handshake answer
		for {
			n, err := s.Read(buf)
			if n > 0 {
				if p.hold > 0 {
					time.Sleep(p.hold)
				}
				if len(first) < 4 {
					first = append(first, buf[:min(n, 4-len(first))]...)
					if len(first) == 4 && binary.BigEndian.Uint32(first) == manifestV1 {
						parse.manifest.Store(true)
					}
				}
				mu.Lock()
				serverSpoke = true
				mu.Unlock()
				p.mu.Lock()
				p.stats.BytesDown += int64(n)
				p.mu.Unlock()
				if _, werr := c.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	buf := make([]byte, 64<<10)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			mu.Lock()
			flight := serverSpoke
			serverSpoke = false
			mu.Unlock()
			msgs := parse.feed(buf[:n])
			p.mu.Lock()
			p.stats.BytesUp += int64(n)
			if flight {
				p.stats.RoundTrips++
			}
			for _, m := range msgs {
				p.stats.Messages[m]++
			}
			p.mu.Unlock()
			if _, werr := s.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	_ = s.Close()
	_ = c.Close()
	<-done
	p.track(c, false)
	p.track(s, false)
}

// manifestV1 is the server's handshake answer choosing the manifest
// handshake (Bolt 5.7+): the client then sends the version it picked (4
// bytes) and its capabilities (a varint) before its first message.
const manifestV1 = 0x000001FF

// boltParser reads the client side of a Bolt connection: the 20-byte
// handshake (and, when the server chose the manifest handshake, the
// client's pick), then chunked messages (a 2-byte size, the bytes, a
// 0-size chunk ending the message). A message starts with a PackStream
// struct marker and its signature byte.
type boltParser struct {
	manifest  atomic.Bool // set by the server side before the client's pick can arrive
	handshake int         // bytes of the handshake seen
	picked    int         // bytes of the manifest pick seen (version, then varint)
	pickDone  bool
	hdr       []byte // partial chunk header
	left      int    // bytes left in the current chunk
	msg       []byte // first two bytes of the current message
	inMsg     bool
	err       error
}

// feed parses b and returns the names of the messages it completed.
func (p *boltParser) feed(b []byte) []string {
	var out []string
	for len(b) > 0 && p.err == nil {
		if p.handshake < 20 {
			k := min(20-p.handshake, len(b))
			p.handshake += k
			b = b[k:]
			continue
		}
		if p.manifest.Load() && !p.pickDone {
			c := b[0]
			b = b[1:]
			p.picked++
			if p.picked > 4 && c&0x80 == 0 { // the varint's last byte
				p.pickDone = true
			}
			continue
		}
		if p.left > 0 {
			k := min(p.left, len(b))
			if len(p.msg) < 2 {
				p.msg = append(p.msg, b[:min(k, 2-len(p.msg))]...)
			}
			p.left -= k
			b = b[k:]
			continue
		}
		p.hdr = append(p.hdr, b[0])
		b = b[1:]
		if len(p.hdr) < 2 {
			continue
		}
		size := int(binary.BigEndian.Uint16(p.hdr))
		p.hdr = p.hdr[:0]
		if size > 0 {
			p.left = size
			p.inMsg = true
			continue
		}
		if !p.inMsg {
			continue // a NOOP chunk between messages
		}
		name := "?"
		if len(p.msg) == 2 && p.msg[0]&0xF0 == 0xB0 {
			if n, ok := boltMessages[p.msg[1]]; ok {
				name = n
			} else {
				name = fmt.Sprintf("0x%02X", p.msg[1])
			}
		} else {
			p.err = errors.New("bolt: a message that is not a struct")
		}
		out = append(out, name)
		p.msg = p.msg[:0]
		p.inMsg = false
	}
	return out
}
