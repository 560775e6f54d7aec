// Package git implements core.Workspaces with the git CLI: a worktree per
// task, and the completion gate that lands a task's branch on the
// integration branch only when it rebases cleanly and passes validation.
//
// Branch model, for a project whose slug is "shop":
//
//	marcus/shop/integration   the integration branch (or one the person names);
//	                          made from their HEAD once, never checked out
//	marcus/shop/<task-id>     one branch per task, made from the integration
//	                          head when the task is claimed
//
// (A branch cannot be both marcus/shop and the folder of marcus/shop/<task>,
// so the default integration branch is marcus/shop/integration.)
//
// Worktrees live under a marcus-owned folder, Root/<slug>/<task-id>, which
// must be outside the person's checkout. marcus never checks anything out
// in the person's worktree and never writes their index: branches are made
// with `git branch`/`git worktree add -b`, and the integration branch moves
// only by `git update-ref NEW OLD`, a compare-and-swap.
//
// The gate, one at a time per repository (a per-repository lock in this
// process; the compare-and-swap across processes):
//
//  1. merged already? The integration branch's first-parent line is
//     searched for a merge commit whose trailer is "Marcus-Task: <id>";
//     found, the gate answers merged and changes nothing. This is what
//     makes a restart between the merge and the task's Done safe.
//  2. the worktree must be on its branch with nothing uncommitted
//     (untracked files count, ignored ones do not): what is validated is
//     exactly what is merged.
//  3. rebase onto the integration head (skipped when already on it). On a
//     conflict the files are listed and the rebase aborted, so the branch
//     is as the agent left it.
//  4. no commits beyond the integration head: no_commits.
//  5. the validation command runs in the worktree (sh -c, its own process
//     group, killed on timeout); a failure answers with its exit code and
//     the tail of its output.
//  6. a merge commit (first parent the integration head, second the
//     rebased tip, the tip's tree) carrying the trailer; update-ref moves
//     the integration branch to it only if it still points at the head the
//     rebase used, else the gate rebases and validates again.
//
// Marcus's own git calls run with the person's hooks off (core.hooksPath
// set to the null device), automatic gc off, no prompts and no editor;
// commits marcus makes name "marcus" as committer. Every call has a
// context and a timeout, and runs in its own process group so a timeout
// leaves nothing behind. Needs git 2.38 or later (rebase --no-update-refs).
package git
