package runner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"marcus/core"
)

// recordPID writes "PGID STARTTIME" for Reap. Without a start time (not
// Linux) the record is written but Reap will not trust it.
func recordPID(path string, pid int) {
	start, err := startTime(pid)
	if err != nil {
		start = "unknown"
	}
	_ = os.WriteFile(path, []byte(fmt.Sprintf("%d %s\n", pid, start)), 0o600) // best effort: only Reap reads it
}

// Reap stops the process groups of agents that outlived the marcus that
// started them (killed with kill -9, say: the kernel kills each agent's
// leader then, not what the leader started). It reads the records under
// dir/<agent>/pid and stops a group only when its leader's start time
// still matches, so a pid the system reused is never signalled. It
// returns the groups it stopped.
func Reap(ctx context.Context, dir string, grace time.Duration) ([]int, error) {
	records, err := filepath.Glob(filepath.Join(dir, "*", pidFileName))
	if err != nil {
		return nil, core.Wrap(core.ErrInvalid, err, "bad agent folder %s", dir)
	}
	var stopped []int
	for _, rec := range records {
		if ctx.Err() != nil {
			return stopped, ctx.Err()
		}
		if pgid, ok := liveRecord(rec); ok {
			signalGroup(pgid, sigTerm)
			if !waitGroupGone(pgid, grace) {
				signalGroup(pgid, sigKill)
				waitGroupGone(pgid, 5*time.Second)
			}
			stopped = append(stopped, pgid)
		}
		_ = os.Remove(rec)
	}
	return stopped, nil
}

// liveRecord reads a pid record and reports whether its group is still
// the agent's. A live leader must be the very process recorded (same start
// time). A dead leader's group may still hold what it started: the kernel
// never gives a pid to a new process while a group of that id has
// members, so such a group is the agent's, provided its members started
// after the leader.
func liveRecord(path string) (int, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return 0, false
	}
	pgid, err := strconv.Atoi(f[0])
	if err != nil || pgid <= 1 {
		return 0, false
	}
	if now, err := startTime(pgid); err == nil {
		return pgid, now == f[1]
	}
	return pgid, orphanedGroup(pgid, f[1])
}
