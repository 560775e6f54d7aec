//go:build unix

package runner

import (
	"os"
	"os/exec"
	"syscall"
	"time"
)

const (
	sigTerm = syscall.SIGTERM
	sigKill = syscall.SIGKILL
)

// ownGroup puts the process in a new process group whose id is its pid,
// so a stop reaches everything it started (shells, test runners, MCP
// servers it spawned), and asks the kernel to kill it if marcus dies
// first (Linux).
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	dieWithParent(cmd.SysProcAttr)
}

func signalGroup(pgid int, sig syscall.Signal) {
	_ = syscall.Kill(-pgid, sig) // a group that is already gone is fine
}

// groupAlive reports whether any process of the group is still running
// (zombies waiting for their reaper do not count).
func groupAlive(pgid int) bool { return groupExists(pgid) && membersRunning(pgid) }

// groupExists reports whether the group id still names any process,
// zombies included.
func groupExists(pgid int) bool {
	err := syscall.Kill(-pgid, 0)
	return err == nil || err == syscall.EPERM
}

// zombieWait is how long a stop waits for init to reap what it killed:
// an orphan is reaped a moment after it dies, by the system, not by us.
const zombieWait = 2 * time.Second

// waitGroupGone polls until the group is gone or d has passed. A group
// whose members are all dead but not yet reaped by init counts as gone
// after zombieWait, for systems whose init does not reap.
func waitGroupGone(pgid int, d time.Duration) bool {
	deadline, running := time.Now().Add(d), time.Now()
	for groupExists(pgid) {
		now := time.Now()
		if membersRunning(pgid) {
			if running = now; now.After(deadline) {
				return false
			}
		} else if now.Sub(running) > zombieWait {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}

// signalOf names the signal that ended a process, "" when it exited.
func signalOf(st *os.ProcessState) string {
	ws, ok := st.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() {
		return ""
	}
	return ws.Signal().String()
}

// supported reports whether this system can run agents.
func supported() error { return nil }
