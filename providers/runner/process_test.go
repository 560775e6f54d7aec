//go:build unix

package runner_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"marcus/providers/runner"
)

// TestMain lets the test binary play a marcus that starts an agent and is
// then killed with kill -9 (TestReapAfterParentKilled).
func TestMain(m *testing.M) {
	if dir := os.Getenv("MARCUS_RUNNER_TEST_PARENT"); dir != "" {
		playParent(dir)
		return
	}
	os.Exit(m.Run())
}

// playParent starts an agent that leaves a child in its group, says
// "ready" and waits to be killed.
func playParent(dir string) {
	_, err := runner.Start(context.Background(), runner.Spec{
		Path: "/bin/sh", Args: []string{"-c", "sleep 300 & echo $! > " + filepath.Join(dir, "child") + "; echo $$ > " + filepath.Join(dir, "leader") + "; wait"},
		Dir: dir, Env: os.Environ(), Log: filepath.Join(dir, "agent", "output.log"), PIDFile: filepath.Join(dir, "agent", "pid"),
	})
	if err != nil {
		fmt.Println("start:", err)
		os.Exit(1)
	}
	fmt.Println("ready")
	time.Sleep(time.Minute)
	os.Exit(2)
}

func start(t *testing.T, ctx context.Context, script string, grace time.Duration) (*runner.Process, string) {
	t.Helper()
	dir := t.TempDir()
	p, err := runner.Start(ctx, runner.Spec{Path: "/bin/sh", Args: []string{"-c", script}, Dir: dir, Env: os.Environ(),
		Log: filepath.Join(dir, "agent", "output.log"), Grace: grace})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = p.Stop(ctx)
	})
	return p, dir
}

// waitFor waits until the process has printed a line containing want.
func waitFor(t *testing.T, p *runner.Process, want string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !slices.ContainsFunc(p.Tail(50), func(l string) bool { return strings.Contains(l, want) }) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the output: %q", want, p.Tail(50))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func groupAlive(pgid int) bool { return syscall.Kill(-pgid, 0) == nil }

func stop(t *testing.T, p *runner.Process) time.Duration {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	began := time.Now()
	if err := p.Stop(ctx); err != nil {
		t.Fatalf("stop: %v", err)
	}
	return time.Since(began)
}

// TestStopEndsGroup: a stop ends the agent and the children it started,
// and reports that the stop ended it.
func TestStopEndsGroup(t *testing.T) {
	t.Parallel()
	p, _ := start(t, t.Context(), "sleep 300 & sleep 300 & echo ready; wait", 5*time.Second)
	waitFor(t, p, "ready")
	if !groupAlive(p.PID()) {
		t.Fatal("the group is not running")
	}
	if _, ok := p.Exit(); ok {
		t.Error("Exit reports an end while the agent runs")
	}
	stop(t, p)
	if groupAlive(p.PID()) {
		t.Errorf("process group %d is alive after Stop", p.PID())
	}
	exit, ok := p.Exit()
	if !ok || !exit.Stopped || exit.Signal != "terminated" || exit.Code != -1 || exit.Clean() || !exit.EndedAt.After(exit.StartedAt) {
		t.Errorf("exit = %+v, %v, want stopped by SIGTERM", exit, ok)
	}
}

// TestStopKillsWhatIgnoresTerm: a group that ignores SIGTERM is killed
// after the grace period.
func TestStopKillsWhatIgnoresTerm(t *testing.T) {
	t.Parallel()
	p, _ := start(t, t.Context(), "trap '' TERM; (trap '' TERM; sleep 300) & echo ready; while :; do sleep 0.05; done", 300*time.Millisecond)
	waitFor(t, p, "ready")
	if took := stop(t, p); took < 300*time.Millisecond {
		t.Errorf("stop took %s, shorter than the grace period", took)
	}
	if groupAlive(p.PID()) {
		t.Errorf("process group %d is alive after Stop", p.PID())
	}
	if exit, _ := p.Exit(); exit.Signal != "killed" || !exit.Stopped {
		t.Errorf("exit = %+v, want killed", exit)
	}
}

// TestCancelStops: cancelling the context the agent was started with
// stops it and its group.
func TestCancelStops(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	p, _ := start(t, ctx, "sleep 300 & echo ready; wait", 5*time.Second)
	waitFor(t, p, "ready")
	cancel()
	select {
	case <-p.Done():
	case <-time.After(20 * time.Second):
		t.Fatal("the agent outlived its context")
	}
	if groupAlive(p.PID()) {
		t.Errorf("process group %d is alive after the cancel", p.PID())
	}
	if exit, _ := p.Exit(); !exit.Stopped {
		t.Errorf("exit = %+v, want stopped", exit)
	}
}

// TestExitCodeAndOutput: an agent's own exit is reported with its code,
// both streams reach the log and the tail, and what it left running in its
// group is ended.
func TestExitCodeAndOutput(t *testing.T) {
	t.Parallel()
	p, dir := start(t, t.Context(), "sleep 300 & echo $! > child; echo to-stdout; echo to-stderr >&2; printf 'no newline'; exit 7", 5*time.Second)
	select {
	case <-p.Done():
	case <-time.After(20 * time.Second):
		t.Fatal("the agent did not end")
	}
	exit, ok := p.Exit()
	if !ok || exit.Code != 7 || exit.Signal != "" || exit.Stopped || exit.Clean() {
		t.Errorf("exit = %+v, want code 7 by itself", exit)
	}
	if got := p.Tail(10); !slices.Equal(got, []string{"to-stdout", "to-stderr", "no newline"}) {
		t.Errorf("tail = %q", got)
	}
	if got := p.Tail(1); !slices.Equal(got, []string{"no newline"}) {
		t.Errorf("tail(1) = %q", got)
	}
	log, err := os.ReadFile(p.LogPath())
	if err != nil || string(log) != "to-stdout\nto-stderr\nno newline" {
		t.Errorf("log = %q, %v", log, err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "child"))
	if child, _ := strconv.Atoi(strings.TrimSpace(string(b))); child == 0 || syscall.Kill(child, 0) == nil {
		t.Errorf("the agent's background child %d outlived it", child)
	}
}

// TestLogCap: a chatty agent's log never holds more than the limit, and
// keeps the newest output.
func TestLogCap(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const limit = 64 << 10
	p, err := runner.Start(t.Context(), runner.Spec{Path: "/bin/sh", Args: []string{"-c", "i=0; while [ $i -lt 20000 ]; do echo line $i of chatter; i=$((i+1)); done; echo the-end"},
		Dir: dir, Env: os.Environ(), Log: filepath.Join(dir, "output.log"), LogLimit: limit})
	if err != nil {
		t.Fatal(err)
	}
	<-p.Done()
	cur, _ := os.ReadFile(p.LogPath())
	old, _ := os.ReadFile(p.LogPath() + ".1")
	if total := len(cur) + len(old); total > limit || total < limit/2 {
		t.Errorf("log holds %d bytes, want between %d and %d", total, limit/2, limit)
	}
	if !strings.HasSuffix(string(cur), "the-end\n") || strings.Contains(string(old)+string(cur), "line 0 of") {
		t.Errorf("the log did not keep the newest output and drop the oldest")
	}
}

// TestTailIsSafe: what the tail returns has no control sequences left.
func TestTailIsSafe(t *testing.T) {
	t.Parallel()
	script := `printf '\033[31mred\033[0m text\n'; printf '\033]0;title\007after title\n'; printf '10%%\r50%%\r100%%\n'; printf 'ab\bc\tz\n'; printf 'bad \377 byte\n'; printf 'x%.0s' $(seq 1 3000); echo`
	p, _ := start(t, t.Context(), script, time.Second)
	<-p.Done()
	got := p.Tail(10)
	want := []string{"red text", "after title", "100%", "ac    z", "bad  byte"}
	if len(got) != 6 || !slices.Equal(got[:5], want) {
		t.Fatalf("tail = %q, want %q and a long line", got, want)
	}
	if len(got[5]) > 1000 || !strings.HasSuffix(got[5], "…") {
		t.Errorf("a 3000-byte line came back as %d bytes", len(got[5]))
	}
}

// TestReapAfterParentKilled: a marcus killed with kill -9 takes its
// agent's leader with it (the parent-death signal), and Reap stops what
// the leader left in its group, from the pid record.
func TestReapAfterParentKilled(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	parent := exec.Command(os.Args[0], "-test.run=^$")
	parent.Env = append(os.Environ(), "MARCUS_RUNNER_TEST_PARENT="+dir)
	out, err := parent.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	if n, _ := out.Read(buf); !strings.Contains(string(buf[:n]), "ready") {
		t.Fatalf("the parent said %q", buf[:n])
	}
	leader := readPID(t, filepath.Join(dir, "leader"))
	_ = parent.Process.Kill()
	_ = parent.Wait()
	if !eventually(func() bool { return syscall.Kill(leader, 0) != nil }) {
		t.Fatalf("the agent's leader %d outlived its killed parent", leader)
	}
	if !groupAlive(leader) {
		t.Fatal("nothing was left in the group: the test proves nothing")
	}
	stopped, err := runner.Reap(t.Context(), dir, time.Second)
	if err != nil || !slices.Equal(stopped, []int{leader}) {
		t.Fatalf("reap = %v, %v, want group %d", stopped, err, leader)
	}
	if groupAlive(leader) {
		t.Errorf("group %d survived Reap", leader)
	}
	if again, _ := runner.Reap(t.Context(), dir, time.Second); len(again) != 0 {
		t.Errorf("a second reap stopped %v", again)
	}
}

func readPID(t *testing.T, path string) int {
	t.Helper()
	var b []byte
	eventually(func() bool { b, _ = os.ReadFile(path); return len(b) > 0 })
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("pid file %s: %q", path, b)
	}
	return pid
}

func eventually(f func() bool) bool {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if f() {
			return true
		}
	}
	return false
}
