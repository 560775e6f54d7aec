package mcp_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"marcus/core"
	"marcus/providers/mcp"
)

// artifactBoard is one task, T, held by a1.
func artifactBoard(t *testing.T) (*env, *client, core.TaskID) {
	t.Helper()
	e := newEnv(t)
	_, ids := e.plan(onePlan("arts", "T"))
	c, _ := dialMem(t, e.coord, mcp.Options{})
	c.ok("register_agent", args{"agent_id": "a1"})
	claim(t, c, "a1", "T")
	return e, c, ids["T"]
}

func artifactArgs(task core.TaskID, extra args) args {
	a := args{"agent_id": "a1", "task_id": task, "filename": "spec.md", "content": "# Spec\n", "artifact_type": "specification"}
	for k, v := range extra {
		a[k] = v
	}
	return a
}

// realTempDir is t.TempDir() with links resolved, as full_path reports it.
func realTempDir(t *testing.T) string {
	t.Helper()
	d, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return string(b)
}

// Each type has its folder under project_root, as in Marcus; the content
// on disk is exactly what was sent.
func TestLogArtifactWritesByType(t *testing.T) {
	e, c, task := artifactBoard(t)
	root := realTempDir(t)
	folders := map[string]string{
		"specification": "docs/specifications", "api": "docs/api", "design": "docs/design",
		"architecture": "docs/architecture", "documentation": "docs", "reference": "docs/references",
		"temporary": "tmp/artifacts", "notes": "docs/artifacts", "API": "docs/api",
	}
	for kind, folder := range folders {
		name := strings.ToLower(kind) + "-" + folder[len(folder)-3:] + ".yaml"
		content := "  indented: first line\nlast: line\n"
		m := c.ok("log_artifact", artifactArgs(task, args{"filename": name, "content": content, "artifact_type": kind, "project_root": root}))
		d := sub(t, m, "data")
		loc := folder + "/" + name
		full := filepath.Join(root, filepath.FromSlash(loc))
		if d["location"] != loc || d["full_path"] != full || d["is_default_location"] != true || d["bytes"] != float64(len(content)) {
			t.Errorf("%s: data = %v, want location %s at %s", kind, d, loc, full)
		}
		if got := readFile(t, full); got != content {
			t.Errorf("%s: file holds %q, want %q", kind, got, content)
		}
	}
	arts := e.artifacts(task)
	if len(arts) != len(folders) {
		t.Fatalf("store holds %d artifacts, want %d", len(arts), len(folders))
	}
	for _, a := range arts {
		if a.Content != "  indented: first line\nlast: line\n" {
			t.Errorf("stored content of %s = %q: whitespace must be kept", a.Filename, a.Content)
		}
	}
	if entries, _ := filepath.Glob(filepath.Join(root, "*", "*.marcus-tmp")); len(entries) > 0 {
		t.Errorf("temporary files left: %v", entries)
	}
}

func TestLogArtifactLocation(t *testing.T) {
	_, c, task := artifactBoard(t)
	root := realTempDir(t)
	m := c.ok("log_artifact", artifactArgs(task, args{"location": "src/services/auth/api.yaml", "project_root": root, "content": "v1"}))
	d := sub(t, m, "data")
	full := filepath.Join(root, "src", "services", "auth", "api.yaml")
	if d["location"] != "src/services/auth/api.yaml" || d["is_default_location"] != false || d["full_path"] != full {
		t.Errorf("data = %v", d)
	}
	if got := readFile(t, full); got != "v1" {
		t.Errorf("file = %q", got)
	}
	// Writing again replaces the file.
	c.ok("log_artifact", artifactArgs(task, args{"location": "src/services/auth/api.yaml", "project_root": root, "content": "v2"}))
	if got := readFile(t, full); got != "v2" {
		t.Errorf("file after a second write = %q, want v2", got)
	}
	// A location that climbs and comes back inside is fine.
	c.ok("log_artifact", artifactArgs(task, args{"location": "docs/../README.md", "project_root": root, "content": "readme"}))
	if got := readFile(t, filepath.Join(root, "README.md")); got != "readme" {
		t.Errorf("README = %q", got)
	}
	// A project_root that is itself a link to a directory is followed.
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(root, link); err != nil {
		t.Fatal(err)
	}
	c.ok("log_artifact", artifactArgs(task, args{"filename": "via-link.md", "project_root": link}))
	if got := readFile(t, filepath.Join(root, "docs", "specifications", "via-link.md")); got != "# Spec\n" {
		t.Errorf("file through a linked root = %q", got)
	}
}

// Without project_root the artifact is only stored, and its location is
// still the type's folder.
func TestLogArtifactWithoutRoot(t *testing.T) {
	e, c, task := artifactBoard(t)
	d := sub(t, c.ok("log_artifact", artifactArgs(task, nil)), "data")
	if d["location"] != "docs/specifications/spec.md" || d["full_path"] != "" {
		t.Errorf("data = %v", d)
	}
	if arts := e.artifacts(task); len(arts) != 1 || arts[0].Location != "docs/specifications/spec.md" || arts[0].Agent != "a1" {
		t.Errorf("stored = %+v", arts)
	}
}

// Every refusal leaves the disk and the board untouched.
func TestLogArtifactRefusals(t *testing.T) {
	e, c, task := artifactBoard(t)
	parent := t.TempDir()
	root := filepath.Join(parent, "project")
	outside := filepath.Join(parent, "outside")
	for _, d := range []string{root, outside} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(outside, filepath.Join(root, "docs")); err != nil {
		t.Fatal(err)
	}
	victim := filepath.Join(outside, "victim.txt")
	if err := os.WriteFile(victim, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(root, "src", "link.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "new.txt"), filepath.Join(root, "src", "dangling.txt")); err != nil {
		t.Fatal(err)
	}
	aFile := filepath.Join(parent, "file")
	if err := os.WriteFile(aFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	before := e.lastEvent()
	cases := []struct {
		name  string
		extra args
		want  []string
	}{
		{"climbs out", args{"location": "../escape.txt", "project_root": root}, []string{"outside project_root"}},
		{"climbs out deep", args{"location": "src/../../escape.txt", "project_root": root}, []string{"outside project_root"}},
		{"absolute location", args{"location": filepath.Join(outside, "abs.txt"), "project_root": root}, []string{"relative to project_root"}},
		{"relative root", args{"project_root": "project"}, []string{"project_root", "absolute"}},
		{"missing root", args{"project_root": filepath.Join(parent, "nope")}, []string{"project_root", "not an existing directory"}},
		{"root is a file", args{"project_root": aFile}, []string{"not an existing directory"}},
		{"folder links outside", args{"project_root": root}, []string{"outside project_root"}},
		{"folder links outside, location", args{"location": "docs/api/x.yaml", "project_root": root}, []string{"outside project_root"}},
		{"file links outside", args{"location": "src/link.txt", "project_root": root}, []string{"link"}},
		{"dangling link", args{"location": "src/dangling.txt", "project_root": root}, []string{"link"}},
		{"location is a folder", args{"location": "src", "project_root": root}, []string{"directory"}},
		{"over 1 MiB", args{"content": strings.Repeat("x", core.MaxArtifactBytes+1), "project_root": root, "location": "big.txt"}, []string{"limit"}},
		{"filename climbs", args{"filename": "../../x.md", "project_root": root}, []string{"filename"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.on(t).fail("log_artifact", artifactArgs(task, tc.extra), core.ErrInvalid, tc.want...)
		})
	}
	if arts := e.artifacts(task); len(arts) != 0 {
		t.Errorf("refused artifacts were stored: %+v", arts)
	}
	if after := e.lastEvent(); after != before {
		t.Errorf("refused artifacts appended events %d..%d", before+1, after)
	}
	if got := readFile(t, victim); got != "keep me" {
		t.Errorf("the file behind a link was overwritten: %q", got)
	}
	for _, p := range []string{filepath.Join(parent, "escape.txt"), filepath.Join(outside, "abs.txt"), filepath.Join(outside, "new.txt"),
		filepath.Join(outside, "specifications"), filepath.Join(outside, "api"), filepath.Join(root, "big.txt")} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s was written", p)
		}
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 1 {
		t.Errorf("outside holds %d entries, want only victim.txt", len(entries))
	}
	// Exactly 1 MiB is fine.
	c.ok("log_artifact", artifactArgs(task, args{"content": strings.Repeat("x", core.MaxArtifactBytes), "project_root": root, "location": "big.txt"}))
	if fi, err := os.Stat(filepath.Join(root, "big.txt")); err != nil || fi.Size() != core.MaxArtifactBytes {
		t.Errorf("1 MiB artifact on disk: %v, %v", fi, err)
	}
}

// get_task_context returns the task's own artifacts as well as its
// dependencies', as Marcus does.
func TestTaskContextOwnArtifacts(t *testing.T) {
	_, c, task := artifactBoard(t)
	c.ok("log_artifact", artifactArgs(task, nil))
	ctx := sub(t, c.ok("get_task_context", args{"task_id": task}), "context")
	arts := list(t, ctx, "artifacts")
	if len(arts) == 0 {
		t.Fatal("get_task_context returned none of the task's own artifacts")
	}
	if names := artifactNames(t, arts); len(names) != 1 || names[0] != "spec.md" {
		t.Errorf("own artifacts = %v", names)
	}
	if a := arts[0].(map[string]any); a["content"] != "# Spec\n" {
		t.Errorf("own artifact = %v", a)
	}
}

// Large dependency artifacts are not inlined in request_next_task (its
// answer stays small) but get_task_context returns them whole.
func TestLargeArtifactOmittedInline(t *testing.T) {
	e := newEnv(t)
	_, ids := e.plan(core.Plan{Name: "large", Tasks: []core.PlanTask{pt("Spec"), pt("Build", "Spec")}})
	c, _ := dialMem(t, e.coord, mcp.Options{})
	c.ok("register_agent", args{"agent_id": "a1"})
	claim(t, c, "a1", "Spec")
	big := strings.Repeat("y", 9<<10)
	c.ok("log_artifact", args{"agent_id": "a1", "task_id": ids["Spec"], "filename": "big.md", "content": big, "artifact_type": "specification"})
	c.ok("log_artifact", args{"agent_id": "a1", "task_id": ids["Spec"], "filename": "small.md", "content": "small", "artifact_type": "specification"})
	c.ok("report_task_progress", args{"agent_id": "a1", "task_id": ids["Spec"], "status": "completed"})
	task := claim(t, c, "a1", "Build")
	arts := map[string]map[string]any{}
	for _, a := range list(t, task, "dependency_artifacts") {
		m := a.(map[string]any)
		arts[str(m, "filename")] = m
	}
	if _, ok := arts["big.md"]["content"]; ok || !strings.Contains(str(arts["big.md"], "content_omitted"), "get_task_context") {
		t.Errorf("big artifact inline = %s, want content_omitted pointing at get_task_context", brief(arts["big.md"]))
	}
	if arts["small.md"]["content"] != "small" {
		t.Errorf("small artifact inline = %v", arts["small.md"])
	}
	ctx := sub(t, c.ok("get_task_context", args{"task_id": ids["Build"]}), "context")
	for _, a := range list(t, ctx, "artifacts") {
		if m := a.(map[string]any); m["filename"] == "big.md" && m["content"] != big {
			t.Errorf("get_task_context big.md content has %d bytes, want %d", len(str(m, "content")), len(big))
		}
	}
}

// A link planted where a fixed temporary name would be must not be
// followed: the file is written through a temporary file of marcus's own.
func TestLogArtifactIgnoresPlantedTempLink(t *testing.T) {
	_, c, task := artifactBoard(t)
	root, outside := realTempDir(t), realTempDir(t)
	victim := filepath.Join(outside, "victim")
	if err := os.WriteFile(victim, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "docs"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"x.md.marcus-tmp", "x.md.tmp", ".x.md.tmp"} {
		if err := os.Symlink(victim, filepath.Join(root, "docs", name)); err != nil {
			t.Fatal(err)
		}
	}
	c.ok("log_artifact", artifactArgs(task, args{"project_root": root, "location": "docs/x.md", "content": "new"}))
	if got := readFile(t, victim); got != "keep me" {
		t.Fatalf("a file outside the project root was overwritten: %q", got)
	}
	if got := readFile(t, filepath.Join(root, "docs", "x.md")); got != "new" {
		t.Fatalf("docs/x.md = %q, want the artifact", got)
	}
}
