package core

import "time"

// A holder that reported a high-severity blocker loses its task to the
// Blocked column, as Marcus's report_blocker does. Marcus's worker prompt
// then has it try the suggestions and report in_progress ("Resolved
// blocker: ...") to carry on. marcus allows that as long as nothing else
// happened to the task meanwhile: the blocker report is still the last
// thing that moved it, so no person unblocked, reassigned or re-blocked it.

// statusMoves are the events that change who holds a task or its column.
var statusMoves = map[EventKind]bool{EventTaskClaimed: true, EventTaskCompleted: true, EventTaskBlocked: true,
	EventBlockerReported: true, EventTaskUnassigned: true, EventLeaseRecovered: true, EventCircuitBroken: true}

// resumeWindow bounds how many of a task's latest events are searched for
// the move that parked it.
const resumeWindow = 64

// resume gives a blocked task back to the agent whose blocker report
// parked it, when that report is still the task's last move and the agent
// holds nothing else. ok is false when the task is not the agent's to
// resume; the caller's refusal then stands.
func (c *Coordinator) resume(tx Tx, t Task, a Agent, now time.Time) (Task, Agent, bool, error) {
	if t.ID == "" || a.ID == "" || t.Status != StatusBlocked || t.Handoff == nil || t.Handoff.PreviousHolder != a.ID {
		return t, a, false, nil
	}
	if a.CurrentTask != "" && a.CurrentTask != t.ID {
		return t, a, false, nil
	}
	evs, err := tx.TaskEvents(t.ID, resumeWindow)
	if err != nil {
		return t, a, false, err
	}
	last := Event{}
	for i := len(evs) - 1; i >= 0 && last.Kind == ""; i-- {
		if statusMoves[evs[i].Kind] {
			last = evs[i]
		}
	}
	if last.Kind != EventBlockerReported || last.Agent != a.ID {
		return t, a, false, nil
	}
	t.Status, t.Holder, t.BlockedReason, t.Handoff = StatusInProgress, a.ID, "", nil
	a.CurrentTask = t.ID
	// A new hold starts: the claim event lets metrics and feeds count the
	// work done after the blocker like any other hold. The epoch stays:
	// nobody else held the task in between.
	_, err = tx.AppendEvent(Event{At: now, Project: t.Project, Kind: EventTaskClaimed, Task: t.ID, Agent: a.ID,
		Payload: TaskClaimed{Epoch: t.Lease.Epoch, Name: t.Name, Resumed: true}})
	return t, a, err == nil, err
}
