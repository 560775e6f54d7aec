// Package run is the spawn controller of marcus run: it works one
// project's board with real agent processes, driving core.Workspaces (a
// git worktree per task) and core.AgentLauncher (the agent CLIs).
//
// One agent per ready task (the default). The controller wakes when the
// store commits a change (or on a tick, for writes by other processes).
// While a slot is free and a task is claimable it registers a fresh agent
// id, claims that task for it (core.Coordinator.ClaimTask: the rules of
// request_next_task, and the task's worktree made from the integration
// head) and only then starts the agent, so no agent ever polls an empty
// board. The agent takes its task with request_next_task (it comes back
// resumed), works in its worktree and reports completed; the completion
// gate in core merges its branch and marks the task done.
//
// One goroutine per agent waits for its process to end. A task that is
// done gets its worktree removed. A task the agent still holds is handed
// back at once (core.Coordinator.HandBack): its worktree removed first,
// then the task returned to the backlog with a handoff holding the exit
// status and the last output lines; the circuit breaker counts it, so a
// task whose agents crash three times is blocked. A task whose branch was
// merged after all (marcus stopped between the merge and the Done) is
// settled as done instead. An agent whose task was taken from it (its
// lease recovered when it hung, a person unassigned or blocked it) is
// stopped.
//
// Reuse mode keeps N long-lived agents that loop on request_next_task
// themselves; each task they claim comes with its worktree.
//
// Start (and Cleanup alone, for marcus run --cleanup): worktrees, task
// branches and agent processes a crashed run left are removed
// (Workspaces.Cleanup, Options.Reap); tasks its agents held go back to
// the backlog, or become done when their branch is merged.
// Stop (the context ends, the board is finished, or --max-spawns is
// spent): every agent is stopped (TERM, then KILL after a grace period),
// unfinished tasks are handed back, and every worktree is removed:
// nothing outlives the run.
package run
