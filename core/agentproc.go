package core

import (
	"context"
	"time"
)

// AgentLauncher starts real coding agents (Claude Code, Codex CLI, Gemini
// CLI, opencode, any command), one process per agent, each in its own
// process group. providers/runner implements it.
type AgentLauncher interface {
	// Launch starts one agent on one task. The process runs in the task's
	// worktree with the environment contract (MARCUS_MCP_URL,
	// MARCUS_AGENT_ID, ...) added to the launcher's own environment; its
	// output goes to a size-capped log. It is stopped (as by Stop) when
	// ctx ends, so nothing outlives the caller.
	Launch(ctx context.Context, l AgentLaunch) (AgentProcess, error)
}

// AgentLaunch is what an agent is started with.
type AgentLaunch struct {
	Agent   AgentID
	Project Project
	// Task is the task claimed for the agent; its zero value starts an
	// agent that asks for work itself (the runner's reuse mode).
	Task Task
	// Workspace is the task's worktree; Workspace.Dir is the agent's
	// working directory.
	Workspace Workspace
	// MCPURL is marcus's streamable HTTP endpoint, MCPToken its bearer
	// token when it has one.
	MCPURL   string
	MCPToken string
	// ToolTimeout is how long the agent's MCP client should wait for one
	// tool call: a completion report waits for the gate (rebase and
	// validation). Zero: the launcher's default.
	ToolTimeout time.Duration
	// Env is added after the contract (KEY=VALUE).
	Env []string
}

// AgentProcess is one running agent.
type AgentProcess interface {
	// PID is the process id, which is also its process group id.
	PID() int
	// LogPath is the agent's output log.
	LogPath() string
	// Done is closed when the process has exited and its output is
	// flushed to the log.
	Done() <-chan struct{}
	// Exit describes how the process ended; ok is false while it runs.
	Exit() (exit ProcessExit, ok bool)
	// Stop sends SIGTERM to the process group, then SIGKILL after the
	// grace period, and returns when the process is gone (or ctx ends).
	// Stopping an exited process does nothing.
	Stop(ctx context.Context) error
	// Tail returns up to n of the last output lines, with control
	// sequences removed so they are safe to print.
	Tail(n int) []string
}

// ProcessExit is how an agent process ended.
type ProcessExit struct {
	// Code is the exit status; -1 when a signal ended the process.
	Code int `json:"exit_code"`
	// Signal names the signal that ended it ("" when it exited).
	Signal string `json:"signal,omitempty"`
	// Stopped: the end came from Stop or a cancelled context, not from
	// the agent itself.
	Stopped   bool      `json:"stopped,omitempty"`
	StartedAt time.Time `json:"started_at"`
	EndedAt   time.Time `json:"ended_at"`
}

// Clean reports whether the agent exited by itself with status 0.
func (e ProcessExit) Clean() bool { return e.Code == 0 && e.Signal == "" && !e.Stopped }
