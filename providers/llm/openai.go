package llm

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
)

// openAIPlaceholderKey is sent to OpenAI-compatible servers that need no
// key (Ollama, vLLM): some of them refuse a request without any
// Authorization header.
const openAIPlaceholderKey = "marcus-no-key"

// openAIBackend speaks the chat completions API of OpenAI and of the servers
// that copy it: one POST to <base>/chat/completions per chat.
type openAIBackend struct {
	client    *http.Client
	url       string
	header    http.Header
	model     string
	maxTokens int
	// official: api.openai.com, which wants max_completion_tokens; other
	// servers know max_tokens.
	official bool
	// jsonMode asks for response_format json_object until a server rejects
	// it. The parser never relies on it.
	jsonMode atomic.Bool
}

type openAIMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type openAIFormat struct {
	Type string `json:"type"`
}

type openAIRequest struct {
	Model               string          `json:"model"`
	Messages            []openAIMessage `json:"messages"`
	MaxTokens           int             `json:"max_tokens,omitempty"`
	MaxCompletionTokens int             `json:"max_completion_tokens,omitempty"`
	ResponseFormat      *openAIFormat   `json:"response_format,omitempty"`
}

type openAIResponse struct {
	Choices []struct {
		FinishReason string `json:"finish_reason"`
		Message      struct {
			Content string `json:"content"`
			// Refusal is null, absent or the model's reason for declining.
			Refusal string `json:"refusal"`
		} `json:"message"`
	} `json:"choices"`
	Usage struct {
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
	} `json:"usage"`
}

// errJSONModeRejected marks a 400 caused by response_format: the backend
// has switched JSON mode off, so the same call is worth repeating at once.
type errJSONModeRejected struct{ err error }

func (e *errJSONModeRejected) Error() string {
	return "the server does not support response_format json_object; retrying without it: " + e.err.Error()
}

func (e *errJSONModeRejected) Unwrap() error { return e.err }

func newOpenAIPlanner(cfg Config) (*modelPlanner, error) {
	base, key := cfg.BaseURL, cfg.APIKey
	if base == "" {
		base = openAIOfficialURL
	}
	if key == "" {
		key = openAIPlaceholderKey
	}
	target, err := endpoint(base, "chat/completions")
	if err != nil {
		return nil, err
	}
	// The key and the endpoint come from cfg only: nothing is read from
	// OPENAI_BASE_URL, OPENAI_ORG_ID, OPENAI_PROJECT_ID or the like.
	header := http.Header{}
	header.Set("Authorization", "Bearer "+key)
	b := &openAIBackend{
		client:    cfg.HTTPClient,
		url:       target,
		header:    header,
		model:     cfg.Model,
		maxTokens: cfg.MaxTokens,
		official:  cfg.BaseURL == "" || strings.Contains(base, "api.openai.com"),
	}
	b.jsonMode.Store(true)
	return &modelPlanner{
		provider: ProviderOpenAI,
		model:    cfg.Model,
		baseURL:  base,
		keyHint:  openAIKeyHint,
		cfg:      cfg,
		backend:  b,
	}, nil
}

func (b *openAIBackend) chat(ctx context.Context, system string, msgs []chatMessage) (chatReply, error) {
	req := openAIRequest{Model: b.model, Messages: make([]openAIMessage, 0, len(msgs)+1)}
	req.Messages = append(req.Messages, openAIMessage{Role: "system", Content: system})
	for _, m := range msgs {
		req.Messages = append(req.Messages, openAIMessage{Role: m.Role, Content: m.Text})
	}
	if b.official {
		req.MaxCompletionTokens = b.maxTokens
	} else {
		req.MaxTokens = b.maxTokens
	}
	jsonMode := b.jsonMode.Load()
	if jsonMode {
		req.ResponseFormat = &openAIFormat{Type: "json_object"}
	}
	var res openAIResponse
	if err := postJSON(ctx, b.client, b.url, b.header, req, &res); err != nil {
		if jsonMode && rejectsJSONMode(err) {
			b.jsonMode.Store(false)
			return chatReply{}, &errJSONModeRejected{err: err}
		}
		return chatReply{}, err
	}
	rep := chatReply{InputTokens: res.Usage.PromptTokens, OutputTokens: res.Usage.CompletionTokens}
	if len(res.Choices) == 0 {
		return rep, nil
	}
	ch := res.Choices[0]
	rep.Text = ch.Message.Content
	rep.Truncated = ch.FinishReason == "length"
	switch {
	case strings.TrimSpace(ch.Message.Refusal) != "":
		rep.Refusal = ch.Message.Refusal
	case ch.FinishReason == "content_filter":
		rep.Refusal = "finish_reason content_filter"
	}
	return rep, nil
}

// rejectsJSONMode reports a 400 that blames response_format.
func rejectsJSONMode(err error) bool {
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest {
		return false
	}
	text := strings.ToLower(ae.Message + " " + ae.Param + " " + ae.Body)
	return strings.Contains(text, "response_format") || strings.Contains(text, "json_object")
}

func (b *openAIBackend) failure(err error) (apiFailure, bool) {
	var ae *apiError
	if !errors.As(err, &ae) {
		return apiFailure{}, false
	}
	var jm *errJSONModeRejected
	return apiFailure{Status: ae.Status, Header: ae.Header, Message: ae.Message, RetryNow: errors.As(err, &jm)}, true
}
