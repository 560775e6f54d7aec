package storetest

import (
	"reflect"
	"testing"
	"time"

	"marcus/core"
)

// samplePayloads are one event of every kind with its payload filled in,
// plus a kind this release does not know and an event without a payload.
func samplePayloads() []core.Event {
	at := Start.Add(90 * time.Second)
	return []core.Event{
		{Kind: core.EventProjectCreated, Payload: core.ProjectCreated{Name: "Shop", Planner: "file", Tasks: 3}},
		{Kind: core.EventProjectCreated, Payload: core.ProjectCreated{Features: 2, Name: "Shop", Planner: "offline",
			RecommendedAgents: 3, Seconds: 1.25, Tasks: 9, Planned: true}},
		{Kind: core.EventAgentRegistered, Payload: core.AgentRegistered{Name: "w1", Role: "dev", Skills: []string{"go", "sql"}}},
		{Kind: core.EventTaskClaimed, Payload: core.TaskClaimed{Epoch: 2, Name: "Cart", Recovered: true}},
		{Kind: core.EventTaskProgress, Payload: core.TaskProgress{Epoch: 2, LeaseExpiresAt: at, Message: "half", Progress: 50}},
		{Kind: core.EventTaskCompleted, Payload: core.TaskCompleted{Epoch: 2, Message: "", Progress: 100}},
		{Kind: core.EventTaskCompleted, Payload: core.TaskCompleted{By: "ana", Progress: 100}},
		{Kind: core.EventTaskBlocked, Payload: core.TaskBlocked{Epoch: 2, Message: "no creds", Progress: 40}},
		{Kind: core.EventTaskBlocked, Payload: core.TaskBlocked{By: core.ByPerson, Reason: "wait for legal"}},
		{Kind: core.EventBlockerReported, Payload: core.BlockerReported{Advisory: false, Description: "down", Severity: "high"}},
		{Kind: core.EventTaskUnassigned, Payload: core.TaskUnassigned{Reason: "giving up"}},
		{Kind: core.EventLeaseRecovered, Payload: core.LeaseRecovery{Epoch: 3, Progress: 25, Reason: "silent for 6m", SilentRecoveries: 1}},
		{Kind: core.EventCircuitBroken, Payload: core.LeaseRecovery{Epoch: 5, Reason: "silent", SilentRecoveries: 3}},
		{Kind: core.EventArtifactLogged, Payload: core.ArtifactLogged{Type: "spec", Bytes: 12, Filename: "api.md"}},
		{Kind: core.EventDecisionLogged, Payload: core.DecisionLogged{Decision: "I chose Go because it is fast."}},
		{Kind: core.EventPlanning, Payload: core.PlanningProgress{Done: 1, Feature: "Cart", Name: "Shop", Stage: "feature", Total: 2}},
		{Kind: core.EventPlanningFailed, Payload: core.PlanningFailed{Calls: 2, Error: "model is down", Name: "Shop"}},
		{Kind: core.EventFeatureAdded, Payload: core.FeatureAdded{Description: "a wishlist", IntegrationPoint: "auto_detect",
			Rewired: 1, Tasks: []string{"Wishlist"}, WaitsFor: 2}},
		{Kind: core.EventExperimentStarted, Payload: core.ExperimentStarted{Experiment: "run 1", ID: "x-1"}},
		{Kind: core.EventExperimentEnded, Payload: core.ExperimentEnded{By: "complete", Experiment: "run 1", ID: "x-1"}},
		{Kind: core.EventPriorityChanged, Payload: core.PriorityChanged{From: core.PriorityLow, To: core.PriorityUrgent}},
		{Kind: core.EventTaskAdded, Payload: core.TaskAdded{By: "ana", Name: "Fix footer"}},
		{Kind: core.EventTaskEdited, Payload: core.TaskEdited{By: "ana", DescriptionChanged: true, Name: "B", OldName: "A"}},
		{Kind: core.EventTaskNote, Payload: core.TaskNote{By: "ana", Text: "ticked: tests"}},
		{Kind: "from_a_later_release", Payload: core.RawPayload(`{"what":"ever"}`)},
		{Kind: core.EventTaskNote},
	}
}

// eventsPayloadsRoundTrip stores an event of every kind and reads each
// payload back as the value it was, typed by its kind.
func eventsPayloadsRoundTrip(t *testing.T, h Harness) {
	e := newEnv(t, h)
	want := samplePayloads()
	e.update(func(tx core.Tx) error {
		for _, ev := range want {
			ev.At = Start
			if _, err := tx.AppendEvent(ev); err != nil {
				return err
			}
		}
		return nil
	})
	var got []core.Event
	e.view(func(tx core.ReadTx) (err error) { got, err = tx.Events("", 0, 100); return err })
	if len(got) != len(want) {
		t.Fatalf("read %d events, stored %d", len(got), len(want))
	}
	for i, ev := range got {
		if ev.Kind != want[i].Kind || !reflect.DeepEqual(ev.Payload, want[i].Payload) {
			t.Errorf("%s: read back %#v, stored %#v", want[i].Kind, ev.Payload, want[i].Payload)
		}
	}
}
