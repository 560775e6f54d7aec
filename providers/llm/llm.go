package llm

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"marcus/core"
)

// Provider names accepted by New. The offline planner, the default, is
// package offline's.
const (
	ProviderAnthropic = "anthropic"
	ProviderOpenAI    = "openai"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultTimeout    = 90 * time.Second
	DefaultMaxRetries = 3
	DefaultMaxTokens  = 8192
)

// Default models: a current Claude Sonnet and a current small GPT.
const (
	DefaultAnthropicModel = "claude-sonnet-5-5"
	DefaultOpenAIModel    = "gpt-5.4-mini"
)

// Official endpoints, used when Config.BaseURL is empty. marcus never reads
// ANTHROPIC_BASE_URL or OPENAI_BASE_URL, so the environment cannot
// redirect it silently.
const (
	anthropicOfficialURL = "https://api.anthropic.com"
	openAIOfficialURL    = "https://api.openai.com/v1"
)

// Where a person sets each value; errors name these so they say what to do.
const (
	anthropicKeyHint = "CLAUDE_API_KEY / llm.anthropic_api_key"
	openAIKeyHint    = "OPENAI_API_KEY / llm.openai_api_key"
	modelHint        = "MARCUS_LLM_MODEL / llm.model"
	baseURLHint      = "MARCUS_LLM_BASE_URL / llm.base_url"
	maxTokensHint    = "llm.max_tokens"
	timeoutHint      = "llm.timeout"
)

// Config selects and tunes a model planner. Each needs a key
// (OpenAI-compatible servers with a BaseURL need a Model instead).
//
// Credentials and endpoints come only from here: ANTHROPIC_API_KEY,
// ANTHROPIC_BASE_URL, OPENAI_API_KEY, OPENAI_BASE_URL and the like are
// never read.
type Config struct {
	// Provider is "anthropic" or "openai".
	Provider string
	// Model names the model; "" picks DefaultAnthropicModel or
	// DefaultOpenAIModel (required when an OpenAI-compatible BaseURL is set).
	Model string
	// BaseURL overrides the official endpoint, e.g. "http://localhost:11434/v1"
	// for Ollama. It must be an http or https URL.
	BaseURL string
	// APIKey authenticates with the provider.
	APIKey string
	// Timeout bounds each call to the model (default 90s).
	Timeout time.Duration
	// MaxRetries is how many times a failed call is retried after the first
	// attempt (0: default 3; negative: never retry, so a configured
	// llm.max_retries of 0 is passed as -1).
	MaxRetries int
	// MaxTokens caps the length of each reply (default 8192).
	MaxTokens int
	// HTTPClient carries the calls (nil: a client of marcus's own).
	HTTPClient *http.Client
	// InputPrice and OutputPrice are the model's prices in US dollars per
	// million tokens, for the cost log; 0 uses the built-in list prices
	// (see Price), and a model missing from that list costs $0.
	InputPrice, OutputPrice float64
	// Wait sleeps between attempts and returns early with ctx's error when
	// ctx ends (nil: a real timer). Tests inject one to observe the waits.
	Wait func(ctx context.Context, d time.Duration) error
}

// New returns the model planner cfg selects. It never falls back
// silently: a provider without what it needs is an error that names the
// setting to fix.
func New(cfg Config) (core.Planner, error) {
	provider := strings.ToLower(strings.TrimSpace(cfg.Provider))
	switch provider {
	case "", "offline":
		return nil, core.Errorf(core.ErrInvalid, "the offline planner is built by package offline, not llm.New")
	case ProviderAnthropic, ProviderOpenAI:
	default:
		return nil, core.Errorf(core.ErrInvalid,
			"unknown planner provider %q: use offline, anthropic or openai (llm.provider)", cfg.Provider)
	}
	cfg.Provider = provider
	if err := normalizeConfig(&cfg); err != nil {
		return nil, err
	}
	if provider == ProviderAnthropic {
		return newAnthropicPlanner(cfg)
	}
	return newOpenAIPlanner(cfg)
}

// normalizeConfig trims cfg, checks it and fills in the defaults.
func normalizeConfig(cfg *Config) error {
	cfg.Model = strings.TrimSpace(cfg.Model)
	cfg.BaseURL = strings.TrimSpace(cfg.BaseURL)
	cfg.APIKey = strings.TrimSpace(cfg.APIKey)
	if err := checkBaseURL(cfg.BaseURL); err != nil {
		return err
	}
	if err := checkProviderNeeds(cfg); err != nil {
		return err
	}
	switch {
	case cfg.Timeout < 0:
		return core.Errorf(core.ErrInvalid, "the planner timeout %s is negative: set %s to a duration such as 90s", cfg.Timeout, timeoutHint)
	case cfg.Timeout == 0:
		cfg.Timeout = DefaultTimeout
	}
	switch {
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = DefaultMaxRetries
	}
	switch {
	case cfg.MaxTokens < 0:
		return core.Errorf(core.ErrInvalid, "max tokens %d is negative: set %s to a positive number such as %d", cfg.MaxTokens, maxTokensHint, DefaultMaxTokens)
	case cfg.MaxTokens == 0:
		cfg.MaxTokens = DefaultMaxTokens
	}
	if cfg.Wait == nil {
		cfg.Wait = waitTimer
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	return nil
}

func checkProviderNeeds(cfg *Config) error {
	switch cfg.Provider {
	case ProviderAnthropic:
		if cfg.APIKey == "" {
			return core.Errorf(core.ErrInvalid, "the anthropic planner needs an API key: set CLAUDE_API_KEY or llm.anthropic_api_key in the config file")
		}
		if cfg.Model == "" {
			cfg.Model = DefaultAnthropicModel
		}
	case ProviderOpenAI:
		if cfg.BaseURL == "" {
			if cfg.APIKey == "" {
				return core.Errorf(core.ErrInvalid,
					"the openai planner needs an API key: set OPENAI_API_KEY or llm.openai_api_key in the config file "+
						"(a local OpenAI-compatible server such as Ollama needs no key, but its URL in %s and a model in %s)",
					baseURLHint, modelHint)
			}
			if cfg.Model == "" {
				cfg.Model = DefaultOpenAIModel
			}
			return nil
		}
		if cfg.Model == "" {
			return core.Errorf(core.ErrInvalid,
				"the openai planner with base URL %s needs a model name (the server decides which it serves): set %s",
				cfg.BaseURL, modelHint)
		}
	}
	return nil
}

func checkBaseURL(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return core.Wrap(core.ErrInvalid, err, "the planner base URL %q does not parse: set %s to a URL such as http://localhost:11434/v1", raw, baseURLHint)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return core.Errorf(core.ErrInvalid, "the planner base URL %q is not an http(s) URL: set %s to a URL such as http://localhost:11434/v1", raw, baseURLHint)
	}
	return nil
}

// waitTimer waits d or until ctx ends, whichever comes first.
func waitTimer(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
