package git

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"marcus/core"
)

// Prepare gives a task a fresh worktree on marcus/<project>/<task>, made
// from the integration head. What an earlier attempt left is removed
// first: a task's worktree always starts from the integration branch as
// it is at claim time.
func (w *Workspaces) Prepare(ctx context.Context, task core.TaskID) (core.Workspace, error) {
	if err := w.checkTask(task); err != nil {
		return core.Workspace{}, err
	}
	unlock, err := w.locks.admin.lock(ctx)
	if err != nil {
		return core.Workspace{}, err
	}
	defer unlock()
	if err := w.remove(ctx, task); err != nil {
		return core.Workspace{}, err
	}
	base, err := w.resolve(ctx, "refs/heads/"+w.o.Integration)
	if err != nil {
		return core.Workspace{}, core.Errorf(core.ErrNotFound, "the integration branch %s is gone: marcus makes it again when the run restarts", w.o.Integration)
	}
	if err := os.MkdirAll(w.root, 0o755); err != nil {
		return core.Workspace{}, core.Wrap(core.ErrUnavailable, err, "cannot make the worktree folder %s", w.root)
	}
	dir, branch := w.Dir(task), w.Branch(task)
	if _, err := w.git(ctx, w.gitDir, "worktree", "add", "--quiet", "-b", branch, dir, base); err != nil {
		return core.Workspace{}, core.Wrap(core.ErrUnavailable, err, "cannot make the worktree of task %s", task)
	}
	return core.Workspace{Task: task, Dir: dir, Branch: branch, Integration: w.o.Integration, Base: base, GitDir: w.gitDir}, nil
}

// Remove deletes the task's worktree and its branch.
func (w *Workspaces) Remove(ctx context.Context, task core.TaskID) error {
	if err := w.checkTask(task); err != nil {
		return err
	}
	unlock, err := w.locks.admin.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	return w.remove(ctx, task)
}

// remove deletes a task's worktree (registered or only a folder) and
// branch; the caller holds the admin lock.
func (w *Workspaces) remove(ctx context.Context, task core.TaskID) error {
	if err := w.removeWorktree(ctx, w.Dir(task)); err != nil {
		return err
	}
	return w.deleteBranch(ctx, "refs/heads/"+w.Branch(task))
}

// removeWorktree forgets a worktree and deletes its folder, whatever is
// in it; a folder git does not know is deleted all the same.
func (w *Workspaces) removeWorktree(ctx context.Context, dir string) error {
	if exists(filepath.Join(dir, ".git")) {
		// A worktree that git no longer lists fails here; its folder goes below.
		_, _ = w.git(ctx, w.gitDir, "worktree", "remove", "--force", "--force", dir)
	}
	if err := os.RemoveAll(dir); err != nil {
		return core.Wrap(core.ErrUnavailable, err, "cannot delete the worktree folder %s", dir)
	}
	_, err := w.git(ctx, w.gitDir, "worktree", "prune")
	return err
}

// deleteBranch deletes a branch when it exists. update-ref -d never
// refuses an unmerged branch, and the worktree that had it is gone.
func (w *Workspaces) deleteBranch(ctx context.Context, ref string) error {
	if _, err := w.resolve(ctx, ref); core.CodeOf(err) == core.ErrNotFound {
		return nil
	}
	_, err := w.git(ctx, w.gitDir, "update-ref", "-d", ref)
	return err
}

// Cleanup removes every worktree and task branch of this project: the
// worktrees git lists under the project's folder or on its task branches,
// folders left there that git does not know, and the task branches. The
// integration branch stays.
func (w *Workspaces) Cleanup(ctx context.Context) (core.CleanupReport, error) {
	unlock, err := w.locks.admin.lock(ctx)
	if err != nil {
		return core.CleanupReport{}, err
	}
	defer unlock()
	var rep core.CleanupReport
	dirs, err := w.leftoverDirs(ctx)
	if err != nil {
		return rep, err
	}
	for _, dir := range dirs {
		if err := w.removeWorktree(ctx, dir); err != nil {
			return rep, err
		}
		rep.Worktrees = append(rep.Worktrees, dir)
	}
	if err := os.RemoveAll(w.root); err != nil {
		return rep, core.Wrap(core.ErrUnavailable, err, "cannot delete %s", w.root)
	}
	rep.Branches, err = w.deleteTaskBranches(ctx)
	return rep, err
}

// leftoverDirs lists the worktrees of this project: the ones git records
// (under the folder, or on a task branch elsewhere) and the folders under
// the project's folder.
func (w *Workspaces) leftoverDirs(ctx context.Context) ([]string, error) {
	wts, err := w.worktrees(ctx)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var dirs []string
	add := func(dir string) {
		if !seen[dir] {
			seen[dir] = true
			dirs = append(dirs, dir)
		}
	}
	for _, wt := range wts {
		if wt.path != w.repo && (within(w.root, wt.path) || w.isTaskRef(wt.branch)) {
			add(wt.path)
		}
	}
	entries, err := os.ReadDir(w.root)
	if err != nil && !os.IsNotExist(err) {
		return nil, core.Wrap(core.ErrUnavailable, err, "cannot read %s", w.root)
	}
	for _, e := range entries {
		add(filepath.Join(w.root, e.Name()))
	}
	return dirs, nil
}

// isTaskRef reports whether ref is one of this project's task branches.
func (w *Workspaces) isTaskRef(ref string) bool {
	return strings.HasPrefix(ref, w.taskRefs) && ref != "refs/heads/"+w.o.Integration
}

func (w *Workspaces) deleteTaskBranches(ctx context.Context) ([]string, error) {
	out, err := w.git(ctx, w.gitDir, "for-each-ref", "--format=%(refname)", w.taskRefs)
	if err != nil {
		return nil, err
	}
	var deleted []string
	for _, ref := range lines(out) {
		if !w.isTaskRef(ref) {
			continue
		}
		if err := w.deleteBranch(ctx, ref); err != nil {
			return deleted, err
		}
		deleted = append(deleted, strings.TrimPrefix(ref, "refs/heads/"))
	}
	return deleted, nil
}

// Lookup finds the worktree a task has now: its folder on its branch.
// Base is where the branch left the integration branch (their merge base).
func (w *Workspaces) Lookup(ctx context.Context, task core.TaskID) (core.Workspace, error) {
	if err := w.checkTask(task); err != nil {
		return core.Workspace{}, err
	}
	dir, branch := w.Dir(task), w.Branch(task)
	if !exists(filepath.Join(dir, ".git")) {
		return core.Workspace{}, core.Errorf(core.ErrNotFound, "task %s has no worktree", task)
	}
	if _, err := w.resolve(ctx, "refs/heads/"+branch); err != nil {
		return core.Workspace{}, err
	}
	base, err := w.git(ctx, w.gitDir, "merge-base", "refs/heads/"+w.o.Integration, "refs/heads/"+branch)
	if err != nil {
		return core.Workspace{}, err
	}
	return core.Workspace{Task: task, Dir: dir, Branch: branch, Integration: w.o.Integration, Base: strings.TrimSpace(base), GitDir: w.gitDir}, nil
}
