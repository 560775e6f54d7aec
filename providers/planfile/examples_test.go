package planfile

import (
	"path/filepath"
	"testing"

	"marcus/core"
)

// The examples are what new users copy, so they must parse and must also
// pass the checks import makes: known, unique names and no cycles.
func TestExamples(t *testing.T) {
	tests := []struct {
		file       string
		format     Format
		tasks      int
		hard, soft int
	}{
		{"todo-app.yaml", FormatYAML, 16, 23, 4},
		{"cli-tool.json", FormatJSON, 8, 9, 1},
		{"launch-checklist.md", FormatMarkdown, 14, 19, 2},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("..", "..", "examples", tt.file)
			p, err := ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := FormatOf(path, nil); got != tt.format {
				t.Errorf("format = %s, want %s", got, tt.format)
			}
			hard, soft := countDeps(p)
			if len(p.Tasks) != tt.tasks || hard != tt.hard || soft != tt.soft {
				t.Errorf("tasks, hard, soft = %d, %d, %d; want %d, %d, %d",
					len(p.Tasks), hard, soft, tt.tasks, tt.hard, tt.soft)
			}
			checkImportable(t, p)
		})
	}
}

func TestLaunchChecklistDetails(t *testing.T) {
	p, err := ReadFile(filepath.Join("..", "..", "examples", "launch-checklist.md"))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]core.PlanTask{}
	for _, task := range p.Tasks {
		byName[task.Name] = task
	}
	for _, done := range []string{"Code freeze", "Pick launch date", "Domain and TLS certificate"} {
		if _, ok := byName[done]; ok {
			t.Errorf("checked item %q was imported", done)
		}
	}
	api := byName["Generate OpenAPI spec"]
	if api.Phase != "implement" || len(api.Labels) != 2 || api.Labels[1] != "feature:API docs" {
		t.Errorf("three-level task = %+v", api)
	}
	if got := byName["Publish release artifacts"].After; len(got) != 3 {
		t.Errorf("after a feature = %v, want its three tasks", got)
	}
	if got := byName["Monitor launch day"].EstimateMinutes; got != 480 {
		t.Errorf("estimate 8h = %d minutes", got)
	}
}

func countDeps(p core.Plan) (hard, soft int) {
	for _, t := range p.Tasks {
		hard += len(t.After)
		soft += len(t.SoftAfter)
	}
	return hard, soft
}

// checkImportable is a stand-in for the validation core runs on import.
func checkImportable(t *testing.T, p core.Plan) {
	t.Helper()
	deps := map[string][]string{}
	for _, task := range p.Tasks {
		if _, dup := deps[task.Name]; dup {
			t.Errorf("duplicate task name %q", task.Name)
		}
		deps[task.Name] = append(append([]string{}, task.After...), task.SoftAfter...)
	}
	for name, ds := range deps {
		for _, d := range ds {
			if _, ok := deps[d]; !ok {
				t.Errorf("task %q waits for unknown task %q", name, d)
			}
		}
	}
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(string) bool
	visit = func(n string) bool {
		switch state[n] {
		case 1:
			return false
		case 2:
			return true
		}
		state[n] = 1
		for _, d := range deps[n] {
			if !visit(d) {
				t.Errorf("cycle through %q", n)
				return false
			}
		}
		state[n] = 2
		return true
	}
	for n := range deps {
		visit(n)
	}
}
