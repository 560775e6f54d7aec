package offline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"marcus/core"
	"marcus/core/plan"
	"marcus/providers/offline"
)

// The golden files hold the offline planner's whole output for a set of
// descriptions: the analysis, every feature's tasks and the assembled plan.
// Regenerate them with
//
//	go test ./providers/offline -run Golden -update
//
// and read the diff: the plans must read as a sensible board.

func init() {
	// Registered in init, after every package-level flag, so that another
	// test file of the package may define -update as well.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// goldenCase is one golden description, read from testdata/offline/<name>.input.md.
type goldenCase struct {
	name       string
	complexity core.Complexity
	maxTasks   int
	existing   []core.PlanTask
}

var goldenCases = []goldenCase{
	{name: "todo-auth"},
	{name: "recipe-site"},
	{name: "cli-tool", complexity: core.Prototype},
	{name: "rest-api", complexity: core.Enterprise},
	{name: "etl-pipeline"},
	{name: "ml-model"},
	{name: "mobile-app"},
	{name: "game"},
	{name: "sdk"},
	{name: "infra"},
	{name: "wedding"},
	{name: "conference", complexity: core.Enterprise},
	{name: "marketing"},
	{name: "research", complexity: core.Prototype},
	{name: "moving"},
	{name: "spec"},
	{name: "blog"},
	{name: "spec-capped", maxTasks: 12},
	{name: "add-feature", existing: []core.PlanTask{
		{Name: "Set up project structure and tooling"}, {Name: "Design Monthly Report"},
		{Name: "Implement Monthly Report"}, {Name: "Test Monthly Report"}, {Name: "Write documentation"},
	}},
}

func (c goldenCase) request(t testing.TB) core.PlanRequest {
	t.Helper()
	file := c.name
	if file == "spec-capped" {
		file = "spec"
	}
	b, err := os.ReadFile(filepath.Join("testdata", "golden", file+".input.md"))
	if err != nil {
		t.Fatal(err)
	}
	return core.PlanRequest{Description: string(b), Complexity: c.complexity, MaxTasks: c.maxTasks, Existing: c.existing}
}

// output is everything the planner produced for one request.
type output struct {
	Request    requestView     `json:"request"`
	Analysis   core.Analysis   `json:"analysis"`
	Expansions []expansionView `json:"expansions"`
	Plan       core.Plan       `json:"plan"`
	Warnings   []string        `json:"warnings"`
}

type requestView struct {
	Complexity core.Complexity `json:"complexity,omitempty"`
	MaxTasks   int             `json:"max_tasks,omitempty"`
	Existing   []string        `json:"existing,omitempty"`
}

type expansionView struct {
	Feature string          `json:"feature"`
	Tasks   []core.PlanTask `json:"tasks"`
}

// runPlan runs the planner as the creation pipeline does: Analyze, every
// Expand, then plan.Assemble.
func runPlan(ctx context.Context, p core.Planner, req core.PlanRequest) (output, error) {
	out := output{Request: requestView{Complexity: req.Complexity, MaxTasks: req.MaxTasks}}
	for _, t := range req.Existing {
		out.Request.Existing = append(out.Request.Existing, t.Name)
	}
	a, err := p.Analyze(ctx, req)
	if err != nil {
		return out, err
	}
	out.Analysis = a
	exps := make([][]core.PlanTask, len(a.Features))
	for i, f := range a.Features {
		if exps[i], err = p.Expand(ctx, req, a, f); err != nil {
			return out, err
		}
		out.Expansions = append(out.Expansions, expansionView{Feature: f.Name, Tasks: exps[i]})
	}
	out.Plan, out.Warnings, err = plan.Assemble(req, a, exps)
	return out, err
}

func TestOfflineGolden(t *testing.T) {
	p := offline.New()
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			out, err := runPlan(context.Background(), p, c.request(t))
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(out, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", "golden", c.name+".golden.json")
			if updating() {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./providers/offline -run Golden -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the planner's output; if the change is intended, run go test ./providers/offline -run Golden -update and review the diff", path)
			}
		})
	}
}
