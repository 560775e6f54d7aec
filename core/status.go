package core

import (
	"context"
	"time"
)

// Board is a consistent snapshot of one project: what the dashboard and
// `marcus board` render.
type Board struct {
	Project     Project
	Tasks       []Task
	Agents      []Agent
	Counts      map[TaskStatus]int
	LastEventID int64
	At          time.Time
}

// Board loads a snapshot of a project (by id or name; "" for the newest).
func (c *Coordinator) Board(ctx context.Context, ref ProjectID) (Board, error) {
	var b Board
	err := c.store.View(ctx, func(tx ReadTx) error {
		p, err := FindProject(tx, ref)
		if err != nil {
			return err
		}
		b = Board{Project: p, At: c.clock(), Counts: map[TaskStatus]int{}}
		if b.Tasks, err = tx.Tasks(p.ID); err != nil {
			return err
		}
		if b.Agents, err = tx.Agents(p.ID); err != nil {
			return err
		}
		for _, t := range b.Tasks {
			b.Counts[t.Status]++
		}
		b.LastEventID, err = tx.LastEventID()
		return err
	})
	return b, err
}

// ProjectStatus summarises a project's progress.
type ProjectStatus struct {
	Project           Project
	Counts            map[TaskStatus]int
	Total             int
	ProgressPercent   int
	Agents            int
	ActiveAgents      int
	InProgress        []Task
	Blocked           []Task
	RecommendedAgents int
	CriticalPath      []Task
	CriticalMinutes   int
	Complete          bool
}

// ProjectStatus computes a project's status, including how many agents the
// remaining work could keep busy (its peak parallelism).
func (c *Coordinator) ProjectStatus(ctx context.Context, ref ProjectID) (ProjectStatus, error) {
	b, err := c.Board(ctx, ref)
	if err != nil {
		return ProjectStatus{}, err
	}
	return Status(b)
}

// Status derives a ProjectStatus from a board snapshot.
func Status(b Board) (ProjectStatus, error) {
	s := ProjectStatus{Project: b.Project, Counts: b.Counts, Total: len(b.Tasks), Agents: len(b.Agents)}
	var open []Task
	byID := map[TaskID]Task{}
	for _, t := range b.Tasks {
		byID[t.ID] = t
		switch t.Status {
		case StatusInProgress:
			s.InProgress = append(s.InProgress, t)
		case StatusBlocked:
			s.Blocked = append(s.Blocked, t)
		}
		if t.Status != StatusDone {
			open = append(open, t)
		}
	}
	for _, a := range b.Agents {
		if a.CurrentTask != "" {
			s.ActiveAgents++
		}
	}
	if s.Total > 0 {
		s.ProgressPercent = b.Counts[StatusDone] * 100 / s.Total
	}
	s.Complete = s.Total > 0 && len(open) == 0
	sched, err := ComputeSchedule(open)
	if err != nil {
		return s, err
	}
	s.RecommendedAgents, s.CriticalMinutes = sched.PeakParallelism, sched.CriticalMinutes
	for _, id := range sched.CriticalPath {
		s.CriticalPath = append(s.CriticalPath, byID[id])
	}
	return s, nil
}

// AgentStatus is an agent with the task it holds.
type AgentStatus struct {
	Agent Agent
	Task  *Task
}

// AgentStatus loads an agent and its current task.
func (c *Coordinator) AgentStatus(ctx context.Context, id AgentID) (AgentStatus, error) {
	var s AgentStatus
	err := c.store.View(ctx, func(tx ReadTx) error {
		a, err := loadAgent(tx, id)
		if err != nil {
			return err
		}
		s.Agent = a
		t, ok, err := currentTask(tx, a)
		if ok {
			s.Task = &t
		}
		return err
	})
	return s, err
}

// Events lists events after an id, for feeds and watchers.
func (c *Coordinator) Events(ctx context.Context, project ProjectID, after int64, limit int) ([]Event, error) {
	var evs []Event
	err := c.store.View(ctx, func(tx ReadTx) error {
		var err error
		evs, err = tx.Events(project, after, limit)
		return err
	})
	return evs, err
}

// WaitForChange blocks until an event newer than after exists, ctx ends, or
// the store signals a commit. Commits by other processes are noticed by
// polling every poll interval. It returns the newest event id.
func (c *Coordinator) WaitForChange(ctx context.Context, after int64, poll time.Duration) (int64, error) {
	for {
		changed := c.store.Changed()
		var last int64
		err := c.store.View(ctx, func(tx ReadTx) error {
			var err error
			last, err = tx.LastEventID()
			return err
		})
		if err != nil || last > after {
			return last, err
		}
		t := time.NewTimer(poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return after, ctx.Err()
		case <-changed:
		case <-t.C:
		}
		t.Stop()
	}
}
