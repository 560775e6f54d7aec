package core

import "context"

// ExperimentCounts are the tallies Marcus's experiment monitor keeps, here
// counted from the events of the experiment's window.
type ExperimentCounts struct {
	// Registrations counts agent registrations in the window.
	Registrations int
	// Assignments counts claims (a recovered or resumed task is claimed
	// again); each one hands the task its context.
	Assignments int
	Completions int
	Blockers    int
	Artifacts   int
	Decisions   int
}

// eventPage is how many events one read of an experiment's window takes.
const eventPage = 5000

// ExperimentCounts counts an experiment's events by kind.
func (c *Coordinator) ExperimentCounts(ctx context.Context, e Experiment) (ExperimentCounts, error) {
	var n ExperimentCounts
	tally := map[EventKind]*int{EventAgentRegistered: &n.Registrations, EventTaskClaimed: &n.Assignments,
		EventTaskCompleted: &n.Completions, EventBlockerReported: &n.Blockers,
		EventArtifactLogged: &n.Artifacts, EventDecisionLogged: &n.Decisions}
	err := c.store.View(ctx, func(tx ReadTx) error {
		for after := int64(0); ; {
			evs, err := tx.Events(e.Project, after, eventPage)
			if err != nil {
				return err
			}
			for _, ev := range evs {
				in := !ev.At.Before(e.StartedAt) && (e.EndedAt.IsZero() || !ev.At.After(e.EndedAt))
				if p := tally[ev.Kind]; p != nil && in {
					*p++
				}
			}
			if len(evs) < eventPage {
				return nil
			}
			after = evs[len(evs)-1].ID
		}
	})
	return n, err
}
