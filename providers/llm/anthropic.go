package llm

import (
	"context"
	"errors"
	"net/http"
	"strings"
)

// anthropicVersion is the Messages API version marcus speaks.
const anthropicVersion = "2026-10-21"

// Stop reasons of the Messages API that matter to marcus.
const (
	anthropicStopMaxTokens     = "max_tokens"
	anthropicStopContextWindow = "model_context_window_exceeded"
	anthropicStopRefusal       = "refusal"
)

// anthropicBackend speaks the Anthropic Messages API: one POST to
// /v1/messages per chat.
type anthropicBackend struct {
	client    *http.Client
	url       string
	header    http.Header
	model     string
	maxTokens int
}

// anthropicBlock is a content block; marcus sends and reads text blocks.
type anthropicBlock struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type anthropicTurn struct {
	Role    string           `json:"role"`
	Content []anthropicBlock `json:"content"`
}

type anthropicRequest struct {
	Model     string           `json:"model"`
	MaxTokens int              `json:"max_tokens"`
	System    []anthropicBlock `json:"system,omitempty"`
	Messages  []anthropicTurn  `json:"messages"`
}

type anthropicResponse struct {
	Content    []anthropicBlock `json:"content"`
	StopReason string           `json:"stop_reason"`
	Usage      struct {
		InputTokens              int `json:"input_tokens"`
		OutputTokens             int `json:"output_tokens"`
		CacheCreationInputTokens int `json:"cache_creation_input_tokens"`
		CacheReadInputTokens     int `json:"cache_read_input_tokens"`
	} `json:"usage"`
}

func newAnthropicPlanner(cfg Config) (*modelPlanner, error) {
	base := cfg.BaseURL
	if base == "" {
		base = anthropicOfficialURL
	}
	target, err := endpoint(base, "v1/messages")
	if err != nil {
		return nil, err
	}
	// The key and the endpoint come from cfg only: nothing is read from
	// ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL or the like.
	header := http.Header{}
	header.Set("Authorization", "Bearer "+cfg.APIKey)
	header.Set("Anthropic-Version", anthropicVersion)
	return &modelPlanner{
		provider: ProviderAnthropic,
		model:    cfg.Model,
		baseURL:  base,
		keyHint:  anthropicKeyHint,
		cfg:      cfg,
		backend: &anthropicBackend{client: cfg.HTTPClient, url: target, header: header,
			model: cfg.Model, maxTokens: cfg.MaxTokens},
	}, nil
}

func (b *anthropicBackend) chat(ctx context.Context, system string, msgs []chatMessage) (chatReply, error) {
	req := anthropicRequest{
		Model:     b.model,
		MaxTokens: b.maxTokens,
		System:    []anthropicBlock{{Type: "text", Text: system}},
		Messages:  make([]anthropicTurn, 0, len(msgs)),
	}
	for _, m := range msgs {
		req.Messages = append(req.Messages, anthropicTurn{Role: m.Role, Content: []anthropicBlock{{Type: "text", Text: m.Text}}})
	}
	var res anthropicResponse
	if err := postJSON(ctx, b.client, b.url, b.header, req, &res); err != nil {
		return chatReply{}, err
	}
	var text strings.Builder
	for _, c := range res.Content {
		if c.Type == "text" {
			text.WriteString(c.Text)
		}
	}
	u := res.Usage
	rep := chatReply{
		Text:         text.String(),
		InputTokens:  u.InputTokens + u.CacheCreationInputTokens + u.CacheReadInputTokens,
		OutputTokens: u.OutputTokens,
		Truncated:    res.StopReason == anthropicStopMaxTokens || res.StopReason == anthropicStopContextWindow,
	}
	if res.StopReason == anthropicStopRefusal {
		rep.Refusal = "stop_reason refusal"
		if t := strings.TrimSpace(rep.Text); t != "" {
			rep.Refusal = t
		}
	}
	return rep, nil
}

func (b *anthropicBackend) failure(err error) (apiFailure, bool) {
	var ae *apiError
	if !errors.As(err, &ae) {
		return apiFailure{}, false
	}
	return apiFailure{Status: ae.Status, Header: ae.Header, Message: ae.Message}, true
}
