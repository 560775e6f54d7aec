//go:build linux

package runner

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// procStat returns the fields of /proc/PID/stat after the command name
// (which may hold spaces): field 3 (state) is at index 0.
func procStat(pid string) ([]string, error) {
	b, err := os.ReadFile(filepath.Join("/proc", pid, "stat"))
	if err != nil {
		return nil, err
	}
	s := string(b)
	return strings.Fields(s[strings.LastIndexByte(s, ')')+1:]), nil
}

// startTime is a process's start time in clock ticks since boot, which
// tells it from a later process that reused its pid.
func startTime(pid int) (string, error) {
	f, err := procStat(strconv.Itoa(pid))
	if err != nil || len(f) < 20 {
		return "", os.ErrNotExist
	}
	return f[19], nil
}

// orphanedGroup reports whether group pgid has members, all started no
// earlier than its recorded leader.
func orphanedGroup(pgid int, leaderStart string) bool {
	start, err := strconv.ParseUint(leaderStart, 10, 64)
	if err != nil {
		return false
	}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	members := 0
	for _, d := range dirs {
		f, err := procStat(filepath.Base(d))
		if err != nil || len(f) < 20 || f[2] != strconv.Itoa(pgid) {
			continue
		}
		if t, err := strconv.ParseUint(f[19], 10, 64); err != nil || t < start {
			return false
		}
		members++
	}
	return members > 0
}

// membersRunning reports whether a process of group pgid is running, not
// merely a zombie.
func membersRunning(pgid int) bool {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	id := strconv.Itoa(pgid)
	for _, d := range dirs {
		if f, err := procStat(filepath.Base(d)); err == nil && len(f) > 2 && f[2] == id && f[0] != "Z" && f[0] != "X" {
			return true
		}
	}
	return false
}
