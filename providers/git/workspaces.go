package git

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"marcus/core"
)

// Options configure a Workspaces. Repo, Root and Project are required.
type Options struct {
	// Repo is any directory of the repository (its checkout or a
	// subdirectory of it).
	Repo string
	// Root is the marcus-owned folder that holds the worktrees
	// (Root/<project>/<task>). It must lie outside the repository's
	// working tree, so the person's `git status` never sees it.
	Root string
	// Project names the branch namespace: task branches are
	// marcus/<project>/<task>. It is reduced to a slug.
	Project string
	// Integration is the branch tasks merge into; default
	// marcus/<project>/integration. It is made from Base when missing.
	Integration string
	// Base is the commit the integration branch starts from when it does
	// not exist yet; default HEAD (the person's current commit).
	Base string
	// Validate is a shell command the gate runs in the worktree on the
	// rebased branch; its failure refuses the merge. Empty: no validation.
	Validate string
	// ValidateTimeout bounds one validation run; default 10 minutes.
	ValidateTimeout time.Duration
	// GitTimeout bounds one git call; default 2 minutes.
	GitTimeout time.Duration
	// TailLines is how many lines of validation output a failed gate
	// keeps; default 40.
	TailLines int
	// Git is the git binary; default "git" from PATH.
	Git string
}

func (o Options) withDefaults() Options {
	if o.ValidateTimeout <= 0 {
		o.ValidateTimeout = 10 * time.Minute
	}
	if o.GitTimeout <= 0 {
		o.GitTimeout = 2 * time.Minute
	}
	if o.TailLines <= 0 {
		o.TailLines = 40
	}
	if o.Git == "" {
		o.Git = "git"
	}
	if o.Base == "" {
		o.Base = "HEAD"
	}
	return o
}

// Workspaces is core.Workspaces over the git CLI: one repository, one
// project, one integration branch.
type Workspaces struct {
	o        Options
	slug     string
	repo     string // the repository's main working tree ("" when bare)
	gitDir   string // the common git directory, absolute
	root     string // Root/<slug>, absolute
	locks    *repoLocks
	taskRefs string // refs/heads/marcus/<slug>/
}

var _ core.Workspaces = (*Workspaces)(nil)

// Open checks the repository, makes the integration branch when it is
// missing, and refuses an integration branch that is checked out anywhere
// (marcus moves it without a checkout, which would strand that checkout).
func Open(ctx context.Context, o Options) (*Workspaces, error) {
	o = o.withDefaults()
	if err := checkOptions(o); err != nil {
		return nil, err
	}
	w := &Workspaces{o: o, slug: Slug(o.Project)}
	w.taskRefs = "refs/heads/marcus/" + w.slug + "/"
	if w.o.Integration == "" {
		w.o.Integration = "marcus/" + w.slug + "/integration"
	}
	if err := w.locate(ctx); err != nil {
		return nil, err
	}
	if err := w.checkIntegrationName(ctx); err != nil {
		return nil, err
	}
	w.locks = locksFor(w.gitDir)
	if err := w.ensureIntegration(ctx); err != nil {
		return nil, err
	}
	return w, w.checkNotCheckedOut(ctx)
}

func checkOptions(o Options) error {
	switch {
	case strings.TrimSpace(o.Repo) == "":
		return core.Errorf(core.ErrInvalid, "no repository given: name the git repository the agents work on (--repo DIR)")
	case strings.TrimSpace(o.Root) == "":
		return core.Errorf(core.ErrInvalid, "no worktree folder given: name a folder outside the repository for marcus's worktrees")
	case strings.TrimSpace(o.Project) == "":
		return core.Errorf(core.ErrInvalid, "no project given: the project names the task branches (marcus/<project>/<task>)")
	}
	return nil
}

// locate finds the repository's common git directory and working tree,
// and places Root outside that working tree.
func (w *Workspaces) locate(ctx context.Context) error {
	out, err := w.git(ctx, w.o.Repo, "rev-parse", "--path-format=absolute", "--git-common-dir", "--is-bare-repository")
	if exitCode(err) > 0 {
		return core.Errorf(core.ErrInvalid, "%s is not a git repository: run git init there, or name the repository with --repo", w.o.Repo)
	}
	if err != nil {
		return err
	}
	ls := lines(out)
	if len(ls) < 2 {
		return core.Errorf(core.ErrInternal, "git rev-parse gave %q", out)
	}
	w.gitDir = filepath.Clean(ls[0])
	if ls[1] != "true" {
		top, err := w.git(ctx, w.o.Repo, "rev-parse", "--show-toplevel")
		if err != nil {
			return err
		}
		w.repo = filepath.Clean(strings.TrimSpace(top))
	}
	return w.placeRoot()
}

func (w *Workspaces) placeRoot() error {
	root, err := filepath.Abs(w.o.Root)
	if err != nil {
		return core.Wrap(core.ErrInvalid, err, "worktree folder %q", w.o.Root)
	}
	if w.repo != "" && within(w.repo, root) {
		return core.Errorf(core.ErrInvalid, "the worktree folder %s is inside the repository's checkout %s: choose a folder outside it, so your git status never sees marcus's worktrees", root, w.repo)
	}
	w.root = filepath.Join(root, w.slug)
	return nil
}

// within reports whether path is dir or below it.
func within(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// checkIntegrationName refuses a name git cannot hold beside the task
// branches: marcus/<project> is a folder of them.
func (w *Workspaces) checkIntegrationName(ctx context.Context) error {
	name := w.o.Integration
	if _, err := w.git(ctx, w.o.Repo, "check-ref-format", "refs/heads/"+name); err != nil {
		return core.Errorf(core.ErrInvalid, "%q is not a valid branch name", name)
	}
	ref := "refs/heads/" + name
	if ref+"/" == w.taskRefs || (strings.HasPrefix(ref, w.taskRefs) && strings.Contains(strings.TrimPrefix(ref, w.taskRefs), "/")) ||
		strings.HasPrefix(w.taskRefs, ref+"/") {
		return core.Errorf(core.ErrInvalid, "the integration branch %q clashes with the task branches %s<task>: choose another name (default %s)", name, strings.TrimPrefix(w.taskRefs, "refs/heads/"), "marcus/"+w.slug+"/integration")
	}
	return nil
}

// ensureIntegration makes the integration branch from Base when it does
// not exist. git branch never checks anything out.
func (w *Workspaces) ensureIntegration(ctx context.Context) error {
	unlock, err := w.locks.admin.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := w.resolve(ctx, "refs/heads/"+w.o.Integration); err == nil {
		return nil
	}
	base, err := w.resolve(ctx, w.o.Base)
	if err != nil {
		return core.Errorf(core.ErrInvalid, "cannot start the integration branch %s from %q: the repository needs a commit there (make a first commit, or give another base)", w.o.Integration, w.o.Base)
	}
	_, err = w.git(ctx, w.gitDir, "branch", "--no-track", w.o.Integration, base)
	return err
}

// resolve returns the commit a revision names.
func (w *Workspaces) resolve(ctx context.Context, rev string) (string, error) {
	out, err := w.git(ctx, w.gitDir, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	if exitCode(err) > 0 {
		return "", core.Errorf(core.ErrNotFound, "%s does not name a commit", rev)
	}
	return strings.TrimSpace(out), err
}

// Integration names the branch tasks merge into.
func (w *Workspaces) Integration() string { return w.o.Integration }

// Root is the folder holding this project's worktrees.
func (w *Workspaces) Root() string { return w.root }

// GitDir is the repository's common git directory.
func (w *Workspaces) GitDir() string { return w.gitDir }

// Branch is the task branch of a task.
func (w *Workspaces) Branch(task core.TaskID) string {
	return strings.TrimPrefix(w.taskRefs, "refs/heads/") + string(task)
}

// Dir is the worktree folder of a task.
func (w *Workspaces) Dir(task core.TaskID) string { return filepath.Join(w.root, string(task)) }

var taskIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$`)

// checkTask refuses a task id that cannot name a branch and a folder, or
// that would name the integration branch.
func (w *Workspaces) checkTask(task core.TaskID) error {
	if !taskIDPattern.MatchString(string(task)) {
		return core.Errorf(core.ErrInvalid, "task id %q cannot name a branch: ids are letters, digits, - and _", task)
	}
	if w.Branch(task) == w.o.Integration {
		return core.Errorf(core.ErrInvalid, "task id %q would name the integration branch %s", task, w.o.Integration)
	}
	return nil
}

// Slug reduces a project name to a branch-name component: lower case
// letters, digits and dashes, at most 40 characters.
func Slug(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9'):
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	s := b.String()
	if len(s) > 40 {
		s = s[:40]
	}
	if s = strings.Trim(s, "-"); s == "" {
		return "project"
	}
	return s
}

// worktreeEntry is one record of git worktree list --porcelain.
type worktreeEntry struct {
	path   string
	branch string // refs/heads/...; "" when detached
}

func (w *Workspaces) worktrees(ctx context.Context) ([]worktreeEntry, error) {
	out, err := w.git(ctx, w.gitDir, "worktree", "list", "--porcelain", "-z")
	if err != nil {
		return nil, err
	}
	var all []worktreeEntry
	var cur worktreeEntry
	for field := range strings.SplitSeq(out, "\x00") {
		switch {
		case field == "":
			if cur.path != "" {
				all = append(all, cur)
			}
			cur = worktreeEntry{}
		case strings.HasPrefix(field, "worktree "):
			cur.path = filepath.Clean(strings.TrimPrefix(field, "worktree "))
		case strings.HasPrefix(field, "branch "):
			cur.branch = strings.TrimPrefix(field, "branch ")
		}
	}
	return all, nil
}

// checkNotCheckedOut refuses when a worktree has the integration branch
// checked out: moving it would leave that checkout's index and files
// behind the branch.
func (w *Workspaces) checkNotCheckedOut(ctx context.Context) error {
	wts, err := w.worktrees(ctx)
	if err != nil {
		return err
	}
	for _, wt := range wts {
		if wt.branch == "refs/heads/"+w.o.Integration {
			return core.Errorf(core.ErrInvalid, "the integration branch %s is checked out in %s; marcus moves it without a checkout, which would leave that checkout behind: switch it to another branch, or give marcus another integration branch", w.o.Integration, wt.path)
		}
	}
	return nil
}

// exists reports whether path exists.
func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}
