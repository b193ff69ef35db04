//go:build linux

package httplane

import (
	"io"
	"net"
	"os"
	"syscall"
	"unsafe"
)

// sysIO reads and writes a connection's socket with raw system calls
// through its syscall.RawConn: the same non-blocking socket, the same
// network poller when it would block and the same deadlines as net.Conn's
// Read and Write, without telling the scheduler that a system call is
// under way.
//
// Why: a read or write on a non-blocking socket does not block, yet
// net.Conn's goes through the runtime's entersyscall and exitsyscall, and
// entersyscall wakes the runtime's monitor thread (sysmon) when it sleeps,
// which it does whenever every P is idle: between any two requests at one
// client. Woken, it polls every 20 µs while the request runs and then
// sleeps again: three to four context switches per request, more than the
// request's own. perf on the real binary at one client: 5.5 context
// switches per request, a third of its CPU in finish_task_switch.
//
// The cost of the raw call is that the P is held for its length; a write
// is bounded to maxRawWrite bytes per call, so that is microseconds.
type sysIO struct {
	rc syscall.RawConn
	// A read and a write may run at once (the lane does not, but a
	// net.Conn allows it): each has its own state.
	r, w sysCall
	// the method values, made once, not per call
	readFn, writeFn func(fd uintptr) bool
}

// sysCall is one read's or write's buffer and outcome.
type sysCall struct {
	p     []byte
	n     int
	errno syscall.Errno
}

// maxRawWrite bounds one raw write(2): what the kernel copies into the
// socket while holding the P.
const maxRawWrite = 256 << 10

func newSysIO(tc *net.TCPConn) *sysIO {
	rc, err := tc.SyscallConn()
	if err != nil {
		return nil
	}
	s := &sysIO{rc: rc}
	s.readFn, s.writeFn = s.read1, s.write1
	return s
}

func (s *sysIO) read1(fd uintptr) bool {
	c := &s.r
	for {
		r, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(unsafe.SliceData(c.p))), uintptr(len(c.p)))
		switch e {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false // the poller waits for more, up to the read deadline
		}
		c.n, c.errno = int(r), e
		return true
	}
}

func (s *sysIO) write1(fd uintptr) bool {
	c := &s.w
	for c.n < len(c.p) {
		chunk := c.p[c.n:]
		if len(chunk) > maxRawWrite {
			chunk = chunk[:maxRawWrite]
		}
		r, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(unsafe.SliceData(chunk))), uintptr(len(chunk)))
		switch e {
		case 0:
			c.n += int(r)
		case syscall.EINTR:
		case syscall.EAGAIN:
			return false // the poller waits for room, up to the write deadline
		default:
			c.errno = e
			return true
		}
	}
	return true
}

// Read reads into p as net.Conn's Read does.
func (s *sysIO) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	s.r = sysCall{p: p}
	err := s.rc.Read(s.readFn)
	n, errno := s.r.n, s.r.errno
	s.r.p = nil
	switch {
	case err != nil:
		return 0, err
	case errno != 0:
		return 0, os.NewSyscallError("read", errno)
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

// Write writes all of p as net.Conn's Write does.
func (s *sysIO) Write(p []byte) (int, error) {
	s.w = sysCall{p: p}
	err := s.rc.Write(s.writeFn)
	n, errno := s.w.n, s.w.errno
	s.w.p = nil
	if err == nil && errno != 0 {
		err = os.NewSyscallError("write", errno)
	}
	return n, err
}
