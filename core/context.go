package core

import (
	"context"
	"slices"
)

// FoundationLabel marks tasks whose decisions and artifacts every task of the
// project receives (shared setup: scaffolding, data model, conventions).
const FoundationLabel = "foundation"

// TaskContext is a task with what its holder needs to know: the artifacts
// and decisions of the tasks it depends on and of the project's foundation,
// what its ancestors beyond its dependencies left (Ancestry), and the tasks
// that wait for it.
type TaskContext struct {
	Task         Task
	Dependencies []Task
	Dependents   []Task
	Artifacts    []Artifact
	Decisions    []Decision
	Ancestry     Ancestry
}

// TaskContext loads a task's context in one read snapshot.
func (c *Coordinator) TaskContext(ctx context.Context, id TaskID) (TaskContext, error) {
	var tc TaskContext
	err := c.store.View(ctx, func(tx ReadTx) error {
		t, err := loadTask(tx, id)
		if err != nil {
			return err
		}
		tc, err = buildContext(tx, t)
		return err
	})
	return tc, err
}

// ContextReader is a ReadTx that reads what a task's context is built from
// in fewer round trips than buildContext's reads one by one: a store on a
// database server, where every read waits for its answer, and a claim
// makes a dozen. What it returns equals what those reads return
// (store/storetest checks that both ways give one context).
type ContextReader interface {
	// ContextTasks returns, for task t (read with its dependencies),
	// TasksByID of its dependencies,
	// TasksWithLabel(t.Project, label), Ancestors(t.ID, depth, n) for
	// an n of at least limit plus the number of tasks with the label, and
	// Dependents(t.ID).
	ContextTasks(t Task, label string, depth, limit int) (deps, labelled, ancestors, dependents []Task, err error)
	// Work returns Artifacts(ids) and Decisions(ids).
	Work(ids []TaskID) ([]Artifact, []Decision, error)
}

func buildContext(tx ReadTx, t Task) (TaskContext, error) {
	tc := TaskContext{Task: t}
	// The task's own artifacts and decisions belong to its context too: a
	// holder that resumes, or takes over after a recovery, needs them.
	sources := []TaskID{t.ID}
	seen := map[TaskID]bool{t.ID: true}
	for _, d := range t.Dependencies {
		sources, seen[d.Task] = append(sources, d.Task), true
	}
	r, ok := tx.(ContextReader)
	if !ok {
		r = oneByOne{tx}
	}
	// The skipped tasks (the task's dependencies and the foundation) may
	// come first among the ancestors (a direct dependency is one step
	// away), so the store is asked for enough to fill the bound without
	// them.
	var found, up []Task
	var err error
	tc.Dependencies, found, up, tc.Dependents, err = r.ContextTasks(t, FoundationLabel, ancestorDepth, MaxAncestors+len(seen))
	if err != nil {
		return tc, err
	}
	for _, f := range found {
		if !seen[f.ID] {
			sources, seen[f.ID] = append(sources, f.ID), true
		}
	}
	tc.Ancestry.Tasks = farAncestors(up, t, seen)
	all := slices.Clone(sources)
	for _, a := range tc.Ancestry.Tasks {
		all = append(all, a.ID)
	}
	arts, ds, err := r.Work(all)
	if err != nil {
		return tc, err
	}
	// One read of each serves the context and its ancestry.
	tc.Artifacts, tc.Decisions = splitAncestorWork(&tc.Ancestry, arts, ds)
	return tc, nil
}

// oneByOne is ContextReader for a store without one: the reads it stands
// for, one by one.
type oneByOne struct{ ReadTx }

func (tx oneByOne) ContextTasks(t Task, label string, depth, limit int) (deps, labelled, ancestors, dependents []Task, err error) {
	ids := make([]TaskID, 0, len(t.Dependencies))
	for _, d := range t.Dependencies {
		ids = append(ids, d.Task)
	}
	if deps, err = tx.TasksByID(ids); err != nil {
		return nil, nil, nil, nil, err
	}
	// The store matches labels case-insensitively, however the label was
	// capitalised.
	if labelled, err = tx.TasksWithLabel(t.Project, label); err != nil {
		return nil, nil, nil, nil, err
	}
	if ancestors, err = tx.Ancestors(t.ID, depth, limit+len(labelled)); err != nil {
		return nil, nil, nil, nil, err
	}
	dependents, err = tx.Dependents(t.ID)
	return deps, labelled, ancestors, dependents, err
}

func (tx oneByOne) Work(ids []TaskID) ([]Artifact, []Decision, error) {
	arts, err := tx.Artifacts(ids)
	if err != nil {
		return nil, nil, err
	}
	ds, err := tx.Decisions(ids)
	return arts, ds, err
}
