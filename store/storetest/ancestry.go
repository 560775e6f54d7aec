package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"marcus/core"
)

// ancestorsPlan: T waits for C1 (hard) and X (soft); C1 starts a chain
// C2 ... C12; X waits for C3, which is so two steps from T through X and
// three through the chain.
// F is a foundation task at the top of the chain; U is unrelated, and D
// waits for T (a descendant, never an ancestor).
func ancestorsPlan() core.Plan {
	p := plan("P", core.PlanTask{Name: "F", Labels: []string{core.FoundationLabel}}, pt("U"))
	for i := 12; i >= 1; i-- {
		after := []string{fmt.Sprintf("C%d", i+1)}
		if i == 12 {
			after = []string{"F"}
		}
		p.Tasks = append(p.Tasks, pt(fmt.Sprintf("C%d", i), after...))
	}
	p.Tasks = append(p.Tasks, pt("X", "C3"),
		core.PlanTask{Name: "T", After: []string{"C1"}, SoftAfter: []string{"X"}}, pt("D", "T"))
	return p
}

// ancestorsQuery: the store's Ancestors walks hard and soft dependencies,
// lists each ancestor once at its nearest distance, nearest first and then
// in plan order, and keeps to its depth and limit.
func ancestorsQuery(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(ancestorsPlan())
	up := func(id core.TaskID, depth, limit int) []string {
		var ts []core.Task
		e.view(func(tx core.ReadTx) (err error) { ts, err = tx.Ancestors(id, depth, limit); return err })
		return taskNames(ts)
	}
	chain := func(from, to int) []string {
		var out []string
		for i := from; i <= to; i++ {
			out = append(out, fmt.Sprintf("C%d", i))
		}
		return out
	}
	tests := []struct {
		name         string
		task         string
		depth, limit int
		want         []string
	}{
		{"direct dependencies, plan order", "T", 1, 100, []string{"C1", "X"}},
		{"each once, at its nearest", "T", 3, 100, []string{"C1", "X", "C3", "C2", "C4"}},
		{"the limit cuts the farthest", "T", 3, 3, []string{"C1", "X", "C3"}},
		{"the whole way up", "T", 100, 100, append(append([]string{"C1", "X", "C3", "C2"}, chain(4, 12)...), "F")},
		{"12 steps reach the foundation", "T", 12, 100, append(append([]string{"C1", "X", "C3", "C2"}, chain(4, 12)...), "F")},
		{"11 do not", "T", 11, 100, append([]string{"C1", "X", "C3", "C2"}, chain(4, 12)...)},
		{"a root has none", "F", 5, 100, nil},
		{"from the middle", "C10", 100, 100, []string{"C11", "C12", "F"}},
		{"no depth", "T", 0, 100, nil},
		{"no room", "T", 5, 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := up(b.id(tc.task), tc.depth, tc.limit); !slices.Equal(got, tc.want) {
				t.Errorf("Ancestors(%s, %d, %d) = %q, want %q", tc.task, tc.depth, tc.limit, got, tc.want)
			}
		})
	}
	if got := up("t-nope", 5, 10); len(got) != 0 {
		t.Errorf("an unknown task's ancestors = %q, want none", got)
	}
}

// knowledgeAncestry: a task's context carries what its ancestors beyond
// its direct dependencies left, nearest first and within the bounds: at
// most core.MaxAncestors tasks, without the direct dependencies and the
// foundation; their architectural artifacts only, at most
// core.MaxAncestorArtifacts, oldest first; their newest
// core.MaxAncestorDecisions decisions. The claim hands out the same.
func knowledgeAncestry(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(ancestorsPlan())
	e.register(b, "w1")
	logAncestryWork(e, b)
	tc, err := e.c.TaskContext(t.Context(), b.id("T"))
	if err != nil {
		t.Fatal(err)
	}
	far := tc.Ancestry
	// C2 ... C9: eight ancestors, nearest first (C3 is as near as C2,
	// through X, and comes first in plan order); C1 and X are direct, F is
	// the foundation.
	want := []string{"C3", "C2", "C4", "C5", "C6", "C7", "C8", "C9"}
	if got := taskNames(far.Tasks); !slices.Equal(got, want) || len(want) != core.MaxAncestors {
		t.Errorf("ancestors %q, want %q", got, want)
	}
	// Three specifications each, oldest first, cut at 16: C2's to C6's,
	// and C7's first; no code.
	arts := far.Artifacts
	if n := len(arts); n != core.MaxAncestorArtifacts || arts[0].Filename != "C2-spec-0.md" || arts[n-1].Filename != "C7-spec-0.md" {
		t.Errorf("ancestors' artifacts: %d, %+v; want %d specifications from C2-spec-0.md to C7-spec-0.md", n, arts, core.MaxAncestorArtifacts)
	}
	for _, a := range arts {
		if a.Type != "specification" {
			t.Errorf("ancestors' artifacts hold %s, of type %s", a.Filename, a.Type)
		}
	}
	// Five decisions each: the newest 32 of C2 ... C9's 40 start with C3's
	// fourth.
	ds := far.Decisions
	if n := len(ds); n != core.MaxAncestorDecisions || ds[0].Text != "C3 decision 3" || ds[n-1].Text != "C9 decision 4" {
		t.Errorf("ancestors' decisions: %d; want the newest %d, from C3 decision 3 to C9 decision 4", n, core.MaxAncestorDecisions)
	}
	for _, a := range tc.Artifacts {
		if a.Filename != "c1-api.md" && a.Filename != "conventions.md" {
			t.Errorf("the direct context holds %s, an ancestor's artifact", a.Filename)
		}
	}
	knowledgeAncestryClaimed(t, e, b, tc.Ancestry)
}

// logAncestryWork logs, on ancestorsPlan's board, three specifications,
// a source file and five decisions on each of C2 ... C12, and an
// artifact each on F and C1.
func logAncestryWork(e *env, b board) {
	e.t.Helper()
	for i := 2; i <= 12; i++ {
		name := fmt.Sprintf("C%d", i)
		for j := range 3 {
			e.logArtifactOfType(b.id(name), fmt.Sprintf("%s-spec-%d.md", name, j), "specification")
		}
		e.logArtifactOfType(b.id(name), name+".go", "code")
		for j := range 5 {
			e.logDecision(b.id(name), fmt.Sprintf("%s decision %d", name, j))
		}
	}
	e.logArtifactOfType(b.id("F"), "conventions.md", "documentation")
	e.logArtifactOfType(b.id("C1"), "c1-api.md", "api")
}

// contextReaderAgrees: a store that reads a context in few round trips
// (core.ContextReader) gives, for every task, the context its reads one
// by one give; and its ContextTasks and Work return what those reads do.
func contextReaderAgrees(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(ancestorsPlan())
	e.register(b, "w1")
	var fast bool
	e.view(func(tx core.ReadTx) error { _, fast = tx.(core.ContextReader); return nil })
	if !fast {
		t.Skip("this store reads a context one read at a time: nothing to compare")
	}
	logAncestryWork(e, b)
	slow := core.NewCoordinator(oneByOne{e.store})
	for _, x := range e.tasks(b.project.ID) {
		got, err := e.c.TaskContext(t.Context(), x.ID)
		if err != nil {
			t.Fatal(err)
		}
		want, err := slow.TaskContext(t.Context(), x.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: the context read at once differs from the one read one by one:\n got %+v\nwant %+v", x.Name, got, want)
		}
		e.view(func(tx core.ReadTx) error {
			compareContextReads(t, tx, x)
			return nil
		})
	}
}

// compareContextReads checks ContextTasks and Work against the reads they
// stand for, for task x.
func compareContextReads(t *testing.T, tx core.ReadTx, x core.Task) {
	t.Helper()
	r := tx.(core.ContextReader)
	const depth, limit = 3, 2
	deps, labelled, up, dependents, err := r.ContextTasks(x, core.FoundationLabel, depth, limit)
	if err != nil {
		t.Fatal(err)
	}
	var ids []core.TaskID
	for _, d := range x.Dependencies {
		ids = append(ids, d.Task)
	}
	wantDeps, err1 := tx.TasksByID(ids)
	wantLabelled, err2 := tx.TasksWithLabel(x.Project, core.FoundationLabel)
	atLeast, err3 := tx.Ancestors(x.ID, depth, limit+len(wantLabelled))
	all, err4 := tx.Ancestors(x.ID, depth, 1000)
	wantDependents, err5 := tx.Dependents(x.ID)
	if err := errors.Join(err1, err2, err3, err4, err5); err != nil {
		t.Fatal(err)
	}
	same := func(what string, got, want []core.Task) {
		if !slices.Equal(taskNames(got), taskNames(want)) {
			t.Errorf("%s: ContextTasks' %s %q, the reads' %q", x.Name, what, taskNames(got), taskNames(want))
		}
	}
	same("dependencies", deps, wantDeps)
	same("labelled tasks", labelled, wantLabelled)
	same("dependents", dependents, wantDependents)
	// At least limit plus the labelled, nearest first: a prefix of the
	// whole walk that holds the bounded one.
	if len(up) < len(atLeast) || len(up) > len(all) {
		t.Errorf("%s: ContextTasks' %d ancestors, want between %d and %d", x.Name, len(up), len(atLeast), len(all))
	} else {
		same("ancestors", up, all[:len(up)])
	}
	ids = append(ids, x.ID)
	for _, a := range all {
		ids = append(ids, a.ID)
	}
	arts, ds, err := r.Work(ids)
	if err != nil {
		t.Fatal(err)
	}
	wantArts, err1 := tx.Artifacts(ids)
	wantDs, err2 := tx.Decisions(ids)
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(arts, wantArts) || !reflect.DeepEqual(ds, wantDs) {
		t.Errorf("%s: Work gave %d artifacts and %d decisions, the reads %d and %d", x.Name, len(arts), len(ds), len(wantArts), len(wantDs))
	}
}

// oneByOne is a store whose reads hide core.ContextReader, so that core
// reads a context one read at a time.
type oneByOne struct{ core.Store }

func (s oneByOne) View(ctx context.Context, fn func(core.ReadTx) error) error {
	return s.Store.View(ctx, func(tx core.ReadTx) error { return fn(plainRead{tx}) })
}

// plainRead is a ReadTx with only ReadTx's methods.
type plainRead struct{ core.ReadTx }

// knowledgeAncestryClaimed: the claim of T hands out the ancestry that
// TaskContext reads.
func knowledgeAncestryClaimed(t *testing.T, e *env, b board, want core.Ancestry) {
	t.Helper()
	var as core.Assignment
	for range 20 { // finish everything T waits for, in whatever order it comes
		if as = e.request("w1"); as.Task == nil || as.Task.Task.ID == b.id("T") {
			break
		}
		e.complete("w1", as.Task.Task.ID)
	}
	if as.Task == nil || as.Task.Task.ID != b.id("T") {
		t.Fatalf("w1 got %+v, want T", as.Task)
	}
	got := as.Task.Ancestry
	if !slices.Equal(taskNames(got.Tasks), taskNames(want.Tasks)) || len(got.Artifacts) != len(want.Artifacts) || len(got.Decisions) != len(want.Decisions) {
		t.Errorf("claimed ancestry: %q, %d artifacts, %d decisions; want %q, %d, %d", taskNames(got.Tasks),
			len(got.Artifacts), len(got.Decisions), taskNames(want.Tasks), len(want.Artifacts), len(want.Decisions))
	}
}

func (e *env) logArtifactOfType(task core.TaskID, filename, kind string) core.Artifact {
	e.t.Helper()
	a, err := e.c.LogArtifact(e.t.Context(), core.Artifact{Task: task, Agent: "w1", Filename: filename, Type: kind, Content: "about " + filename})
	if err != nil {
		e.t.Fatalf("log artifact %s: %v", filename, err)
	}
	return a
}
