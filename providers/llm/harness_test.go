package llm_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"marcus/core"
	"marcus/providers/llm"
	"marcus/providers/llm/llmfake"
)

// Shared helpers for the tests that run the model planners against llmfake.

const testKey = "sk-test-key"

var providers = []string{llm.ProviderAnthropic, llm.ProviderOpenAI}

// callLog collects what the planner records.
type callLog struct {
	mu    sync.Mutex
	calls []core.LLMCall
}

func (c *callLog) record(call core.LLMCall) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, call)
}

func (c *callLog) all() []core.LLMCall {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]core.LLMCall(nil), c.calls...)
}

func (c *callLog) outcomes() []string {
	var out []string
	for _, call := range c.all() {
		out = append(out, call.Outcome)
	}
	return out
}

// waitLog stands in for the backoff timer: it notes each wait and returns
// at once.
type waitLog struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (w *waitLog) wait(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.waits = append(w.waits, d)
	w.mu.Unlock()
	return ctx.Err()
}

func (w *waitLog) all() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.waits...)
}

type harness struct {
	provider string
	fake     *llmfake.Server
	planner  core.Planner
	cfg      llm.Config
	calls    *callLog
	waits    *waitLog
	client   *http.Client
}

// setup starts a fake that expects testKey and a planner pointed at it.
func setup(t *testing.T, provider string, respond func(llmfake.Request) llmfake.Reply, tweak func(*llm.Config)) *harness {
	t.Helper()
	h := &harness{provider: provider, calls: &callLog{}, waits: &waitLog{}}
	h.fake = llmfake.New(t, llmfake.Options{Key: testKey, Respond: respond})
	h.client = &http.Client{Transport: &http.Transport{}}
	t.Cleanup(h.client.CloseIdleConnections)
	h.cfg = llm.Config{
		Provider: provider, Model: "test-model", APIKey: testKey,
		Timeout: 5 * time.Second, HTTPClient: h.client, Wait: h.waits.wait,
	}
	h.cfg.BaseURL = h.fake.URL()
	if provider == llm.ProviderOpenAI {
		h.cfg.BaseURL = h.fake.OpenAIURL()
	}
	if tweak != nil {
		tweak(&h.cfg)
	}
	p, err := llm.New(h.cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.planner = p
	return h
}

func (h *harness) request() core.PlanRequest {
	return core.PlanRequest{
		Description: "A site where people share recipes and search them.",
		Complexity:  core.Standard, MaxTasks: 30, TeamSize: 3, Record: h.calls.record,
	}
}

func (h *harness) analyze(t *testing.T) (core.Analysis, error) {
	t.Helper()
	return h.planner.Analyze(context.Background(), h.request())
}

func (h *harness) expand(t *testing.T, feature string) ([]core.PlanTask, error) {
	t.Helper()
	a := goodAnalysis()
	for _, f := range a.Features {
		if f.Name == feature {
			return h.planner.Expand(context.Background(), h.request(), a, f)
		}
	}
	return h.planner.Expand(context.Background(), h.request(), a, core.Feature{Name: feature})
}

// waitIdle waits until the fake handles no request: a handler that
// outlives its client is a leak.
func waitIdle(t *testing.T, fake *llmfake.Server) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for fake.InFlight() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d requests still in flight at the fake", fake.InFlight())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func goodAnalysis() core.Analysis {
	return core.Analysis{
		Name: "Recipes", Summary: "Share and search recipes.", Kind: "web app",
		Features: []core.Feature{
			{Name: "Accounts", Description: "sign up and in", Priority: "high"},
			{Name: "Search", Description: "find recipes", After: []string{"Accounts"}},
		},
		Foundation: []core.PlanTask{{Name: "Scaffold the app", Phase: "implement", EstimateMinutes: 30}},
		Closing:    []core.PlanTask{{Name: "Write the README", Phase: "docs"}},
	}
}

func goodTasks(feature string) map[string]any {
	return map[string]any{"tasks": []any{
		map[string]any{"name": "Design " + feature, "phase": "design", "estimate_minutes": 30, "priority": "high",
			"acceptance": []string{"reviewed"}},
		map[string]any{"name": "Build " + feature, "phase": "implement", "estimate_minutes": "90",
			"after": []string{"Design " + feature}},
		map[string]any{"name": "Test " + feature, "phase": "test", "after": []string{"Build " + feature}},
	}}
}

// good answers every operation well.
func good(req llmfake.Request) llmfake.Reply {
	var r llmfake.Reply
	switch req.Operation {
	case "analyze":
		r = llmfake.JSON(goodAnalysis())
	case "expand":
		r = llmfake.JSON(goodTasks(req.Feature))
	default:
		return llmfake.Error(http.StatusBadRequest, "test fake: no operation marker in the prompt")
	}
	r.Usage = llmfake.Usage{Input: 321, Output: 123}
	return r
}

// firstThen answers the first request on its path with first, the rest well.
func firstThen(first llmfake.Reply) func(llmfake.Request) llmfake.Reply {
	return func(req llmfake.Request) llmfake.Reply {
		if req.N == 1 {
			return first
		}
		return good(req)
	}
}

func equalStrings(a, b []string) bool {
	return fmt.Sprint(a) == fmt.Sprint(b)
}

func pathOf(provider string) string {
	if provider == llm.ProviderAnthropic {
		return llmfake.PathMessages
	}
	return llmfake.PathChatCompletions
}
