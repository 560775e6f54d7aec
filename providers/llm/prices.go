package llm

import "strings"

// listPrices are US dollars per million input and output tokens, by model
// family, longest match first. They are estimates for the cost log, as
// published when this release was made; set llm.input_price and
// llm.output_price for exact figures, or for a model not listed.
var listPrices = []struct {
	prefix    string
	in, out   float64
	provider  string
	substring bool
}{
	{prefix: "claude-opus-4-1", in: 15, out: 75, provider: ProviderAnthropic},
	{prefix: "claude-opus-4-0", in: 15, out: 75, provider: ProviderAnthropic},
	{prefix: "claude-opus", in: 5, out: 25, provider: ProviderAnthropic},
	{prefix: "claude-sonnet", in: 3, out: 15, provider: ProviderAnthropic},
	{prefix: "claude-3-7-sonnet", in: 3, out: 15, provider: ProviderAnthropic},
	{prefix: "claude-3-5-sonnet", in: 3, out: 15, provider: ProviderAnthropic},
	{prefix: "claude-3-5-haiku", in: 0.8, out: 4, provider: ProviderAnthropic},
	{prefix: "claude-haiku", in: 1, out: 5, provider: ProviderAnthropic},
	{prefix: "gpt-4o-mini", in: 0.15, out: 0.6, provider: ProviderOpenAI},
	{prefix: "gpt-4o", in: 2.5, out: 10, provider: ProviderOpenAI},
	{prefix: "gpt-4.1-nano", in: 0.1, out: 0.4, provider: ProviderOpenAI},
	{prefix: "gpt-4.1-mini", in: 0.4, out: 1.6, provider: ProviderOpenAI},
	{prefix: "gpt-4.1", in: 2, out: 8, provider: ProviderOpenAI},
	{prefix: "gpt-5-nano", in: 0.05, out: 0.4, provider: ProviderOpenAI},
	{prefix: "gpt-5-mini", in: 0.25, out: 2, provider: ProviderOpenAI},
	{prefix: "gpt-5", in: 1.25, out: 10, provider: ProviderOpenAI},
}

// Price returns the list price of a model in dollars per million input and
// output tokens, and whether marcus knows it. A newer model of a known
// family ("claude-sonnet-…", "gpt-5.x-mini") takes its family's price; a
// model behind a custom base URL (Ollama, vLLM) is unknown.
func Price(provider, model string) (in, out float64, ok bool) {
	m := strings.ToLower(strings.TrimSpace(model))
	// gpt-5.4-mini and the like: a point release of a family.
	if strings.HasPrefix(m, "gpt-5.") {
		switch {
		case strings.Contains(m, "nano"):
			m = "gpt-5-nano"
		case strings.Contains(m, "mini"):
			m = "gpt-5-mini"
		default:
			m = "gpt-5"
		}
	}
	for _, p := range listPrices {
		if p.provider == provider && strings.HasPrefix(m, p.prefix) {
			return p.in, p.out, true
		}
	}
	return 0, 0, false
}

// cost is what a call's tokens cost, in dollars: the configured prices,
// else the list price of an official endpoint's model, else 0.
func (p *modelPlanner) cost(in, out int) float64 {
	pin, pout := p.cfg.InputPrice, p.cfg.OutputPrice
	if pin == 0 && pout == 0 {
		if p.cfg.BaseURL != "" && !officialURL(p.cfg.BaseURL) {
			return 0 // a local or third-party server: its prices are not ours to guess
		}
		pin, pout, _ = Price(p.provider, p.model)
	}
	return (float64(in)*pin + float64(out)*pout) / 1e6
}

func officialURL(u string) bool {
	u = strings.ToLower(u)
	return strings.Contains(u, "api.anthropic.com") || strings.Contains(u, "api.openai.com")
}
