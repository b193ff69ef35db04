package e2e

import (
	"context"
	"os/exec"
	"testing"
	"time"
)

// reaped is exec.CommandContext with the child in a process group of its
// own: when ctx ends the whole group is killed (node and the browser or
// anything else it started), and on Linux the kernel kills the child if the
// test binary dies first (go test's -timeout exits without cleanups).
func reaped(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = procAttr()
	cmd.Cancel = func() error { return killGroup(cmd.Process.Pid) }
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// testContext ends a minute before the test's deadline, so a child that
// hangs is killed, and the test fails saying so, before go test's timeout
// kills the test binary.
func testContext(t *testing.T) (context.Context, context.CancelFunc) {
	if d, ok := t.Deadline(); ok {
		return context.WithDeadline(t.Context(), d.Add(-time.Minute))
	}
	return context.WithCancel(t.Context())
}
