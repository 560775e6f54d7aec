package core

import "context"

// EventContextRequested records that a task's context was asked for
// (get_task_context) while an experiment ran on its project; its agent is
// the task's holder at the time. Marcus's experiment monitor counts these.
const EventContextRequested EventKind = "context_requested"

// ExperimentCounts are the tallies Marcus's experiment monitor keeps, here
// counted from the events of the experiment's window. Marcus keeps agents,
// assignments and completions in maps keyed by agent or task, and counts
// the rest one by one; so does this.
type ExperimentCounts struct {
	// Registrations counts the distinct agents that registered.
	Registrations int
	// Assignments and Completions count the distinct tasks claimed and
	// completed: a task recovered and claimed again counts once.
	Assignments int
	Completions int
	// Blockers, Artifacts and Decisions count the reports logged.
	Blockers  int
	Artifacts int
	Decisions int
	// ContextRequests counts the get_task_context calls.
	ContextRequests int
}

// CountExperiment tallies an experiment's window of events.
func CountExperiment(evs []Event) ExperimentCounts {
	var n ExperimentCounts
	agents, claimed, done := map[AgentID]bool{}, map[TaskID]bool{}, map[TaskID]bool{}
	for _, ev := range evs {
		switch ev.Kind {
		case EventAgentRegistered:
			agents[ev.Agent] = true
		case EventTaskClaimed:
			claimed[ev.Task] = true
		case EventTaskCompleted:
			done[ev.Task] = true
		case EventBlockerReported:
			n.Blockers++
		case EventArtifactLogged:
			n.Artifacts++
		case EventDecisionLogged:
			n.Decisions++
		case EventContextRequested:
			n.ContextRequests++
		}
	}
	n.Registrations, n.Assignments, n.Completions = len(agents), len(claimed), len(done)
	return n
}

// ExperimentCounts counts an experiment's events, in one read snapshot.
func (c *Coordinator) ExperimentCounts(ctx context.Context, e Experiment) (ExperimentCounts, error) {
	var n ExperimentCounts
	err := c.store.View(ctx, func(tx ReadTx) error {
		evs, err := windowEvents(tx, e)
		n = CountExperiment(evs)
		return err
	})
	return n, err
}

// NoteContextRequest records that t's context was asked for, when an
// experiment runs on its project (see EventContextRequested). Without one
// it only reads, so a context read stays off the write queue.
func (c *Coordinator) NoteContextRequest(ctx context.Context, t Task) error {
	if may, err := c.mayRun(ctx, t.Project); err != nil || !may {
		return err
	}
	return c.store.Update(ctx, func(tx Tx) error {
		if _, err := tx.RunningExperiment(t.Project); err != nil {
			if CodeOf(err) == ErrNotFound {
				return nil
			}
			return err
		}
		_, err := tx.AppendEvent(Event{At: c.clock(), Project: t.Project, Kind: EventContextRequested, Task: t.ID, Agent: t.Holder})
		return err
	})
}
