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
	rc    syscall.RawConn
	p     []byte
	n     int
	errno syscall.Errno
	// the method values, made once, not per call
	readFn, writeFn func(fd uintptr) bool
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
	for {
		r, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(unsafe.SliceData(s.p))), uintptr(len(s.p)))
		switch e {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false // the poller waits for more, up to the read deadline
		}
		s.n, s.errno = int(r), e
		return true
	}
}

func (s *sysIO) write1(fd uintptr) bool {
	for s.n < len(s.p) {
		chunk := s.p[s.n:]
		if len(chunk) > maxRawWrite {
			chunk = chunk[:maxRawWrite]
		}
		r, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(unsafe.SliceData(chunk))), uintptr(len(chunk)))
		switch e {
		case 0:
			s.n += int(r)
		case syscall.EINTR:
		case syscall.EAGAIN:
			return false // the poller waits for room, up to the write deadline
		default:
			s.errno = e
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
	s.p, s.n, s.errno = p, 0, 0
	err := s.rc.Read(s.readFn)
	n, errno := s.n, s.errno
	s.p = nil
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
	s.p, s.n, s.errno = p, 0, 0
	err := s.rc.Write(s.writeFn)
	n, errno := s.n, s.errno
	s.p = nil
	if err == nil && errno != 0 {
		err = os.NewSyscallError("write", errno)
	}
	return n, err
}
