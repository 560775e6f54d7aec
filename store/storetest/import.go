package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"marcus/core"
)

func testImport(t *testing.T, h Harness) {
	t.Run("StoresTheWholePlan", func(t *testing.T) { importWholePlan(t, h) })
	t.Run("ProjectCreatedEvent", func(t *testing.T) { importEvent(t, h) })
	t.Run("Refusals", func(t *testing.T) { importRefusals(t, h) })
	t.Run("DuplicateProjectName", func(t *testing.T) { importDuplicateName(t, h) })
}

func recipePlan() core.Plan {
	return core.Plan{Name: "Recipes", Description: "a recipe app", Options: map[string]string{"team": "two"}, Tasks: []core.PlanTask{
		{Name: "Design", Phase: "design", Priority: "high", Labels: []string{"foundation"}, EstimateMinutes: 20},
		{Name: "Schema", After: []string{"Design"}, Acceptance: []string{"migrations run", "indexes exist"}},
		{Name: "API", After: []string{"Schema"}, SoftAfter: []string{"Design"}, Labels: []string{"backend", "api"}},
		{Name: "UI", After: []string{"API"}, SoftAfter: []string{"Schema"}, Phase: "test"},
		{Name: "Docs", SoftAfter: []string{"API"}, Phase: "docs", Priority: "low"},
	}}
}

func importWholePlan(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(recipePlan())
	checkProject(t, e, b.project)
	got := e.tasks(b.project.ID)
	var names []string
	for i, task := range got {
		names = append(names, task.Name)
		if task.Seq != i || task.ID != b.ids[task.Name] || task.Project != b.project.ID {
			t.Errorf("task %q: seq %d id %s project %s, want seq %d id %s project %s",
				task.Name, task.Seq, task.ID, task.Project, i, b.ids[task.Name], b.project.ID)
		}
		if task.Status != core.StatusTodo || task.Holder != "" || task.Lease.Epoch != 0 {
			t.Errorf("task %q starts %s held by %q epoch %d, want todo, unheld, epoch 0", task.Name, task.Status, task.Holder, task.Lease.Epoch)
		}
		wantTime(t, task.Name+" created_at", task.CreatedAt, Start)
	}
	if want := []string{"Design", "Schema", "API", "UI", "Docs"}; !slices.Equal(names, want) {
		t.Fatalf("tasks in order %v, want plan order %v", names, want)
	}
	checkImportedDeps(t, b, got)
	checkImportedFields(t, got)
}

func checkProject(t *testing.T, e *env, p core.Project) {
	t.Helper()
	ps, err := e.c.Projects(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].ID != p.ID {
		t.Fatalf("projects = %+v, want only %s", ps, p.ID)
	}
	got := ps[0]
	if got.Name != "Recipes" || got.Description != "a recipe app" || got.Planner != "file" || got.Options["team"] != "two" {
		t.Errorf("project = %+v, want name, description, planner file and options kept", got)
	}
	wantTime(t, "project created_at", got.CreatedAt, Start)
}

// checkImportedDeps compares dependencies and unblock counts: soft
// dependencies are kept but unblock nothing; a hard one counts for every
// task up the chain.
func checkImportedDeps(t *testing.T, b board, got []core.Task) {
	t.Helper()
	wantDeps := map[string]string{
		"Design": "", "Schema": "Design", "API": "Schema Design~", "UI": "API Schema~", "Docs": "API~",
	}
	// Design -> Schema -> API -> UI through hard dependencies.
	wantUnblocks := map[string]int{"Design": 3, "Schema": 2, "API": 1, "UI": 0, "Docs": 0}
	for _, task := range got {
		var deps []string
		for _, d := range task.Dependencies {
			s := b.names[d.Task]
			if d.Soft {
				s += "~"
			}
			deps = append(deps, s)
		}
		if d := strings.Join(deps, " "); d != wantDeps[task.Name] {
			t.Errorf("%s depends on %q, want %q (~ marks soft)", task.Name, d, wantDeps[task.Name])
		}
		if task.Unblocks != wantUnblocks[task.Name] {
			t.Errorf("%s unblocks %d, want %d (hard dependents, direct or not)", task.Name, task.Unblocks, wantUnblocks[task.Name])
		}
	}
}

func checkImportedFields(t *testing.T, got []core.Task) {
	t.Helper()
	design, schema, api, ui, docs := got[0], got[1], got[2], got[3], got[4]
	if design.Priority != core.PriorityHigh || design.Phase != core.PhaseDesign || design.EstimateMinutes != 20 ||
		!slices.Equal(design.Labels, []string{"foundation"}) {
		t.Errorf("Design = %+v, want high, design, 20 min, labelled foundation", design)
	}
	if !slices.Equal(schema.Acceptance, []string{"migrations run", "indexes exist"}) || schema.Priority != core.PriorityMedium {
		t.Errorf("Schema acceptance %q priority %s, want both criteria and medium", schema.Acceptance, schema.Priority)
	}
	if !slices.Equal(api.Labels, []string{"backend", "api"}) || api.Phase != core.PhaseImplement {
		t.Errorf("API labels %q phase %s, want [backend api] implement", api.Labels, api.Phase)
	}
	if ui.Phase != core.PhaseTest || docs.Phase != core.PhaseDocs || docs.Priority != core.PriorityLow {
		t.Errorf("UI phase %s, Docs phase %s priority %s; want test, docs, low", ui.Phase, docs.Phase, docs.Priority)
	}
}

func importEvent(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(recipePlan())
	evs := e.events("", 0)
	if len(evs) != 1 || evs[0].Kind != core.EventProjectCreated {
		t.Fatalf("events = %+v, want one project_created", evs)
	}
	ev := evs[0]
	if p := payloadOf[core.ProjectCreated](t, ev); ev.Project != b.project.ID || p != (core.ProjectCreated{Name: "Recipes", Planner: p.Planner, Tasks: 5}) {
		t.Errorf("project_created = %+v, want project %s, 5 tasks, name Recipes", ev, b.project.ID)
	}
	wantTime(t, "event time", ev.At, Start)
}

// importRefusals imports bad plans: each is refused with an error that names
// what to fix, and nothing at all is written.
func importRefusals(t *testing.T, h Harness) {
	long := strings.Repeat("x", core.MaxNameLen+1)
	tooManyLabels := core.PlanTask{Name: "Tagged", Labels: make([]string, core.MaxLabels+1)}
	for i := range tooManyLabels.Labels {
		tooManyLabels.Labels[i] = fmt.Sprint("l", i)
	}
	tests := []struct {
		name  string
		plan  core.Plan
		parts []string
	}{
		{"cycle", plan("P", pt("A", "C"), pt("B", "A"), pt("C", "B"), pt("Free")),
			[]string{`dependency cycle: "A" -> "C" -> "B" -> "A"`}},
		{"self dependency", plan("P", pt("A", "A")), []string{`"A"`, "itself"}},
		{"unknown dependency", plan("P", pt("A"), pt("B", "Nope")), []string{`"B"`, `"Nope"`, "not a task in this plan"}},
		{"unknown soft dependency", plan("P", core.PlanTask{Name: "B", SoftAfter: []string{"Ghost"}}), []string{`"Ghost"`}},
		{"duplicate task names", plan("P", pt("Build"), pt("build")), []string{"task 2", "duplicate task name", `"build"`}},
		{"empty plan", plan("P"), []string{`"P"`, "no tasks"}},
		{"no project name", plan(" ", pt("A")), []string{"no name"}},
		{"long project name", plan(long, pt("A")), []string{"project name", fmt.Sprint(core.MaxNameLen)}},
		{"long project description", core.Plan{Name: "P", Description: strings.Repeat("d", core.MaxDescriptionLen+1), Tasks: []core.PlanTask{pt("A")}},
			[]string{"project description", fmt.Sprint(core.MaxDescriptionLen)}},
		{"long task name", plan("P", pt(long)), []string{"task 1", "name", fmt.Sprint(core.MaxNameLen)}},
		{"long task description", plan("P", core.PlanTask{Name: "A", Description: strings.Repeat("d", core.MaxDescriptionLen+1)}),
			[]string{`"A"`, "description", fmt.Sprint(core.MaxDescriptionLen)}},
		{"too many labels", plan("P", tooManyLabels), []string{`"Tagged"`, fmt.Sprint(core.MaxLabels+1, " labels")}},
		{"long label", plan("P", core.PlanTask{Name: "A", Labels: []string{long}}), []string{`"A"`, "label", fmt.Sprint(core.MaxNameLen)}},
		{"task without name", plan("P", pt("A"), pt("  ")), []string{"task 2", "no name"}},
		{"unknown priority", plan("P", core.PlanTask{Name: "A", Priority: "hgih"}), []string{`"A"`, `"hgih"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, h)
			changed := e.store.Changed()
			_, _, err := e.c.ImportPlan(t.Context(), tc.plan)
			wantErr(t, err, core.ErrInvalid, tc.parts...)
			wantNothingWritten(t, e, 0, 0)
			wantOpen(t, changed, "after a refused import")
		})
	}
}

// importDuplicateName imports a second project under the first one's name
// (in other letters' case): refused inside the store's transaction, so the
// check that nothing was written is a check on the store's rollback.
func importDuplicateName(t *testing.T, h Harness) {
	e := newEnv(t, h)
	first := e.importPlan(plan("Recipes", pt("A"), pt("B", "A")))
	last := e.lastEventID()
	_, _, err := e.c.ImportPlan(t.Context(), plan("recipes", pt("C")))
	wantErr(t, err, core.ErrConflict, `"recipes"`, "already exists", string(first.project.ID))
	wantReason(t, err, core.ReasonNameTaken)
	wantNothingWritten(t, e, 1, last)
	if n := len(e.tasks(first.project.ID)); n != 2 {
		t.Errorf("the first project has %d tasks after the refusal, want 2", n)
	}
}

func wantNothingWritten(t *testing.T, e *env, projects int, lastEvent int64) {
	t.Helper()
	ps, err := e.c.Projects(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != projects {
		t.Errorf("%d projects stored, want %d", len(ps), projects)
	}
	if id := e.lastEventID(); id != lastEvent {
		t.Errorf("last event id %d, want %d: a refused operation appended events", id, lastEvent)
	}
}

// wantOpen asserts that a Changed channel has not been closed.
func wantOpen(t *testing.T, ch <-chan struct{}, when string) {
	t.Helper()
	select {
	case <-ch:
		t.Errorf("Changed() was closed %s; it should close only at a commit", when)
	default:
	}
}

// wantClosed asserts that a Changed channel has been closed.
func wantClosed(t *testing.T, ch <-chan struct{}, when string) {
	t.Helper()
	select {
	case <-ch:
	default:
		t.Errorf("Changed() is still open %s", when)
	}
}
