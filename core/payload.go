package core

import (
	"encoding/json"
)

// Payload is what an event records beyond its kind, time, project, task and
// agent: one Go type per kind (ProjectCreated for EventProjectCreated,
// TaskClaimed for EventTaskClaimed, ...; see payloadTypes), or a RawPayload
// for a kind this release does not know. Readers switch on the type.
type Payload interface {
	eventPayload()
}

// payloadTypes reads each kind's payload, for DecodePayload.
var payloadTypes = map[EventKind]func([]byte) (Payload, error){
	EventProjectCreated:    decodeAs[ProjectCreated],
	EventAgentRegistered:   decodeAs[AgentRegistered],
	EventTaskClaimed:       decodeAs[TaskClaimed],
	EventTaskProgress:      decodeAs[TaskProgress],
	EventTaskCompleted:     decodeAs[TaskCompleted],
	EventTaskBlocked:       decodeAs[TaskBlocked],
	EventBlockerReported:   decodeAs[BlockerReported],
	EventTaskUnassigned:    decodeAs[TaskUnassigned],
	EventLeaseRecovered:    decodeAs[LeaseRecovery],
	EventCircuitBroken:     decodeAs[LeaseRecovery],
	EventArtifactLogged:    decodeAs[ArtifactLogged],
	EventDecisionLogged:    decodeAs[DecisionLogged],
	EventPlanning:          decodeAs[PlanningProgress],
	EventPlanningFailed:    decodeAs[PlanningFailed],
	EventFeatureAdded:      decodeAs[FeatureAdded],
	EventExperimentStarted: decodeAs[ExperimentStarted],
	EventExperimentEnded:   decodeAs[ExperimentEnded],
	EventPriorityChanged:   decodeAs[PriorityChanged],
	EventTaskAdded:         decodeAs[TaskAdded],
	EventTaskEdited:        decodeAs[TaskEdited],
	EventTaskNote:          decodeAs[TaskNote],
	EventAgentSpawned:      decodeAs[AgentSpawned],
	EventAgentExited:       decodeAs[AgentExited],
	EventGateStarted:       decodeAs[GateStarted],
	EventGateFailed:        decodeAs[GateFailed],
}

func decodeAs[T Payload](data []byte) (Payload, error) {
	var v T
	err := json.Unmarshal(data, &v)
	return v, err
}

// RawPayload is a payload kept as it was stored: the payload of a kind
// this release does not know, or one it cannot read. It prints as stored
// (as a JSON string when the stored bytes are not JSON), so a feed or an
// export never fails on it.
type RawPayload []byte

// MarshalJSON writes the stored bytes.
func (r RawPayload) MarshalJSON() ([]byte, error) {
	if json.Valid(r) {
		return []byte(r), nil
	}
	return json.Marshal(string(r))
}

// EncodePayload is how a store writes a payload: JSON, "null" for none.
func EncodePayload(p Payload) ([]byte, error) {
	if p == nil {
		return []byte("null"), nil
	}
	return json.Marshal(p)
}

// DecodePayload is how a store reads a payload back: by the event's kind.
// Nothing stored ("" or null) is nil; an unknown kind, or a payload its
// kind's type cannot read, is a RawPayload, never an error.
func DecodePayload(kind EventKind, data []byte) Payload {
	if len(data) == 0 || string(data) == "null" {
		return nil
	}
	if decode, ok := payloadTypes[kind]; ok {
		if p, err := decode(data); err == nil {
			return p
		}
	}
	return RawPayload(append([]byte(nil), data...))
}

// AgentActed tells whether the event's agent did something itself: a
// recovery names the silent holder, a person's unassign or block the
// holder that lost the task, and the runner's spawn and exit records the
// agent process they are about.
func (e Event) AgentActed() bool {
	switch e.Kind {
	case EventLeaseRecovered, EventCircuitBroken, EventTaskUnassigned, EventAgentSpawned, EventAgentExited:
		return false
	case EventTaskBlocked:
		p, _ := e.Payload.(TaskBlocked)
		return e.Agent != "" && p.By != ByPerson
	}
	return e.Agent != ""
}

// UnmarshalJSON reads an event as an export writes it, its payload by its
// kind (see DecodePayload).
func (e *Event) UnmarshalJSON(b []byte) error {
	type fields Event
	var raw struct {
		fields
		Payload json.RawMessage `json:"payload,omitempty"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*e = Event(raw.fields)
	e.Payload = DecodePayload(e.Kind, raw.Payload)
	return nil
}
