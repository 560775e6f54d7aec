package core

import (
	"context"
	"strings"
	"time"
)

// Planner turns a plain-language description into work. The pipeline in
// CreateProject calls Analyze once, then Expand once per feature, the Expand
// calls concurrently; a Planner must therefore be safe for concurrent use.
//
// Planners return plans by name, as a person would write them; the pipeline
// wires features to the foundation and the closing tasks, repairs what can
// be repaired (dangling and self dependencies, duplicate names) and refuses
// the rest (cycles) before anything is stored.
type Planner interface {
	// Name says which planner ran, e.g. "offline" or "anthropic/claude-sonnet-4-5".
	Name() string
	// Analyze splits the description into features, and names the shared
	// foundation tasks and the closing integration and documentation tasks.
	Analyze(ctx context.Context, req PlanRequest) (Analysis, error)
	// Expand turns one feature into tasks (design, implement, test, ...).
	// Its tasks' After names refer to tasks of the same feature.
	Expand(ctx context.Context, req PlanRequest, a Analysis, f Feature) ([]PlanTask, error)
}

// Complexity scales how much process a plan carries.
type Complexity string

// Complexities. Standard is the default.
const (
	// Prototype: implement and a quick check per feature, no design tasks.
	Prototype Complexity = "prototype"
	// Standard: design, implement and test per feature.
	Standard Complexity = "standard"
	// Enterprise: standard plus review, security and performance work.
	Enterprise Complexity = "enterprise"
)

// ParseComplexity reads a complexity; "" is Standard. Marcus's mode names
// ("mvp", "production") are accepted as synonyms.
func ParseComplexity(s string) (Complexity, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "standard":
		return Standard, nil
	case "prototype", "mvp":
		return Prototype, nil
	case "enterprise", "production":
		return Enterprise, nil
	}
	return "", Errorf(ErrInvalid, "complexity %q is not one of prototype, standard, enterprise", s)
}

// PlanRequest is what a planner is asked.
type PlanRequest struct {
	// Description is the person's words, as given.
	Description string
	// Name is the project's name ("" when the planner may suggest one).
	Name       string
	Complexity Complexity
	// MaxTasks caps the size of the plan (0: no cap beyond MaxPlanTasks).
	// Planners should aim below it; the pipeline enforces it.
	MaxTasks int
	// TeamSize is how many agents the person expects to run (0: unknown).
	TeamSize int
	// Existing lists the tasks already on the board when a feature is
	// added to a project; empty for a new project.
	Existing []PlanTask
	// Record receives every call a planner makes to an outside service,
	// retries included. It is safe for concurrent use and never nil inside
	// the pipeline.
	Record func(LLMCall)
}

// Feature is one area of work found in a description.
type Feature struct {
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Priority    string   `json:"priority,omitempty"`
	Labels      []string `json:"labels,omitempty"`
	// After names other features this one builds on.
	After []string `json:"after,omitempty"`
}

// Analysis is a planner's reading of a description.
type Analysis struct {
	// Name is a suggested project name, used when none was given.
	Name    string `json:"name,omitempty"`
	Summary string `json:"summary,omitempty"`
	// Kind is what is being built: "web app", "cli", "data pipeline",
	// "event", ... Free text, shown to people.
	Kind     string    `json:"kind,omitempty"`
	Features []Feature `json:"features"`
	// Foundation tasks come before every feature; their After names refer
	// to other foundation tasks.
	Foundation []PlanTask `json:"foundation,omitempty"`
	// Closing tasks (integration, documentation) come after every feature;
	// their After names refer to other closing tasks.
	Closing []PlanTask `json:"closing,omitempty"`
}

// LLMCall records one call to a model: what it cost and how it ended.
type LLMCall struct {
	ID int64     `json:"id"`
	At time.Time `json:"at"`
	// Project is the project the call planned for. A creation that failed
	// keeps its calls under the id it would have had, with ProjectName set.
	Project     ProjectID `json:"project_id"`
	ProjectName string    `json:"project_name,omitempty"`
	Provider    string    `json:"provider"`
	Model       string    `json:"model"`
	// Operation is what the call was for: "analyze", "expand:<feature>".
	Operation    string        `json:"operation"`
	InputTokens  int           `json:"input_tokens"`
	OutputTokens int           `json:"output_tokens"`
	Latency      time.Duration `json:"latency_ns"`
	// CostUSD is estimated from the model's list prices when the call was
	// made; 0 when they are unknown (a local model, a new model).
	CostUSD float64 `json:"cost_usd"`
	// Outcome is "ok" or why the call failed: "rate_limited", "server_error",
	// "timeout", "canceled", "bad_output", "refused", "error".
	Outcome string `json:"outcome"`
	Error   string `json:"error,omitempty"`
}

// Call outcomes.
const (
	OutcomeOK          = "ok"
	OutcomeRateLimited = "rate_limited"
	OutcomeServerError = "server_error"
	OutcomeTimeout     = "timeout"
	OutcomeCanceled    = "canceled"
	OutcomeBadOutput   = "bad_output"
	OutcomeRefused     = "refused"
	OutcomeError       = "error"
)
