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
	r, fast := tx.(ContextReader)
	var found, up []Task
	var err error
	if fast {
		tc.Dependencies, found, up, tc.Dependents, err = r.ContextTasks(t, FoundationLabel, ancestorDepth, MaxAncestors+len(seen))
	} else {
		tc.Dependencies, found, err = contextTasks(tx, t, sources[1:])
	}
	if err != nil {
		return tc, err
	}
	for _, f := range found {
		if !seen[f.ID] {
			sources, seen[f.ID] = append(sources, f.ID), true
		}
	}
	if !fast {
		// The skipped tasks may come first (a direct dependency is one step
		// away), so the store is asked for enough to fill the bound without
		// them.
		if up, err = tx.Ancestors(t.ID, ancestorDepth, MaxAncestors+len(seen)); err != nil {
			return tc, err
		}
	}
	tc.Ancestry.Tasks = farAncestors(up, t, seen)
	all := slices.Clone(sources)
	for _, a := range tc.Ancestry.Tasks {
		all = append(all, a.ID)
	}
	var arts []Artifact
	var ds []Decision
	if fast {
		arts, ds, err = r.Work(all)
	} else {
		arts, ds, err = readWork(tx, all)
	}
	if err != nil {
		return tc, err
	}
	// One read of each serves the context and its ancestry.
	tc.Artifacts, tc.Decisions = splitAncestorWork(&tc.Ancestry, arts, ds)
	if !fast {
		tc.Dependents, err = dependents(tx, t)
	}
	return tc, err
}

// contextTasks reads a task's dependencies and the project's foundation
// tasks, for a store without ContextReader.
func contextTasks(tx ReadTx, t Task, deps []TaskID) ([]Task, []Task, error) {
	ds, err := tx.TasksByID(deps)
	if err != nil {
		return nil, nil, err
	}
	found, err := foundationTasks(tx, t.Project)
	return ds, found, err
}

// readWork reads the artifacts and decisions of the tasks ids.
func readWork(tx ReadTx, ids []TaskID) ([]Artifact, []Decision, error) {
	arts, err := tx.Artifacts(ids)
	if err != nil {
		return nil, nil, err
	}
	ds, err := tx.Decisions(ids)
	return arts, ds, err
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
