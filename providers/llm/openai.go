package llm

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"
)

// openAIPlaceholderKey is sent to OpenAI-compatible servers that need no
// key (Ollama, vLLM): the SDK always sends an Authorization header.
const openAIPlaceholderKey = "marcus-no-key"

// openAIBackend speaks the chat completions API of OpenAI and of the servers
// that copy it.
type openAIBackend struct {
	completions openai.ChatCompletionService
	model       string
	maxTokens   int
	// official: api.openai.com, which wants max_completion_tokens; other
	// servers know max_tokens.
	official bool
	// jsonMode asks for response_format json_object until a server rejects
	// it. The parser never relies on it.
	jsonMode atomic.Bool
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
	// The chat completions service is built on its own, not through
	// openai.NewClient, because NewClient folds in OPENAI_* environment
	// variables (base URL, key, organization, project, custom headers).
	b := &openAIBackend{
		completions: openai.NewChatCompletionService(
			option.WithBaseURL(base),
			option.WithAPIKey(key),
			option.WithHTTPClient(cfg.HTTPClient),
			// marcus retries, and records, every attempt itself.
			option.WithMaxRetries(0),
		),
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
	params := openai.ChatCompletionNewParams{
		Model:    b.model,
		Messages: make([]openai.ChatCompletionMessageParamUnion, 0, len(msgs)+1),
	}
	params.Messages = append(params.Messages, openai.SystemMessage(system))
	for _, m := range msgs {
		if m.Role == roleAssistant {
			params.Messages = append(params.Messages, openai.AssistantMessage(m.Text))
		} else {
			params.Messages = append(params.Messages, openai.UserMessage(m.Text))
		}
	}
	if b.official {
		params.MaxCompletionTokens = openai.Int(int64(b.maxTokens))
	} else {
		params.MaxTokens = openai.Int(int64(b.maxTokens))
	}
	jsonMode := b.jsonMode.Load()
	if jsonMode {
		params.ResponseFormat.OfJSONObject = &shared.ResponseFormatJSONObjectParam{}
	}
	res, err := b.completions.New(ctx, params)
	if err != nil {
		if jsonMode && rejectsJSONMode(err) {
			b.jsonMode.Store(false)
			return chatReply{}, &errJSONModeRejected{err: err}
		}
		return chatReply{}, err
	}
	rep := chatReply{
		InputTokens:  int(res.Usage.PromptTokens),
		OutputTokens: int(res.Usage.CompletionTokens),
	}
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
	var oe *openai.Error
	if !errors.As(err, &oe) || oe.StatusCode != http.StatusBadRequest {
		return false
	}
	text := strings.ToLower(oe.Message + " " + oe.Param + " " + oe.RawJSON())
	return strings.Contains(text, "response_format") || strings.Contains(text, "json_object")
}

func (b *openAIBackend) failure(err error) (apiFailure, bool) {
	var oe *openai.Error
	if !errors.As(err, &oe) {
		return apiFailure{}, false
	}
	f := apiFailure{Status: oe.StatusCode, Message: oe.Message}
	if oe.Response != nil {
		f.Header = oe.Response.Header
	}
	var jm *errJSONModeRejected
	f.RetryNow = errors.As(err, &jm)
	return f, true
}
