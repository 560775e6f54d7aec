package storetest

import (
	"fmt"

	"marcus/core"
)

// CheckHistory reads a project's event stream and returns every violation
// of the claim rules it finds:
//
//   - a task is claimed only after task_completed of each hard dependency;
//   - between two claims of one task there is a release of the first claim
//     (a recovery, an unassign, a blocker); a claim after completion is a
//     violation, and so is a second completion;
//   - only the holder completes a task;
//   - an agent holds one task at a time.
//
// tasks gives the dependencies; evs must be in id order.
func CheckHistory(evs []core.Event, tasks []core.Task) []string {
	h := history{
		hard:      map[core.TaskID][]core.TaskID{},
		completed: map[core.TaskID]int64{},
		holder:    map[core.TaskID]core.AgentID{},
		holding:   map[core.AgentID]core.TaskID{},
	}
	for _, t := range tasks {
		h.hard[t.ID] = t.HardDependencies()
	}
	for _, ev := range evs {
		switch ev.Kind {
		case core.EventTaskClaimed:
			h.claim(ev)
		case core.EventTaskCompleted:
			h.complete(ev)
		case core.EventLeaseRecovered, core.EventCircuitBroken, core.EventTaskUnassigned,
			core.EventTaskBlocked, core.EventBlockerReported:
			h.release(ev.Task)
		}
	}
	return h.bad
}

type history struct {
	hard      map[core.TaskID][]core.TaskID
	completed map[core.TaskID]int64 // the id of each task's completion event
	holder    map[core.TaskID]core.AgentID
	holding   map[core.AgentID]core.TaskID
	bad       []string
}

func (h *history) flag(ev core.Event, format string, args ...any) {
	h.bad = append(h.bad, fmt.Sprintf("event %d (%s of %s by %s): ", ev.ID, ev.Kind, ev.Task, ev.Agent)+fmt.Sprintf(format, args...))
}

func (h *history) claim(ev core.Event) {
	if done, ok := h.completed[ev.Task]; ok {
		h.flag(ev, "claimed after its completion (event %d)", done)
	}
	if other := h.holder[ev.Task]; other != "" {
		h.flag(ev, "double claim: %s still held it, with no completion, recovery or unassign between", other)
		h.release(ev.Task) // one report per double claim, not one more per later claim of the displaced agent
	}
	for _, dep := range h.hard[ev.Task] {
		if _, ok := h.completed[dep]; !ok {
			h.flag(ev, "claimed before its hard dependency %s was completed", dep)
		}
	}
	if cur := h.holding[ev.Agent]; cur != "" {
		h.flag(ev, "the agent still held %s", cur)
	}
	h.holder[ev.Task], h.holding[ev.Agent] = ev.Agent, ev.Task
}

func (h *history) complete(ev core.Event) {
	if done, ok := h.completed[ev.Task]; ok {
		h.flag(ev, "completed again (first at event %d)", done)
	}
	if cur := h.holder[ev.Task]; cur != ev.Agent {
		h.flag(ev, "completed by an agent that did not hold it (holder %q)", cur)
	}
	h.completed[ev.Task] = ev.ID
	h.release(ev.Task)
}

func (h *history) release(task core.TaskID) {
	a := h.holder[task]
	delete(h.holder, task)
	if h.holding[a] == task {
		delete(h.holding, a)
	}
}
