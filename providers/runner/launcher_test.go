//go:build unix

package runner_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"marcus/core"
	"marcus/providers/runner"
)

// launch is a launch of agent-1 on task t-1 in a fresh worktree folder.
func launch(t *testing.T) core.AgentLaunch {
	t.Helper()
	wt := filepath.Join(t.TempDir(), `work "tree"`)
	if err := os.MkdirAll(wt, 0o755); err != nil {
		t.Fatal(err)
	}
	return core.AgentLaunch{
		Agent:   "agent-1",
		Project: core.Project{ID: "p-1", Name: "shop"},
		Task: core.Task{ID: "t-1", Name: "Add the cart", Description: "Make a cart that holds items.",
			Acceptance: []string{"items can be added"}, Lease: core.Lease{Epoch: 3}},
		Workspace: core.Workspace{Task: "t-1", Dir: wt, Branch: "marcus/shop/t-1", Integration: "marcus/shop/integration", GitDir: "/repo/.git"},
		MCPURL:    "http://127.0.0.1:4298/mcp",
	}
}

func newLauncher(t *testing.T, p runner.Profile) *runner.Launcher {
	t.Helper()
	l, err := runner.New(runner.Options{Profile: p, Dir: t.TempDir(), Grace: time.Second, ToolTimeout: 90 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestLaunchContract: an agent runs in its worktree with the whole
// environment contract, the MCP config and prompt files it names, and
// marcus's own environment except what the profile unsets.
func TestLaunchContract(t *testing.T) {
	t.Setenv("MARCUS_TEST_INHERITED", "kept")
	t.Setenv("CLAUDECODE", "1")
	a := launch(t)
	p := runner.Custom(`pwd; env | grep -E '^(MARCUS_|GIT_AUTHOR_NAME|CLAUDECODE)' | sort; cat "$MARCUS_MCP_CONFIG"`)
	p.Unset = []string{"CLAUDECODE"}
	proc, err := newLauncher(t, p).Launch(t.Context(), a)
	if err != nil {
		t.Fatal(err)
	}
	<-proc.Done()
	if exit, _ := proc.Exit(); !exit.Clean() {
		t.Fatalf("exit = %+v: %q", exit, proc.Tail(50))
	}
	out := proc.Tail(100)
	if out[0] != a.Workspace.Dir {
		t.Errorf("working directory %q, want %q", out[0], a.Workspace.Dir)
	}
	dir := filepath.Dir(proc.LogPath())
	for _, want := range []string{
		"MARCUS_MCP_URL=http://127.0.0.1:4298/mcp", "MARCUS_AGENT_ID=agent-1", "MARCUS_PROJECT_ID=p-1",
		"MARCUS_TASK_ID=t-1", "MARCUS_WORKTREE=" + a.Workspace.Dir, "MARCUS_BRANCH=marcus/shop/t-1",
		"MARCUS_INTEGRATION_BRANCH=marcus/shop/integration", "MARCUS_LEASE_EPOCH=3",
		"MARCUS_PROMPT_FILE=" + filepath.Join(dir, "prompt.md"), "MARCUS_MCP_CONFIG=" + filepath.Join(dir, "mcp.json"),
		"MARCUS_TEST_INHERITED=kept", "GIT_AUTHOR_NAME=agent-1",
	} {
		if !slices.Contains(out, want) {
			t.Errorf("the agent's environment lacks %s", want)
		}
	}
	if slices.ContainsFunc(out, func(l string) bool { return strings.HasPrefix(l, "CLAUDECODE") }) {
		t.Error("an unset variable was inherited")
	}
	var cfg struct {
		MCPServers map[string]struct{ Type, URL string } `json:"mcpServers"`
	}
	if err := json.Unmarshal([]byte(strings.Join(out[len(out)-8:], "\n")[strings.Index(strings.Join(out[len(out)-8:], "\n"), "{"):]), &cfg); err != nil {
		t.Fatalf("MCP config: %v", err)
	}
	if m := cfg.MCPServers["marcus"]; m.Type != "http" || m.URL != a.MCPURL || len(cfg.MCPServers) != 1 {
		t.Errorf("MCP config = %+v", cfg)
	}
	prompt, err := os.ReadFile(filepath.Join(dir, "prompt.md"))
	if err != nil || !strings.Contains(string(prompt), "Make a cart that holds items.") {
		t.Errorf("prompt file: %v\n%s", err, prompt)
	}
}

// TestProfileExpansion: placeholders expand in arguments, environment
// and files, JSON-escaped in .json files; braces that are not
// placeholders stay.
func TestProfileExpansion(t *testing.T) {
	t.Parallel()
	a := launch(t)
	p := runner.Profile{Name: "probe",
		Command: []string{"printf", `%s\n`, "{agent_id}", "{task_id}", "{mcp_url}", "{tool_timeout_s}", "{file:conf.json}", `{"literal": {X}}`, "{branch}"},
		Env:     []string{"PROBE={worktree}"},
		Files:   map[string]string{"conf.json": `{"dir": "{worktree}", "ms": {tool_timeout_ms}, "prompt_starts": "{integration_branch}"}`},
	}
	spec, err := newLauncher(t, p).Spec(a)
	if err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(filepath.Dir(spec.Log), "conf.json")
	want := []string{`%s\n`, "agent-1", "t-1", a.MCPURL, "90", conf, `{"literal": {X}}`, "marcus/shop/t-1"}
	if !slices.Equal(spec.Args, want) {
		t.Errorf("args = %q\nwant   %q", spec.Args, want)
	}
	if !slices.Contains(spec.Env, "PROBE="+a.Workspace.Dir) {
		t.Error("env placeholder not expanded")
	}
	var got struct {
		Dir    string `json:"dir"`
		MS     int    `json:"ms"`
		Starts string `json:"prompt_starts"`
	}
	b, _ := os.ReadFile(conf)
	if err := json.Unmarshal(b, &got); err != nil || got.Dir != a.Workspace.Dir || got.MS != 90000 || got.Starts != "marcus/shop/integration" {
		t.Errorf("conf.json = %s (%v)", b, err)
	}
}

func TestProfileCheck(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		p    runner.Profile
		want string
	}{
		{runner.Profile{Name: "x", Command: []string{"a", "{promt}"}}, "unknown placeholder {promt}"},
		{runner.Profile{Name: "x", Command: []string{"a", "{file:y.json}"}}, "no file"},
		{runner.Profile{Name: "x", Command: []string{"a"}, Shell: "b"}, "not both"},
		{runner.Profile{Name: "x"}, "needs either"},
		{runner.Profile{Name: "x", Command: []string{"a"}, Files: map[string]string{"../evil": ""}}, "cannot name a file"},
		{runner.Profile{Name: "x", Command: []string{"a"}, Files: map[string]string{"prompt.md": ""}}, "cannot name a file"},
		{runner.Profile{Command: []string{"a"}}, "no name"},
	} {
		if err := tc.p.Check(); core.CodeOf(err) != core.ErrInvalid || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Check(%+v) = %v, want %q", tc.p, err, tc.want)
		}
	}
	for name, p := range runner.Builtin() {
		if err := p.Check(); err != nil || p.Name != name {
			t.Errorf("built-in %s: %v", name, err)
		}
	}
	if _, err := runner.Lookup("cluade", nil); core.CodeOf(err) != core.ErrInvalid || !strings.Contains(err.Error(), "claude, codex, gemini, opencode") {
		t.Errorf("Lookup of a typo = %v", err)
	}
	custom := map[string]runner.Profile{"claude": {Command: []string{"/opt/claude"}}}
	if p, err := runner.Lookup("claude", custom); err != nil || p.Command[0] != "/opt/claude" || p.Name != "claude" {
		t.Errorf("a configured profile does not replace the built-in one: %+v %v", p, err)
	}
}

// TestLaunchRefuses: a missing program, a missing worktree or a bad agent
// id are refused before anything starts.
func TestLaunchRefuses(t *testing.T) {
	t.Parallel()
	a := launch(t)
	missing := runner.Profile{Name: "ghost", Command: []string{"no-such-agent-cli-here"}, Install: "npm install -g ghost"}
	if _, err := newLauncher(t, missing).Launch(t.Context(), a); core.CodeOf(err) != core.ErrInvalid || !strings.Contains(err.Error(), "npm install -g ghost") {
		t.Errorf("missing program: %v", err)
	}
	echo := runner.Custom("true")
	bad := a
	bad.Workspace.Dir = filepath.Join(t.TempDir(), "gone")
	if _, err := newLauncher(t, echo).Launch(t.Context(), bad); core.CodeOf(err) != core.ErrNotFound {
		t.Errorf("missing worktree: %v", err)
	}
	bad = a
	bad.Agent = "../x"
	if _, err := newLauncher(t, echo).Launch(t.Context(), bad); core.CodeOf(err) != core.ErrInvalid {
		t.Errorf("bad agent id: %v", err)
	}
	bad = a
	bad.MCPURL = ""
	if _, err := newLauncher(t, echo).Launch(t.Context(), bad); core.CodeOf(err) != core.ErrInvalid {
		t.Errorf("no MCP URL: %v", err)
	}
}

// TestPrompt: the worker prompt names the assignment and tells the agent
// how to answer each gate result; a handoff is passed on; without a task
// the agent is told to loop.
func TestPrompt(t *testing.T) {
	t.Parallel()
	a := launch(t)
	a.Task.Handoff = &core.Handoff{PreviousHolder: "agent-0", Reason: "agent exited with code 3", Progress: 25, Message: "half the cart"}
	p := runner.Prompt(a)
	for _, want := range []string{
		"agent_id: agent-1", "task_id: t-1 (lease_epoch: 3)", "TASK: Add the cart", "Make a cart that holds items.",
		"- items can be added", "branch: marcus/shop/t-1", "integration branch: marcus/shop/integration",
		`status "completed"`, "merge_conflict", "git rebase marcus/shop/integration", "validation_failed", "no_commits",
		"report_blocker", "mcp__marcus__", "agent-0", "half the cart", "agent exited with code 3",
		"project_root " + strconv.Quote(a.Workspace.Dir),
	} {
		if !strings.Contains(p, want) {
			t.Errorf("prompt lacks %q", want)
		}
	}
	a.Task = core.Task{}
	if loop := runner.Prompt(a); !strings.Contains(loop, "request_next_task") || strings.Contains(loop, "YOUR ASSIGNMENT") {
		t.Errorf("reuse prompt:\n%s", loop)
	}
}

func TestMCPConfigToken(t *testing.T) {
	t.Parallel()
	var cfg map[string]map[string]map[string]any
	if err := json.Unmarshal(runner.MCPConfig("http://x/mcp", "s3cret"), &cfg); err != nil {
		t.Fatal(err)
	}
	h, _ := cfg["mcpServers"]["marcus"]["headers"].(map[string]any)
	if h["Authorization"] != "Bearer s3cret" {
		t.Errorf("config = %v", cfg)
	}
}

func TestSanitize(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"plain":                       "plain",
		"\x1b[1;32mgreen\x1b[0m":      "green",
		"\x1b]8;;http://x\x1b\\link":  "link",
		"cut \x1b[":                   "cut",
		"a\x00b\x07c\x7fd\u0085e":     "abcde",
		"old\rnew":                    "new",
		"crlf\r":                      "crlf",
		"\x1bPdcs\x1b\\after":         "after",
		"\x1b(Bcharset":               "charset",
		"é ✓ 中":                       "é ✓ 中",
		"back\b\b\bspace":             "bspace",
		"\x1b[2K\x1b[1G spinner text": " spinner text",
	} {
		if got := runner.Sanitize(in); got != want {
			t.Errorf("Sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLaunchRefusesHugePrompt: a prompt too long for one process argument
// is refused with what to do, not left to fail in exec.
func TestLaunchRefusesHugePrompt(t *testing.T) {
	t.Parallel()
	a := launch(t)
	a.Task.Description = strings.Repeat("long description ", 9000)
	p := runner.Profile{Name: "argv", Command: []string{"true", "{prompt}"}}
	if _, err := newLauncher(t, p).Launch(t.Context(), a); core.CodeOf(err) != core.ErrInvalid || !strings.Contains(err.Error(), "shorten") {
		t.Errorf("huge prompt: %v", err)
	}
	if _, err := newLauncher(t, runner.Custom(`test -s "$MARCUS_PROMPT_FILE"`)).Launch(t.Context(), a); err != nil {
		t.Errorf("a profile that reads the prompt file: %v", err)
	}
}

// Installed finds a profile's program before a run starts anything, and
// says how to install a missing one.
func TestProfileInstalled(t *testing.T) {
	missing := runner.Profile{Name: "x", Command: []string{"marcus-no-such-agent-cli"}, Install: "npm install -g x-cli"}
	err := missing.Installed()
	if core.CodeOf(err) != core.ErrInvalid || !strings.Contains(err.Error(), "npm install -g x-cli") {
		t.Errorf("missing program: %v", err)
	}
	for _, p := range []runner.Profile{
		{Name: "sh", Command: []string{"sh", "-c", "true"}},
		{Name: "shell", Shell: "marcus-no-such-agent-cli"},    // found only at launch, by sh
		{Name: "late", Command: []string{"{worktree}/agent"}}, // known only at launch
	} {
		if err := p.Installed(); err != nil {
			t.Errorf("%s: %v", p.Name, err)
		}
	}
}
