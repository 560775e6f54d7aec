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

func buildContext(tx ReadTx, t Task) (TaskContext, error) {
	tc := TaskContext{Task: t}
	// The task's own artifacts and decisions belong to its context too: a
	// holder that resumes, or takes over after a recovery, needs them.
	sources := []TaskID{t.ID}
	seen := map[TaskID]bool{t.ID: true}
	for _, d := range t.Dependencies {
		sources, seen[d.Task] = append(sources, d.Task), true
	}
	var err error
	if tc.Dependencies, err = tx.TasksByID(sources[1:]); err != nil {
		return tc, err
	}
	found, err := foundationTasks(tx, t.Project)
	if err != nil {
		return tc, err
	}
	for _, f := range found {
		if !seen[f.ID] {
			sources, seen[f.ID] = append(sources, f.ID), true
		}
	}
	if tc.Ancestry.Tasks, err = ancestors(tx, t, seen); err != nil {
		return tc, err
	}
	if err = readWork(tx, &tc, sources); err != nil {
		return tc, err
	}
	tc.Dependents, err = dependents(tx, t)
	return tc, err
}

// readWork reads the artifacts and decisions of the context's sources and
// of its ancestors: one read of each serves both.
func readWork(tx ReadTx, tc *TaskContext, sources []TaskID) error {
	all := slices.Clone(sources)
	for _, a := range tc.Ancestry.Tasks {
		all = append(all, a.ID)
	}
	arts, err := tx.Artifacts(all)
	if err != nil {
		return err
	}
	ds, err := tx.Decisions(all)
	if err != nil {
		return err
	}
	tc.Artifacts, tc.Decisions = splitAncestorWork(&tc.Ancestry, arts, ds)
	return nil
}

// dependents lists the tasks that depend on t, hard or soft.
func dependents(tx ReadTx, t Task) ([]Task, error) {
	return tx.Dependents(t.ID)
}

// foundationTasks finds the tasks labelled foundation, however the label
// was capitalised (the store matches labels case-insensitively).
func foundationTasks(tx ReadTx, p ProjectID) ([]Task, error) {
	return tx.TasksWithLabel(p, FoundationLabel)
}
