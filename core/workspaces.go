package core

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Workspaces keeps one working copy per task of one project in one git
// repository, and is the completion gate: work reaches the integration
// branch only through Gate, so a task is done only when its work is
// validated and merged. providers/git implements it with the git CLI.
//
// The person's own checkout is never touched: the integration branch is
// never the branch checked out in any of their worktrees, and branches move
// without a checkout. Every method is safe for concurrent use; Gate lands
// one branch at a time per repository. Implementations keep no state a
// restart would lose: a task's worktree, branch and merge are found again
// from the task id.
type Workspaces interface {
	// Integration names the branch that tasks merge into.
	Integration() string
	// Prepare gives a task a fresh worktree on its own branch, made from
	// the integration head, so it starts with its dependencies' merged
	// work. Anything an earlier attempt left for the task (worktree, branch,
	// uncommitted files) is discarded first.
	Prepare(ctx context.Context, task TaskID) (Workspace, error)
	// Lookup finds the worktree a task already has (ErrNotFound: none),
	// without changing it.
	Lookup(ctx context.Context, task TaskID) (Workspace, error)
	// Gate tries to land a task's branch: it checks the branch has commits
	// and no uncommitted files, rebases it onto the integration head, runs
	// the validation command in the worktree and advances the integration
	// branch. The result says what happened to the agent's work; an error
	// means the gate itself could not run (ErrNotFound: no workspace for
	// the task; ErrUnavailable: git failed or timed out) and the agent's
	// work is untouched. A task whose merge an earlier gate already made
	// (before a restart, say) comes back merged without merging again.
	Gate(ctx context.Context, req GateRequest) (GateResult, error)
	// Merged returns the integration commit that merged the task, or ""
	// when no gate merged it.
	Merged(ctx context.Context, task TaskID) (string, error)
	// Diff is the task's change against the integration branch, as a
	// unified diff of its committed work (what a gate would merge); once
	// the task is merged and its branch removed, what its merge brought.
	Diff(ctx context.Context, task TaskID) (string, error)
	// Remove deletes the task's worktree and branch, whether merged or
	// abandoned. Removing what is already gone is not an error.
	Remove(ctx context.Context, task TaskID) error
	// Cleanup removes every worktree and task branch of this project that
	// a run left behind (after a crash): unmerged work in them is lost.
	// The integration branch stays.
	Cleanup(ctx context.Context) (CleanupReport, error)
}

// Workspace is one task's working copy.
type Workspace struct {
	Task TaskID `json:"task_id"`
	// Dir is the worktree: the agent's working directory.
	Dir string `json:"dir"`
	// Branch is the task's own branch, checked out in Dir.
	Branch string `json:"branch"`
	// Integration is the branch the gate merges into.
	Integration string `json:"integration_branch"`
	// Base is the integration commit the branch was made from.
	Base string `json:"base"`
	// GitDir is the repository's common git directory. Commits made in Dir
	// write there, so an agent whose tool sandboxes writes needs it
	// writable.
	GitDir string `json:"git_dir"`
}

// GateRequest asks the gate to land one task.
type GateRequest struct {
	Task  TaskID
	Agent AgentID
	// Title names the task in the merge commit.
	Title string
}

// GateStatus is the outcome of one gate.
type GateStatus string

// Gate outcomes. Only GateMerged lets a task be done; every other one
// leaves the task with its agent, told what to do.
const (
	GateMerged GateStatus = "merged"
	// GateConflict: the branch does not rebase onto the integration head.
	// The rebase was aborted; the branch is as the agent left it.
	GateConflict GateStatus = "merge_conflict"
	// GateValidationFailed: the validation command failed (or timed out)
	// on the rebased branch.
	GateValidationFailed GateStatus = "validation_failed"
	// GateNoCommits: the branch has nothing the integration branch lacks.
	GateNoCommits GateStatus = "no_commits"
	// GateUncommitted: the worktree has changes that are not committed,
	// so what would be validated is not what would be merged.
	GateUncommitted GateStatus = "uncommitted_changes"
)

// GateResult says what one gate did.
type GateResult struct {
	Status      GateStatus `json:"status"`
	Task        TaskID     `json:"task_id"`
	Branch      string     `json:"branch"`
	Integration string     `json:"integration_branch"`
	// Head is the integration commit the gate rebased onto (the last one
	// tried, when the branch moved meanwhile).
	Head string `json:"integration_head,omitempty"`
	// Commit is, when merged, the integration commit carrying the task.
	Commit string `json:"commit,omitempty"`
	// AlreadyMerged: an earlier gate had merged the task; nothing moved.
	AlreadyMerged bool `json:"already_merged,omitempty"`
	// Commits counts the commits the branch adds to the integration head.
	Commits int `json:"commits"`
	// Files: the conflicting files of a merge_conflict, the uncommitted
	// ones of uncommitted_changes.
	Files []string `json:"files,omitempty"`
	// ExitCode, TimedOut and Output describe a validation run (Output is
	// the tail of its combined output).
	ExitCode int    `json:"exit_code,omitempty"`
	TimedOut bool   `json:"timed_out,omitempty"`
	Output   string `json:"output_tail,omitempty"`
	// Took is the gate's wall time, Validation the validation command's.
	Took       time.Duration `json:"took"`
	Validation time.Duration `json:"validation"`
}

// Merged reports whether the task's work is on the integration branch.
func (r GateResult) Merged() bool { return r.Status == GateMerged }

// Advice tells the agent what to do next, in its own words: what a tool
// answer carries as instructions.
func (r GateResult) Advice() string {
	switch r.Status {
	case GateMerged:
		return fmt.Sprintf("Your work is merged into %s. The task is done: stop working on it.", r.Integration)
	case GateConflict:
		return fmt.Sprintf("Your branch %s does not rebase cleanly onto %s: %s conflict. Run `git rebase %s` in your worktree, resolve the conflicts keeping both your change and theirs, `git add` the files, `git rebase --continue`, then report completed again.",
			r.Branch, r.Integration, listFiles(r.Files), r.Integration)
	case GateValidationFailed:
		what := fmt.Sprintf("exited with code %d", r.ExitCode)
		if r.TimedOut {
			what = "timed out"
		}
		return fmt.Sprintf("The validation command %s on your branch rebased onto %s. Read the output tail, fix the cause, commit, then report completed again.", what, r.Integration)
	case GateNoCommits:
		return fmt.Sprintf("Your branch %s has no commits beyond %s. Commit your work (git add and git commit in your worktree), then report completed again.", r.Branch, r.Integration)
	case GateUncommitted:
		return fmt.Sprintf("Your worktree has uncommitted changes (%s). Commit them, or delete what should not be merged, then report completed again.", listFiles(r.Files))
	}
	return "The completion gate gave no answer; report completed again."
}

// listFiles names up to five files, then how many more.
func listFiles(files []string) string {
	const shown = 5
	if len(files) == 0 {
		return "no files listed"
	}
	if len(files) <= shown {
		return strings.Join(files, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(files[:shown], ", "), len(files)-shown)
}

// CleanupReport says what Cleanup removed.
type CleanupReport struct {
	Worktrees []string `json:"worktrees"`
	Branches  []string `json:"branches"`
}

// MaxGateFailures is how many failed gates (failed validations, nothing
// or not everything committed, conflicts the agent did not resolve) a
// task may have before it is blocked for a person. A merge conflict
// counts only when the integration branch did not move since the task's
// previous refusal: a conflict with work merged meanwhile is not the
// agent's failing, and there are only so many merges to race with.
const MaxGateFailures = 3

// GateRefusal is what a completion refused by the gate carries (inside a
// *Error with ReasonGateRefused): the gate's answer, the task's failed
// gates so far, and whether this failure blocked the task for a person.
type GateRefusal struct {
	Result   GateResult
	Failures int
	Blocked  bool
}

func (g *GateRefusal) Error() string { return g.Advice() }

// Advice is what the agent should do next.
func (g *GateRefusal) Advice() string {
	if g.Blocked {
		return fmt.Sprintf("The completion gate refused task %s %d times (last: %s); the task is now blocked for a person. Stop working on it and end your session.",
			g.Result.Task, g.Failures, g.Result.Status)
	}
	left := MaxGateFailures - g.Failures
	return fmt.Sprintf("%s (%d more failed completion(s) and the task goes to a person; a conflict with work merged since your last try does not count.)", g.Result.Advice(), left)
}
