package llm_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"marcus/core"
	"marcus/providers/llm"
)

func TestNewPicksThePlanner(t *testing.T) {
	for _, tc := range []struct {
		cfg  llm.Config
		name string
	}{
		{llm.Config{Provider: "anthropic", APIKey: "k"}, "anthropic/" + llm.DefaultAnthropicModel},
		{llm.Config{Provider: "Anthropic", APIKey: "k", Model: " claude-x "}, "anthropic/claude-x"},
		{llm.Config{Provider: "openai", APIKey: "k"}, "openai/" + llm.DefaultOpenAIModel},
		{llm.Config{Provider: "openai", BaseURL: "http://localhost:11434/v1", Model: "llama3.2"}, "openai/llama3.2"},
		{llm.Config{Provider: "openai", BaseURL: "https://openrouter.ai/api/v1", APIKey: "k", Model: "x/y"}, "openai/x/y"},
	} {
		p, err := llm.New(tc.cfg)
		if err != nil {
			t.Errorf("New(%+v): %v", tc.cfg, err)
			continue
		}
		if p.Name() != tc.name {
			t.Errorf("New(%+v).Name() = %q, want %q", tc.cfg, p.Name(), tc.name)
		}
	}
}

func TestNewRefusesIncompleteConfig(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cfg   llm.Config
		wants []string
	}{
		{"anthropic without key", llm.Config{Provider: "anthropic"},
			[]string{"the anthropic planner needs an API key: set CLAUDE_API_KEY or llm.anthropic_api_key in the config file"}},
		{"anthropic blank key", llm.Config{Provider: "anthropic", APIKey: "  "}, []string{"CLAUDE_API_KEY"}},
		{"openai without key or URL", llm.Config{Provider: "openai"}, []string{"needs an API key", "OPENAI_API_KEY", "llm.openai_api_key", "llm.base_url"}},
		{"openai URL without model", llm.Config{Provider: "openai", BaseURL: "http://localhost:11434/v1"},
			[]string{"needs a model", "MARCUS_LLM_MODEL", "llm.model", "http://localhost:11434/v1"}},
		{"unknown provider", llm.Config{Provider: "gemini"}, []string{`"gemini"`, "offline, anthropic or openai"}},
		{"offline is not a model", llm.Config{Provider: " Offline "}, []string{"package offline"}},
		{"no provider", llm.Config{}, []string{"package offline"}},
		{"URL not http", llm.Config{Provider: "openai", BaseURL: "ftp://host/v1", Model: "m"}, []string{"not an http(s) URL", "llm.base_url"}},
		{"URL without host", llm.Config{Provider: "anthropic", APIKey: "k", BaseURL: "http://"}, []string{"not an http(s) URL"}},
		{"URL relative", llm.Config{Provider: "anthropic", APIKey: "k", BaseURL: "localhost:8080"}, []string{"llm.base_url"}},
		{"URL unparsable", llm.Config{Provider: "anthropic", APIKey: "k", BaseURL: "http://[::1"}, []string{"does not parse"}},
		{"negative timeout", llm.Config{Provider: "anthropic", APIKey: "k", Timeout: -time.Second}, []string{"llm.timeout"}},
		{"negative max tokens", llm.Config{Provider: "openai", APIKey: "k", MaxTokens: -1}, []string{"llm.max_tokens"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := llm.New(tc.cfg)
			if err == nil {
				t.Fatalf("New gave %s, want an error", p.Name())
			}
			if !errors.Is(err, core.ErrInvalid) {
				t.Errorf("err %v is not ErrInvalid", err)
			}
			for _, want := range tc.wants {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
		})
	}
}

// captureTransport notes each request and fails it, so no request leaves
// the machine.
type captureTransport struct {
	mu   sync.Mutex
	reqs []*http.Request
	body []string
}

func (c *captureTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	var b []byte
	if r.Body != nil {
		b, _ = io.ReadAll(r.Body)
		_ = r.Body.Close()
	}
	c.mu.Lock()
	c.reqs = append(c.reqs, r)
	c.body = append(c.body, string(b))
	c.mu.Unlock()
	return nil, errors.New("captureTransport: offline")
}

func TestOfficialEndpointsByDefault(t *testing.T) {
	t.Setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")
	t.Setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
	for _, tc := range []struct{ provider, url, tokens string }{
		{llm.ProviderAnthropic, "https://api.anthropic.com/v1/messages", `"max_tokens":8192`},
		{llm.ProviderOpenAI, "https://api.openai.com/v1/chat/completions", `"max_completion_tokens":8192`},
	} {
		ct := &captureTransport{}
		p, err := llm.New(llm.Config{Provider: tc.provider, APIKey: "k", MaxRetries: -1, HTTPClient: &http.Client{Transport: ct}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Analyze(context.Background(), core.PlanRequest{Description: "x"})
		if err == nil || !strings.Contains(err.Error(), "cannot reach") {
			t.Errorf("%s: err = %v", tc.provider, err)
		}
		if len(ct.reqs) != 1 || ct.reqs[0].URL.String() != tc.url {
			t.Fatalf("%s: requests %v, want one to %s", tc.provider, ct.reqs, tc.url)
		}
		if !strings.Contains(ct.body[0], tc.tokens) {
			t.Errorf("%s: body lacks %s: %s", tc.provider, tc.tokens, ct.body[0])
		}
	}
}
