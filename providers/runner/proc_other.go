//go:build !unix

package runner

import (
	"os"
	"os/exec"
	"time"

	"marcus/core"
)

// Agents need Unix process groups, so that a stop reaches everything an
// agent started; elsewhere Start refuses.

type signal int

const (
	sigTerm signal = 15
	sigKill signal = 9
)

func ownGroup(*exec.Cmd)                    {}
func signalGroup(int, signal)               {}
func groupAlive(int) bool                   { return false }
func waitGroupGone(int, time.Duration) bool { return true }
func signalOf(*os.ProcessState) string      { return "" }

func supported() error {
	return core.Errorf(core.ErrInvalid, "marcus runs agent processes only on Linux and macOS (it needs process groups); use WSL on Windows")
}
