package text

import (
	"fmt"
	"io"
	"strings"
	"time"

	"marcus/core"
	runctl "marcus/core/run"
)

// RunLine is the progress line marcus run --headless prints for one of
// the run's events, and false for an event it says nothing about. names
// gives the tasks' names by id.
func RunLine(e core.Event, names map[core.TaskID]string) (string, bool) {
	task := string(e.Task)
	if n := names[e.Task]; n != "" {
		task += ` "` + Truncate(n, 40) + `"`
	}
	what, ok := runWhat(e, task)
	if !ok {
		return "", false
	}
	return e.At.Local().Format("15:04:05") + " " + what, true
}

// runWhat says what an event did, or false.
func runWhat(e core.Event, task string) (string, bool) {
	agent := string(e.Agent)
	switch p := e.Payload.(type) {
	case core.AgentSpawned:
		return fmt.Sprintf("started %s on %s (pid %d)", agent, task, p.PID), true
	case core.AgentExited:
		return agent + " " + exitWords(p), true
	case core.GateFailed:
		return fmt.Sprintf("gate refused %s from %s: %s", task, agent, refusalWords(p)), true
	case core.TaskCompleted:
		if p.Commit == "" {
			return "", false
		}
		return fmt.Sprintf("merged %s (%s, gate %.1fs)", task, shortCommit(p.Commit), p.GateSeconds), true
	case core.LeaseRecovery:
		if e.Kind == core.EventCircuitBroken {
			return fmt.Sprintf("blocked %s: %d agents in a row did not finish it", task, p.SilentRecoveries), true
		}
		return fmt.Sprintf("took %s back from %s (%s)", task, agent, Truncate(p.Reason, 80)), true
	case core.TaskBlocked:
		return fmt.Sprintf("blocked %s: %s", task, Truncate(p.Why(), 100)), true
	}
	return "", false
}

// exitWords says how an agent process ended.
func exitWords(p core.AgentExited) string {
	s := p.Ending() + " after " + (time.Duration(p.Seconds * float64(time.Second))).Round(time.Second).String()
	if p.Crashed() {
		s += " without finishing its task"
	}
	return s
}

// refusalWords says why the gate refused.
func refusalWords(p core.GateFailed) string {
	s := strings.ReplaceAll(string(p.Status), "_", " ")
	switch p.Status {
	case core.GateConflict, core.GateUncommitted:
		s += " (" + Truncate(strings.Join(p.Files, ", "), 80) + ")"
	case core.GateValidationFailed:
		if p.TimedOut {
			s += " (timed out)"
		} else {
			s += fmt.Sprintf(" (exit %d)", p.ExitCode)
		}
	case core.GateError:
		s = "could not run: " + Truncate(p.Error, 100)
	}
	if p.Counted {
		s += fmt.Sprintf(", %d of %d", p.Failures, core.MaxGateFailures)
	}
	if p.Blocked {
		s += ", task blocked"
	}
	return s
}

func shortCommit(c string) string {
	if len(c) > 10 {
		return c[:10]
	}
	return c
}

// RunSummary writes what a run did, in a few lines.
func RunSummary(w io.Writer, s runctl.Summary) error {
	var b strings.Builder
	state := "complete"
	if !s.Complete {
		state = fmt.Sprintf("%d left, %d blocked", s.Left, s.Blocked)
	}
	fmt.Fprintf(&b, "%s: %d of %d tasks done (%s) in %s; integration branch %s\n", s.ProjectName, s.Done, s.Tasks, state,
		(time.Duration(s.WallSeconds * float64(time.Second))).Round(time.Second), s.Integration)
	fmt.Fprintf(&b, "gate: %d merges (%.1f/min, p50 %.1fs, p99 %.1fs), %d conflicts, %d failed validations, %d other refusals, %d errors\n",
		s.Merges, s.MergesPerMinute, s.GateP50Seconds, s.GateP99Seconds, s.Conflicts, s.ValidationFailures, s.OtherRefusals, s.GateErrors)
	fmt.Fprintf(&b, "agents: %d started, %d crashed, %d tasks taken back; %d of %d request_next_task answers idle (%.1f%%)\n",
		s.Spawns, s.Crashes, s.Recoveries, s.IdlePolls, s.Polls, 100*s.IdleShare)
	if s.Merges > 0 {
		fmt.Fprintf(&b, "review: git log --first-parent %s; take it: git merge %s\n", s.Integration, s.Integration)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// RunCleanup writes what marcus run --cleanup removed.
func RunCleanup(w io.Writer, c runctl.Cleaned) error {
	var b strings.Builder
	fmt.Fprintf(&b, "stopped %d leftover agent process groups, removed %d worktrees and %d task branches\n",
		len(c.Reaped), len(c.Worktrees), len(c.Branches))
	if len(c.HandedBack) > 0 {
		fmt.Fprintf(&b, "handed back to the backlog: %s\n", joinIDs(c.HandedBack))
	}
	if len(c.Settled) > 0 {
		fmt.Fprintf(&b, "found merged and marked done: %s\n", joinIDs(c.Settled))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func joinIDs(ids []core.TaskID) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = string(id)
	}
	return strings.Join(s, ", ")
}
