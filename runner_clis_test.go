//go:build unix

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"marcus/core"
	"marcus/providers/runner"
)

// cliPath finds an agent CLI: MARCUS_TEST_<NAME>, else on PATH.
func cliPath(t *testing.T, p runner.Profile) string {
	t.Helper()
	env := "MARCUS_TEST_" + strings.ToUpper(p.Name)
	if bin := os.Getenv(env); bin != "" {
		return bin
	}
	bin, err := exec.LookPath(p.Command[0])
	if err != nil {
		t.Skipf("%s is not installed (%s): set %s to its binary or put it on PATH", p.Command[0], p.Install, env)
	}
	return bin
}

// privateDir is a folder no other user can write to, as Gemini CLI wants
// for a settings file (it ignores one under /tmp).
func privateDir(t *testing.T) string {
	t.Helper()
	base, err := os.UserCacheDir()
	if err == nil {
		err = os.MkdirAll(base, 0o700)
	}
	if err != nil {
		t.Skipf("no private cache folder for the agents' files: %v", err)
	}
	dir, err := os.MkdirTemp(base, "marcus-test-agents-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// TestProfilesReachMarcus: for each CLI that reads its MCP servers from
// configuration rather than a flag, the configuration its profile writes
// is what the CLI itself reports, and (where the CLI can check) it
// connects to a real marcus MCP server. Each runs the CLI's own "mcp"
// subcommand with the environment and overrides a launch would give it.
func TestProfilesReachMarcus(t *testing.T) {
	for _, tc := range []struct {
		p    runner.Profile
		args func(spec runner.Spec) []string
		want []string
	}{
		// codex mcp get reads -c overrides as exec does.
		{runner.Codex, func(s runner.Spec) []string {
			return append([]string{"mcp", "get", "marcus", "--json"}, overrides(s.Args)...)
		}, []string{`"url": "URL"`, `"tool_timeout_sec": 900`, `"type": "streamable_http"`}},
		// gemini mcp list connects to each server it is configured with.
		{runner.Gemini, func(runner.Spec) []string { return []string{"mcp", "list"} }, []string{"marcus: URL (http) - Connected"}},
		// opencode mcp list connects too.
		{runner.OpenCode, func(runner.Spec) []string { return []string{"mcp", "list"} }, []string{"✓ marcus connected", "URL"}},
	} {
		t.Run(tc.p.Name, func(t *testing.T) {
			bin := cliPath(t, tc.p)
			t.Parallel()
			e := newRunEnv(t, chain("probe"), "")
			e.attach()
			task, w := e.claim("probe-1")
			p := tc.p
			p.Command = append([]string{bin}, p.Command[1:]...)
			l, err := runner.New(runner.Options{Profile: p, Dir: privateDir(t), ToolTimeout: 15 * time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			spec, err := l.Spec(core.AgentLaunch{Agent: "probe-1", Project: e.proj, Task: task, Workspace: w, MCPURL: e.url})
			if err != nil {
				t.Fatal(err)
			}
			out := runCLI(t, bin, w.Dir, append(spec.Env, "HOME="+t.TempDir(), "NO_COLOR=1", "GEMINI_CLI_TRUST_WORKSPACE=true"), tc.args(spec)...)
			for _, want := range tc.want {
				if want = strings.ReplaceAll(want, "URL", e.url); !strings.Contains(out, want) {
					t.Errorf("%s does not report %q:\n%s", tc.p.Name, want, out)
				}
			}
		})
	}
}

// overrides picks the -c KEY=VALUE pairs out of a command line.
func overrides(args []string) []string {
	var out []string
	for i := 0; i+1 < len(args); i++ {
		if args[i] == "-c" {
			out = append(out, args[i], args[i+1])
		}
	}
	return out
}

func runCLI(t *testing.T, bin, dir string, env []string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("%s %s did not finish: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, out)
	}
	lines := strings.Split(string(out), "\n")
	for i, l := range lines {
		lines[i] = runner.Sanitize(l)
	}
	return strings.Join(lines, "\n")
}
