//go:build linux

package neo4jlocal

import (
	"os"
	"os/exec"
	"syscall"
)

// reapable makes the JVM die with the thread that started it (Pdeathsig;
// Start keeps that thread for the JVM's lifetime) and puts it in its own
// process group, so that signalling the group reaches everything it started.
func reapable(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

func signalGroup(cmd *exec.Cmd, sig os.Signal) error {
	return syscall.Kill(-cmd.Process.Pid, sig.(syscall.Signal))
}
