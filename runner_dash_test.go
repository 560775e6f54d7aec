//go:build linux

package main

import (
	"context"
	"errors"
	"io"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"marcus/core"
)

// marcus run on a terminal: the dashboard opens with the runner inside;
// x on the Agents view stops the selected agent (its task goes back with
// a handoff and a fresh agent takes it), and q stops every agent and
// removes every worktree before marcus exits.
func TestRunCommandDashboard(t *testing.T) {
	e := newCmdEnv(t, independent("cmd-run", 2))
	agent := scriptAgent(t)
	master, slave := openPTY(t, 40, 140)
	var screen syncBuffer
	copied := make(chan struct{})
	go func() { io.Copy(&screen, master); close(copied) }()
	defer func() { master.Close(); <-copied }()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	cmd := e.marcus(ctx, "run", "--repo", e.repo, "--agent-cmd", agent+" -mode hang", "--agents", "2")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		select {
		case <-exited:
		case <-time.After(time.Minute):
		}
	}()
	pollUntil(t, 5*time.Minute, "two agents at work", func() bool {
		return len(e.events(core.EventAgentSpawned)) == 2 && len(e.events(core.EventTaskProgress)) >= 2
	})
	press(t, master, "2")
	pollUntil(t, time.Minute, "the runner's agents on the Agents view", func() bool {
		s := ansi.Strip(screen.String())
		return strings.Contains(s, "running of 2") && strings.Contains(s, "Output")
	})
	press(t, master, "x")
	pollUntil(t, 2*time.Minute, "a third agent on the stopped agent's task", func() bool {
		return len(e.events(core.EventAgentSpawned)) == 3
	})
	stopped := 0
	for _, ev := range e.events(core.EventAgentExited) {
		if ev.Payload.(core.AgentExited).Stopped {
			stopped++
		}
	}
	if stopped != 1 || len(e.events(core.EventLeaseRecovered)) != 1 {
		t.Errorf("x should stop one agent and hand its task back: %d stopped, %d handed back", stopped, len(e.events(core.EventLeaseRecovered)))
	}
	press(t, master, "q")
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("marcus run ended with %v after q", err)
		}
	case <-time.After(3 * time.Minute):
		t.Fatal("marcus run did not end after q")
	}
	e.nothingLeft("marcus/cmd-run/integration")
	if b := e.board(); b.Counts[core.StatusTodo] != 2 {
		t.Errorf("after q the unfinished tasks should be back in the backlog: %v", b.Counts)
	}
}

// TestRunCommandTerminated sends SIGTERM to a headless marcus run whose
// agents ignore SIGTERM: they are killed after the grace period, and
// nothing is left.
func TestRunCommandTerminated(t *testing.T) {
	e := newCmdEnv(t, independent("cmd-run", 2))
	agent := scriptAgent(t)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	cmd := e.marcus(ctx, "run", "--repo", e.repo, "--agent-cmd", agent+" -mode hang -ignore-term", "--agents", "2", "--headless", "--json")
	var out, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }()
	pollUntil(t, 5*time.Minute, "two agents at work", func() bool {
		return len(e.events(core.EventAgentSpawned)) == 2 && len(e.events(core.EventTaskProgress)) >= 2
	})
	// A cleanup while the run is alive is refused and stops nothing.
	clean, err := e.marcus(ctx, "run", "--repo", e.repo, "--cleanup").CombinedOutput()
	if code := exitOf(err); code != 2 || !strings.Contains(strings.ToLower(string(clean)), "another marcus run") {
		t.Errorf("--cleanup beside a live run: exit %d\n%s", code, clean)
	}
	if n := len(e.events(core.EventAgentExited)); n != 0 {
		t.Errorf("--cleanup beside a live run ended %d agents", n)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("marcus run ended with %v after SIGTERM\n%s", err, stderr.String())
	}
	if !strings.Contains(out.String(), `"spawns": 2`) {
		t.Errorf("no summary after SIGTERM:\n%s", out.String())
	}
	e.nothingLeft("marcus/cmd-run/integration")
	// The agents ignore SIGTERM: only the KILL after the grace period
	// ended them, and nothing of them is left (above).
	for _, ev := range e.events(core.EventAgentExited) {
		if p := ev.Payload.(core.AgentExited); !p.Stopped {
			t.Errorf("agent %s was not stopped by marcus: %+v", ev.Agent, p)
		}
	}
}

// press types keys on the terminal.
func press(t *testing.T, master io.Writer, keys string) {
	t.Helper()
	if _, err := master.Write([]byte(keys)); err != nil {
		t.Fatal(err)
	}
}

// exitOf is a finished command's exit status.
func exitOf(err error) int {
	var x *exec.ExitError
	if errors.As(err, &x) {
		return x.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}
