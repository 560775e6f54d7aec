package planfile

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"marcus/core"
)

// fullPlan is the plan that fullYAML and fullJSON both describe.
var fullPlan = core.Plan{
	Name:        "shop",
	Description: "An online shop.",
	Planner:     "hand-written",
	Options:     map[string]string{"team": "web", "retries": "3"},
	Tasks: []core.PlanTask{
		{
			Name:            "Design schema",
			Description:     "Tables and keys.",
			Priority:        "high",
			Phase:           "design",
			EstimateMinutes: 60,
			Labels:          []string{"db"},
			Acceptance:      []string{"diagram checked in"},
		},
		{
			Name:      "Build API",
			After:     []string{"Design schema"},
			SoftAfter: []string{"Write docs"},
			Priority:  "urgent",
			Phase:     "test",
		},
		{Name: "Write docs"},
	},
}

const fullYAML = `
name: shop
description: |
  An online shop.
planner: hand-written
options: {team: web, retries: 3}
tasks:
  - name: Design schema
    description: Tables and keys.
    priority: high
    phase: design
    estimate_minutes: 60
    labels: [db]
    acceptance:
      - diagram checked in
  - name: Build API
    after: [Design schema]
    soft_after:
      - Write docs
    priority: Critical
    phase: qa
  - name: "  Write docs  "
    description:
`

const fullJSON = `{
  "name": "shop",
  "description": "An online shop.",
  "planner": "hand-written",
  "options": {"team": "web", "retries": "3"},
  "tasks": [
    {"name": "Design schema", "description": "Tables and keys.", "priority": "high",
     "phase": "design", "estimate_minutes": 60, "labels": ["db"],
     "acceptance": ["diagram checked in"]},
    {"name": "Build API", "after": ["Design schema"], "soft_after": ["Write docs"],
     "priority": "critical", "phase": "QA"},
    {"name": "Write docs", "description": null}
  ]
}`

func TestParseFullShape(t *testing.T) {
	tests := []struct{ name, filename, src string }{
		{"yaml", "shop.yaml", fullYAML},
		{"yml", "shop.yml", fullYAML},
		{"json", "shop.json", fullJSON},
		{"sniffed yaml", "-", fullYAML},
		{"sniffed json", "-", fullJSON},
		{"json with BOM", "shop.json", "\xef\xbb\xbf" + fullJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustParse(t, tt.filename, tt.src)
			if !reflect.DeepEqual(got, fullPlan) {
				t.Errorf("got  %+v\nwant %+v", got, fullPlan)
			}
		})
	}
}

func TestParseDefaultsAndNames(t *testing.T) {
	tests := []struct {
		filename, src, wantName string
	}{
		{"plans/my-app.yaml", "tasks: [{name: a}]", "my-app"},
		{"plans/my-app.json", `{"tasks": [{"name": "a"}]}`, "my-app"},
		{"-", "tasks: [{name: a}]", "untitled"},
		{"", "tasks: [{name: a}]", "untitled"},
		{".yaml", "tasks: [{name: a}]", "untitled"},
		{"x.yaml", "name: '  '\ntasks: [{name: a}]", "x"},
		{"x.yaml", "name: 2024\ntasks: [{name: 7}]", "2024"},
		{"notes.md", "- [ ] a\n", "notes"},
		{"-", "- [ ] a\n", "untitled"},
	}
	for _, tt := range tests {
		t.Run(tt.filename, func(t *testing.T) {
			got := mustParse(t, tt.filename, tt.src)
			if got.Name != tt.wantName {
				t.Errorf("name = %q, want %q", got.Name, tt.wantName)
			}
			if t0 := got.Tasks[0]; t0.Priority != "" || t0.Phase != "" || t0.EstimateMinutes != 0 {
				t.Errorf("defaults changed: %+v (core applies them on import)", t0)
			}
		})
	}
}

func TestParseYAMLAliasesAndMerge(t *testing.T) {
	src := `
tasks:
  - &base
    name: A
    priority: high
    labels: &labels [web, ui]
  - <<: *base
    name: B
    after: [A]
  - name: C
    labels: *labels
`
	got := mustParse(t, "p.yaml", src)
	b := got.Tasks[1]
	if b.Name != "B" || b.Priority != "high" || !reflect.DeepEqual(b.Labels, []string{"web", "ui"}) {
		t.Errorf("merged task = %+v", b)
	}
	if !reflect.DeepEqual(got.Tasks[2].Labels, []string{"web", "ui"}) {
		t.Errorf("aliased labels = %v", got.Tasks[2].Labels)
	}
}

func TestFormatOf(t *testing.T) {
	tests := []struct {
		filename, src string
		want          Format
	}{
		{"a.yaml", "{}", FormatYAML},
		{"a.YML", "", FormatYAML},
		{"a.json", "- [ ] x", FormatJSON},
		{"a.md", "{", FormatMarkdown},
		{"a.markdown", "", FormatMarkdown},
		{"-", "  \n {\"tasks\": []}", FormatJSON},
		{"-", "# Plan\n\n- [ ] one\n", FormatMarkdown},
		{"-", "* [x] done\n", FormatMarkdown},
		{"plan.txt", "  + [X] done\n", FormatMarkdown},
		{"-", "name: x\ntasks:\n  - name: a\n", FormatYAML},
		{"", "- plain bullet\n", FormatYAML},
	}
	for _, tt := range tests {
		if got := FormatOf(tt.filename, []byte(tt.src)); got != tt.want {
			t.Errorf("FormatOf(%q, %q) = %s, want %s", tt.filename, tt.src, got, tt.want)
		}
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, []byte("tasks: [{name: a}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := ReadFile(good)
	if err != nil || p.Name != "good" || len(p.Tasks) != 1 {
		t.Fatalf("ReadFile = %+v, %v", p, err)
	}

	big := filepath.Join(dir, "big.yaml")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()

	tests := []struct {
		name, path string
		want       []string
	}{
		{"missing", filepath.Join(dir, "nope.yaml"), []string{"nope.yaml", "does not exist"}},
		{"directory", dir, []string{dir, "is a directory"}},
		{"too large", big, []string{"big.yaml", "too large", "16 MiB"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadFile(tt.path)
			wantInvalid(t, err, tt.want...)
		})
	}
}

func TestParseRefusesOversizedData(t *testing.T) {
	data := []byte("tasks: [{name: a}]\n" + strings.Repeat("#", MaxFileSize))
	_, err := Parse("big.yaml", data)
	wantInvalid(t, err, "big.yaml", "too large")
}
