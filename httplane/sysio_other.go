//go:build !linux

package httplane

import "net"

// newSysIO: raw socket calls are for Linux; elsewhere the lane reads and
// writes through net.Conn.
func newSysIO(*net.TCPConn) *sysIO { return nil }

type sysIO struct{ net.Conn }
