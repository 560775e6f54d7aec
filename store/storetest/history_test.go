package storetest

import (
	"strings"
	"testing"

	"marcus/core"
)

// TestCheckHistory feeds the checker made-up histories: it must pass a sound
// one and name each kind of violation, or the concurrency test proves nothing.
func TestCheckHistory(t *testing.T) {
	tasks := []core.Task{{ID: "a"}, {ID: "b", Dependencies: []core.Dependency{{Task: "a"}}}, {ID: "c", Dependencies: []core.Dependency{{Task: "a", Soft: true}}}}
	ev := func(kind core.EventKind, task core.TaskID, agent core.AgentID) core.Event {
		return core.Event{Kind: kind, Task: task, Agent: agent}
	}
	claim := func(task core.TaskID, agent core.AgentID) core.Event { return ev(core.EventTaskClaimed, task, agent) }
	done := func(task core.TaskID, agent core.AgentID) core.Event { return ev(core.EventTaskCompleted, task, agent) }
	tests := []struct {
		name string
		evs  []core.Event
		want []string // one fragment per expected violation
	}{
		{"sound", []core.Event{claim("a", "w1"), claim("c", "w2"), ev(core.EventLeaseRecovered, "a", "w1"),
			claim("a", "w3"), done("c", "w2"), done("a", "w3"), claim("b", "w1"), ev(core.EventTaskUnassigned, "b", "w1"),
			claim("b", "w1"), ev(core.EventBlockerReported, "b", "w1"), ev(core.EventTaskUnassigned, "b", ""), claim("b", "w2"), done("b", "w2")}, nil},
		{"double claim", []core.Event{claim("a", "w1"), claim("a", "w2")}, []string{"double claim: w1"}},
		{"claim before dependency", []core.Event{claim("b", "w1")}, []string{"hard dependency a"}},
		{"claim after completion", []core.Event{claim("a", "w1"), done("a", "w1"), claim("a", "w2")}, []string{"after its completion"}},
		{"completion by another", []core.Event{claim("a", "w1"), done("a", "w2")}, []string{"did not hold it"}},
		{"completed twice", []core.Event{claim("a", "w1"), done("a", "w1"), done("a", "w1")}, []string{"did not hold it", "completed again"}},
		{"agent holds two", []core.Event{claim("a", "w1"), claim("c", "w1")}, []string{"the agent still held a"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for i := range tc.evs {
				tc.evs[i].ID = int64(i + 1)
			}
			got := CheckHistory(tc.evs, tasks)
			if len(got) != len(tc.want) {
				t.Fatalf("violations %q, want %d matching %q", got, len(tc.want), tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(strings.Join(got, "\n"), w) {
					t.Errorf("violations %q do not mention %q", got, w)
				}
			}
		})
	}
}

// TestReplay checks the fold that the suite compares rows with.
func TestReplay(t *testing.T) {
	evs := []core.Event{
		{Kind: core.EventTaskClaimed, Task: "a", Agent: "w1"}, {Kind: core.EventTaskCompleted, Task: "a", Agent: "w1"},
		{Kind: core.EventTaskClaimed, Task: "b", Agent: "w2"}, {Kind: core.EventCircuitBroken, Task: "b", Agent: "w2"},
		{Kind: core.EventTaskClaimed, Task: "c", Agent: "w3"}, {Kind: core.EventLeaseRecovered, Task: "c", Agent: "w3"},
		{Kind: core.EventTaskClaimed, Task: "d", Agent: "w4"}, {Kind: core.EventTaskProgress, Task: "d", Agent: "w4"},
	}
	want := map[core.TaskID]Replayed{
		"a": {core.StatusDone, "w1"}, "b": {core.StatusBlocked, ""}, "c": {core.StatusTodo, ""}, "d": {core.StatusInProgress, "w4"},
	}
	got := Replay(evs)
	for id, w := range want {
		if got[id] != w {
			t.Errorf("task %s replays to %+v, want %+v", id, got[id], w)
		}
	}
}
