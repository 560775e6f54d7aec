package core

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// previousRelease are payloads as the previous release stored them: the
// map literal it built (copied from its code, with sample values), the
// bytes that made, and the typed value this release reads them as.
var previousRelease = []struct {
	kind  EventKind
	built map[string]any
	typed Payload
}{
	{EventProjectCreated, map[string]any{"name": "Shop", "tasks": 3, "planner": "file"},
		ProjectCreated{Name: "Shop", Planner: "file", Tasks: 3}},
	{EventProjectCreated, map[string]any{"name": "Shop", "tasks": 9, "planner": "offline",
		"features": 2, "recommended_agents": 3, "seconds": 0.012345678},
		ProjectCreated{Features: 2, Name: "Shop", Planner: "offline", RecommendedAgents: 3, Seconds: 0.012345678, Tasks: 9, Planned: true}},
	{EventProjectCreated, map[string]any{"name": "Fake clock", "tasks": 4, "planner": "scripted",
		"features": 0, "recommended_agents": 1, "seconds": 0.0},
		ProjectCreated{Name: "Fake clock", Planner: "scripted", RecommendedAgents: 1, Tasks: 4, Planned: true}},
	{EventAgentRegistered, map[string]any{"name": "w1", "role": "", "skills": []string{}},
		AgentRegistered{Name: "w1", Skills: []string{}}},
	{EventAgentRegistered, map[string]any{"name": "Ada", "role": "backend", "skills": []string{"go", "<sql>"}},
		AgentRegistered{Name: "Ada", Role: "backend", Skills: []string{"go", "<sql>"}}},
	{EventTaskClaimed, map[string]any{"epoch": int64(7), "name": "Cart & checkout", "recovered": false},
		TaskClaimed{Epoch: 7, Name: "Cart & checkout"}},
	{EventTaskClaimed, map[string]any{"epoch": int64(3), "name": "Cart", "recovered": false, "resumed": true},
		TaskClaimed{Epoch: 3, Name: "Cart", Resumed: true}},
	{EventTaskProgress, map[string]any{"progress": 55, "message": "JWT works", "epoch": int64(2),
		"lease_expires_at": time.Date(2030, 1, 2, 3, 4, 5, 600, time.UTC)},
		TaskProgress{Epoch: 2, LeaseExpiresAt: time.Date(2030, 1, 2, 3, 4, 5, 600, time.UTC), Message: "JWT works", Progress: 55}},
	{EventTaskCompleted, map[string]any{"progress": 100, "message": "", "epoch": int64(1)},
		TaskCompleted{Epoch: 1, Progress: 100}},
	{EventTaskCompleted, map[string]any{"by": "a person", "progress": 100},
		TaskCompleted{By: "a person", Progress: 100}},
	{EventTaskBlocked, map[string]any{"progress": 40, "message": "needs creds", "epoch": int64(3)},
		TaskBlocked{Epoch: 3, Message: "needs creds", Progress: 40}},
	{EventTaskBlocked, map[string]any{"reason": "blocked by a person", "by": "person"},
		TaskBlocked{By: ByPerson, Reason: "blocked by a person"}},
	{EventBlockerReported, map[string]any{"description": "SMTP down", "severity": "high", "advisory": false},
		BlockerReported{Description: "SMTP down", Severity: "high"}},
	{EventBlockerReported, map[string]any{"description": "slow CI", "severity": "medium", "advisory": true},
		BlockerReported{Advisory: true, Description: "slow CI", Severity: "medium"}},
	{EventTaskUnassigned, map[string]any{"reason": ""}, TaskUnassigned{}},
	{EventLeaseRecovered, map[string]any{"reason": "lease expired; silent for 6m0s", "progress": 25,
		"silent_recoveries": 0, "epoch": int64(4)},
		LeaseRecovery{Epoch: 4, Progress: 25, Reason: "lease expired; silent for 6m0s"}},
	{EventCircuitBroken, map[string]any{"reason": "circuit breaker", "progress": 0, "silent_recoveries": 3, "epoch": int64(9)},
		LeaseRecovery{Epoch: 9, Reason: "circuit breaker", SilentRecoveries: 3}},
	{EventArtifactLogged, map[string]any{"filename": "api.md", "artifact_type": "specification", "bytes": 1234},
		ArtifactLogged{Type: "specification", Bytes: 1234, Filename: "api.md"}},
	{EventDecisionLogged, map[string]any{"decision": "I chose JWT because it is stateless."},
		DecisionLogged{Decision: "I chose JWT because it is stateless."}},
	{EventPlanning, map[string]any{"stage": "feature", "done": 1, "total": 4, "feature": "Cart", "name": ""},
		PlanningProgress{Done: 1, Feature: "Cart", Stage: "feature", Total: 4}},
	{EventPlanningFailed, map[string]any{"name": "", "error": "analysing the description: model is down", "calls": 2},
		PlanningFailed{Calls: 2, Error: "analysing the description: model is down"}},
	{EventFeatureAdded, map[string]any{"description": "a wishlist", "tasks": []string{"Design wishlist", "Build wishlist"},
		"integration_point": "auto_detect", "waits_for": 2, "rewired": 1},
		FeatureAdded{Description: "a wishlist", IntegrationPoint: "auto_detect", Rewired: 1,
			Tasks: []string{"Design wishlist", "Build wishlist"}, WaitsFor: 2}},
	{EventExperimentStarted, map[string]any{"experiment": "run 1", "id": "x-abc"},
		ExperimentStarted{Experiment: "run 1", ID: "x-abc"}},
	{EventExperimentEnded, map[string]any{"experiment": "run 1", "id": "x-abc", "by": "complete"},
		ExperimentEnded{By: "complete", Experiment: "run 1", ID: "x-abc"}},
	{EventPriorityChanged, map[string]any{"from": PriorityMedium.String(), "to": PriorityUrgent.String()},
		PriorityChanged{From: PriorityMedium, To: PriorityUrgent}},
	{EventTaskAdded, map[string]any{"name": "Fix footer", "by": "trello:ana"}, TaskAdded{By: "trello:ana", Name: "Fix footer"}},
	{EventTaskEdited, map[string]any{"by": "a person", "old_name": "A", "name": "B", "description": true},
		TaskEdited{By: "a person", DescriptionChanged: true, Name: "B", OldName: "A"}},
	{EventTaskEdited, map[string]any{"by": "trello:ana", "description": true},
		TaskEdited{By: "trello:ana", DescriptionChanged: true}},
	{EventTaskEdited, map[string]any{"by": "trello:ana", "old_name": "A", "name": "B"},
		TaskEdited{By: "trello:ana", Name: "B", OldName: "A"}},
	{EventTaskNote, map[string]any{"text": "ticked \"tests\"", "by": "trello:ana"},
		TaskNote{By: "trello:ana", Text: "ticked \"tests\""}},
	// New in this release (the runner and the completion gate): pinned as
	// this release writes them, so the next one reads them back.
	{EventTaskCompleted, map[string]any{"progress": 100, "message": "done", "epoch": int64(2), "commit": "c0ffee", "gate_seconds": 0.25},
		TaskCompleted{Epoch: 2, Message: "done", Progress: 100, Commit: "c0ffee", GateSeconds: 0.25}},
	{EventTaskCompleted, map[string]any{"progress": 100, "message": "merged before marcus restarted", "epoch": int64(2),
		"commit": "c0ffee", "already_merged": true},
		TaskCompleted{AlreadyMerged: true, Epoch: 2, Message: "merged before marcus restarted", Progress: 100, Commit: "c0ffee"}},
	{EventAgentSpawned, map[string]any{"pid": 4242, "spawn": 3, "profile": "claude", "branch": "marcus/shop/t-1",
		"worktree": "/w/shop/t-1", "base": "abc", "log": "/a/agent-3/output.log"},
		AgentSpawned{Base: "abc", Branch: "marcus/shop/t-1", Log: "/a/agent-3/output.log", PID: 4242, Profile: "claude", Spawn: 3, Worktree: "/w/shop/t-1"}},
	{EventAgentExited, map[string]any{"exit_code": 3, "seconds": 1.5, "tail": []string{"crashing"}, "task_status": "in_progress"},
		AgentExited{ExitCode: 3, Seconds: 1.5, Tail: []string{"crashing"}, TaskStatus: StatusInProgress}},
	{EventAgentExited, map[string]any{"exit_code": -1, "seconds": 30.0, "signal": "killed", "stopped": true},
		AgentExited{ExitCode: -1, Seconds: 30, Signal: "killed", Stopped: true}},
	{EventGateStarted, map[string]any{"epoch": int64(4), "lease_expires_at": time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)},
		GateStarted{Epoch: 4, LeaseExpiresAt: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}},
	{EventGateFailed, map[string]any{"status": "merge_conflict", "epoch": int64(4), "failures": 1, "files": []string{"SHARED.md"},
		"branch": "marcus/shop/t-1", "integration_branch": "marcus/shop/integration", "seconds": 0.5},
		GateFailed{Branch: "marcus/shop/t-1", Epoch: 4, Failures: 1, Files: []string{"SHARED.md"}, Integration: "marcus/shop/integration",
			Seconds: 0.5, Status: GateConflict}},
	{EventGateFailed, map[string]any{"status": "validation_failed", "epoch": int64(4), "failures": 3, "blocked": true,
		"exit_code": 4, "output_tail": "FAIL", "seconds": 2.0},
		GateFailed{Blocked: true, Epoch: 4, ExitCode: 4, Failures: 3, OutputTail: "FAIL", Seconds: 2, Status: GateValidationFailed}},
	{EventGateFailed, map[string]any{"status": "error", "epoch": int64(4), "failures": 0, "error": "git timed out", "seconds": 120.0},
		GateFailed{Epoch: 4, Error: "git timed out", Seconds: 120, Status: GateError}},
}

// TestPayloadsOfThePreviousRelease reads every payload as the previous
// release stored it and writes it back: the same value, the same bytes.
func TestPayloadsOfThePreviousRelease(t *testing.T) {
	seen := map[EventKind]bool{}
	for _, c := range previousRelease {
		seen[c.kind] = true
		stored, err := json.Marshal(c.built)
		if err != nil {
			t.Fatal(err)
		}
		got := DecodePayload(c.kind, stored)
		if !reflect.DeepEqual(got, c.typed) {
			t.Errorf("%s %s: read %#v, want %#v", c.kind, stored, got, c.typed)
		}
		if again, err := EncodePayload(got); err != nil || !bytes.Equal(again, stored) {
			t.Errorf("%s: written back as %s (%v), stored as %s", c.kind, again, err, stored)
		}
		if made, err := EncodePayload(c.typed); err != nil || !bytes.Equal(made, stored) {
			t.Errorf("%s: this release writes %s (%v), the previous one %s", c.kind, made, err, stored)
		}
	}
	for kind := range payloadTypes {
		if !seen[kind] {
			t.Errorf("no payload of the previous release is checked for %s", kind)
		}
	}
}

// TestEventExportUnchanged prints an event read back from an old payload
// as an export does, and reads the export again.
func TestEventExportUnchanged(t *testing.T) {
	for _, c := range previousRelease {
		stored, _ := json.Marshal(c.built)
		ev := Event{ID: 12, At: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), Project: "p-1", Kind: c.kind, Task: "t-1",
			Agent: "w1", Payload: DecodePayload(c.kind, stored)}
		out, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		want := `{"id":12,"at":"2030-01-02T03:04:05Z","project_id":"p-1","kind":"` + string(c.kind) +
			`","task_id":"t-1","agent_id":"w1","payload":` + string(stored) + `}`
		if string(out) != want {
			t.Errorf("export of %s:\n got %s\nwant %s", c.kind, out, want)
		}
		var back Event
		if err := json.Unmarshal(out, &back); err != nil || !reflect.DeepEqual(back, ev) {
			t.Errorf("%s: read the export back as %#v (%v), want %#v", c.kind, back, err, ev)
		}
	}
}

// TestPayloadsThatCannotBeRead never fail: they stay raw, as stored.
func TestPayloadsThatCannotBeRead(t *testing.T) {
	for _, c := range []struct {
		kind   EventKind
		stored string
		want   Payload
		prints string
	}{
		{EventTaskNote, "", nil, "null"},
		{EventTaskNote, "null", nil, "null"},
		{"from_a_later_release", `{"b":1,"a":[2]}`, RawPayload(`{"b":1,"a":[2]}`), `{"b":1,"a":[2]}`},
		{EventTaskClaimed, `{"epoch":"seven"}`, RawPayload(`{"epoch":"seven"}`), `{"epoch":"seven"}`},
		{EventPriorityChanged, `{"from":"someday","to":"high"}`, RawPayload(`{"from":"someday","to":"high"}`), `{"from":"someday","to":"high"}`},
		{EventTaskProgress, `{"progress":`, RawPayload(`{"progress":`), `"{\"progress\":"`},
	} {
		got := DecodePayload(c.kind, []byte(c.stored))
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s %q: read %#v, want %#v", c.kind, c.stored, got, c.want)
		}
		out, err := EncodePayload(got)
		if err != nil || string(out) != c.prints {
			t.Errorf("%s %q: prints %s (%v), want %s", c.kind, c.stored, out, err, c.prints)
		}
	}
}

// TestBlockerWithoutAdvisory reads a blocker that does not say whether it
// is advisory by its severity.
func TestBlockerWithoutAdvisory(t *testing.T) {
	for stored, parks := range map[string]bool{`{"severity":"HIGH"}`: true, `{"severity":"medium"}`: false, `{}`: false} {
		p, ok := DecodePayload(EventBlockerReported, []byte(stored)).(BlockerReported)
		if !ok || p.Parks() != parks {
			t.Errorf("%s: %#v parks %v, want %v", stored, p, p.Parks(), parks)
		}
	}
	if !strings.Contains(string(mustEncode(t, BlockerReported{Severity: "high"})), `"advisory":false`) {
		t.Error("a blocker is written without its advisory flag")
	}
}

func mustEncode(t *testing.T, p Payload) []byte {
	t.Helper()
	b, err := EncodePayload(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAgentExitedEnding(t *testing.T) {
	for _, tc := range []struct {
		p    AgentExited
		want string
	}{
		{AgentExited{ExitCode: 3}, "exited with code 3"},
		{AgentExited{ExitCode: -1, Signal: "SIGKILL"}, "was killed by SIGKILL"},
		{AgentExited{Signal: "SIGTERM", Stopped: true}, "was stopped"},
	} {
		if got := tc.p.Ending(); got != tc.want {
			t.Errorf("%+v: Ending() = %q, want %q", tc.p, got, tc.want)
		}
	}
}
