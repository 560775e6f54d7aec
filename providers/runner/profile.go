package runner

import (
	"encoding/json"
	"os/exec"
	"regexp"
	"slices"
	"strings"

	"marcus/core"
)

// Profile says how to run one kind of agent without a person: the
// command, its flags for a prompt and an MCP server, extra environment,
// and any configuration file the CLI reads its MCP servers from.
//
// Command, Env and Files may hold placeholders, expanded per launch:
//
//	{prompt}             the worker prompt itself
//	{prompt_file}        the file holding it (also MARCUS_PROMPT_FILE)
//	{mcp_config}         the mcpServers JSON file (also MARCUS_MCP_CONFIG)
//	{mcp_url}            marcus's MCP endpoint
//	{agent_id} {project_id} {task_id} {worktree} {branch}
//	{integration_branch} {git_dir}
//	{tool_timeout_ms} {tool_timeout_s}   how long one tool call may take
//	{file:NAME}          the path of Files[NAME], written for this launch
//
// In a file whose name ends in .json a placeholder expands JSON-escaped,
// so a path with a quote in it cannot break the file. Braces that do not
// form a placeholder are left as they are.
type Profile struct {
	Name string `json:"name" yaml:"name"`
	// Command is the program and its arguments, run without a shell.
	Command []string `json:"command,omitempty" yaml:"command,omitempty"`
	// Shell, instead of Command, is a command line run with sh -c; it
	// reads the contract from the environment ($MARCUS_PROMPT_FILE...)
	// and takes no placeholders.
	Shell string `json:"shell,omitempty" yaml:"shell,omitempty"`
	// Env is added to the agent's environment (KEY=VALUE).
	Env []string `json:"env,omitempty" yaml:"env,omitempty"`
	// Unset names variables of marcus's own environment the agent must
	// not inherit.
	Unset []string `json:"unset,omitempty" yaml:"unset,omitempty"`
	// Files are written to the agent's folder before it starts.
	Files map[string]string `json:"files,omitempty" yaml:"files,omitempty"`
	// Install says how to get the program, for the error when it is missing.
	Install string `json:"install,omitempty" yaml:"install,omitempty"`
}

var (
	placeholder = regexp.MustCompile(`\{([a-z_]+)(?::([A-Za-z0-9._-]+))?\}`)
	knownVars   = []string{"prompt", "prompt_file", "mcp_config", "mcp_url", "agent_id", "project_id", "task_id",
		"worktree", "branch", "integration_branch", "git_dir", "tool_timeout_ms", "tool_timeout_s"}
	fileName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
)

// Check reports what is wrong with a profile, in words a person fixing
// their configuration file can act on.
func (p Profile) Check() error {
	switch {
	case strings.TrimSpace(p.Name) == "":
		return core.Errorf(core.ErrInvalid, "an agent profile has no name")
	case (len(p.Command) == 0) == (strings.TrimSpace(p.Shell) == ""):
		return core.Errorf(core.ErrInvalid, "agent profile %q needs either a command (program and arguments) or a shell command line, not both", p.Name)
	case len(p.Command) > 0 && strings.TrimSpace(p.Command[0]) == "":
		return core.Errorf(core.ErrInvalid, "agent profile %q has an empty program name", p.Name)
	}
	for name := range p.Files {
		if !fileName.MatchString(name) || name == promptFile || name == mcpConfigFile || name == logFileName {
			return core.Errorf(core.ErrInvalid, "agent profile %q: %q cannot name a file of its own (plain names, not %s, %s or %s)", p.Name, name, promptFile, mcpConfigFile, logFileName)
		}
	}
	for _, s := range p.templates() {
		if err := p.checkPlaceholders(s); err != nil {
			return err
		}
	}
	return nil
}

// Installed checks that the profile's program can be found, so a run
// whose agents could not start says so before it starts anything. A shell
// profile, or a program named by a placeholder, is found only at launch.
func (p Profile) Installed() error {
	if len(p.Command) == 0 || placeholder.MatchString(p.Command[0]) {
		return nil
	}
	_, err := p.lookPath(p.Command[0])
	return err
}

// lookPath finds the profile's program, or says how to install it.
func (p Profile) lookPath(name string) (string, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		hint := "install it"
		if p.Install != "" {
			hint = "install it (" + p.Install + ")"
		}
		return "", core.Errorf(core.ErrInvalid, "the %s agent's program %q is not on PATH: %s, or set the profile's command to its full path", p.Name, name, hint)
	}
	return path, nil
}

func (p Profile) templates() []string {
	all := append(slices.Clone(p.Command), p.Env...)
	for _, c := range p.Files {
		all = append(all, c)
	}
	return all
}

func (p Profile) checkPlaceholders(s string) error {
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		switch {
		case m[1] == "file" && m[2] != "":
			if _, ok := p.Files[m[2]]; !ok {
				return core.Errorf(core.ErrInvalid, "agent profile %q uses {file:%s} but has no file %q", p.Name, m[2], m[2])
			}
		case m[2] == "" && slices.Contains(knownVars, m[1]):
		default:
			return core.Errorf(core.ErrInvalid, "agent profile %q uses the unknown placeholder %s; known: {%s}, {file:NAME}", p.Name, m[0], strings.Join(knownVars, "}, {"))
		}
	}
	return nil
}

// expand replaces the placeholders of s. files maps a profile file's name
// to its path; esc, when not nil, escapes each value.
func expand(s string, vars, files map[string]string, esc func(string) string) string {
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		sub := placeholder.FindStringSubmatch(m)
		v, ok := vars[sub[1]]
		if sub[1] == "file" {
			v, ok = files[sub[2]]
		}
		if !ok {
			return m
		}
		if esc != nil {
			return esc(v)
		}
		return v
	})
}

// jsonEscape escapes s for the inside of a JSON string.
func jsonEscape(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b[1 : len(b)-1])
}
