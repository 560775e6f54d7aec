package core

import (
	"encoding/json"
	"strings"
	"time"
)

// Event payloads: one type per event kind. Their JSON field names are the
// ones the first release wrote, and their fields are declared in the order
// of those names, so a payload read from an old database prints the very
// bytes it was stored as (that release stored maps, whose keys JSON sorts).

// ProjectCreated is EventProjectCreated's payload. A project imported from
// a plan carries its name, planner and task count; one planned from a
// description (Planned) also the features, recommended agents and seconds
// the planning took.
type ProjectCreated struct {
	Features          int     `json:"features"`
	Name              string  `json:"name"`
	Planner           string  `json:"planner"`
	RecommendedAgents int     `json:"recommended_agents"`
	Seconds           float64 `json:"seconds"`
	Tasks             int     `json:"tasks"`
	// Planned: the planning pipeline made the project, and the fields
	// above that only it knows are written.
	Planned bool `json:"-"`
}

// MarshalJSON writes an imported project's three fields, a planned one's
// six.
func (p ProjectCreated) MarshalJSON() ([]byte, error) {
	type all ProjectCreated
	if p.Planned {
		return json.Marshal(all(p))
	}
	return json.Marshal(struct {
		Name    string `json:"name"`
		Planner string `json:"planner"`
		Tasks   int    `json:"tasks"`
	}{p.Name, p.Planner, p.Tasks})
}

// UnmarshalJSON reads either shape; a payload with the planning's seconds
// is a planned project's.
func (p *ProjectCreated) UnmarshalJSON(b []byte) error {
	type all ProjectCreated
	var probe struct {
		Seconds *float64 `json:"seconds"`
	}
	if err := json.Unmarshal(b, (*all)(p)); err != nil {
		return err
	}
	err := json.Unmarshal(b, &probe)
	p.Planned = probe.Seconds != nil
	return err
}

// AgentRegistered is EventAgentRegistered's payload.
type AgentRegistered struct {
	Name   string   `json:"name"`
	Role   string   `json:"role"`
	Skills []string `json:"skills"`
}

// TaskClaimed is EventTaskClaimed's payload: the lease epoch the claim
// gave, the task's name, whether the task came back from a previous
// holder (with a handoff), and whether its holder resumed it after its own
// blocker parked it (see Coordinator.ReportProgress).
type TaskClaimed struct {
	Epoch     int64  `json:"epoch"`
	Name      string `json:"name"`
	Recovered bool   `json:"recovered"`
	Resumed   bool   `json:"resumed,omitempty"`
}

// TaskProgress is EventTaskProgress's payload: a holder's report and the
// lease it renewed.
type TaskProgress struct {
	Epoch          int64     `json:"epoch"`
	LeaseExpiresAt time.Time `json:"lease_expires_at"`
	Message        string    `json:"message"`
	Progress       int       `json:"progress"`
}

// TaskCompleted is EventTaskCompleted's payload. A holder's completion
// carries its lease epoch and last message; a person's (By set, see
// Coordinator.CompleteTask) says who.
//
// A completion the gate let through also names the integration commit that
// merged the task and how long the gate took; AlreadyMerged says an earlier
// gate had merged it (marcus restarted between the merge and the Done).
type TaskCompleted struct {
	AlreadyMerged bool    `json:"already_merged,omitempty"`
	By            string  `json:"by,omitempty"`
	Commit        string  `json:"commit,omitempty"`
	Epoch         int64   `json:"epoch"`
	GateSeconds   float64 `json:"gate_seconds,omitempty"`
	Message       string  `json:"message"`
	Progress      int     `json:"progress"`
}

// MarshalJSON writes a person's completion as {by, progress}.
func (p TaskCompleted) MarshalJSON() ([]byte, error) {
	type all TaskCompleted
	if p.By == "" {
		return json.Marshal(all(p))
	}
	return json.Marshal(struct {
		By       string `json:"by"`
		Progress int    `json:"progress"`
	}{p.By, p.Progress})
}

// ByPerson is the By of a task a person blocked.
const ByPerson = "person"

// TaskBlocked is EventTaskBlocked's payload. A holder that reports itself
// blocked leaves its epoch, progress and message; a person who blocks a
// task (By is ByPerson) the reason.
type TaskBlocked struct {
	By       string `json:"by,omitempty"`
	Epoch    int64  `json:"epoch"`
	Message  string `json:"message"`
	Progress int    `json:"progress"`
	Reason   string `json:"reason,omitempty"`
}

// MarshalJSON writes a person's block as {by, reason}, a holder's as
// {epoch, message, progress}.
func (p TaskBlocked) MarshalJSON() ([]byte, error) {
	if p.By == "" {
		return json.Marshal(struct {
			Epoch    int64  `json:"epoch"`
			Message  string `json:"message"`
			Progress int    `json:"progress"`
		}{p.Epoch, p.Message, p.Progress})
	}
	return json.Marshal(struct {
		By     string `json:"by"`
		Reason string `json:"reason"`
	}{p.By, p.Reason})
}

// Why is what the block says: the person's reason or the holder's message.
func (p TaskBlocked) Why() string {
	if p.Reason != "" {
		return p.Reason
	}
	return p.Message
}

// BlockerReported is EventBlockerReported's payload. An advisory blocker
// leaves the task with its holder; one that is not parks the task.
type BlockerReported struct {
	Advisory    bool   `json:"advisory"`
	Description string `json:"description"`
	Severity    string `json:"severity"`
}

// UnmarshalJSON reads a blocker; one that does not say whether it is
// advisory is advisory unless its severity is high.
func (p *BlockerReported) UnmarshalJSON(b []byte) error {
	type all BlockerReported
	var probe struct {
		Advisory *bool `json:"advisory"`
	}
	if err := json.Unmarshal(b, (*all)(p)); err != nil {
		return err
	}
	err := json.Unmarshal(b, &probe)
	if probe.Advisory == nil {
		p.Advisory = !strings.EqualFold(p.Severity, "high")
	}
	return err
}

// Parks reports whether the blocker took the task from its holder and
// parked it as blocked.
func (p BlockerReported) Parks() bool { return !p.Advisory }

// TaskUnassigned is EventTaskUnassigned's payload.
type TaskUnassigned struct {
	Reason string `json:"reason"`
}

// LeaseRecovery is the payload of EventLeaseRecovered and
// EventCircuitBroken: a lease taken back from a silent holder, the
// holder's epoch and progress, and the task's silent recoveries so far.
type LeaseRecovery struct {
	Epoch            int64  `json:"epoch"`
	Progress         int    `json:"progress"`
	Reason           string `json:"reason"`
	SilentRecoveries int    `json:"silent_recoveries"`
}

// ArtifactLogged is EventArtifactLogged's payload.
type ArtifactLogged struct {
	Type     string `json:"artifact_type"`
	Bytes    int    `json:"bytes"`
	Filename string `json:"filename"`
}

// DecisionLogged is EventDecisionLogged's payload.
type DecisionLogged struct {
	Decision string `json:"decision"`
}

// PlanningProgress is EventPlanning's payload: a creation's stage, the
// features expanded of the total, and the feature just planned.
type PlanningProgress struct {
	Done    int    `json:"done"`
	Feature string `json:"feature"`
	Name    string `json:"name"`
	Stage   string `json:"stage"`
	Total   int    `json:"total"`
}

// PlanningFailed is EventPlanningFailed's payload: the creation's name,
// why it failed and the model calls it paid for.
type PlanningFailed struct {
	Calls int    `json:"calls"`
	Error string `json:"error"`
	Name  string `json:"name"`
}

// FeatureAdded is EventFeatureAdded's payload: the new tasks' names, the
// existing tasks they wait for and the closing tasks that now wait for
// them.
type FeatureAdded struct {
	Description      string   `json:"description"`
	IntegrationPoint string   `json:"integration_point"`
	Rewired          int      `json:"rewired"`
	Tasks            []string `json:"tasks"`
	WaitsFor         int      `json:"waits_for"`
}

// ExperimentStarted is EventExperimentStarted's payload.
type ExperimentStarted struct {
	Experiment string       `json:"experiment"`
	ID         ExperimentID `json:"id"`
}

// ExperimentEnded is EventExperimentEnded's payload; By is "complete" or
// "request" (Experiment.EndedBy).
type ExperimentEnded struct {
	By         string       `json:"by"`
	Experiment string       `json:"experiment"`
	ID         ExperimentID `json:"id"`
}

// PriorityChanged is EventPriorityChanged's payload.
type PriorityChanged struct {
	From Priority `json:"from"`
	To   Priority `json:"to"`
}

// TaskAdded is EventTaskAdded's payload.
type TaskAdded struct {
	By   string `json:"by"`
	Name string `json:"name"`
}

// TaskEdited is EventTaskEdited's payload: a rename carries the old and
// new names; a new description only that there is one.
type TaskEdited struct {
	By                 string `json:"by"`
	DescriptionChanged bool   `json:"description,omitempty"`
	Name               string `json:"name,omitempty"`
	OldName            string `json:"old_name,omitempty"`
}

// TaskNote is EventTaskNote's payload.
type TaskNote struct {
	By   string `json:"by"`
	Text string `json:"text"`
}

func (ProjectCreated) eventPayload()    {}
func (AgentRegistered) eventPayload()   {}
func (TaskClaimed) eventPayload()       {}
func (TaskProgress) eventPayload()      {}
func (TaskCompleted) eventPayload()     {}
func (TaskBlocked) eventPayload()       {}
func (BlockerReported) eventPayload()   {}
func (TaskUnassigned) eventPayload()    {}
func (LeaseRecovery) eventPayload()     {}
func (ArtifactLogged) eventPayload()    {}
func (DecisionLogged) eventPayload()    {}
func (PlanningProgress) eventPayload()  {}
func (PlanningFailed) eventPayload()    {}
func (FeatureAdded) eventPayload()      {}
func (ExperimentStarted) eventPayload() {}
func (ExperimentEnded) eventPayload()   {}
func (PriorityChanged) eventPayload()   {}
func (TaskAdded) eventPayload()         {}
func (TaskEdited) eventPayload()        {}
func (TaskNote) eventPayload()          {}
func (RawPayload) eventPayload()        {}
