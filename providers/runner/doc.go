// Package runner implements core.AgentLauncher: real coding agents
// (Claude Code, Codex CLI, Gemini CLI, opencode, or any command) as
// processes, one per agent, each in its task's worktree.
//
// Processes. Start puts each agent in a process group of its own
// (Setpgid), with stdin from the null device and stdout and stderr into one
// pipe that marcus reads into the log and an in-memory tail. A stop sends
// SIGTERM to the whole group, then SIGKILL after the grace period, and
// returns once the group is gone; a cancelled context stops the same way,
// and when the agent exits by itself whatever it left in its group is
// stopped too. On Linux the kernel also kills the agent's leader if marcus
// dies (a parent-death signal); what the leader started is found after
// such a crash by Reap, from the pid record in each agent's folder, which
// checks the recorded start time so a reused pid is never signalled.
//
// Logs. Each agent's output goes to Dir/<agent>/output.log, capped by
// rotation: at half the limit the file becomes output.log.1 (replacing
// the previous one) and a new one starts, so the disk never holds more
// than the limit and the newest output is always kept; the oldest goes
// first. The last lines (200 by default) are also kept in memory, made
// safe to print: escape sequences dropped, carriage-return overwrites
// resolved, control characters and invalid UTF-8 removed, long lines cut.
//
// Agents. A Profile turns a launch into a command: the built-in claude,
// codex, gemini and opencode profiles (see profiles.go for each flag and
// where it came from), profiles from the configuration file, or Custom,
// a shell command line (--agent-cmd). Every agent gets the environment
// contract (Contract) on top of marcus's own environment:
//
//	MARCUS_MCP_URL       marcus's streamable HTTP endpoint
//	MARCUS_AGENT_ID      the agent's id (the task is claimed for it)
//	MARCUS_PROJECT_ID    the project
//	MARCUS_TASK_ID       the task ("" in reuse mode)
//	MARCUS_LEASE_EPOCH   the task's lease epoch, to send with reports
//	MARCUS_WORKTREE      the working directory
//	MARCUS_BRANCH        the task branch, MARCUS_INTEGRATION_BRANCH its target
//	MARCUS_PROMPT_FILE   the worker prompt (Prompt)
//	MARCUS_MCP_CONFIG    {"mcpServers": {"marcus": {"type": "http", "url": ...}}}
//	GIT_AUTHOR_*, GIT_COMMITTER_*   the agent's id, so commits say who wrote them
//
// and MARCUS_MCP_TOKEN when the server wants a bearer token.
package runner
