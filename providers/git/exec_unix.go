//go:build unix

package git

import (
	"os/exec"
	"syscall"
)

// ownGroup starts cmd in a process group of its own and, when its context
// ends, kills the whole group: a validation command's test runner or a
// git helper must not outlive it.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
