package core

import "context"

// MaxHistoryEvents bounds the events a project history carries: the
// newest ones.
const MaxHistoryEvents = 10000

// History is what a project did: its tasks, agents, artifacts, decisions
// and its newest events (oldest first), read in one snapshot. Marcus's
// query_project_history reads its history files; marcus's is the event
// log.
type History struct {
	Project   Project
	Tasks     []Task
	Agents    []Agent
	Artifacts []Artifact
	Decisions []Decision
	Events    []Event
}

// ProjectHistory loads a project's history (by id or name; "" for the
// newest).
func (c *Coordinator) ProjectHistory(ctx context.Context, ref ProjectID) (History, error) {
	var h History
	err := c.store.View(ctx, func(tx ReadTx) error {
		var err error
		if h.Project, err = FindProject(tx, ref); err != nil {
			return err
		}
		if h.Tasks, err = tx.Tasks(h.Project.ID); err != nil {
			return err
		}
		if h.Agents, err = tx.Agents(h.Project.ID); err != nil {
			return err
		}
		ids := make([]TaskID, len(h.Tasks))
		for i, t := range h.Tasks {
			ids[i] = t.ID
		}
		if h.Artifacts, err = tx.Artifacts(ids); err != nil {
			return err
		}
		if h.Decisions, err = tx.Decisions(ids); err != nil {
			return err
		}
		h.Events, err = tx.LatestEvents(h.Project.ID, MaxHistoryEvents)
		return err
	})
	return h, err
}
