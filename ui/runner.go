package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"marcus/core"
	runcore "marcus/core/run"
)

// The runner's side of the dashboard (marcus run): its agents' processes
// and output come from a runcore.Live, which changes many times a second
// without a store commit, so the root refreshes them on a timer of their
// own into the snapshot (Snapshot.Runner). Diffs and stops run as
// commands.

// runnerEvery is how often the runner's agents and output are refreshed.
const runnerEvery = 500 * time.Millisecond

// outputLines is how much of each agent's output a refresh keeps: more
// than a tall pane shows.
const outputLines = 120

// RunnerSnapshot is the runner at one moment: its agents and each one's
// last output lines (made safe to print).
type RunnerSnapshot struct {
	runcore.Snapshot
	Output map[core.AgentID][]string
	At     time.Time
}

// runnerMsg carries a refreshed runner snapshot.
type runnerMsg struct{ snap *RunnerSnapshot }

// diffMsg answers a task's diff against the integration branch.
type diffMsg struct {
	task core.TaskID
	text string
	err  error
}

// loadRunner reads the runner's state: in memory, quick.
func loadRunner(live runcore.Live, now time.Time) *RunnerSnapshot {
	s := &RunnerSnapshot{Snapshot: live.Snapshot(), Output: map[core.AgentID][]string{}, At: now}
	for _, a := range s.Agents {
		lines := live.Output(a.Agent, outputLines)
		for i, l := range lines {
			lines[i] = safeLine(l)
		}
		s.Output[a.Agent] = lines
	}
	return s
}

// runnerCmd refreshes the runner after runnerEvery.
func runnerCmd(live runcore.Live, now func() time.Time) tea.Cmd {
	return tea.Tick(runnerEvery, func(time.Time) tea.Msg { return runnerMsg{snap: loadRunner(live, now())} })
}

// stopAgentCmd stops one of the runner's agents; its task goes back with a
// handoff.
func stopAgentCmd(live runcore.Live, agent core.AgentID) tea.Cmd {
	return func() tea.Msg {
		if err := live.StopAgent(agent); err != nil {
			return noteMsg{text: err.Error(), err: true}
		}
		return noteMsg{text: "stopping " + string(agent) + ": its task goes back to the backlog with a handoff"}
	}
}

// diffCmd reads a task's diff (git runs here, in a command).
func diffCmd(live runcore.Live, task core.TaskID) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		text, err := live.Diff(ctx, task)
		return diffMsg{task: task, text: text, err: err}
	}
}

// safeLine makes a line of an agent's output safe to draw: escape
// sequences and control characters go (the runner already removes them;
// this keeps the frame safe whatever a Live gives).
func safeLine(s string) string {
	s = ansi.Strip(s)
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t':
			return ' '
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return -1
		}
		return r
	}, s)
}

// agentState is how a runner agent's process stands, in words.
func agentState(a runcore.AgentView) string {
	switch {
	case a.State == runcore.StateStopping:
		return "stopping"
	case a.Exit == nil:
		return "running"
	case a.Exit.Stopped:
		return "stopped"
	case a.Exit.Signal != "":
		return "killed (" + a.Exit.Signal + ")"
	}
	return fmt.Sprintf("exited %d", a.Exit.Code)
}

// runTime is how long an agent ran, or has run so far.
func runTime(a runcore.AgentView, now time.Time) time.Duration {
	end := now
	if !a.Ended.IsZero() {
		end = a.Ended
	}
	return end.Sub(a.Started)
}

// gateState is what the runner did with a task, read from its history:
// its branch and the gate's last answer.
type gateState struct {
	branch string
	last   *core.Event // the latest gate_started, gate_failed or merge
}

func gateOf(history []core.Event) gateState {
	var g gateState
	for i := range history {
		e := &history[i]
		switch p := e.Payload.(type) {
		case core.AgentSpawned:
			if p.Branch != "" {
				g.branch = p.Branch
			}
		case core.GateFailed:
			if p.Branch != "" {
				g.branch = p.Branch
			}
			g.last = e
		case core.GateStarted:
			g.last = e
		case core.TaskCompleted:
			if p.Commit != "" {
				g.last = e
			}
		}
	}
	return g
}

// gateText says what the gate last did.
func gateText(e core.Event) string {
	switch p := e.Payload.(type) {
	case core.GateStarted:
		return "running: rebasing, validating and merging"
	case core.TaskCompleted:
		if p.AlreadyMerged {
			return "merged as " + short(p.Commit) + " (found merged after a restart)"
		}
		return fmt.Sprintf("merged as %s in %.1fs", short(p.Commit), p.GateSeconds)
	case core.GateFailed:
		return refusalText(p)
	}
	return ""
}

// refusalText says why the gate refused, with what goes with it.
func refusalText(p core.GateFailed) string {
	s := strings.ReplaceAll(string(p.Status), "_", " ")
	switch p.Status {
	case core.GateConflict:
		s += " in " + listText(p.Files)
	case core.GateValidationFailed:
		if p.TimedOut {
			s += " (timed out)"
		} else {
			s += fmt.Sprintf(" (exit %d)", p.ExitCode)
		}
	case core.GateUncommitted:
		s += ": " + listText(p.Files)
	case core.GateError:
		s = "could not run: " + oneLine(p.Error)
	}
	if p.Failures > 0 {
		s += fmt.Sprintf(" · %d of %d failures", p.Failures, core.MaxGateFailures)
	}
	if p.Blocked {
		s += " · blocked"
	}
	return s
}

func listText(files []string) string {
	if len(files) > 3 {
		return strings.Join(files[:3], ", ") + fmt.Sprintf(" and %d more", len(files)-3)
	}
	return strings.Join(files, ", ")
}

func short(commit string) string {
	if len(commit) > 10 {
		return commit[:10]
	}
	return commit
}

// runnerSentence tells of the runner's agents and the completion gate, in
// the feed.
func runnerSentence(c *feedCache, e *core.Event) (string, bool) {
	tag := taskShortID(e.Task)
	switch p := e.Payload.(type) {
	case core.AgentSpawned:
		s := fmt.Sprintf("started %s (pid %d)", c.name(e.Agent), p.PID)
		if e.Task != "" {
			s += " on " + feedTask(c, e)
		}
		return s, true
	case core.AgentExited:
		return c.name(e.Agent) + " " + exitText(p), true
	case core.GateStarted:
		return "completion gate on " + tag, true
	case core.GateFailed:
		return "gate refused " + tag + ": " + refusalText(p), true
	}
	return "", false
}

// exitText says how an agent process ended.
func exitText(p core.AgentExited) string {
	s := p.Ending() + " after " + durationText(time.Duration(p.Seconds*float64(time.Second)))
	if p.Crashed() {
		s += " without finishing its task"
	}
	return s
}
