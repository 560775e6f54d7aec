package core

import "context"

// TaskView is one task with everything around it, for a person's detail
// view: its dependencies and dependents (with their status), what was
// logged on it, and its own events.
type TaskView struct {
	Task       Task
	Deps       []Task
	Dependents []Task
	Artifacts  []Artifact
	Decisions  []Decision
	// History is the task's newest events, oldest first.
	History []Event
}

// MaxTaskHistory bounds TaskView.History.
const MaxTaskHistory = 500

// TaskDetail loads a task's view in one snapshot.
func (c *Coordinator) TaskDetail(ctx context.Context, id TaskID) (TaskView, error) {
	var v TaskView
	err := c.store.View(ctx, func(tx ReadTx) error {
		t, err := tx.Task(id)
		if err != nil {
			return err
		}
		v.Task = t
		deps := make([]TaskID, len(t.Dependencies))
		for i, d := range t.Dependencies {
			deps[i] = d.Task
		}
		if v.Deps, err = tx.TasksByID(deps); err != nil {
			return err
		}
		if v.Dependents, err = tx.Dependents(id); err != nil {
			return err
		}
		if v.Artifacts, err = tx.Artifacts([]TaskID{id}); err != nil {
			return err
		}
		if v.Decisions, err = tx.Decisions([]TaskID{id}); err != nil {
			return err
		}
		v.History, err = tx.TaskEvents(id, MaxTaskHistory)
		return err
	})
	return v, err
}

// LatestEvents lists a project's newest events, oldest first.
func (c *Coordinator) LatestEvents(ctx context.Context, project ProjectID, limit int) ([]Event, error) {
	var evs []Event
	err := c.store.View(ctx, func(tx ReadTx) error {
		var err error
		evs, err = tx.LatestEvents(project, limit)
		return err
	})
	return evs, err
}
