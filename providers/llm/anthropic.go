package llm

import (
	"context"
	"errors"
	"strings"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"
)

// anthropicBackend speaks the Anthropic Messages API.
type anthropicBackend struct {
	messages  anthropic.MessageService
	model     string
	maxTokens int
}

func newAnthropicPlanner(cfg Config) (*modelPlanner, error) {
	base := cfg.BaseURL
	if base == "" {
		base = anthropicOfficialURL
	}
	client := anthropic.NewClient(
		// Nothing from the environment: no ANTHROPIC_API_KEY, no
		// ANTHROPIC_BASE_URL, no profile on disk. marcus passes all of it.
		option.WithoutEnvironmentDefaults(),
		option.WithBaseURL(base),
		option.WithAPIKey(cfg.APIKey),
		option.WithHTTPClient(cfg.HTTPClient),
		// marcus retries, and records, every attempt itself.
		option.WithMaxRetries(0),
		// The per-call context bounds the call; this also keeps the SDK from
		// refusing a large max_tokens without streaming.
		option.WithRequestTimeout(cfg.Timeout),
	)
	return &modelPlanner{
		provider: ProviderAnthropic,
		model:    cfg.Model,
		baseURL:  base,
		keyHint:  anthropicKeyHint,
		cfg:      cfg,
		backend:  &anthropicBackend{messages: client.Messages, model: cfg.Model, maxTokens: cfg.MaxTokens},
	}, nil
}

func (b *anthropicBackend) chat(ctx context.Context, system string, msgs []chatMessage) (chatReply, error) {
	params := anthropic.MessageNewParams{
		Model:     b.model,
		MaxTokens: int64(b.maxTokens),
		System:    []anthropic.TextBlockParam{{Text: system}},
		Messages:  make([]anthropic.MessageParam, 0, len(msgs)),
	}
	for _, m := range msgs {
		block := anthropic.NewTextBlock(m.Text)
		if m.Role == roleAssistant {
			params.Messages = append(params.Messages, anthropic.NewAssistantMessage(block))
		} else {
			params.Messages = append(params.Messages, anthropic.NewUserMessage(block))
		}
	}
	res, err := b.messages.New(ctx, params)
	if err != nil {
		return chatReply{}, err
	}
	var text strings.Builder
	for _, c := range res.Content {
		if c.Type == "text" {
			text.WriteString(c.Text)
		}
	}
	rep := chatReply{
		Text:         text.String(),
		InputTokens:  int(res.Usage.InputTokens + res.Usage.CacheCreationInputTokens + res.Usage.CacheReadInputTokens),
		OutputTokens: int(res.Usage.OutputTokens),
		Truncated:    res.StopReason == anthropic.StopReasonMaxTokens || res.StopReason == anthropic.StopReasonModelContextWindowExceeded,
	}
	if res.StopReason == anthropic.StopReasonRefusal {
		rep.Refusal = "stop_reason refusal"
		if t := strings.TrimSpace(rep.Text); t != "" {
			rep.Refusal = t
		}
	}
	return rep, nil
}

func (b *anthropicBackend) failure(err error) (apiFailure, bool) {
	var ae *anthropic.Error
	if !errors.As(err, &ae) {
		return apiFailure{}, false
	}
	f := apiFailure{Status: ae.StatusCode, Message: ae.Message}
	if ae.Response != nil {
		f.Header = ae.Response.Header
	}
	return f, true
}
