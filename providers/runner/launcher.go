package runner

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"marcus/core"
)

// Files of an agent's folder, Dir/<agent-id>/.
const (
	promptFile    = "prompt.md"
	mcpConfigFile = "mcp.json"
	logFileName   = "output.log"
	pidFileName   = "pid"
)

// maxArg is the longest single argument Linux passes to a program
// (MAX_ARG_STRLEN is 128 KiB), with room to spare.
const maxArg = 120 << 10

// Options configure a Launcher.
type Options struct {
	// Profile is how agents are run.
	Profile Profile
	// Dir holds one folder per agent (prompt, MCP config, profile files,
	// log). Keep it private to the person running marcus: not under /tmp
	// (Gemini CLI ignores settings files there).
	Dir string
	// Env is added to every agent's environment (KEY=VALUE).
	Env []string
	// LogLimit, Grace and TailLines are as in Spec.
	LogLimit  int64
	Grace     time.Duration
	TailLines int
	// ToolTimeout is the default for AgentLaunch.ToolTimeout; default 15
	// minutes, enough for a gate's validation.
	ToolTimeout time.Duration
}

// Launcher starts agents by a profile. It implements core.AgentLauncher.
type Launcher struct{ o Options }

var _ core.AgentLauncher = (*Launcher)(nil)

// New checks the profile and the folder.
func New(o Options) (*Launcher, error) {
	if err := o.Profile.Check(); err != nil {
		return nil, err
	}
	if strings.TrimSpace(o.Dir) == "" {
		return nil, core.Errorf(core.ErrInvalid, "no folder for the agents' files given")
	}
	if o.ToolTimeout <= 0 {
		o.ToolTimeout = 15 * time.Minute
	}
	return &Launcher{o: o}, nil
}

var agentIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

// Launch writes the agent's prompt, MCP config and profile files to its
// folder and starts it in the task's worktree with the environment
// contract. The process is stopped when ctx ends.
func (l *Launcher) Launch(ctx context.Context, a core.AgentLaunch) (core.AgentProcess, error) {
	spec, err := l.Spec(a)
	if err != nil {
		return nil, err
	}
	return Start(ctx, spec)
}

// Spec writes the agent's files and returns the process Launch would
// start: what a dry run shows, and what the help checks read.
func (l *Launcher) Spec(a core.AgentLaunch) (Spec, error) {
	if err := checkLaunch(a); err != nil {
		return Spec{}, err
	}
	dir := filepath.Join(l.o.Dir, string(a.Agent))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Spec{}, core.Wrap(core.ErrUnavailable, err, "cannot make the agent folder %s", dir)
	}
	if a.ToolTimeout <= 0 {
		a.ToolTimeout = l.o.ToolTimeout
	}
	vars, files, err := l.writeFiles(dir, a)
	if err != nil {
		return Spec{}, err
	}
	return l.spec(dir, a, vars, files)
}

func checkLaunch(a core.AgentLaunch) error {
	switch {
	case !agentIDPattern.MatchString(string(a.Agent)):
		return core.Errorf(core.ErrInvalid, "agent id %q cannot name a folder: use letters, digits, '.', '-' and '_'", a.Agent)
	case a.MCPURL == "":
		return core.Errorf(core.ErrInvalid, "no MCP URL for agent %s: the agent could not reach marcus", a.Agent)
	case a.Workspace.Dir == "":
		return core.Errorf(core.ErrInvalid, "no working directory for agent %s", a.Agent)
	}
	if st, err := os.Stat(a.Workspace.Dir); err != nil || !st.IsDir() {
		return core.Errorf(core.ErrNotFound, "the working directory %s of agent %s does not exist", a.Workspace.Dir, a.Agent)
	}
	return nil
}

// writeFiles writes the prompt, the mcpServers config and the profile's
// files, and returns the placeholder values and file paths.
func (l *Launcher) writeFiles(dir string, a core.AgentLaunch) (map[string]string, map[string]string, error) {
	prompt := Prompt(a)
	vars := contractVars(a, prompt, filepath.Join(dir, promptFile), filepath.Join(dir, mcpConfigFile))
	if err := writeFile(vars["prompt_file"], []byte(prompt)); err != nil {
		return nil, nil, err
	}
	if err := writeFile(vars["mcp_config"], MCPConfig(a.MCPURL, a.MCPToken)); err != nil {
		return nil, nil, err
	}
	files := map[string]string{}
	for name := range l.o.Profile.Files {
		files[name] = filepath.Join(dir, name)
	}
	for name, tmpl := range l.o.Profile.Files {
		var esc func(string) string
		if strings.HasSuffix(name, ".json") {
			esc = jsonEscape
		}
		if err := writeFile(files[name], []byte(expand(tmpl, vars, files, esc))); err != nil {
			return nil, nil, err
		}
	}
	return vars, files, nil
}

func writeFile(path string, b []byte) error {
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return core.Wrap(core.ErrUnavailable, err, "cannot write %s", path)
	}
	return nil
}

func contractVars(a core.AgentLaunch, prompt, promptPath, mcpPath string) map[string]string {
	return map[string]string{
		"prompt": prompt, "prompt_file": promptPath, "mcp_config": mcpPath, "mcp_url": a.MCPURL,
		"agent_id": string(a.Agent), "project_id": string(a.Project.ID), "task_id": string(a.Task.ID),
		"worktree": a.Workspace.Dir, "branch": a.Workspace.Branch, "integration_branch": a.Workspace.Integration,
		"git_dir": a.Workspace.GitDir, "tool_timeout_ms": strconv.FormatInt(a.ToolTimeout.Milliseconds(), 10),
		"tool_timeout_s": strconv.FormatInt(int64(a.ToolTimeout.Seconds()), 10),
	}
}

// MCPConfig is the MCP client config in the common mcpServers shape,
// naming marcus's server "marcus" so its tools are mcp__marcus__<tool>.
func MCPConfig(url, token string) []byte {
	server := map[string]any{"type": "http", "url": url}
	if token != "" {
		server["headers"] = map[string]string{"Authorization": "Bearer " + token}
	}
	b, _ := json.MarshalIndent(map[string]any{"mcpServers": map[string]any{"marcus": server}}, "", "  ")
	return append(b, '\n')
}

// spec turns the profile into the process to start.
func (l *Launcher) spec(dir string, a core.AgentLaunch, vars, files map[string]string) (Spec, error) {
	p := l.o.Profile
	argv := []string{"sh", "-c", p.Shell}
	if p.Shell == "" {
		argv = make([]string, len(p.Command))
		for i, arg := range p.Command {
			argv[i] = expand(arg, vars, files, nil)
		}
	}
	for _, arg := range argv {
		if len(arg) > maxArg {
			return Spec{}, core.Errorf(core.ErrInvalid, "an argument of the %s agent is %d KiB, more than a process argument can hold (%d KiB): shorten the task's description, or use a profile that reads {prompt_file}", p.Name, len(arg)>>10, maxArg>>10)
		}
	}
	path, err := p.lookPath(argv[0])
	if err != nil {
		return Spec{}, err
	}
	env := append(environ(p.Unset), Contract(a, vars)...)
	for _, e := range p.Env {
		env = append(env, expand(e, vars, files, nil))
	}
	env = append(append(env, l.o.Env...), a.Env...)
	return Spec{Path: path, Args: argv[1:], Dir: a.Workspace.Dir, Env: env, Log: filepath.Join(dir, logFileName),
		LogLimit: l.o.LogLimit, Grace: l.o.Grace, TailLines: l.o.TailLines, PIDFile: filepath.Join(dir, pidFileName)}, nil
}

// environ is marcus's environment without the variables in unset.
func environ(unset []string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(unset, k) {
			env = append(env, kv)
		}
	}
	return env
}

// Contract is the environment every agent gets. Agents commit under their
// own name, so the integration history says which agent wrote what.
func Contract(a core.AgentLaunch, vars map[string]string) []string {
	env := []string{
		"MARCUS_MCP_URL=" + a.MCPURL,
		"MARCUS_AGENT_ID=" + string(a.Agent),
		"MARCUS_PROJECT_ID=" + string(a.Project.ID),
		"MARCUS_TASK_ID=" + string(a.Task.ID),
		"MARCUS_LEASE_EPOCH=" + strconv.FormatInt(a.Task.Lease.Epoch, 10),
		"MARCUS_WORKTREE=" + a.Workspace.Dir,
		"MARCUS_BRANCH=" + a.Workspace.Branch,
		"MARCUS_INTEGRATION_BRANCH=" + a.Workspace.Integration,
		"MARCUS_PROMPT_FILE=" + vars["prompt_file"],
		"MARCUS_MCP_CONFIG=" + vars["mcp_config"],
		"GIT_AUTHOR_NAME=" + string(a.Agent), "GIT_AUTHOR_EMAIL=" + string(a.Agent) + "@agents.marcus",
		"GIT_COMMITTER_NAME=" + string(a.Agent), "GIT_COMMITTER_EMAIL=" + string(a.Agent) + "@agents.marcus",
	}
	if a.MCPToken != "" {
		env = append(env, "MARCUS_MCP_TOKEN="+a.MCPToken)
	}
	return env
}
