package run

import (
	"testing"
	"time"

	"marcus/core"
)

// TestSummarize counts a run's events: merges (not a settled restart),
// refusals by status, spawns, crashes (only an agent that ended by itself
// while holding its task), recoveries, and the times of gates, first
// calls and ready tasks waiting for an agent.
func TestSummarize(t *testing.T) {
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	tasks := []core.Task{{ID: "a"}, {ID: "b", Dependencies: []core.Dependency{{Task: "a"}}}}
	evs := []core.Event{
		{At: at(0), Kind: core.EventTaskClaimed, Task: "a", Agent: "run-x-1", Payload: core.TaskClaimed{}},
		{At: at(0.1), Kind: core.EventAgentSpawned, Task: "a", Agent: "run-x-1", Payload: core.AgentSpawned{StartedAt: at(0.05)}},
		{At: at(0.5), Kind: core.EventAgentRegistered, Agent: "run-x-1", Payload: core.AgentRegistered{}},
		{At: at(1), Kind: core.EventGateFailed, Task: "a", Agent: "run-x-1", Payload: core.GateFailed{Status: core.GateConflict}},
		{At: at(2), Kind: core.EventGateFailed, Task: "a", Agent: "run-x-1", Payload: core.GateFailed{Status: core.GateValidationFailed}},
		{At: at(3), Kind: core.EventGateFailed, Task: "a", Agent: "run-x-1", Payload: core.GateFailed{Status: core.GateUncommitted}},
		{At: at(4), Kind: core.EventGateFailed, Task: "a", Agent: "run-x-1", Payload: core.GateFailed{Status: core.GateError}},
		{At: at(5), Kind: core.EventTaskCompleted, Task: "a", Agent: "run-x-1", Payload: core.TaskCompleted{Commit: "c1", GateSeconds: 0.2}},
		{At: at(5.5), Kind: core.EventAgentExited, Task: "a", Agent: "run-x-1", Payload: core.AgentExited{TaskStatus: core.StatusDone}},
		{At: at(6), Kind: core.EventTaskClaimed, Task: "b", Agent: "run-x-2", Payload: core.TaskClaimed{}},
		{At: at(6), Kind: core.EventAgentSpawned, Task: "b", Agent: "run-x-2", Payload: core.AgentSpawned{StartedAt: at(6)}},
		{At: at(7), Kind: core.EventAgentExited, Task: "b", Agent: "run-x-2", Payload: core.AgentExited{ExitCode: 3, TaskStatus: core.StatusInProgress}},
		{At: at(7.1), Kind: core.EventLeaseRecovered, Task: "b", Agent: "run-x-2", Payload: core.LeaseRecovery{}},
		{At: at(8), Kind: core.EventAgentExited, Task: "b", Agent: "run-x-3", Payload: core.AgentExited{Stopped: true, TaskStatus: core.StatusInProgress}},
		{At: at(9), Kind: core.EventTaskCompleted, Task: "b", Payload: core.TaskCompleted{Commit: "c2", AlreadyMerged: true}},
	}
	s := Summarize(evs, tasks, t0, time.Minute)
	want := Summary{Merges: 1, Conflicts: 1, ValidationFailures: 1, OtherRefusals: 1, GateErrors: 1, Spawns: 2, Crashes: 1, Recoveries: 1}
	got := Summary{Merges: s.Merges, Conflicts: s.Conflicts, ValidationFailures: s.ValidationFailures, OtherRefusals: s.OtherRefusals,
		GateErrors: s.GateErrors, Spawns: s.Spawns, Crashes: s.Crashes, Recoveries: s.Recoveries}
	if got != want {
		t.Errorf("counts = %+v\nwant %+v", got, want)
	}
	if s.GateP50Seconds != 0.2 || s.MergesPerMinute != 1 || s.WallSeconds != 60 {
		t.Errorf("gate p50 %v, merges/min %v, wall %v", s.GateP50Seconds, s.MergesPerMinute, s.WallSeconds)
	}
	if s.SpawnToCallP50 != 0.45 {
		t.Errorf("spawn to first call = %v, want 0.45 (the second agent never called)", s.SpawnToCallP50)
	}
	// a was ready at the start and spawned at 0.05; b became ready when a
	// was done at 5 and spawned at 6.
	if waits := readyToSpawn(evs, tasks, t0); len(waits) != 2 || waits[0] != 0.05 || waits[1] != 1 {
		t.Errorf("ready to spawn = %v, want [0.05 1]", waits)
	}
}
