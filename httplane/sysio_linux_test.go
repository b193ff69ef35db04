//go:build linux

package httplane

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// sysPair is a loopback TCP connection: the server end read and written
// through sysIO, the client end a plain net.Conn.
func sysPair(t *testing.T) (*sysIO, *net.TCPConn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Close() })
	sc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	tc := sc.(*net.TCPConn)
	t.Cleanup(func() { _ = tc.Close() })
	s := newSysIO(tc)
	if s == nil {
		t.Fatal("newSysIO: nil for a TCP connection")
	}
	return s, tc, client
}

func TestSysIOReadsWhatWasSentThenEOF(t *testing.T) {
	s, _, client := sysPair(t)
	go func() {
		_, _ = client.Write([]byte("hello "))
		time.Sleep(20 * time.Millisecond) // the server's read waits in the poller
		_, _ = client.Write([]byte("world"))
		_ = client.Close()
	}()
	got, err := io.ReadAll(s)
	if err != nil {
		t.Fatalf("ReadAll: %v", err)
	}
	if string(got) != "hello world" {
		t.Fatalf("read %q", got)
	}
	if n, err := s.Read(make([]byte, 8)); n != 0 || err != io.EOF {
		t.Fatalf("after the end: %d, %v; want 0, EOF", n, err)
	}
}

// A write larger than the socket takes at once, and larger than one raw
// write, to a reader that reads slowly: the writer waits in the poller
// between partial writes and every byte arrives in order.
func TestSysIOWritesALargeAnswerToASlowReaderWhole(t *testing.T) {
	s, tc, client := sysPair(t)
	_ = tc.SetWriteBuffer(16 << 10)
	want := make([]byte, 3*maxRawWrite+12345)
	for i := range want {
		want[i] = byte(i * 7)
	}
	got := make(chan []byte, 1)
	go func() {
		var b bytes.Buffer
		buf := make([]byte, 8<<10)
		for b.Len() < len(want) {
			n, err := client.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
			if b.Len() < 256<<10 {
				time.Sleep(time.Millisecond)
			}
		}
		got <- b.Bytes()
	}()
	n, err := s.Write(want)
	if err != nil || n != len(want) {
		t.Fatalf("Write: %d, %v; want %d, nil", n, err, len(want))
	}
	if g := <-got; !bytes.Equal(g, want) {
		t.Fatalf("the reader got %d bytes, not the %d written, or not in order", len(g), len(want))
	}
}

// The connection's deadlines hold for sysIO as for net.Conn.
func TestSysIOKeepsTheDeadlines(t *testing.T) {
	s, tc, _ := sysPair(t)
	_ = tc.SetReadDeadline(time.Now().Add(30 * time.Millisecond))
	if _, err := s.Read(make([]byte, 8)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read past the deadline: %v, want os.ErrDeadlineExceeded", err)
	}
	// The client never reads: the write fills the socket buffers, then
	// waits until the deadline (a second: long enough for the first raw
	// write to come before it on a loaded machine).
	_ = tc.SetWriteDeadline(time.Now().Add(time.Second))
	big := make([]byte, 64<<20)
	n, err := s.Write(big)
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("write past the deadline: %v, want os.ErrDeadlineExceeded", err)
	}
	if n <= 0 || n >= len(big) {
		t.Fatalf("write past the deadline wrote %d of %d; want some but not all", n, len(big))
	}
}

// A write to a connection the client has reset fails with the socket's
// error (and the process carries on: no SIGPIPE kills it).
func TestSysIOWriteToAResetConnectionFails(t *testing.T) {
	s, _, client := sysPair(t)
	_ = client.(*net.TCPConn).SetLinger(0) // close with a reset
	_ = client.Close()
	var err error
	for range 100 { // the reset may take a moment to arrive
		if _, err = s.Write([]byte("answer")); err != nil {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, syscall.EPIPE) {
		t.Fatalf("write after a reset: %v, want ECONNRESET or EPIPE", err)
	}
	if _, err := s.Read(make([]byte, 8)); err == nil {
		t.Fatal("read after a reset: no error")
	}
}

// A read or write on a closed connection fails as net.Conn's does.
func TestSysIOOnAClosedConnectionFails(t *testing.T) {
	s, tc, _ := sysPair(t)
	_ = tc.Close()
	if _, err := s.Read(make([]byte, 8)); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("read after Close: %v, want net.ErrClosed", err)
	}
	if _, err := s.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("write after Close: %v, want net.ErrClosed", err)
	}
}

// The lane uses sysIO on Linux unless told otherwise, and answers the
// same either way.
func TestLaneUsesSysIOUnlessNetConnIO(t *testing.T) {
	for _, netConnIO := range []bool{false, true} {
		ls := &Server{HTTP: &http.Server{Handler: http.HandlerFunc(echo)}, NetConnIO: netConnIO}
		addr := serveLane(t, ls)
		resps := exchange(t, addr, "POST /json HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", "POST")
		if len(resps) != 1 || resps[0].StatusCode != 200 || !laneServed(resps[0]) || !strings.Contains(bodyOf(resps[0]), `"Body":"abc"`) {
			t.Fatalf("NetConnIO=%v: not answered by the lane with the body", netConnIO)
		}
		ls.mu.Lock()
		n, sys := 0, 0
		for c := range ls.conns {
			n++
			if _, ok := c.io.(*sysIO); ok {
				sys++
			}
		}
		ls.mu.Unlock()
		if n == 0 {
			t.Fatalf("NetConnIO=%v: no connection tracked", netConnIO)
		}
		if want := map[bool]int{false: n, true: 0}[netConnIO]; sys != want {
			t.Fatalf("NetConnIO=%v: %d of %d connections on sysIO, want %d", netConnIO, sys, n, want)
		}
	}
}

// A read and a write may run at once, as on a net.Conn: each keeps its
// own state (the race detector, in CI, watches this one).
func TestSysIOReadsAndWritesAtOnce(t *testing.T) {
	s, _, client := sysPair(t)
	up, down := bytes.Repeat([]byte("u"), 1<<20), bytes.Repeat([]byte("d"), 1<<20)
	errs := make(chan error, 4)
	var fromClient, fromServer []byte
	done := make(chan struct{}, 2)
	go func() { _, err := s.Write(down); errs <- err }()
	go func() {
		fromClient = make([]byte, len(up))
		_, err := io.ReadFull(s, fromClient)
		errs <- err
		done <- struct{}{}
	}()
	go func() { _, err := client.Write(up); errs <- err }()
	go func() {
		fromServer = make([]byte, len(down))
		_, err := io.ReadFull(client, fromServer)
		errs <- err
		done <- struct{}{}
	}()
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	<-done
	<-done
	if !bytes.Equal(fromClient, up) || !bytes.Equal(fromServer, down) {
		t.Fatal("a byte lost or changed between a read and a write at once")
	}
}
