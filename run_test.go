package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"marcus/providers/runner"
)

// Agent profiles come from the configuration file: one replaces the
// built-in profile of its name or adds one, a mistake is an error when
// the file is loaded, and the environment cannot set them.
func TestRunConfigProfiles(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "config.yaml")
	write := func(s string) {
		if err := os.WriteFile(file, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("agents:\n  claude:\n    command: [/opt/claude, -p, '{prompt}']\n  mine:\n    shell: ./agent.sh\nrunner:\n  dir: " + dir + "/r\n")
	cfg, err := loadConfig(file, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Runner.Dir != dir+"/r" {
		t.Errorf("runner.dir = %q", cfg.Runner.Dir)
	}
	p, err := runner.Lookup("claude", cfg.Agents)
	if err != nil || p.Command[0] != "/opt/claude" || p.Name != "claude" {
		t.Errorf("claude = %+v, %v; want the file's", p, err)
	}
	if p, err := runner.Lookup("mine", cfg.Agents); err != nil || p.Shell != "./agent.sh" {
		t.Errorf("mine = %+v, %v", p, err)
	}
	if p, err := runner.Lookup("codex", cfg.Agents); err != nil || p.Command[0] != "codex" {
		t.Errorf("codex = %+v, %v; want the built-in one", p, err)
	}
	write("agents:\n  bad:\n    command: [x, '{nope}']\n")
	if _, err := loadConfig(file, nil); err == nil || !strings.Contains(err.Error(), "agents.bad") {
		t.Errorf("a bad profile loaded: %v", err)
	}
	write("")
	if _, err := loadConfig(file, []string{"MARCUS_AGENTS=x"}); err == nil || !strings.Contains(err.Error(), "configuration file") {
		t.Errorf("MARCUS_AGENTS was taken: %v", err)
	}
}

// Bad flags are refused before anything is built, with what to do.
func TestRunFlags(t *testing.T) {
	for _, tc := range []struct {
		f    runFlags
		want string
	}{
		{runFlags{agent: "claude", agents: 1}, "--repo DIR"},
		{runFlags{repo: ".", agents: 1}, "--agent NAME"},
		{runFlags{repo: ".", agent: "claude", agentCmd: "x", agents: 1}, "one of them"},
		{runFlags{repo: ".", agent: "claude"}, "--agents must be 1 or more"},
		{runFlags{repo: ".", agent: "claude", agents: 1, maxSpawns: -1}, "--max-spawns"},
	} {
		if err := tc.f.check(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.f, err, tc.want)
		}
	}
	if err := (&runFlags{repo: ".", cleanup: true}).check(); err != nil {
		t.Errorf("--cleanup needs no agent: %v", err)
	}
}
