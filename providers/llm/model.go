package llm

import (
	"context"
	"net/http"

	"marcus/core"
)

// Roles of the turns in a conversation with a model.
const (
	roleUser      = "user"
	roleAssistant = "assistant"
)

// chatMessage is one turn of a conversation with a model.
type chatMessage struct {
	Role string
	Text string
}

// chatReply is what a model answered, in provider-neutral terms.
type chatReply struct {
	Text         string
	InputTokens  int
	OutputTokens int
	// Truncated: the model stopped at the token limit.
	Truncated bool
	// Refusal is set when the model declined to answer.
	Refusal string
}

// apiFailure is what an API's error answer says: its HTTP status, headers
// (for Retry-After) and message.
type apiFailure struct {
	Status  int
	Header  http.Header
	Message string
	// RetryNow: the backend changed how it asks (it dropped an option the
	// server rejected), so the same call is worth repeating at once.
	RetryNow bool
}

// chatBackend is one provider's wire protocol. Implementations make exactly
// one HTTP request per chat call (retries are the caller's) and are safe
// for concurrent use.
type chatBackend interface {
	chat(ctx context.Context, system string, msgs []chatMessage) (chatReply, error)
	// failure reads an error chat returned; ok is false when the error is
	// not an answer from the API (a connection error, a timeout).
	failure(err error) (f apiFailure, ok bool)
}

// modelPlanner is a core.Planner that asks a model, through a chatBackend.
type modelPlanner struct {
	provider string
	model    string
	baseURL  string
	keyHint  string
	cfg      Config
	backend  chatBackend
}

var _ core.Planner = (*modelPlanner)(nil)

// Name implements core.Planner: "anthropic/<model>" or "openai/<model>".
func (p *modelPlanner) Name() string { return p.provider + "/" + p.model }

// Analyze implements core.Planner.
func (p *modelPlanner) Analyze(ctx context.Context, req core.PlanRequest) (core.Analysis, error) {
	var out core.Analysis
	err := p.converse(ctx, req, operationAnalyze, analyzeSystemPrompt, analyzeUserPrompt(req), func(text string) error {
		a, err := parseAnalysis(text)
		if err == nil {
			out = a
		}
		return err
	})
	return out, err
}

// Expand implements core.Planner.
func (p *modelPlanner) Expand(ctx context.Context, req core.PlanRequest, a core.Analysis, f core.Feature) ([]core.PlanTask, error) {
	var out []core.PlanTask
	op := operationExpand + ":" + f.Name
	err := p.converse(ctx, req, op, expandSystemPrompt, expandUserPrompt(req, a, f), func(text string) error {
		tasks, err := parseTasks(text)
		if err == nil {
			out = tasks
		}
		return err
	})
	return out, err
}
