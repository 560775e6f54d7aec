//go:build unix && !linux

package runner

import "os"

// Without /proc a recorded group cannot be told from a stranger that
// reused its id, so Reap leaves it alone.
func startTime(int) (string, error)  { return "", os.ErrNotExist }
func orphanedGroup(int, string) bool { return false }

// membersRunning cannot tell zombies from running processes here; the
// group's existence has to do.
func membersRunning(int) bool { return true }
