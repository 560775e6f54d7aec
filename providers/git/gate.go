package git

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"marcus/core"
)

// TaskTrailer is the trailer of the merge commit that lands a task on the
// integration branch: how a gate after a restart finds the task merged.
const TaskTrailer = "Marcus-Task"

// casAttempts bounds how often a gate rebases again because another
// process moved the integration branch between its rebase and its update.
const casAttempts = 3

// Gate lands a task's branch on the integration branch, one gate at a
// time per repository: it checks the worktree, rebases the branch onto
// the integration head, validates it and records a merge commit carrying
// the task id, advancing the integration branch with a compare-and-swap.
func (w *Workspaces) Gate(ctx context.Context, req core.GateRequest) (core.GateResult, error) {
	if err := w.checkTask(req.Task); err != nil {
		return core.GateResult{}, err
	}
	start := time.Now()
	unlock, err := w.locks.merge.lock(ctx)
	if err != nil {
		return core.GateResult{}, err
	}
	defer unlock()
	res, err := w.gate(ctx, req)
	res.Took = time.Since(start)
	return res, err
}

func (w *Workspaces) gate(ctx context.Context, req core.GateRequest) (core.GateResult, error) {
	res := core.GateResult{Task: req.Task, Branch: w.Branch(req.Task), Integration: w.o.Integration}
	commit, err := w.Merged(ctx, req.Task)
	if err != nil {
		return res, err
	}
	if commit != "" {
		res.Status, res.Commit, res.AlreadyMerged = core.GateMerged, commit, true
		return res, nil
	}
	if err := w.checkWorktree(ctx, req.Task); err != nil {
		return res, err
	}
	if files, err := w.uncommitted(ctx, w.Dir(req.Task)); err != nil || len(files) > 0 {
		res.Status, res.Files = core.GateUncommitted, files
		return res, err
	}
	for range casAttempts {
		done, err := w.attempt(ctx, req, &res)
		if err != nil || done {
			return res, err
		}
	}
	return res, core.Errorf(core.ErrUnavailable, "the integration branch %s kept moving under the gate (another marcus on this repository?): report completed again", w.o.Integration)
}

// attempt rebases, validates and advances once. done is false when the
// integration branch moved under it and the caller should try again.
func (w *Workspaces) attempt(ctx context.Context, req core.GateRequest, res *core.GateResult) (done bool, err error) {
	head, err := w.resolve(ctx, "refs/heads/"+w.o.Integration)
	if err != nil {
		return true, err
	}
	res.Head = head
	dir := w.Dir(req.Task)
	if res.Files, err = w.rebase(ctx, dir, head); err != nil || len(res.Files) > 0 {
		res.Status = core.GateConflict
		return true, err
	}
	if res.Commits, err = w.count(ctx, head, "refs/heads/"+res.Branch); err != nil || res.Commits == 0 {
		res.Status = core.GateNoCommits
		return true, err
	}
	if ok, err := w.validate(ctx, req.Task, dir, res); err != nil || !ok {
		res.Status = core.GateValidationFailed
		return true, err
	}
	commit, err := w.mergeCommit(ctx, req, head, "refs/heads/"+res.Branch)
	if err != nil {
		return true, err
	}
	moved, err := w.advance(ctx, req.Task, head, commit)
	if err != nil || moved {
		return !moved, err
	}
	res.Status, res.Commit = core.GateMerged, commit
	return true, nil
}

// checkWorktree makes sure the task's worktree exists and has its branch
// checked out, since the rebase and the validation run there.
func (w *Workspaces) checkWorktree(ctx context.Context, task core.TaskID) error {
	dir := w.Dir(task)
	if !exists(dir) {
		return core.Errorf(core.ErrNotFound, "task %s has no worktree at %s: it was removed or never prepared", task, dir)
	}
	out, err := w.git(ctx, dir, "symbolic-ref", "--quiet", "HEAD")
	if want := "refs/heads/" + w.Branch(task); strings.TrimSpace(out) == want && err == nil {
		return nil
	} else if exitCode(err) < 0 {
		return err
	}
	if w.rebasing(ctx, dir) {
		return core.Errorf(core.ErrConflict, "a rebase is in progress in %s: finish it (resolve, git add, git rebase --continue) or give it up (git rebase --abort), then report completed again", dir)
	}
	return core.Errorf(core.ErrConflict, "the worktree %s is not on the task's branch %s: run `git switch %s` there (bringing your commits along), then report completed again", dir, w.Branch(task), w.Branch(task))
}

// rebasing reports whether a rebase is under way in a worktree.
func (w *Workspaces) rebasing(ctx context.Context, dir string) bool {
	for _, name := range []string{"rebase-merge", "rebase-apply"} {
		out, err := w.git(ctx, dir, "rev-parse", "--path-format=absolute", "--git-path", name)
		if err == nil && exists(strings.TrimSpace(out)) {
			return true
		}
	}
	return false
}

// uncommitted lists the changed and untracked (not ignored) files of a
// worktree: a gate validates and merges only committed work.
func (w *Workspaces) uncommitted(ctx context.Context, dir string) ([]string, error) {
	out, err := w.git(ctx, dir, "status", "--porcelain=v1", "-z", "--untracked-files=normal")
	if err != nil {
		return nil, err
	}
	var files []string
	fields := strings.Split(out, "\x00")
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		if len(f) < 4 {
			continue
		}
		files = append(files, f[3:])
		if f[0] == 'R' || f[0] == 'C' {
			i++ // a rename's source path follows
		}
	}
	slices.Sort(files)
	return files, nil
}

// rebase rebases the worktree's branch onto head. On a conflict it aborts,
// leaving the branch as it was, and returns the conflicting files.
func (w *Workspaces) rebase(ctx context.Context, dir, head string) ([]string, error) {
	if _, err := w.git(ctx, dir, "merge-base", "--is-ancestor", head, "HEAD"); err == nil {
		return nil, nil
	} else if exitCode(err) != 1 {
		return nil, err
	}
	_, rerr := w.git(ctx, dir, "rebase", "--no-autostash", "--no-update-refs", head)
	if rerr == nil {
		return nil, nil
	}
	out, err := w.git(ctx, dir, "diff", "--name-only", "--diff-filter=U", "-z")
	files := strings.FieldsFunc(out, func(r rune) bool { return r == 0 })
	if _, aerr := w.git(ctx, dir, "rebase", "--abort"); aerr != nil {
		return files, core.Wrap(core.ErrUnavailable, aerr, "the rebase of %s failed and could not be aborted", dir)
	}
	if err != nil || len(files) == 0 {
		return nil, core.Wrap(core.ErrUnavailable, rerr, "the rebase of %s failed without a conflict", dir)
	}
	return files, nil
}

func (w *Workspaces) count(ctx context.Context, from, to string) (int, error) {
	out, err := w.git(ctx, w.gitDir, "rev-list", "--count", from+".."+to)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(out))
}

// mergeCommit records the rebased branch as a merge commit on top of head:
// its tree is the branch's, its second parent the branch's last commit,
// and its message carries the task trailer.
func (w *Workspaces) mergeCommit(ctx context.Context, req core.GateRequest, head, branch string) (string, error) {
	tip, err := w.resolve(ctx, branch)
	if err != nil {
		return "", err
	}
	title := strings.TrimSpace(req.Title)
	if title == "" {
		title = string(req.Task)
	}
	msg := fmt.Sprintf("marcus: merge task %s\n\n%s\n\n%s: %s\n", title, tip, TaskTrailer, req.Task)
	if req.Agent != "" {
		msg += fmt.Sprintf("Marcus-Agent: %s\n", req.Agent)
	}
	env := []string{"GIT_AUTHOR_NAME=marcus", "GIT_AUTHOR_EMAIL=marcus@localhost"}
	out, err := w.gitIn(ctx, w.gitDir, env, []byte(msg), "commit-tree", tip+"^{tree}", "-p", head, "-p", tip, "-F", "-")
	return strings.TrimSpace(out), err
}

// advance moves the integration branch from head to commit, only if it
// still points at head. moved reports that it did not: another process
// moved it first.
func (w *Workspaces) advance(ctx context.Context, task core.TaskID, head, commit string) (moved bool, err error) {
	unlock, err := w.locks.admin.lock(ctx)
	if err != nil {
		return false, err
	}
	defer unlock()
	if err := w.checkNotCheckedOut(ctx); err != nil {
		return false, err
	}
	ref := "refs/heads/" + w.o.Integration
	_, err = w.git(ctx, w.gitDir, "update-ref", "-m", "marcus: merge task "+string(task), ref, commit, head)
	if err == nil {
		return false, nil
	}
	now, rerr := w.resolve(ctx, ref)
	if rerr == nil && now != head {
		return true, nil
	}
	return false, err
}

// Merged returns the integration commit whose trailer names the task, ""
// when there is none. Only the integration branch's first-parent line is
// read: marcus's merge commits, never an agent's own.
func (w *Workspaces) Merged(ctx context.Context, task core.TaskID) (string, error) {
	if err := w.checkTask(task); err != nil {
		return "", err
	}
	out, err := w.git(ctx, w.gitDir, "log", "--first-parent", "--merges", "-n", "1", "--format=%H",
		"--grep=^"+TaskTrailer+": "+string(task)+"$", "refs/heads/"+w.o.Integration, "--")
	return strings.TrimSpace(out), err
}

// maxDiff bounds what Diff returns.
const maxDiff = 1 << 20

// Diff is the task branch's committed change against the integration
// branch (from their merge base), at most 1 MiB. A task whose branch was
// merged and removed shows what its merge commit brought.
func (w *Workspaces) Diff(ctx context.Context, task core.TaskID) (string, error) {
	if err := w.checkTask(task); err != nil {
		return "", err
	}
	branch := "refs/heads/" + w.Branch(task)
	from, to := "refs/heads/"+w.o.Integration+"...", branch
	if _, err := w.resolve(ctx, branch); err != nil {
		merge, merr := w.Merged(ctx, task)
		if merr != nil || merge == "" {
			return "", core.Errorf(core.ErrNotFound, "task %s has no branch and no merge: it was never prepared, or abandoned", task)
		}
		from, to = merge+"^1..", merge
	}
	out, err := w.git(ctx, w.gitDir, "diff", "--no-color", "--no-ext-diff", from+to, "--")
	if len(out) > maxDiff {
		out = out[:maxDiff] + "\n[diff cut at 1 MiB]\n"
	}
	return out, err
}
