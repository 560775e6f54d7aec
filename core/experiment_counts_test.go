package core

import (
	"testing"
)

// CountExperiment keeps Marcus's tallies: agents, claims and completions
// by distinct id, everything else one by one; other kinds are ignored.
func TestCountExperiment(t *testing.T) {
	ev := func(kind EventKind, agent AgentID, task TaskID) Event {
		return Event{Kind: kind, Agent: agent, Task: task}
	}
	evs := []Event{
		ev(EventAgentRegistered, "w1", ""), ev(EventAgentRegistered, "w1", ""), ev(EventAgentRegistered, "w2", ""),
		ev(EventTaskClaimed, "w1", "a"), ev(EventLeaseRecovered, "w1", "a"), ev(EventTaskClaimed, "w2", "a"),
		ev(EventTaskClaimed, "w1", "b"), ev(EventTaskCompleted, "w2", "a"),
		ev(EventContextRequested, "w2", "a"), ev(EventContextRequested, "w2", "a"),
		ev(EventBlockerReported, "w1", "b"), ev(EventBlockerReported, "w1", "b"),
		ev(EventArtifactLogged, "w1", "b"), ev(EventDecisionLogged, "w1", "b"), ev(EventDecisionLogged, "w2", "a"),
		ev(EventTaskProgress, "w1", "b"), ev(EventExperimentEnded, "", ""),
	}
	want := ExperimentCounts{Registrations: 2, Assignments: 2, Completions: 1, Blockers: 2, Artifacts: 1, Decisions: 2, ContextRequests: 2}
	if got := CountExperiment(evs); got != want {
		t.Errorf("CountExperiment = %+v, want %+v", got, want)
	}
	if got := CountExperiment(nil); got != (ExperimentCounts{}) {
		t.Errorf("no events: %+v", got)
	}
}

// runFinished is Marcus's end of a run: nothing in progress and every task
// done or blocked; a board without tasks never finishes.
func TestRunFinished(t *testing.T) {
	tests := []struct {
		counts map[TaskStatus]int
		want   bool
	}{
		{map[TaskStatus]int{StatusDone: 3}, true},
		{map[TaskStatus]int{StatusDone: 2, StatusBlocked: 1}, true},
		{map[TaskStatus]int{StatusBlocked: 2}, true},
		{map[TaskStatus]int{StatusDone: 2, StatusInProgress: 1}, false},
		{map[TaskStatus]int{StatusDone: 2, StatusTodo: 1}, false},
		{map[TaskStatus]int{StatusDone: 0, StatusBlocked: 0}, false},
		{nil, false},
	}
	for _, tc := range tests {
		if got := runFinished(tc.counts); got != tc.want {
			t.Errorf("runFinished(%v) = %v, want %v", tc.counts, got, tc.want)
		}
	}
}

// Architectural artifacts are handed on to descendants; code and scratch
// files are not. An untyped artifact counts as documentation.
func TestArchitecturalArtifact(t *testing.T) {
	for _, kind := range []string{"specification", "API", "design", "Architecture", "documentation", "reference", ""} {
		if !ArchitecturalArtifact(kind) {
			t.Errorf("%q is not architectural, want it handed on", kind)
		}
	}
	for _, kind := range []string{"code", "temporary", "test", "podcast-script"} {
		if ArchitecturalArtifact(kind) {
			t.Errorf("%q is architectural, want it kept to its task", kind)
		}
	}
}

// The ancestors' work is split from the rest: their architectural
// artifacts (at most MaxAncestorArtifacts, oldest first) and their newest
// MaxAncestorDecisions decisions; the rest keeps its order.
func TestSplitAncestorWork(t *testing.T) {
	far := Ancestry{Tasks: []Task{{ID: "up"}}}
	var arts []Artifact
	var ds []Decision
	for i := range MaxAncestorArtifacts + 3 {
		arts = append(arts, Artifact{ID: int64(i), Task: "up", Type: "design"})
	}
	arts = append(arts, Artifact{ID: 100, Task: "up", Type: "code"}, Artifact{ID: 101, Task: "dep"})
	for i := range MaxAncestorDecisions + 5 {
		ds = append(ds, Decision{ID: int64(i), Task: "up"}, Decision{ID: int64(1000 + i), Task: "dep"})
	}
	restA, restD := splitAncestorWork(&far, arts, ds)
	if n := len(far.Artifacts); n != MaxAncestorArtifacts || far.Artifacts[0].ID != 0 || far.Artifacts[n-1].ID != int64(n-1) {
		t.Errorf("ancestor artifacts: %d, from %d; want the first %d designs", n, far.Artifacts[0].ID, MaxAncestorArtifacts)
	}
	if len(restA) != 1 || restA[0].ID != 101 {
		t.Errorf("the rest's artifacts %+v, want dep's alone (up's code is dropped)", restA)
	}
	if n := len(far.Decisions); n != MaxAncestorDecisions || far.Decisions[0].ID != 5 || far.Decisions[n-1].ID != MaxAncestorDecisions+4 {
		t.Errorf("ancestor decisions: %d, from %d to %d; want the newest %d", n, far.Decisions[0].ID, far.Decisions[n-1].ID, MaxAncestorDecisions)
	}
	if len(restD) != MaxAncestorDecisions+5 || restD[0].ID != 1000 {
		t.Errorf("the rest's decisions: %d from %d, want all of dep's in order", len(restD), restD[0].ID)
	}
}
