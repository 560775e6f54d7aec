package git_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"marcus/core"
	"marcus/providers/git"
)

// identity lets test commits work whatever git configuration the machine
// has (none, in CI).
var identity = []string{
	"GIT_AUTHOR_NAME=tester", "GIT_AUTHOR_EMAIL=tester@example.com",
	"GIT_COMMITTER_NAME=tester", "GIT_COMMITTER_EMAIL=tester@example.com",
	"GIT_CONFIG_NOSYSTEM=1",
}

// run runs git in dir and returns its trimmed output, failing the test on
// an error.
func run(t testing.TB, dir string, args ...string) string {
	t.Helper()
	out, err := tryGit(dir, args...)
	if err != nil {
		t.Fatalf("git %s in %s: %v\n%s", strings.Join(args, " "), dir, err, out)
	}
	return out
}

func tryGit(dir string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), identity...)
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

func needGit(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed: install git to run the workspace tests")
	}
}

// repo is a person's repository with one commit on main and the folder
// marcus keeps worktrees in.
type repo struct {
	t    testing.TB
	dir  string
	root string
}

func newRepo(t testing.TB) *repo {
	t.Helper()
	needGit(t)
	base := t.TempDir()
	r := &repo{t: t, dir: filepath.Join(base, "person"), root: filepath.Join(base, "marcus-worktrees")}
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	run(t, r.dir, "init", "--quiet", "-b", "main")
	r.write(r.dir, "README.md", "# project\n")
	r.write(r.dir, "shared.txt", "line one\n")
	run(t, r.dir, "add", "-A")
	run(t, r.dir, "commit", "--quiet", "-m", "first")
	return r
}

func (r *repo) write(dir, name, content string) {
	r.t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

func (r *repo) read(dir, name string) string {
	r.t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		r.t.Fatal(err)
	}
	return string(b)
}

// commit writes files in a worktree and commits them, as an agent would.
func (r *repo) commit(dir, msg string, files map[string]string) string {
	r.t.Helper()
	for name, content := range files {
		r.write(dir, name, content)
	}
	run(r.t, dir, "add", "-A")
	run(r.t, dir, "commit", "--quiet", "-m", msg)
	return run(r.t, dir, "rev-parse", "HEAD")
}

func (r *repo) open(o git.Options) *git.Workspaces {
	r.t.Helper()
	w, err := r.tryOpen(o)
	if err != nil {
		r.t.Fatalf("open: %v", err)
	}
	return w
}

func (r *repo) tryOpen(o git.Options) (*git.Workspaces, error) {
	if o.Repo == "" {
		o.Repo = r.dir
	}
	if o.Root == "" {
		o.Root = r.root
	}
	if o.Project == "" {
		o.Project = "Shop App"
	}
	return git.Open(r.t.Context(), o)
}

func (r *repo) prepare(w *git.Workspaces, task core.TaskID) core.Workspace {
	r.t.Helper()
	ws, err := w.Prepare(r.t.Context(), task)
	if err != nil {
		r.t.Fatalf("prepare %s: %v", task, err)
	}
	return ws
}

func (r *repo) gate(w *git.Workspaces, task core.TaskID) core.GateResult {
	r.t.Helper()
	res, err := w.Gate(r.t.Context(), core.GateRequest{Task: task, Agent: "agent-1", Title: "task " + string(task)})
	if err != nil {
		r.t.Fatalf("gate %s: %v", task, err)
	}
	return res
}

// head is the commit a ref points at.
func (r *repo) head(ref string) string {
	r.t.Helper()
	return run(r.t, r.dir, "rev-parse", ref)
}

// untouched checks that the person's checkout is as they left it: still
// on main at its commit, with a clean status.
func (r *repo) untouched(mainAt string) {
	r.t.Helper()
	if b := run(r.t, r.dir, "symbolic-ref", "HEAD"); b != "refs/heads/main" {
		r.t.Errorf("the person's checkout is on %s, want main", b)
	}
	if h := r.head("main"); h != mainAt {
		r.t.Errorf("main moved from %s to %s", mainAt, h)
	}
	if s := run(r.t, r.dir, "status", "--porcelain"); s != "" {
		r.t.Errorf("the person's checkout is not clean:\n%s", s)
	}
}

// mergesOf lists the first-parent merge commits of the integration branch
// whose trailer names task.
func (r *repo) mergesOf(w *git.Workspaces, task core.TaskID) []string {
	r.t.Helper()
	out := run(r.t, r.dir, "log", "--first-parent", "--format=%H %(trailers:key=Marcus-Task,valueonly,separator=%x2C)", w.Integration())
	var found []string
	for _, l := range strings.Split(out, "\n") {
		if sha, tr, ok := strings.Cut(l, " "); ok && strings.TrimSpace(tr) == string(task) {
			found = append(found, sha)
		}
	}
	return found
}
