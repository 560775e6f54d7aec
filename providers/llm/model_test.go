package llm_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"marcus/core"
	"marcus/providers/llm"
	"marcus/providers/llm/llmfake"
)

func TestAnalyzeAndExpand(t *testing.T) {
	for _, prov := range providers {
		t.Run(prov, func(t *testing.T) {
			h := setup(t, prov, good, nil)
			if got, want := h.planner.Name(), prov+"/test-model"; got != want {
				t.Errorf("Name() = %q, want %q", got, want)
			}
			a, err := h.analyze(t)
			if err != nil {
				t.Fatalf("Analyze: %v", err)
			}
			if a.Name != "Recipes" || len(a.Features) != 2 || a.Features[1].After[0] != "Accounts" ||
				len(a.Foundation) != 1 || a.Closing[0].Phase != "docs" {
				t.Fatalf("analysis = %+v", a)
			}
			tasks, err := h.planner.Expand(context.Background(), h.request(), a, a.Features[1])
			if err != nil {
				t.Fatalf("Expand: %v", err)
			}
			if len(tasks) != 3 || tasks[0].Name != "Design Search" || tasks[1].EstimateMinutes != 90 ||
				!equalStrings(tasks[2].After, []string{"Build Search"}) || tasks[0].Priority != "high" {
				t.Fatalf("tasks = %+v", tasks)
			}

			reqs := h.fake.Requests()
			if len(reqs) != 2 {
				t.Fatalf("%d requests, want 2", len(reqs))
			}
			an, ex := reqs[0], reqs[1]
			if an.Operation != "analyze" || ex.Operation != "expand" || ex.Feature != "Search" {
				t.Errorf("operations %q, %q/%q", an.Operation, ex.Operation, ex.Feature)
			}
			if an.Model != "test-model" || an.MaxTokens != llm.DefaultMaxTokens {
				t.Errorf("model %q max tokens %d", an.Model, an.MaxTokens)
			}
			if got := an.Header.Get("Authorization"); got != "Bearer "+testKey {
				t.Errorf("Authorization = %q", got)
			}
			if len(an.Messages) != 1 || an.Messages[0].Role != "user" || !strings.Contains(an.Messages[0].Content, "share recipes") {
				t.Errorf("analyze messages = %+v", an.Messages)
			}
			if !strings.Contains(ex.LastUser(), `"Accounts"`) || !strings.Contains(ex.LastUser(), "Scaffold the app") {
				t.Errorf("expand prompt lacks the other features or the foundation:\n%s", ex.LastUser())
			}
			if prov == llm.ProviderOpenAI && !an.JSONMode {
				t.Error("the openai planner should ask for response_format json_object")
			}

			calls := h.calls.all()
			if len(calls) != 2 {
				t.Fatalf("%d calls recorded, want 2", len(calls))
			}
			for i, op := range []string{"analyze", "expand:Search"} {
				c := calls[i]
				if c.Operation != op || c.Outcome != core.OutcomeOK || c.Provider != prov || c.Model != "test-model" ||
					c.InputTokens != 321 || c.OutputTokens != 123 || c.Latency <= 0 || c.At.IsZero() || c.Error != "" {
					t.Errorf("call %d = %+v", i, c)
				}
			}
		})
	}
}

func TestFencedJSONWithProse(t *testing.T) {
	for _, prov := range providers {
		t.Run(prov, func(t *testing.T) {
			h := setup(t, prov, func(req llmfake.Request) llmfake.Reply {
				r := good(req)
				r.Text = "Sure! Here is the plan {as asked}:\n\n```json\n" + r.Text + "\n```\n\nLet me know if you want changes."
				return r
			}, nil)
			if _, err := h.analyze(t); err != nil {
				t.Fatal(err)
			}
			tasks, err := h.expand(t, "Accounts")
			if err != nil || len(tasks) != 3 {
				t.Fatalf("tasks %+v, err %v", tasks, err)
			}
			if n := len(h.fake.Requests()); n != 2 {
				t.Errorf("%d requests, want 2 (no repair needed)", n)
			}
		})
	}
}

func TestBadOutputIsRepairedOnce(t *testing.T) {
	const bad = `{"features": [{"name": "Accounts"},]}`
	for _, prov := range providers {
		t.Run(prov, func(t *testing.T) {
			h := setup(t, prov, firstThen(llmfake.Reply{Text: bad, Usage: llmfake.Usage{Input: 10, Output: 20}}), nil)
			a, err := h.analyze(t)
			if err != nil {
				t.Fatalf("Analyze: %v", err)
			}
			if len(a.Features) != 2 {
				t.Fatalf("analysis = %+v", a)
			}
			calls := h.calls.all()
			if !equalStrings(h.calls.outcomes(), []string{core.OutcomeBadOutput, core.OutcomeOK}) {
				t.Fatalf("outcomes = %v", h.calls.outcomes())
			}
			if calls[0].InputTokens != 10 || calls[0].OutputTokens != 20 || !strings.Contains(calls[0].Error, "not valid") {
				t.Errorf("bad attempt recorded as %+v", calls[0])
			}
			reqs := h.fake.Requests()
			if len(reqs) != 2 {
				t.Fatalf("%d requests, want 2", len(reqs))
			}
			second := reqs[1].Messages
			if len(second) != 3 || second[1].Role != "assistant" || second[1].Content != bad || second[2].Role != "user" {
				t.Fatalf("repair conversation = %+v", second)
			}
			if !strings.Contains(second[2].Content, calls[0].Error) {
				t.Errorf("repair turn does not quote the parse error %q:\n%s", calls[0].Error, second[2].Content)
			}
			if reqs[1].System != reqs[0].System || second[0].Content != reqs[0].Messages[0].Content {
				t.Error("the repair must resend the same system prompt and first turn")
			}
		})
	}
}

func TestBadOutputTwiceFails(t *testing.T) {
	for _, prov := range providers {
		t.Run(prov, func(t *testing.T) {
			h := setup(t, prov, func(llmfake.Request) llmfake.Reply {
				return llmfake.Text("I'm sorry, I can only describe the tasks in prose.")
			}, nil)
			tasks, err := h.expand(t, "Search")
			if err == nil {
				t.Fatalf("got tasks %+v, want an error", tasks)
			}
			if !errors.Is(err, core.ErrUnavailable) || !strings.Contains(err.Error(), "could not be parsed") {
				t.Errorf("err = %v", err)
			}
			if n := h.fake.Count(pathOf(prov)); n != 2 {
				t.Errorf("%d requests, want 2", n)
			}
			if !equalStrings(h.calls.outcomes(), []string{core.OutcomeBadOutput, core.OutcomeBadOutput}) {
				t.Errorf("outcomes = %v", h.calls.outcomes())
			}
			for _, c := range h.calls.all() {
				if c.Operation != "expand:Search" {
					t.Errorf("operation = %q", c.Operation)
				}
			}
		})
	}
}

func TestTruncatedOutput(t *testing.T) {
	for _, prov := range providers {
		t.Run(prov+"/then good", func(t *testing.T) {
			// Even a reply that happens to parse is unusable when the model
			// says it stopped at the limit.
			h := setup(t, prov, firstThen(llmfake.Reply{Text: `{"features":[{"name":"Accounts"}]}`, Truncated: true}), nil)
			if _, err := h.analyze(t); err != nil {
				t.Fatal(err)
			}
			calls := h.calls.all()
			if !equalStrings(h.calls.outcomes(), []string{core.OutcomeBadOutput, core.OutcomeOK}) || !strings.Contains(calls[0].Error, "truncated") {
				t.Fatalf("calls = %+v", calls)
			}
			if last := h.fake.Requests()[1].LastUser(); !strings.Contains(last, "short") {
				t.Errorf("repair turn should ask for a shorter reply:\n%s", last)
			}
		})
		t.Run(prov+"/twice", func(t *testing.T) {
			h := setup(t, prov, func(llmfake.Request) llmfake.Reply {
				return llmfake.Reply{Text: `{"tasks":[{"name":"Design Search","description":"a very lo`, Truncated: true}
			}, func(c *llm.Config) { c.MaxTokens = 100 })
			_, err := h.expand(t, "Search")
			if err == nil || !strings.Contains(err.Error(), "truncated") || !strings.Contains(err.Error(), "llm.max_tokens (now 100)") {
				t.Fatalf("err = %v, want one about truncation that names llm.max_tokens", err)
			}
			if h.fake.Requests()[0].MaxTokens != 100 {
				t.Errorf("max tokens sent = %d, want 100", h.fake.Requests()[0].MaxTokens)
			}
		})
	}
}

func TestNilRecordIsFine(t *testing.T) {
	h := setup(t, llm.ProviderAnthropic, firstThen(llmfake.Error(http.StatusInternalServerError, "x")), nil)
	req := h.request()
	req.Record = nil
	if _, err := h.planner.Analyze(context.Background(), req); err != nil {
		t.Fatal(err)
	}
}

func TestEnvironmentIsIgnored(t *testing.T) {
	t.Setenv("ANTHROPIC_API_KEY", "env-anthropic-key")
	t.Setenv("ANTHROPIC_AUTH_TOKEN", "env-anthropic-token")
	t.Setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")
	t.Setenv("ANTHROPIC_CUSTOM_HEADERS", "X-Leak: anthropic")
	t.Setenv("OPENAI_API_KEY", "env-openai-key")
	t.Setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
	t.Setenv("OPENAI_ORG_ID", "org-leak")
	t.Setenv("OPENAI_PROJECT_ID", "proj-leak")
	t.Setenv("OPENAI_CUSTOM_HEADERS", "X-Leak: openai")
	for _, prov := range providers {
		t.Run(prov, func(t *testing.T) {
			h := setup(t, prov, good, nil)
			if _, err := h.analyze(t); err != nil {
				t.Fatal(err)
			}
			hdr := h.fake.Requests()[0].Header
			if hdr.Get("Authorization") != "Bearer "+testKey || hdr.Get("X-Leak") != "" ||
				hdr.Get("OpenAI-Organization") != "" || hdr.Get("OpenAI-Project") != "" || hdr.Get("X-Api-Key") != "" {
				t.Errorf("headers picked up the environment: %v", hdr)
			}
		})
	}
	if _, err := llm.New(llm.Config{Provider: llm.ProviderAnthropic}); err == nil {
		t.Error("ANTHROPIC_API_KEY must not stand in for CLAUDE_API_KEY / llm.anthropic_api_key")
	}
	if _, err := llm.New(llm.Config{Provider: llm.ProviderOpenAI}); err == nil {
		t.Error("the SDK must not read OPENAI_API_KEY itself: only the config file maps it")
	}
}

func TestOpenAICompatibleServerWithoutKey(t *testing.T) {
	fake := llmfake.New(t, llmfake.Options{Respond: good}) // accepts any key, like Ollama
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	p, err := llm.New(llm.Config{Provider: "OpenAI", BaseURL: fake.OpenAIURL(), Model: "llama3.2", HTTPClient: client, MaxTokens: 2048})
	if err != nil {
		t.Fatal(err)
	}
	if p.Name() != "openai/llama3.2" {
		t.Errorf("Name() = %q", p.Name())
	}
	if _, err := p.Analyze(context.Background(), core.PlanRequest{Description: "a todo app"}); err != nil {
		t.Fatal(err)
	}
	req := fake.Requests()[0]
	if auth := req.Header.Get("Authorization"); !strings.HasPrefix(auth, "Bearer ") || len(auth) <= len("Bearer ") {
		t.Errorf("Authorization = %q, want a placeholder bearer key", auth)
	}
	body := string(req.Body)
	if !strings.Contains(body, `"max_tokens":2048`) || strings.Contains(body, "max_completion_tokens") {
		t.Errorf("a compatible server should get max_tokens: %s", body)
	}
}

func TestOpenAIJSONModeRejected(t *testing.T) {
	h := setup(t, llm.ProviderOpenAI, func(req llmfake.Request) llmfake.Reply {
		if req.JSONMode {
			return llmfake.Error(http.StatusBadRequest, "response_format json_object is not supported by this model")
		}
		return good(req)
	}, nil)
	if _, err := h.analyze(t); err != nil {
		t.Fatal(err)
	}
	if !equalStrings(h.calls.outcomes(), []string{core.OutcomeError, core.OutcomeOK}) {
		t.Fatalf("outcomes = %v", h.calls.outcomes())
	}
	if _, err := h.expand(t, "Search"); err != nil {
		t.Fatal(err)
	}
	reqs := h.fake.Requests()
	if len(reqs) != 3 || !reqs[0].JSONMode || reqs[1].JSONMode || reqs[2].JSONMode {
		t.Errorf("JSON mode per request: %v", []bool{reqs[0].JSONMode, reqs[1].JSONMode, reqs[2].JSONMode})
	}
	if len(h.waits.all()) != 1 || h.waits.all()[0] != 0 {
		t.Errorf("waits = %v, want one immediate retry", h.waits.all())
	}
}

func TestConcurrentExpands(t *testing.T) {
	for _, prov := range providers {
		t.Run(prov, func(t *testing.T) {
			var seen sync.Map
			h := setup(t, prov, func(req llmfake.Request) llmfake.Reply {
				if _, again := seen.LoadOrStore(req.Feature, true); !again {
					return llmfake.Error(http.StatusServiceUnavailable, "warming up")
				}
				return good(req)
			}, nil)
			a := goodAnalysis()
			a.Features = nil
			for i := range 8 {
				a.Features = append(a.Features, core.Feature{Name: fmt.Sprintf("Feature %d", i)})
			}
			var wg sync.WaitGroup
			errs := make([]error, len(a.Features))
			got := make([][]core.PlanTask, len(a.Features))
			for i, f := range a.Features {
				wg.Go(func() { got[i], errs[i] = h.planner.Expand(context.Background(), h.request(), a, f) })
			}
			wg.Wait()
			for i, f := range a.Features {
				if errs[i] != nil || len(got[i]) != 3 || got[i][0].Name != "Design "+f.Name {
					t.Errorf("%s: %+v, %v", f.Name, got[i], errs[i])
				}
			}
			counts := map[string]int{}
			for _, o := range h.calls.outcomes() {
				counts[o]++
			}
			if counts[core.OutcomeOK] != 8 || counts[core.OutcomeServerError] != 8 {
				t.Errorf("outcomes = %v", counts)
			}
		})
	}
}
