package main

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestDemoFinishesAGeneratedProject runs the demo end to end: a server on a
// free loopback port, synthetic agents over MCP, the board redrawn, and a
// summary when the agents are done.
func TestDemoFinishesAGeneratedProject(t *testing.T) {
	out, err := runCtx(t, context.Background(), t.TempDir()+"/unused.db", "", "demo",
		"--agents", "6", "--speed", "60000", "--tasks", "40", "--die", "0.34", "--block", "0", "--seed", "1")
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	for _, want := range []string{"MCP at http://127.0.0.1:", "generated-40", "Activity", "40/40 done"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	m := regexp.MustCompile(`(\d+) tasks completed, (\d+) blocked for a person, (\d+) agent\(s\) died`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no summary line in:\n%s", tail(out))
	}
	if done, _ := strconv.Atoi(m[1]); done != 40 {
		t.Errorf("summary says %s tasks completed; want 40", m[1])
	}
	if died, _ := strconv.Atoi(m[3]); died == 0 {
		t.Errorf("no agent died with --die 0.34; the demo must show recovery")
	}
}

func TestDemoRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{{"--agents", "0"}, {"--speed", "0"}, {"--die", "1"}} {
		if _, err := run(t, t.TempDir()+"/x.db", "", append([]string{"demo"}, args...)...); err == nil {
			t.Errorf("demo %v was accepted", args)
		}
	}
}

func tail(s string) string {
	if len(s) > 2000 {
		return s[len(s)-2000:]
	}
	return s
}

// The default demo plans its sample project with the offline planner.
func TestDemoPlansTheSampleOffline(t *testing.T) {
	out, err := runCtx(t, context.Background(), t.TempDir()+"/unused.db", "", "demo", "--text",
		"--agents", "6", "--speed", "60000", "--die", "0", "--block", "0", "--seed", "2")
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, tail(out))
	}
	m := regexp.MustCompile(`Todo App\s.*?(\d+)/(\d+) done`).FindAllStringSubmatch(out, -1)
	if len(m) == 0 {
		t.Fatalf("no board of the planned Todo App in:\n%s", tail(out))
	}
	last := m[len(m)-1]
	if last[1] != last[2] || last[2] == "0" {
		t.Errorf("the demo ended at %s/%s done", last[1], last[2])
	}
}
