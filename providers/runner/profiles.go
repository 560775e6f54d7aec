package runner

import (
	"slices"
	"strings"

	"marcus/core"
)

// The built-in profiles. Each flag is checked against the CLI's own
// --help by a test that runs when the CLI is installed (help_test.go); the
// versions read are those .ci/setup.d/30-agent-clis.sh installs. Where a
// CLI takes its MCP servers only from a settings file, the profile writes
// that file into the agent's own folder and points the CLI at it, so
// neither the worktree nor the person's HOME is changed.

// claudeTools are the tools Claude Code may use without asking: all of
// marcus's (mcp__marcus), and what coding takes. As root, Claude Code
// refuses --dangerously-skip-permissions unless IS_SANDBOX=1, while an
// explicit --allowedTools list works, so the profile uses the list.
var claudeTools = "mcp__marcus,Bash,Edit,Write,Read,Glob,Grep,TodoWrite"

// Claude is Claude Code (npm @anthropic-ai/claude-code; read with 2.1.328):
// -p runs one prompt without a person and exits; --mcp-config loads
// marcus from the mcpServers file and --strict-mcp-config ignores every
// other MCP server; --allowedTools pre-approves the tools. Its MCP tools
// are otherwise deferred behind a ToolSearch tool: ENABLE_TOOL_SEARCH=false
// sends marcus's tools with every request, so the agent sees them at
// once. MCP_TOOL_TIMEOUT (ms) lets a completion report wait for the gate.
// CLAUDECODE and friends are unset so a marcus run from inside a Claude
// Code session does not look like a nested session.
var Claude = Profile{
	Name:    "claude",
	Command: []string{"claude", "-p", "{prompt}", "--mcp-config", "{mcp_config}", "--strict-mcp-config", "--allowedTools", claudeTools},
	Env:     []string{"ENABLE_TOOL_SEARCH=false", "MCP_TOOL_TIMEOUT={tool_timeout_ms}"},
	Unset:   []string{"CLAUDECODE", "CLAUDE_CODE_ENTRYPOINT", "CLAUDE_CODE_SSE_PORT"},
	Install: "npm install -g @anthropic-ai/claude-code",
}

// Codex is Codex CLI (npm @openai/codex; read with 0.171.0): `codex exec`
// runs one prompt without a person. MCP servers come from config.toml or
// -c overrides: mcp_servers.marcus.url names a streamable HTTP server,
// default_tools_approval_mode="approve" stops exec mode from cancelling
// the calls (it has nobody to ask), tool_timeout_sec lets a completion
// wait for the gate. --dangerously-bypass-approvals-and-sandbox, as
// Marcus's own runner uses: Codex's workspace-write sandbox keeps a linked
// worktree's git directory read-only on Linux, so the agent could not
// commit. Run marcus in a container or VM when you need a sandbox.
var Codex = Profile{
	Name: "codex",
	Command: []string{"codex", "exec", "--dangerously-bypass-approvals-and-sandbox", "--color", "never",
		"-c", `mcp_servers.marcus.url="{mcp_url}"`,
		"-c", `mcp_servers.marcus.default_tools_approval_mode="approve"`,
		"-c", "mcp_servers.marcus.tool_timeout_sec={tool_timeout_s}",
		"{prompt}"},
	Install: "npm install -g @openai/codex",
}

// Gemini is Gemini CLI (npm @google/gemini-cli; read with 0.61.0): -p runs
// headless; --approval-mode yolo approves every tool; --skip-trust trusts
// the worktree for the session; --allowed-mcp-server-names keeps it to
// marcus. Gemini reads MCP servers only from settings files, so the
// profile writes one ("httpUrl" is streamable HTTP, "trust" skips
// confirmations, "timeout" is per request in ms) and names it with
// GEMINI_CLI_SYSTEM_SETTINGS_PATH. Gemini ignores a settings file under a
// directory others can write (such as /tmp), so the runner's agent folder
// must not be there.
var Gemini = Profile{
	Name:    "gemini",
	Command: []string{"gemini", "--approval-mode", "yolo", "--skip-trust", "--allowed-mcp-server-names", "marcus", "-p", "{prompt}"},
	Env:     []string{"GEMINI_CLI_SYSTEM_SETTINGS_PATH={file:gemini-settings.json}"},
	Files: map[string]string{
		"gemini-settings.json": `{"mcpServers": {"marcus": {"httpUrl": "{mcp_url}", "trust": true, "timeout": {tool_timeout_ms}}}}` + "\n",
	},
	Install: "npm install -g @google/gemini-cli",
}

// OpenCode is opencode (npm opencode-ai; read with 1.18.33): `opencode run`
// runs one message without a person; --auto approves what is not
// explicitly denied. Its MCP servers come from its config, which
// OPENCODE_CONFIG adds to: a "remote" server by URL, with OAuth off
// (marcus on loopback takes no login).
var OpenCode = Profile{
	Name:    "opencode",
	Command: []string{"opencode", "run", "--auto", "{prompt}"},
	Env:     []string{"OPENCODE_CONFIG={file:opencode.json}"},
	Files: map[string]string{
		"opencode.json": `{"$schema": "https://opencode.ai/config.json", "mcp": {"marcus": {"type": "remote", "url": "{mcp_url}", "enabled": true, "oauth": false}}}` + "\n",
	},
	Install: "npm install -g opencode-ai",
}

// Builtin lists the built-in profiles by name.
func Builtin() map[string]Profile {
	return map[string]Profile{Claude.Name: Claude, Codex.Name: Codex, Gemini.Name: Gemini, OpenCode.Name: OpenCode}
}

// Custom is the profile of --agent-cmd: a command line run with sh -c in
// the worktree, reading the contract from its environment.
func Custom(line string) Profile {
	return Profile{Name: "custom", Shell: line}
}

// Lookup finds a profile by name among the built-in ones and extra (from
// the configuration file; an extra one replaces a built-in of its name).
func Lookup(name string, extra map[string]Profile) (Profile, error) {
	if p, ok := extra[name]; ok {
		if p.Name == "" {
			p.Name = name
		}
		return p, p.Check()
	}
	if p, ok := Builtin()[name]; ok {
		return p, nil
	}
	names := []string{}
	for n := range Builtin() {
		names = append(names, n)
	}
	for n := range extra {
		names = append(names, n)
	}
	slices.Sort(names)
	return Profile{}, core.Errorf(core.ErrInvalid, "no agent profile %q: use one of %s, or --agent-cmd 'COMMAND'", name, strings.Join(slices.Compact(names), ", "))
}
