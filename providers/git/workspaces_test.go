package git_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"marcus/core"
	"marcus/providers/git"
)

// TestPrepareSeesMergedDependency: a worktree prepared after a task is
// merged starts from the integration head and so has that task's files;
// one prepared before does not. The person's checkout never moves.
func TestPrepareSeesMergedDependency(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	mainAt := r.head("main")
	w := r.open(git.Options{})
	if w.Integration() != "marcus/shop-app/integration" || r.head(w.Integration()) != mainAt {
		t.Fatalf("integration %s at %s, want marcus/shop-app/integration made from main", w.Integration(), r.head(w.Integration()))
	}
	dep := r.prepare(w, "t-dep")
	if dep.Dir != filepath.Join(r.root, "shop-app", "t-dep") || dep.Branch != "marcus/shop-app/t-dep" ||
		dep.Base != mainAt || dep.Integration != w.Integration() || dep.GitDir != filepath.Join(r.dir, ".git") {
		t.Errorf("workspace = %+v", dep)
	}
	early := r.prepare(w, "t-early")
	r.commit(dep.Dir, "dependency", map[string]string{"lib/dep.go": "package lib\n"})
	if res := r.gate(w, "t-dep"); !res.Merged() {
		t.Fatalf("gate = %+v", res)
	}
	later := r.prepare(w, "t-later")
	if got := r.read(later.Dir, "lib/dep.go"); got != "package lib\n" {
		t.Errorf("the later worktree's lib/dep.go = %q", got)
	}
	if later.Base != r.head(w.Integration()) {
		t.Errorf("later base %s, want the integration head", later.Base)
	}
	if _, err := os.Stat(filepath.Join(early.Dir, "lib/dep.go")); !os.IsNotExist(err) {
		t.Errorf("a worktree prepared before the merge has the dependency's file (%v)", err)
	}
	if b := run(t, later.Dir, "symbolic-ref", "HEAD"); b != "refs/heads/"+later.Branch {
		t.Errorf("the worktree is on %s, want %s", b, later.Branch)
	}
	r.untouched(mainAt)
}

// TestPrepareAgainStartsFresh: preparing a task again (its earlier agent
// crashed) discards what that attempt left and starts from the
// integration head.
func TestPrepareAgainStartsFresh(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	w := r.open(git.Options{})
	ws := r.prepare(w, "t-a")
	r.commit(ws.Dir, "half done", map[string]string{"half.txt": "x\n"})
	r.write(ws.Dir, "scratch.txt", "uncommitted\n")
	again := r.prepare(w, "t-a")
	if again.Dir != ws.Dir || r.head(again.Branch) != r.head(w.Integration()) {
		t.Errorf("prepared again at %s, want the integration head", r.head(again.Branch))
	}
	for _, f := range []string{"half.txt", "scratch.txt"} {
		if _, err := os.Stat(filepath.Join(again.Dir, f)); !os.IsNotExist(err) {
			t.Errorf("%s survived a new Prepare", f)
		}
	}
}

// TestRemove deletes the worktree and the branch; removing twice is fine.
func TestRemove(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	w := r.open(git.Options{})
	ws := r.prepare(w, "t-a")
	r.commit(ws.Dir, "work", map[string]string{"a.txt": "a\n"})
	for range 2 {
		if err := w.Remove(t.Context(), "t-a"); err != nil {
			t.Fatalf("remove: %v", err)
		}
	}
	if _, err := os.Stat(ws.Dir); !os.IsNotExist(err) {
		t.Errorf("worktree folder still there (%v)", err)
	}
	if out := run(t, r.dir, "branch", "--list", ws.Branch); out != "" {
		t.Errorf("branch still there: %s", out)
	}
	if out := run(t, r.dir, "worktree", "list", "--porcelain"); strings.Contains(out, ws.Dir) {
		t.Errorf("git still lists the worktree:\n%s", out)
	}
	if _, err := w.Diff(t.Context(), "t-a"); core.CodeOf(err) != core.ErrNotFound {
		t.Errorf("diff of a removed task: %v, want not found", err)
	}
}

// TestCleanup removes what a crashed run left: worktrees git lists, a
// worktree whose folder was deleted by hand, a stray folder, and the task
// branches; the integration branch and other branches stay.
func TestCleanup(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	w := r.open(git.Options{})
	a, b := r.prepare(w, "t-a"), r.prepare(w, "t-b")
	r.commit(a.Dir, "a", map[string]string{"a.txt": "a\n"})
	r.write(b.Dir, "dirty.txt", "uncommitted\n")
	gone := r.prepare(w, "t-gone")
	if err := os.RemoveAll(gone.Dir); err != nil {
		t.Fatal(err)
	}
	r.write(filepath.Join(w.Root(), "stray"), "junk.txt", "x\n")
	run(t, r.dir, "branch", "feature")

	rep, err := w.Cleanup(t.Context())
	if err != nil {
		t.Fatalf("cleanup: %v", err)
	}
	slices.Sort(rep.Branches)
	if want := []string{"marcus/shop-app/t-a", "marcus/shop-app/t-b", "marcus/shop-app/t-gone"}; !slices.Equal(rep.Branches, want) {
		t.Errorf("branches removed = %v, want %v", rep.Branches, want)
	}
	var names []string
	for _, d := range rep.Worktrees {
		names = append(names, filepath.Base(d))
	}
	slices.Sort(names)
	if want := []string{"stray", "t-a", "t-b", "t-gone"}; !slices.Equal(names, want) {
		t.Errorf("worktrees removed = %v, want %v", names, want)
	}
	if _, err := os.Stat(w.Root()); !os.IsNotExist(err) {
		t.Errorf("the project's worktree folder survived (%v)", err)
	}
	if out := run(t, r.dir, "worktree", "list", "--porcelain"); strings.Count(out, "worktree ") != 1 {
		t.Errorf("worktrees left:\n%s", out)
	}
	branches := run(t, r.dir, "branch", "--format=%(refname:short)")
	if want := "feature\nmain\n" + w.Integration(); branches != want {
		t.Errorf("branches after cleanup:\n%s\nwant:\n%s", branches, want)
	}
	if rep, err := w.Cleanup(t.Context()); err != nil || len(rep.Worktrees)+len(rep.Branches) != 0 {
		t.Errorf("a second cleanup = %+v, %v, want nothing to do", rep, err)
	}
}

// TestOpenRefuses: what Open refuses, each with an error that says what
// to do instead.
func TestOpenRefuses(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	empty := t.TempDir()
	run(t, empty, "init", "--quiet")
	for _, tc := range []struct {
		name string
		o    git.Options
		want string
	}{
		{"checked-out integration", git.Options{Integration: "main"}, "checked out"},
		{"root inside the checkout", git.Options{Root: filepath.Join(r.dir, "wt")}, "outside"},
		{"not a repository", git.Options{Repo: t.TempDir()}, "not a git repository"},
		{"no commits", git.Options{Repo: empty}, "commit"},
		{"clashing name", git.Options{Integration: "marcus/shop-app"}, "clashes"},
		{"bad name", git.Options{Integration: "a..b"}, "not a valid branch name"},
		{"no project", git.Options{Project: " "}, "project"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.o
			if o.Project == " " {
				o.Repo, o.Root = r.dir, r.root
				_, err := git.Open(t.Context(), o)
				checkInvalid(t, err, tc.want)
				return
			}
			_, err := r.tryOpen(o)
			checkInvalid(t, err, tc.want)
		})
	}
}

func checkInvalid(t *testing.T, err error, want string) {
	t.Helper()
	if core.CodeOf(err) != core.ErrInvalid || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want invalid mentioning %q", err, want)
	}
}

// TestGivenIntegrationBranch: a named integration branch that exists is
// used as it is; the person may keep working on main meanwhile.
func TestGivenIntegrationBranch(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	run(t, r.dir, "branch", "develop")
	r.commit(r.dir, "person works on", map[string]string{"person.txt": "p\n"})
	w := r.open(git.Options{Integration: "develop"})
	ws := r.prepare(w, "t-a")
	if _, err := os.Stat(filepath.Join(ws.Dir, "person.txt")); !os.IsNotExist(err) {
		t.Error("the worktree came from main, not from develop")
	}
	r.commit(ws.Dir, "a", map[string]string{"a.txt": "a\n"})
	if res := r.gate(w, "t-a"); !res.Merged() || res.Integration != "develop" {
		t.Fatalf("gate = %+v", res)
	}
	diff, err := w.Diff(t.Context(), "t-a")
	if err != nil || diff != "" {
		t.Errorf("diff of a merged task = %q, %v, want empty", diff, err)
	}
}

// TestDiff shows a task's committed change against the integration branch.
func TestDiff(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	w := r.open(git.Options{})
	ws := r.prepare(w, "t-a")
	r.commit(ws.Dir, "a", map[string]string{"a.txt": "hello\n"})
	r.write(ws.Dir, "uncommitted.txt", "not in the diff\n")
	diff, err := w.Diff(t.Context(), "t-a")
	if err != nil || !strings.Contains(diff, "+++ b/a.txt") || !strings.Contains(diff, "+hello") || strings.Contains(diff, "uncommitted") {
		t.Errorf("diff = %q, %v", diff, err)
	}
}

// TestDiffOfMergedTask shows what the merge brought once the task's
// branch is gone.
func TestDiffOfMergedTask(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	w := r.open(git.Options{})
	ws := r.prepare(w, "t-a")
	r.commit(ws.Dir, "a", map[string]string{"a.txt": "hello\n"})
	if res := r.gate(w, "t-a"); !res.Merged() {
		t.Fatalf("gate = %+v", res)
	}
	other := r.prepare(w, "t-b")
	r.commit(other.Dir, "b", map[string]string{"b.txt": "other\n"})
	if res := r.gate(w, "t-b"); !res.Merged() {
		t.Fatalf("gate = %+v", res)
	}
	if err := w.Remove(t.Context(), "t-a"); err != nil {
		t.Fatal(err)
	}
	diff, err := w.Diff(t.Context(), "t-a")
	if err != nil || !strings.Contains(diff, "+hello") || strings.Contains(diff, "b.txt") {
		t.Errorf("diff of a merged, removed task = %q, %v", diff, err)
	}
}

func TestBadTaskIDs(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	w := r.open(git.Options{})
	for _, id := range []core.TaskID{"", "../x", "a/b", "-x", "integration", "a b"} {
		if _, err := w.Prepare(t.Context(), id); core.CodeOf(err) != core.ErrInvalid {
			t.Errorf("Prepare(%q) = %v, want invalid", id, err)
		}
	}
}

func TestSlug(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Shop App": "shop-app", "  recipe--site!! ": "recipe-site", "ÉTÉ": "t", "": "project", "***": "project",
		strings.Repeat("ab", 30): strings.Repeat("ab", 20),
	} {
		if got := git.Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLookup finds a task's worktree as Prepare made it, after other work
// merged (its base stays where the branch left the integration branch),
// and nothing once it is removed.
func TestLookup(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	w := r.open(git.Options{})
	if _, err := w.Lookup(t.Context(), "t-a"); core.CodeOf(err) != core.ErrNotFound {
		t.Errorf("lookup before prepare: %v, want not found", err)
	}
	ws := r.prepare(w, "t-a")
	other := r.prepare(w, "t-b")
	r.commit(other.Dir, "other work", map[string]string{"b.txt": "b\n"})
	if res := r.gate(w, "t-b"); !res.Merged() {
		t.Fatalf("gate: %+v", res)
	}
	got, err := w.Lookup(t.Context(), "t-a")
	if err != nil || got != ws {
		t.Errorf("lookup = %+v, %v; want %+v", got, err, ws)
	}
	if err := w.Remove(t.Context(), "t-a"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Lookup(t.Context(), "t-a"); core.CodeOf(err) != core.ErrNotFound {
		t.Errorf("lookup after remove: %v, want not found", err)
	}
}
