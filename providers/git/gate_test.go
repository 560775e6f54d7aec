//go:build unix

package git_test

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"marcus/core"
	"marcus/providers/git"
)

// TestGateMerges lands one task: the integration branch gets one merge
// commit carrying the task trailer, whose second parent is the task's
// commit and whose tree is the task's; main and the person's checkout do
// not move.
func TestGateMerges(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	mainAt := r.head("main")
	w := r.open(git.Options{})
	ws := r.prepare(w, "t-a")
	tip := r.commit(ws.Dir, "add a", map[string]string{"a.txt": "from a\n"})

	res := r.gate(w, "t-a")
	if res.Status != core.GateMerged || !res.Merged() || res.AlreadyMerged || res.Commits != 1 || res.Took <= 0 {
		t.Fatalf("gate = %+v, want merged with one commit", res)
	}
	if got := r.head(w.Integration()); got != res.Commit {
		t.Errorf("integration at %s, want the merge commit %s", got, res.Commit)
	}
	if parents := strings.Fields(run(t, r.dir, "rev-list", "--parents", "-n", "1", res.Commit)); len(parents) != 3 || parents[1] != mainAt || parents[2] != tip {
		t.Errorf("merge commit parents = %v, want [%s %s]", parents[1:], mainAt, tip)
	}
	if a, b := r.head(res.Commit+"^{tree}"), r.head(tip+"^{tree}"); a != b {
		t.Errorf("merge tree %s differs from the task's tree %s", a, b)
	}
	if got := r.mergesOf(w, "t-a"); !slices.Equal(got, []string{res.Commit}) {
		t.Errorf("merge commits with the trailer = %v, want just %s", got, res.Commit)
	}
	if c, err := w.Merged(t.Context(), "t-a"); err != nil || c != res.Commit {
		t.Errorf("Merged = %q, %v, want %s", c, err, res.Commit)
	}
	r.untouched(mainAt)
}

// TestGateConflict: two tasks change one line; the second is refused with
// the file named, and its branch and worktree are exactly as the agent
// left them. Once the agent rebases and resolves, it lands.
func TestGateConflict(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	mainAt := r.head("main")
	w := r.open(git.Options{})
	a, b := r.prepare(w, "t-a"), r.prepare(w, "t-b")
	r.commit(a.Dir, "a edits", map[string]string{"shared.txt": "line one by a\n"})
	bTip := r.commit(b.Dir, "b edits", map[string]string{"shared.txt": "line one by b\n", "b.txt": "b\n"})
	if res := r.gate(w, "t-a"); !res.Merged() {
		t.Fatalf("gate a = %+v", res)
	}
	integrationAt := r.head(w.Integration())

	res := r.gate(w, "t-b")
	if res.Status != core.GateConflict || !slices.Equal(res.Files, []string{"shared.txt"}) ||
		res.Integration != w.Integration() || res.Branch != b.Branch {
		t.Fatalf("gate b = %+v, want merge_conflict on shared.txt", res)
	}
	if !strings.Contains(res.Advice(), "git rebase "+w.Integration()) {
		t.Errorf("advice %q does not say how to rebase", res.Advice())
	}
	if got := r.head(b.Branch); got != bTip {
		t.Errorf("b's branch moved to %s, want it untouched at %s", got, bTip)
	}
	if s := run(t, b.Dir, "status", "--porcelain"); s != "" || exists(filepath.Join(w.GitDir(), "worktrees", "t-b", "rebase-merge")) {
		t.Errorf("b's worktree is not clean after the refused gate:\n%s", s)
	}
	if got := r.head(w.Integration()); got != integrationAt {
		t.Errorf("integration moved on a conflict")
	}

	// The agent does what the advice says.
	if _, err := tryGit(b.Dir, "rebase", w.Integration()); err == nil {
		t.Fatal("the agent's rebase should conflict")
	}
	r.write(b.Dir, "shared.txt", "line one by a\nline one by b\n")
	run(t, b.Dir, "add", "shared.txt")
	run(t, b.Dir, "-c", "core.editor=true", "rebase", "--continue")
	res = r.gate(w, "t-b")
	if !res.Merged() {
		t.Fatalf("gate b after resolving = %+v", res)
	}
	if got := run(t, r.dir, "show", w.Integration()+":shared.txt"); got != "line one by a\nline one by b" {
		t.Errorf("integration shared.txt = %q", got)
	}
	r.untouched(mainAt)
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

// TestGateValidationFailed: a failing validation refuses the merge with
// the command's exit code and output tail; once fixed, it lands.
func TestGateValidationFailed(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	w := r.open(git.Options{Validate: `echo checking $MARCUS_TASK_ID; for i in $(seq 1 100); do echo noise $i; done; test ! -e BROKEN || { echo "BROKEN is present" >&2; exit 3; }`, TailLines: 5})
	ws := r.prepare(w, "t-a")
	r.commit(ws.Dir, "broken", map[string]string{"BROKEN": "x\n", "a.txt": "a\n"})
	before := r.head(w.Integration())

	res := r.gate(w, "t-a")
	if res.Status != core.GateValidationFailed || res.ExitCode != 3 || res.TimedOut || res.Validation <= 0 {
		t.Fatalf("gate = %+v, want validation_failed with exit 3", res)
	}
	if !strings.HasSuffix(res.Output, "BROKEN is present") || strings.Count(res.Output, "\n") != 4 || strings.Contains(res.Output, "checking") {
		t.Errorf("output tail = %q, want the last 5 lines", res.Output)
	}
	if r.head(w.Integration()) != before {
		t.Error("integration moved on a failed validation")
	}
	run(t, ws.Dir, "rm", "--quiet", "BROKEN")
	run(t, ws.Dir, "commit", "--quiet", "-m", "fix")
	if res := r.gate(w, "t-a"); !res.Merged() || res.Commits != 2 {
		t.Fatalf("gate after the fix = %+v, want merged with 2 commits", res)
	}
}

// TestGateValidationTimeout: a validation that runs past its timeout is a
// failed validation, and its process (here a sleeping shell) is killed.
func TestGateValidationTimeout(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	pidFile := filepath.Join(t.TempDir(), "pid")
	w := r.open(git.Options{Validate: "echo $$ > " + pidFile + "; echo started; sleep 30; echo never", ValidateTimeout: 500 * time.Millisecond})
	ws := r.prepare(w, "t-a")
	r.commit(ws.Dir, "a", map[string]string{"a.txt": "a\n"})
	start := time.Now()
	res := r.gate(w, "t-a")
	if res.Status != core.GateValidationFailed || !res.TimedOut || res.ExitCode != -1 || res.Output != "started" {
		t.Fatalf("gate = %+v, want a timed-out validation", res)
	}
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("the gate took %s: the timeout did not stop the validation", took)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if !groupGone(pid, 5*time.Second) {
		t.Errorf("the validation's process group %d is still alive", pid)
	}
	if !strings.Contains(res.Advice(), "timed out") {
		t.Errorf("advice %q does not say it timed out", res.Advice())
	}
}

// TestGateNothingToMerge: a branch without commits, and a worktree with
// uncommitted or untracked files, are answered without touching anything.
func TestGateNothingToMerge(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	w := r.open(git.Options{Validate: "exit 1"})
	ws := r.prepare(w, "t-a")
	if res := r.gate(w, "t-a"); res.Status != core.GateNoCommits || res.Commits != 0 {
		t.Errorf("gate on an empty branch = %+v, want no_commits", res)
	}
	r.commit(ws.Dir, "ignore build", map[string]string{".gitignore": "build/\n"})
	r.write(ws.Dir, "new.txt", "untracked\n")
	r.write(ws.Dir, "shared.txt", "changed\n")
	r.write(ws.Dir, "build/out.bin", "ignored\n")
	res := r.gate(w, "t-a")
	if res.Status != core.GateUncommitted || !slices.Equal(res.Files, []string{"new.txt", "shared.txt"}) {
		t.Errorf("gate on a dirty worktree = %+v, want uncommitted_changes listing new.txt and shared.txt", res)
	}
}

// TestGateAfterRestart: a gate that finds its task merged (by an earlier
// process, before a restart) answers merged and merges nothing twice.
func TestGateAfterRestart(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	w := r.open(git.Options{})
	ws := r.prepare(w, "t-a")
	r.commit(ws.Dir, "a", map[string]string{"a.txt": "a\n"})
	first := r.gate(w, "t-a")
	if !first.Merged() {
		t.Fatalf("first gate = %+v", first)
	}
	// Another task lands after it, so the merge is no longer the head.
	b := r.prepare(w, "t-b")
	r.commit(b.Dir, "b", map[string]string{"b.txt": "b\n"})
	r.gate(w, "t-b")
	headBefore := r.head(w.Integration())

	restarted := r.open(git.Options{})
	again := r.gate(restarted, "t-a")
	if !again.Merged() || !again.AlreadyMerged || again.Commit != first.Commit {
		t.Fatalf("gate after restart = %+v, want already merged at %s", again, first.Commit)
	}
	if r.head(w.Integration()) != headBefore || len(r.mergesOf(w, "t-a")) != 1 {
		t.Errorf("the second gate merged again: %v", r.mergesOf(w, "t-a"))
	}
}

// TestConcurrentGates: gates of two managers on one repository at once
// are serialised (a validation that notices a second one running fails)
// and both land, one after the other.
func TestConcurrentGates(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	lock := filepath.Join(t.TempDir(), "validating")
	o := git.Options{Validate: "mkdir " + lock + " || exit 9; sleep 0.3; rmdir " + lock}
	w1, w2 := r.open(o), r.open(o)
	a, b := r.prepare(w1, "t-a"), r.prepare(w2, "t-b")
	r.commit(a.Dir, "a", map[string]string{"a.txt": "a\n"})
	r.commit(b.Dir, "b", map[string]string{"b.txt": "b\n"})

	var wg sync.WaitGroup
	results := make([]core.GateResult, 2)
	for i, w := range []*git.Workspaces{w1, w2} {
		wg.Go(func() {
			res, err := w.Gate(t.Context(), core.GateRequest{Task: []core.TaskID{"t-a", "t-b"}[i]})
			if err != nil {
				t.Errorf("gate %d: %v", i, err)
			}
			results[i] = res
		})
	}
	wg.Wait()
	for i, res := range results {
		if !res.Merged() {
			t.Errorf("gate %d = %+v, want merged", i, res)
		}
	}
	if out := run(t, r.dir, "ls-tree", "--name-only", w1.Integration()); !strings.Contains(out, "a.txt") || !strings.Contains(out, "b.txt") {
		t.Errorf("integration tree lacks a task's file:\n%s", out)
	}
	if n := run(t, r.dir, "rev-list", "--count", "--first-parent", "main.."+w1.Integration()); n != "2" {
		t.Errorf("integration has %s first-parent commits past main, want the two merges", n)
	}
}

// TestGateRetriesWhenIntegrationMoves: when the integration branch moves
// under a gate (another process merged first), the compare-and-swap fails
// and the gate rebases and validates again on the new head.
func TestGateRetriesWhenIntegrationMoves(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	w := r.open(git.Options{})
	other := r.prepare(w, "t-other")
	otherTip := r.commit(other.Dir, "other", map[string]string{"other.txt": "o\n"})
	marker := filepath.Join(t.TempDir(), "moved")
	runs := filepath.Join(t.TempDir(), "runs")
	// The first validation plays another process: it moves the integration
	// branch to a commit that lands the other task.
	move := "echo run >> " + runs + "; test -e " + marker + " || { touch " + marker + "; git update-ref refs/heads/" + w.Integration() + " " + otherTip + "; }"
	w = r.open(git.Options{Validate: move})
	ws := r.prepare(w, "t-a")
	r.commit(ws.Dir, "a", map[string]string{"a.txt": "a\n"})

	res := r.gate(w, "t-a")
	if !res.Merged() {
		t.Fatalf("gate = %+v", res)
	}
	if p := r.head(res.Commit + "^1"); p != otherTip {
		t.Errorf("merge's first parent = %s, want the moved head %s", p, otherTip)
	}
	b, err := os.ReadFile(runs)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "run"); n != 2 {
		t.Errorf("validation ran %d times, want 2 (once per rebase)", n)
	}
}

// groupGone waits up to d for a process group to be empty: a killed
// process is gone a moment after the signal, not at once.
func groupGone(pgid int, d time.Duration) bool {
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if syscall.Kill(-pgid, 0) != nil {
			return true
		}
	}
	return false
}

// TestGateDuringAgentRebase: an agent that reports completed in the middle
// of its own conflicted rebase is told to finish or abort it.
func TestGateDuringAgentRebase(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	w := r.open(git.Options{})
	a, b := r.prepare(w, "t-a"), r.prepare(w, "t-b")
	r.commit(a.Dir, "a", map[string]string{"shared.txt": "by a\n"})
	r.commit(b.Dir, "b", map[string]string{"shared.txt": "by b\n"})
	r.gate(w, "t-a")
	if _, err := tryGit(b.Dir, "rebase", w.Integration()); err == nil {
		t.Fatal("the rebase should conflict")
	}
	_, err := w.Gate(t.Context(), core.GateRequest{Task: "t-b"})
	if core.CodeOf(err) != core.ErrConflict || !strings.Contains(err.Error(), "rebase is in progress") {
		t.Errorf("gate during a rebase: %v", err)
	}
	run(t, b.Dir, "rebase", "--abort")
	if res := r.gate(w, "t-b"); res.Status != core.GateConflict {
		t.Errorf("gate after the abort = %+v, want merge_conflict", res)
	}
}
