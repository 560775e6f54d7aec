package sqlite

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"marcus/core"
)

// crashEnv names the database a child process of TestCrashSafety works on;
// it is set only in the child.
const crashEnv = "MARCUS_TEST_CRASH_DB"

const (
	crashProject = "crash"
	crashWorkers = 8
)

// TestCrashSafety: claims and completions run in a child process that is
// killed with SIGKILL at a random moment, several times, on one database:
// mostly while it works, sometimes while it starts (opens the database,
// registers its agents).
// After each kill a fresh handle finds every completion the child
// acknowledged, no task with two holders, and events that agree with the
// rows; SQLite's integrity check passes. A last child then finishes the
// board, resuming the tasks the killed ones held.
func TestCrashSafety(t *testing.T) {
	const rounds = 5
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 3))
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "marcus.db")
	s := openTemp(t, path)
	// Enough work that no round finishes it: a child completes about 1,000
	// tasks a second, 100 under -race.
	size := 3000
	if raceEnabled {
		size = 600
	}
	p, tasks, err := core.NewCoordinator(s).ImportPlan(ctx, layeredPlan(crashProject, size, 50, 7))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	acked := map[core.TaskID]core.AgentID{}
	for round := range rounds {
		// A third of the kills come within 30 ms of the start: while the
		// child opens the database and registers, or soon after.
		k := crashKill{after: time.Duration(1 + rng.Int64N(int64(250*time.Millisecond)))}
		if rng.IntN(3) == 0 {
			k = crashKill{after: time.Duration(1 + rng.Int64N(int64(30*time.Millisecond))), fromStart: true}
		}
		acks, killed := runCrashChild(t, path, k)
		for task, agent := range acks {
			if prev, ok := acked[task]; ok {
				t.Errorf("round %d: task %s acknowledged again (by %s; before by %s)", round, task, agent, prev)
			}
			acked[task] = agent
		}
		a := checkAfterCrash(t, path, p.ID, acked)
		what := "killed " + k.String()
		if !killed {
			what = "finished before the kill"
		}
		t.Logf("round %d: %s; %d acks, %d done, %d in progress",
			round, what, len(acks), a.count(core.StatusDone), a.count(core.StatusInProgress))
	}

	acks, _ := runCrashChild(t, path, crashKill{})
	for task, agent := range acks {
		acked[task] = agent
	}
	a := checkAfterCrash(t, path, p.ID, acked)
	for _, tk := range tasks {
		if a.tasks[tk.ID].Status != core.StatusDone || a.claims[tk.ID] != 1 || a.completions[tk.ID] != 1 {
			t.Errorf("at the end task %s is %s, claimed %d times, completed %d times; want done, once each",
				tk.ID, a.tasks[tk.ID].Status, a.claims[tk.ID], a.completions[tk.ID])
		}
	}
}

// checkAfterCrash opens the database with a fresh handle, as after a
// restart, and checks it.
func checkAfterCrash(t *testing.T, path string, p core.ProjectID, acked map[core.TaskID]core.AgentID) *audit {
	t.Helper()
	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatalf("reopen after the crash: %v", err)
	}
	defer s.Close()
	var integrity string
	if err := s.r.db.QueryRow("PRAGMA integrity_check").Scan(&integrity); err != nil || integrity != "ok" {
		t.Errorf("integrity check: %q (%v)", integrity, err)
	}
	a := readAudit(t, s, p)
	a.report(t)
	for task, agent := range acked {
		if st := a.tasks[task].Status; st != core.StatusDone {
			t.Errorf("acknowledged completion of %s by %s is lost: the task is %s", task, agent, st)
		}
		if a.completions[task] != 1 || a.completedBy[task] != agent {
			t.Errorf("acknowledged completion of %s by %s: %d task_completed events, by %q", task, agent, a.completions[task], a.completedBy[task])
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	return a
}

// crashKill says when to kill a child: after its first acknowledged
// completion, or after it started; never when after is 0.
type crashKill struct {
	after     time.Duration
	fromStart bool
}

func (k crashKill) String() string {
	if k.fromStart {
		return k.after.Round(time.Millisecond).String() + " after the start"
	}
	return k.after.Round(time.Millisecond).String() + " after the first ack"
}

// runCrashChild runs TestCrashChild in a child process on the database at
// path, kills it (SIGKILL on Unix) as kill says, and returns the
// completions it acknowledged. A child that reports an error, or that was
// not killed and failed, fails the test. No child outlives the call.
func runCrashChild(t *testing.T, path string, kill crashKill) (acks map[core.TaskID]core.AgentID, killed bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1", "-test.v=false")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	var stderr, output bytes.Buffer // output: stdout but the acks
	cmd.Stderr = &stderr
	// The child exits when its stdin closes: if this process dies, so
	// does the child.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	first, stop := make(chan struct{}), make(chan struct{})
	if kill.fromStart {
		close(first)
	}
	killedc := killLater(cmd.Process, kill.after, first, stop)
	acks = map[core.TaskID]core.AgentID{}
	var complete, reported bool
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text()
		task, agent, ok := parseAck(line)
		switch {
		case ok && len(acks) == 0 && !kill.fromStart:
			close(first)
		case line == "complete":
			complete = true
		case strings.HasPrefix(line, "error "):
			reported = true
		}
		if ok {
			acks[task] = agent
		} else {
			fmt.Fprintln(&output, line)
		}
	}
	close(stop)
	killed = <-killedc
	err = cmd.Wait()
	switch {
	case ctx.Err() != nil:
		t.Fatalf("the child ran out of time:\n%s%s", output.String(), stderr.String())
	case reported || !killed && (err != nil || !complete):
		t.Fatalf("the child failed (%v):\n%s%s", err, output.String(), stderr.String())
	}
	return acks, killed
}

// killLater kills p once first is closed and after has passed, unless
// stop is closed before; after 0 means never. The channel says whether it
// killed p.
func killLater(p *os.Process, after time.Duration, first, stop <-chan struct{}) <-chan bool {
	killed := make(chan bool, 1)
	go func() {
		if after == 0 {
			killed <- false
			return
		}
		select {
		case <-first:
		case <-stop:
			killed <- false
			return
		}
		select {
		case <-time.After(after):
			killed <- p.Kill() == nil
		case <-stop:
			killed <- false
		}
	}()
	return killed
}

func parseAck(line string) (core.TaskID, core.AgentID, bool) {
	f := strings.Fields(line)
	if len(f) != 3 || f[0] != "ack" {
		return "", "", false
	}
	return core.TaskID(f[1]), core.AgentID(f[2]), true
}

// TestCrashChild is the child process of TestCrashSafety: workers claim,
// report progress on and complete tasks of the crash project, and print
// one line per completion once ReportProgress has returned. Run alone, it
// skips.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("the child process of TestCrashSafety")
	}
	go func() {
		io.Copy(io.Discard, os.Stdin)
		os.Exit(3) // the parent is gone
	}()
	ctx := context.Background()
	s, err := Open(ctx, path, Options{BusyTimeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c := core.NewCoordinator(s)
	p, err := c.ResolveProject(ctx, crashProject)
	if err != nil {
		t.Fatal(err)
	}
	var (
		out  sync.Mutex
		wg   sync.WaitGroup
		errs = make(chan error, crashWorkers)
	)
	// say prints one line for the parent. os.Stdout is unbuffered: the
	// line leaves in one write, before say returns.
	say := func(format string, args ...any) {
		out.Lock()
		defer out.Unlock()
		fmt.Fprintf(os.Stdout, format+"\n", args...)
	}
	ack := func(task core.TaskID, agent core.AgentID) { say("ack %s %s", task, agent) }
	for w := range crashWorkers {
		id := core.AgentID(fmt.Sprintf("crash-agent-%d", w))
		if _, err := c.RegisterAgent(ctx, core.RegisterRequest{ID: id, Project: p.ID}); err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			if err := crashWork(ctx, c, id, ack); err != nil {
				say("error %s: %v", id, err) // at once: the parent may kill us any time
				errs <- fmt.Errorf("%s: %w", id, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if !t.Failed() {
		fmt.Println("complete")
	}
}

func crashWork(ctx context.Context, c *core.Coordinator, id core.AgentID, ack func(core.TaskID, core.AgentID)) error {
	for {
		as, err := c.RequestNextTask(ctx, id)
		if err != nil {
			return err
		}
		if as.Complete {
			return nil
		}
		if as.Task == nil {
			time.Sleep(time.Millisecond)
			continue
		}
		task := as.Task.Task.ID
		r := core.ProgressReport{Agent: id, Task: task, Status: core.StatusInProgress, Progress: 50, Message: "halfway"}
		if _, err := c.ReportProgress(ctx, r); err != nil {
			return err
		}
		r.Status, r.Progress = core.StatusDone, 100
		if _, err := c.ReportProgress(ctx, r); err != nil {
			return err
		}
		ack(task, id)
	}
}
