package core

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func vTask(name string, after ...string) PlanTask { return PlanTask{Name: name, After: after} }

func vPlan(tasks ...PlanTask) Plan { return Plan{Name: "P", Tasks: tasks} }

func TestBuildTasks(t *testing.T) {
	plan := vPlan(
		PlanTask{Name: "  Design  ", Phase: "design", Priority: "high", Labels: []string{" foundation ", "", "api"}, EstimateMinutes: 30},
		PlanTask{Name: "Schema", After: []string{"design"}, Acceptance: []string{"runs", " "}},
		PlanTask{Name: "API", After: []string{" DESIGN ", "Schema", "Schema"}, SoftAfter: []string{"Design"}},
		PlanTask{Name: "Docs", SoftAfter: []string{"API"}},
	)
	ts, err := BuildTasks(plan, "p-1", testT0)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[TaskID]bool{}
	for i, task := range ts {
		if !strings.HasPrefix(string(task.ID), "t-") || seen[task.ID] {
			t.Errorf("task %d id %q: want a fresh t- id", i, task.ID)
		}
		seen[task.ID] = true
		if task.Seq != i || task.Project != "p-1" || task.Status != StatusTodo || !task.CreatedAt.Equal(testT0) || !task.UpdatedAt.Equal(testT0) {
			t.Errorf("task %d = %+v, want seq %d of p-1, todo, created now", i, task, i)
		}
	}
	design, schema, api, docs := ts[0], ts[1], ts[2], ts[3]
	if design.Name != "Design" || !slices.Equal(design.Labels, []string{"foundation", "api"}) ||
		design.Priority != PriorityHigh || design.Phase != PhaseDesign || design.EstimateMinutes != 30 {
		t.Errorf("Design = %+v, want the name and labels trimmed, high, design, 30 min", design)
	}
	if !slices.Equal(schema.Acceptance, []string{"runs"}) || schema.Priority != PriorityMedium || schema.Phase != PhaseImplement {
		t.Errorf("Schema = %+v, want blank criteria dropped, medium, implement", schema)
	}
	wantDeps(t, "Schema", schema, hardDep(design.ID))
	// Names match in any case and spacing; a repeat, or the same task soft
	// as well, adds nothing: the first (hard) listing wins.
	wantDeps(t, "API", api, hardDep(design.ID), hardDep(schema.ID))
	wantDeps(t, "Docs", docs, softDep(api.ID))
	for _, c := range []struct {
		task Task
		want int
	}{{design, 2}, {schema, 1}, {api, 0}, {docs, 0}} {
		if c.task.Unblocks != c.want {
			t.Errorf("%s unblocks %d, want %d (hard dependents only)", c.task.Name, c.task.Unblocks, c.want)
		}
	}
}

func wantDeps(t *testing.T, name string, task Task, want ...Dependency) {
	t.Helper()
	if !slices.Equal(task.Dependencies, want) {
		t.Errorf("%s depends on %+v, want %+v", name, task.Dependencies, want)
	}
}

// TestBuildTasksRefusals: every refusal is ErrInvalid, returns no tasks, and
// names the task (by position or name) and what to change.
func TestBuildTasksRefusals(t *testing.T) {
	long := strings.Repeat("n", MaxNameLen+1)
	labels := make([]string, MaxLabels+1)
	for i := range labels {
		labels[i] = fmt.Sprint("l", i)
	}
	tests := []struct {
		name  string
		plan  Plan
		parts []string
	}{
		{"no plan name", Plan{Name: " ", Tasks: []PlanTask{vTask("A")}}, []string{"no name", "top-level name"}},
		{"long plan name", Plan{Name: long, Tasks: []PlanTask{vTask("A")}}, []string{"project name is 201 characters", "limit is 200"}},
		{"long plan description", Plan{Name: "P", Description: strings.Repeat("d", MaxDescriptionLen+1), Tasks: []PlanTask{vTask("A")}},
			[]string{"project description", fmt.Sprint(MaxDescriptionLen)}},
		{"no tasks", Plan{Name: "Empty"}, []string{`"Empty"`, "no tasks"}},
		{"too many tasks", Plan{Name: "P", Tasks: make([]PlanTask, MaxPlanTasks+1)}, []string{fmt.Sprint(MaxPlanTasks + 1), "split it"}},
		{"task without name", vPlan(vTask("A"), vTask(" ")), []string{"task 2 has no name"}},
		{"long task name", vPlan(vTask(long)), []string{"task 1", "name is 201 characters"}},
		{"long task description", vPlan(PlanTask{Name: "A", Description: strings.Repeat("d", MaxDescriptionLen+1)}),
			[]string{`task 1 ("A")`, "description"}},
		{"too many labels", vPlan(vTask("A"), PlanTask{Name: "B", Labels: labels}), []string{`task 2 ("B")`, "33 labels", "limit is 32"}},
		{"long label", vPlan(PlanTask{Name: "A", Labels: []string{"ok", long}}), []string{`("A")`, "a label is 201 characters"}},
		{"negative estimate", vPlan(PlanTask{Name: "A", EstimateMinutes: -1}), []string{`("A")`, "negative"}},
		{"long acceptance", vPlan(PlanTask{Name: "A", Acceptance: []string{strings.Repeat("a", MaxDescriptionLen), "b"}}),
			[]string{`("A")`, "acceptance"}},
		{"bad priority", vPlan(PlanTask{Name: "A", Priority: "hgih"}), []string{`task 1 ("A")`, `unknown priority "hgih"`}},
		{"bad phase", vPlan(PlanTask{Name: "A", Phase: "polish"}), []string{`task 1 ("A")`, `unknown phase "polish"`}},
		{"duplicate names", vPlan(vTask("Build"), vTask("API"), vTask(" build ")), []string{"task 3", `duplicate task name "build"`}},
		{"unknown dependency", vPlan(vTask("A"), vTask("B", "Nope")), []string{`task "B" depends on "Nope"`, "not a task in this plan"}},
		{"unknown soft dependency", vPlan(PlanTask{Name: "B", SoftAfter: []string{"Ghost"}}), []string{`"B"`, `"Ghost"`}},
		{"self dependency", vPlan(vTask("A", "a")), []string{`task "A" depends on itself`}},
		{"cycle", vPlan(vTask("A", "C"), vTask("B", "A"), vTask("C", "B"), vTask("Free")),
			[]string{`dependency cycle: "A" -> "C" -> "B" -> "A"`, "remove one"}},
		{"cycle through a soft dependency", vPlan(vTask("A", "B"), PlanTask{Name: "B", SoftAfter: []string{"A"}}),
			[]string{`"A" -> "B" -> "A"`}},
	}
	for _, tc := range tests {
		ts, err := BuildTasks(tc.plan, "p-1", testT0)
		if ts != nil {
			t.Errorf("%s: returned %d tasks with the error", tc.name, len(ts))
		}
		t.Run(tc.name, func(t *testing.T) { wantInvalid(t, err, tc.parts...) })
	}
}

// TestBuildTasksCycleLeavesOthersOut checks that a cycle error names only
// the cycle, not the tasks around it.
func TestBuildTasksCycleLeavesOthersOut(t *testing.T) {
	_, err := BuildTasks(vPlan(vTask("Root"), vTask("X", "Root", "Y"), vTask("Y", "X"), vTask("Leaf", "X")), "p", testT0)
	wantInvalid(t, err, `"X" -> "Y" -> "X"`)
	for _, other := range []string{"Root", "Leaf"} {
		if strings.Contains(err.Error(), other) {
			t.Errorf("cycle error %q names %s, which is not in the cycle", err, other)
		}
	}
}
