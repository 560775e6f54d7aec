//go:build unix

package runner_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"marcus/providers/runner"
)

// cliBinary finds an agent CLI: MARCUS_TEST_<NAME> (a path), else the
// program on PATH; the test skips when neither is there.
func cliBinary(t *testing.T, p runner.Profile, pkg string) string {
	t.Helper()
	env := "MARCUS_TEST_" + strings.ToUpper(p.Name)
	if bin := os.Getenv(env); bin != "" {
		return bin
	}
	bin, err := exec.LookPath(p.Command[0])
	if err != nil {
		t.Skipf("%s is not installed: npm install %s, then set %s to its binary or put it on PATH (.ci/setup.d/30-agent-clis.sh does this in CI)", p.Command[0], pkg, env)
	}
	return bin
}

// helpOf runs a CLI's help with an empty HOME, so no configuration of the
// machine's person changes what it prints.
func helpOf(t *testing.T, bin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "NO_COLOR=1")
	cmd.Dir = t.TempDir()
	out, err := cmd.CombinedOutput()
	if err != nil && ctx.Err() != nil {
		t.Fatalf("%s %s did not finish: %v", bin, strings.Join(args, " "), err)
	}
	return string(out)
}

// flagsOf lists the flags a profile passes (arguments starting with -).
func flagsOf(p runner.Profile) []string {
	var flags []string
	for _, a := range p.Command[1:] {
		if strings.HasPrefix(a, "-") {
			flags = append(flags, a)
		}
	}
	return flags
}

// TestProfilesMatchHelp checks, for each agent CLI that is installed,
// that its help lists every flag (and subcommand) its profile passes, so a
// CLI release that renames one fails here rather than in a person's run.
func TestProfilesMatchHelp(t *testing.T) {
	for _, tc := range []struct {
		p    runner.Profile
		pkg  string
		help [][]string // the help commands whose output lists the flags
		sub  string     // the subcommand the profile runs, if any
	}{
		{runner.Claude, "@anthropic-ai/claude-code", [][]string{{"--help"}}, ""},
		{runner.Codex, "@openai/codex", [][]string{{"exec", "--help"}}, "exec"},
		{runner.Gemini, "@google/gemini-cli", [][]string{{"--help"}}, ""},
		{runner.OpenCode, "opencode-ai", [][]string{{"run", "--help"}}, "run"},
	} {
		t.Run(tc.p.Name, func(t *testing.T) {
			t.Parallel()
			bin := cliBinary(t, tc.p, tc.pkg)
			var help strings.Builder
			for _, args := range tc.help {
				help.WriteString(helpOf(t, bin, args...))
			}
			text := help.String()
			if tc.sub != "" && tc.p.Command[1] != tc.sub {
				t.Errorf("the profile runs %q, not the %s subcommand", tc.p.Command[1], tc.sub)
			}
			for _, flag := range flagsOf(tc.p) {
				if !listsFlag(text, flag) {
					t.Errorf("%s's help does not list %s, which the %s profile passes:\n%s", tc.p.Command[0], flag, tc.p.Name, text)
				}
			}
		})
	}
}

// listsFlag reports whether help text lists flag as a whole word.
func listsFlag(help, flag string) bool {
	for i := 0; ; {
		j := strings.Index(help[i:], flag)
		if j < 0 {
			return false
		}
		end := i + j + len(flag)
		if end == len(help) || !isFlagChar(help[end]) {
			return true
		}
		i = end
	}
}

func isFlagChar(c byte) bool {
	return c == '-' || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func TestListsFlag(t *testing.T) {
	help := "  --allowedTools, --allowed-tools <tools...>\n  --autocompact <auto>\n  -p, --print\n  -c, --config <key=value>"
	for flag, want := range map[string]bool{"--allowedTools": true, "--auto": false, "-p": true, "-c": true, "--print": true, "--allowed": false} {
		if got := listsFlag(help, flag); got != want {
			t.Errorf("listsFlag(%q) = %v, want %v", flag, got, want)
		}
	}
}
