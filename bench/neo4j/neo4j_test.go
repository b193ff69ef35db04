package main

import (
	"encoding/binary"
	"io"
	"maps"
	"net"
	"testing"
	"time"
)

// message returns a Bolt message with signature sig and a payload of n
// bytes, split into chunks of at most chunk bytes, ended by a 0-size chunk.
func message(sig byte, n, chunk int) []byte {
	body := append([]byte{0xB1, sig}, make([]byte, n)...)
	var out []byte
	for len(body) > 0 {
		k := min(chunk, len(body))
		out = binary.BigEndian.AppendUint16(out, uint16(k))
		out = append(out, body[:k]...)
		body = body[k:]
	}
	return append(out, 0, 0)
}

func handshake() []byte {
	return []byte{0x60, 0x60, 0xB0, 0x17, 0, 0, 1, 0xFF, 0, 8, 8, 5, 0, 2, 4, 4, 0, 0, 0, 3}
}

func TestBoltParserReadsMessagesSplitAnywhere(t *testing.T) {
	stream := handshake()
	stream = append(stream, message(0x01, 100, 30)...) // HELLO in 4 chunks
	stream = append(stream, 0, 0)                      // a NOOP between messages
	stream = append(stream, message(0x11, 3, 1000)...)
	stream = append(stream, message(0x10, 40, 7)...)
	stream = append(stream, message(0x3F, 2, 1000)...)
	stream = append(stream, message(0x12, 0, 1000)...)
	stream = append(stream, message(0x77, 0, 1000)...) // unknown signature
	want := []string{"HELLO", "BEGIN", "RUN", "PULL", "COMMIT", "0x77"}
	for _, step := range []int{1, 2, 3, 7, 64, len(stream)} {
		var p boltParser
		var got []string
		for b := stream; len(b) > 0; {
			k := min(step, len(b))
			got = append(got, p.feed(b[:k])...)
			b = b[k:]
		}
		if p.err != nil || !equal(got, want) {
			t.Errorf("fed %d bytes at a time: got %v (err %v), want %v", step, got, p.err, want)
		}
	}
}

func TestBoltParserSkipsTheManifestPick(t *testing.T) {
	var p boltParser
	p.manifest.Store(true)
	got := p.feed(handshake())
	// The pick: version 5.8, then capabilities as a 2-byte varint.
	got = append(got, p.feed([]byte{0, 0, 8, 5, 0x81, 0x01})...)
	got = append(got, p.feed(message(0x01, 10, 1000))...)
	if p.err != nil || !equal(got, []string{"HELLO"}) {
		t.Fatalf("got %v (err %v), want [HELLO]", got, p.err)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// fakeBolt accepts one connection, answers the handshake with answer and
// every complete client message with one 4-byte SUCCESS.
func fakeBolt(t *testing.T, answer []byte) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		hs := make([]byte, 20)
		if _, err := io.ReadFull(c, hs); err != nil {
			return
		}
		if _, err := c.Write(answer); err != nil {
			return
		}
		var p boltParser
		p.handshake = 20
		p.manifest.Store(binary.BigEndian.Uint32(answer) == manifestV1)
		buf := make([]byte, 4096)
		for {
			n, err := c.Read(buf)
			for range p.feed(buf[:n]) {
				if _, err := c.Write([]byte{0, 2, 0xB1, 0x70, 0, 0}); err != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	return ln.Addr().String()
}

func TestBoltProxyCountsRoundTripsAndMessages(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer []byte
		pick   []byte
	}{
		{"version", []byte{0, 0, 4, 5}, nil},
		{"manifest", []byte{0, 0, 1, 0xFF, 1, 0, 0, 8, 5, 0}, []byte{0, 0, 8, 5, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := startBoltProxy(fakeBolt(t, tc.answer), 20*time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			c, err := net.Dial("tcp", p.Addr())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(10 * time.Second))
			// send writes each part (no waiting in between), then reads
			// `answers` answers of 6 bytes.
			send := func(answers int, parts ...[]byte) {
				t.Helper()
				for _, b := range parts {
					if _, err := c.Write(b); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := io.ReadFull(c, make([]byte, 6*answers)); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := c.Write(handshake()); err != nil {
				t.Fatal(err)
			}
			if _, err := io.ReadFull(c, make([]byte, len(tc.answer))); err != nil {
				t.Fatal(err)
			}
			hello := message(0x01, 20, 1000)
			if tc.pick != nil {
				send(1, tc.pick, hello) // the pick and HELLO: one flight
			} else {
				send(1, hello)
			}
			send(1, message(0x11, 5, 1000))                                     // BEGIN, waited for
			send(2, append(message(0x10, 30, 1000), message(0x3F, 2, 1000)...)) // RUN+PULL pipelined
			send(2, message(0x10, 30, 1000), message(0x3F, 2, 1000))            // RUN, PULL pipelined in two writes
			send(1, message(0x12, 0, 1000))                                     // COMMIT
			// Each answer is written after the counters moved.
			st := p.Snapshot()
			wantMsgs := map[string]int{"HELLO": 1, "BEGIN": 1, "RUN": 2, "PULL": 2, "COMMIT": 1}
			if st.Conns != 1 || st.RoundTrips != 6 || !maps.Equal(st.Messages, wantMsgs) {
				t.Fatalf("got %d connections, %d round trips, messages %v; want 1, 6 (handshake, HELLO, BEGIN, RUN+PULL, RUN+PULL, COMMIT), %v",
					st.Conns, st.RoundTrips, st.Messages, wantMsgs)
			}
		})
	}
}

func TestLeavesCompareFactsNotShapes(t *testing.T) {
	ours := []byte(`{"search":{"totalCount":2,"nodes":[{"kind":"FOCUS_AREA","name":"A","parent":null,"cost":1500000},{"kind":"TOPIC","name":"B","parent":{"name":"P"},"cost":null}]}}`)
	theirs := []byte(`{"nodes":[{"kind":"Topic","name":"B","parent":[{"name":"P"}],"cost":null},{"kind":"FocusArea","name":"A","parent":[],"cost":1.5e6}],"totalCount":2}`)
	la, err := leaves(ours, false)
	if err != nil {
		t.Fatal(err)
	}
	lb, err := leaves(theirs, true)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(la, lb) {
		t.Fatalf("the same facts compare unequal:\n%v\n%v", la, lb)
	}
	want := map[string]int{`totalCount = 2`: 1, `kind = "FOCUS_AREA"`: 1, `kind = "TOPIC"`: 1, `name = "A"`: 1, `name = "B"`: 1, `parent.name = "P"`: 1, `cost = 1500000`: 1}
	if !maps.Equal(la, want) {
		t.Fatalf("leaves %v, want %v", la, want)
	}
	changed := []byte(`{"nodes":[{"kind":"Topic","name":"B","parent":[{"name":"Q"}]},{"kind":"FocusArea","name":"A","cost":1500000}],"totalCount":2}`)
	lc, err := leaves(changed, true)
	if err != nil {
		t.Fatal(err)
	}
	if maps.Equal(la, lc) {
		t.Fatal("a changed parent's name compares equal")
	}
}
