//go:build !linux

package neo4jlocal

import (
	"os"
	"os/exec"
)

// reapable does nothing where Pdeathsig and process groups are not
// available: the JVM is stopped by Stop and Kill only.
func reapable(*exec.Cmd) {}

func signalGroup(cmd *exec.Cmd, sig os.Signal) error {
	return cmd.Process.Signal(sig)
}
