package llm_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"marcus/core"
	"marcus/providers/llm"
	"marcus/providers/llm/llmfake"
)

// The requests marcus's own clients send, as each API documents them.
func TestRequestsSpeakTheWire(t *testing.T) {
	for _, prov := range providers {
		t.Run(prov, func(t *testing.T) {
			h := setup(t, prov, good, func(c *llm.Config) { c.MaxTokens = 1234 })
			if _, err := h.analyze(t); err != nil {
				t.Fatal(err)
			}
			r := h.fake.Requests()[0]
			if ct := r.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			var body map[string]any
			if err := json.Unmarshal(r.Body, &body); err != nil {
				t.Fatal(err)
			}
			if body["model"] != "test-model" || body["max_tokens"] != 1234.0 {
				t.Errorf("model and max_tokens: %s", r.Body)
			}
			msgs, _ := body["messages"].([]any)
			if prov == llm.ProviderAnthropic {
				first, _ := msgs[0].(map[string]any)
				blocks, _ := first["content"].([]any)
				system, _ := body["system"].([]any)
				if r.Header.Get("Anthropic-Version") == "" || len(msgs) != 1 || len(blocks) != 1 || len(system) != 1 {
					t.Errorf("an Anthropic request needs a version header, system and content blocks: %v %s", r.Header, r.Body)
				}
				return
			}
			first, _ := msgs[0].(map[string]any)
			if len(msgs) != 2 || first["role"] != "system" || !r.JSONMode {
				t.Errorf("an OpenAI request opens with the system message and asks for JSON: %s", r.Body)
			}
		})
	}
}

// server is a stand-in for an API that answers every request with status
// and body, as written.
func server(t *testing.T, status int, body string) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(s.Close)
	return s
}

func plannerAt(t *testing.T, provider, base string, rec func(core.LLMCall)) (core.Planner, core.PlanRequest) {
	t.Helper()
	p, err := llm.New(llm.Config{Provider: provider, BaseURL: base, APIKey: "k", Model: "m", MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return p, core.PlanRequest{Description: "a todo app", Record: rec}
}

// Ollama and other compatible servers write {"error": "text"}: the text
// reaches the person, with the settings to check.
func TestCompatibleServerErrorText(t *testing.T) {
	s := server(t, http.StatusNotFound, `{"error":"model \"llama9\" not found, try pulling it first"}`)
	p, req := plannerAt(t, llm.ProviderOpenAI, s.URL+"/v1", nil)
	_, err := p.Analyze(context.Background(), req)
	for _, want := range []string{"404 Not Found", `model "llama9" not found, try pulling it first`, "llm.model", "llm.base_url"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
}

// A proxy's error page is a server error like any other: retried, and
// reported by its status.
func TestProxyErrorPage(t *testing.T) {
	s := server(t, http.StatusBadGateway, `<html><body>502 Bad Gateway</body></html>`)
	var calls callLog
	p, req := plannerAt(t, llm.ProviderAnthropic, s.URL, calls.record)
	_, err := p.Analyze(context.Background(), req)
	if !errors.Is(err, core.ErrUnavailable) || !strings.Contains(err.Error(), "502 Bad Gateway") {
		t.Errorf("err = %v", err)
	}
	if out := calls.outcomes(); !equalStrings(out, []string{core.OutcomeServerError}) {
		t.Errorf("outcomes %v", out)
	}
}

// A 200 whose body is not a chat reply is not retried: the server is not
// the API marcus thinks it is.
func TestSuccessThatIsNotAReply(t *testing.T) {
	s := server(t, http.StatusOK, `<html>welcome to nginx</html>`)
	p, req := plannerAt(t, llm.ProviderOpenAI, s.URL+"/v1", nil)
	_, err := p.Analyze(context.Background(), req)
	if err == nil || !strings.Contains(err.Error(), "not the JSON of a chat reply") || !strings.Contains(err.Error(), "welcome to nginx") {
		t.Errorf("err = %v", err)
	}
}

// Anthropic bills cached prompt tokens as input too.
func TestAnthropicCachedTokensCount(t *testing.T) {
	reply := map[string]any{
		"id": "msg_1", "type": "message", "role": "assistant", "model": "m", "stop_reason": "end_turn",
		"content": []any{map[string]any{"type": "text", "text": mustJSON(t, goodAnalysis())}},
		"usage":   map[string]any{"input_tokens": 10, "cache_creation_input_tokens": 100, "cache_read_input_tokens": 1000, "output_tokens": 7},
	}
	s := server(t, http.StatusOK, mustJSON(t, reply))
	var calls callLog
	p, req := plannerAt(t, llm.ProviderAnthropic, s.URL, calls.record)
	if _, err := p.Analyze(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if c := calls.all(); len(c) != 1 || c[0].InputTokens != 1110 || c[0].OutputTokens != 7 {
		t.Errorf("calls %+v", c)
	}
}

// The API path joins the base URL's own path, with or without a slash.
func TestBaseURLPaths(t *testing.T) {
	for _, tc := range []struct{ provider, base, path string }{
		{llm.ProviderOpenAI, "/v1/", llmfake.PathChatCompletions},
		{llm.ProviderOpenAI, "/v1", llmfake.PathChatCompletions},
		{llm.ProviderAnthropic, "/", llmfake.PathMessages},
		{llm.ProviderAnthropic, "", llmfake.PathMessages},
	} {
		fake := llmfake.New(t, llmfake.Options{Respond: good})
		p, req := plannerAt(t, tc.provider, fake.URL()+tc.base, nil)
		if _, err := p.Analyze(context.Background(), req); err != nil || fake.Count(tc.path) != 1 {
			t.Errorf("%s at %q: err %v, %d requests on %s", tc.provider, tc.base, err, fake.Count(tc.path), tc.path)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
