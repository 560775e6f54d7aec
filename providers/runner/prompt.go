package runner

import (
	"fmt"
	"strings"

	"marcus/core"
)

// Prompt is the worker prompt for one launch: Marcus's worker prompt
// (prompts/Agent_prompt.md there) cut down to one task in one worktree,
// with the completion gate's answers spelled out. An agent launched
// without a task (reuse mode) gets the loop instead.
func Prompt(l core.AgentLaunch) string {
	var b strings.Builder
	fmt.Fprintf(&b, "You are %s, an autonomous coding agent working for marcus, which coordinates AI coding agents through a shared board. You reach marcus through its MCP tools, which appear to you as mcp__marcus__<tool>.\n\n", l.Agent)
	if l.Task.ID == "" {
		writeLoop(&b, l)
	} else {
		writeAssignment(&b, l)
		writeSteps(&b, l)
	}
	b.WriteString(rules)
	return b.String()
}

func writeAssignment(b *strings.Builder, l core.AgentLaunch) {
	t, w := l.Task, l.Workspace
	fmt.Fprintf(b, "YOUR ASSIGNMENT\n- agent_id: %s\n- project: %s (project_id: %s)\n- task_id: %s (lease_epoch: %d)\n- task: %s\n", l.Agent, l.Project.Name, l.Project.ID, t.ID, t.Lease.Epoch, t.Name)
	fmt.Fprintf(b, "- worktree: %s (your working directory: a git worktree of the project's repository)\n- branch: %s (checked out in your worktree; commit here)\n- integration branch: %s (your branch is merged into it)\n\n", w.Dir, w.Branch, w.Integration)
	fmt.Fprintf(b, "TASK: %s\n%s\n", t.Name, strings.TrimSpace(t.Description))
	if len(t.Acceptance) > 0 {
		b.WriteString("\nACCEPTANCE CRITERIA\n")
		for _, a := range t.Acceptance {
			fmt.Fprintf(b, "- %s\n", a)
		}
	}
	if h := t.Handoff; h != nil {
		fmt.Fprintf(b, "\nHANDOFF: agent %s worked on this task before you and stopped (%s) at %d%%. Its last message: %q. Its commits were not kept: start from your branch as it is.\n",
			h.PreviousHolder, h.Reason, h.Progress, h.Message)
	}
	b.WriteString("\n")
}

func writeSteps(b *strings.Builder, l core.AgentLaunch) {
	t, w := l.Task, l.Workspace
	fmt.Fprintf(b, `HOW TO WORK
1. Call register_agent once: agent_id %q, name %q, role "worker", project_id %q.
2. Call request_next_task with agent_id %q. It returns this task, already claimed for you, with its context: the artifacts and decisions of the tasks it depends on, whose code is already in your worktree. Use get_task_context for more. Read what you need before you start.
3. Work only in your worktree, on branch %s. Do not switch branches, push, or merge other branches; do not touch files outside the worktree.
4. Report progress with report_task_progress (agent_id, task_id %q, status "in_progress", progress 25, 50, 75, lease_epoch %d), saying specifically what you built. Silence past your lease hands the task to another agent.
5. Use log_decision for choices other tasks must follow ("I chose X because Y. This affects Z.") and log_artifact for specifications and documents other agents need, with project_root %q so the file lands in your worktree; commit it with your work.
6. Commit as you go (git add, git commit, with %s in each message). Leave nothing uncommitted: only committed work is validated and merged.
7. When the task is done, call report_task_progress with status "completed" and progress 100. That is a request: marcus rebases your branch onto %s, runs the project's validation command and merges. Read the answer:
   - success true: your work is merged and the task is done. Stop.
   - status "merge_conflict": conflict_files names the files. In your worktree run `+"`git rebase %s`"+`, resolve each conflict keeping both your change and the other one, git add the files, `+"`git rebase --continue`"+`, check the result still works, then report completed again.
   - status "validation_failed": exit_code and output_tail show what failed. Fix it, commit, report completed again.
   - status "no_commits" or "uncommitted_changes": commit your work, report completed again.
   - anything else: follow its instructions.
   After three failed completions the task goes to a person.
8. If you cannot finish (a missing credential, a broken dependency), call report_blocker with what you tried, then stop.
9. Do not ask for another task: marcus starts a fresh agent for each task. When your task is merged or blocked, end your session.

`, l.Agent, string(l.Agent), l.Project.ID, l.Agent, w.Branch, t.ID, t.Lease.Epoch, w.Dir, t.ID, w.Integration, w.Integration)
}

func writeLoop(b *strings.Builder, l core.AgentLaunch) {
	fmt.Fprintf(b, `HOW TO WORK (agent_id %s, project_id %s)
1. Call register_agent once with agent_id %q, role "worker" and project_id %q.
2. Loop: call request_next_task with your agent_id. When it gives a task, it comes with task.workspace: a git worktree of its own (workspace.dir) on its own branch (workspace.branch), made from the integration branch (workspace.integration_branch) with the work of the tasks it depends on. Work and commit only there (cd into it), never in the folder you started in. Work the task as its instructions say, report progress at 25, 50 and 75 %%, log_artifact with project_root set to workspace.dir (commit the file), commit everything, and report status "completed"; marcus validates and merges it, and answers merge_conflict or validation_failed with what to fix when it cannot (rebase onto the integration branch and resolve; fix and commit; then report completed again). When no task is given, wait retry_after_seconds and ask again; stop when should_exit is true.

`, l.Agent, l.Project.ID, l.Agent, l.Project.ID)
}

// rules are Marcus's worker rules that hold for a single task.
const rules = `RULES
- You are autonomous: do not ask for clarification or permission, and do not wait for a person. Interpret the task as best you can and document your assumptions in progress reports.
- Accept the task whatever your skills: research and learn what it needs.
- Follow the patterns you find in the code and in the context marcus gives: use the exact paths, names and formats other tasks chose.
- Before reporting completed: does it build and run, did you test it, is it clear to the agent who builds on it? Do not report completion you would not hand off.
- Leave no process running (servers, watchers) and remove temporary files you made.
`
