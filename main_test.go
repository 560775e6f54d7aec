package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"marcus/core"
	"marcus/store/sqlite"
)

// run executes marcus with args against its own database and config folder.
func run(t *testing.T, db string, stdin string, args ...string) (string, error) {
	t.Helper()
	return runCtx(t, context.Background(), db, stdin, args...)
}

func runCtx(t *testing.T, ctx context.Context, db, stdin string, args ...string) (string, error) {
	t.Helper()
	var out syncBuffer
	err := runTo(t, ctx, &out, db, stdin, args...)
	return out.String(), err
}

func runTo(t *testing.T, ctx context.Context, out *syncBuffer, db, stdin string, args ...string) error {
	return runEnvTo(t, ctx, out, nil, db, stdin, args...)
}

// runEnvTo is runTo with extra environment variables.
func runEnvTo(t *testing.T, ctx context.Context, out *syncBuffer, extra []string, db, stdin string, args ...string) error {
	env := append([]string{"XDG_CONFIG_HOME=" + t.TempDir(), "MARCUS_LOG_FILE=" + filepath.Join(t.TempDir(), "marcus.log")}, extra...)
	root := newRootCmd(out, out, env)
	root.SetIn(strings.NewReader(stdin))
	root.SetArgs(append([]string{"--db", db}, args...))
	return root.ExecuteContext(ctx)
}

// syncBuffer is a bytes.Buffer safe to read while a command writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestNewBoardProjects(t *testing.T) {
	db := filepath.Join(t.TempDir(), "m.db")
	out, err := run(t, db, "", "new", "--from", "examples/todo-app.yaml")
	if err != nil {
		t.Fatalf("new: %v\n%s", err, out)
	}
	if !strings.Contains(out, `created project "todo-app"`) || !strings.Contains(out, "16 tasks") {
		t.Fatalf("unexpected output:\n%s", out)
	}
	out, err = run(t, db, "", "board", "--project", "todo-app")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"todo-app", "0/16 done", "Backlog (16)", "Project scaffold", "Done (0)"} {
		if !strings.Contains(out, want) {
			t.Errorf("board lacks %q:\n%s", want, out)
		}
	}
	out, err = run(t, db, "", "projects", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var rows []projectRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 1 || rows[0].Total != 16 {
		t.Fatalf("projects --json = %s (%v)", out, err)
	}
}

func TestNewFromStdinWithName(t *testing.T) {
	db := filepath.Join(t.TempDir(), "m.db")
	plan := `{"name": "x", "tasks": [{"name": "one"}, {"name": "two", "after": ["one"]}]}`
	out, err := run(t, db, plan, "new", "--from", "-", "--name", "renamed", "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got["name"] != "renamed" || got["tasks_created"] != float64(2) || got["dependencies"] != float64(1) {
		t.Fatalf("got %v", got)
	}
}

func TestNewRefusesBadPlansAndWritesNothing(t *testing.T) {
	db := filepath.Join(t.TempDir(), "m.db")
	cases := []struct{ plan, want string }{
		{"name: c\ntasks:\n  - name: a\n    after: [b]\n  - name: b\n    after: [a]\n", `"a" -> "b" -> "a"`},
		{"name: c\ntasks:\n  - name: a\n    after: [ghost]\n", "ghost"},
		{"name: c\ntasks:\n  - name: a\n  - name: a\n", "duplicate"},
	}
	for _, c := range cases {
		out, err := run(t, db, c.plan, "new", "--from", "-")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("plan %q: err = %v (out %s); want it to name %q", c.plan, err, out, c.want)
		}
		if exitCode(err) != 2 {
			t.Errorf("exit code %d for bad input; want 2", exitCode(err))
		}
	}
	out, err := run(t, db, "", "projects", "--json")
	if err != nil || strings.TrimSpace(out) != "[]" {
		t.Fatalf("refused plans must write nothing; projects = %s (%v)", out, err)
	}
	if _, err := run(t, db, "", "new"); err == nil || !strings.Contains(err.Error(), "--from") {
		t.Fatalf("new without --from: %v", err)
	}
}

func TestBoardJSONAndErrors(t *testing.T) {
	db := filepath.Join(t.TempDir(), "m.db")
	if _, err := run(t, db, "", "board"); err == nil || !strings.Contains(err.Error(), "no project yet") {
		t.Fatalf("board on an empty database: %v", err)
	}
	if _, err := run(t, db, "", "new", "--from", "examples/cli-tool.json"); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, db, "", "board", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var b struct {
		Counts map[string]int `json:"counts"`
		Tasks  []core.Task    `json:"tasks"`
	}
	if err := json.Unmarshal([]byte(out), &b); err != nil {
		t.Fatal(err)
	}
	if b.Counts["todo"] != len(b.Tasks) || len(b.Tasks) == 0 {
		t.Fatalf("counts %v for %d tasks", b.Counts, len(b.Tasks))
	}
	if _, err := run(t, db, "", "board", "--json", "--watch"); err == nil {
		t.Fatal("--json with --watch must be refused")
	}
	if _, err := run(t, db, "", "board", "--project", "nope"); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("unknown project: %v", err)
	}
}

// TestBoardWatch checks that --watch redraws after a change made through
// another database handle, as by another process.
func TestBoardWatch(t *testing.T) {
	db := filepath.Join(t.TempDir(), "m.db")
	if _, err := run(t, db, "", "new", "--from", "examples/cli-tool.json"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out syncBuffer
	done := make(chan error, 1)
	go func() { done <- runTo(t, ctx, &out, db, "", "board", "--watch") }()
	waitFor(t, &out, "In Progress (0)")

	s, err := sqlite.Open(ctx, db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := core.NewCoordinator(s)
	if _, err := c.RegisterAgent(ctx, core.RegisterRequest{ID: "other-process"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RequestNextTask(ctx, "other-process"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, &out, "In Progress (1)")
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("watch ended with %v; an interrupt must end it cleanly", err)
	}
}

// waitFor polls out until it contains want, failing after 20 s.
func waitFor(t *testing.T, out *syncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("output never showed %q:\n%s", want, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
