package llm

import "testing"

func TestPrice(t *testing.T) {
	for _, tc := range []struct {
		provider, model string
		in, out         float64
		ok              bool
	}{
		{ProviderAnthropic, "claude-sonnet-4-5-20250929", 3, 15, true},
		{ProviderAnthropic, DefaultAnthropicModel, 3, 15, true},
		{ProviderAnthropic, "claude-opus-4-1", 15, 75, true},
		{ProviderAnthropic, "claude-opus-4-5", 5, 25, true},
		{ProviderAnthropic, "claude-haiku-4-5", 1, 5, true},
		{ProviderOpenAI, "gpt-4o-mini", 0.15, 0.6, true},
		{ProviderOpenAI, "gpt-4o-2024-08-06", 2.5, 10, true},
		{ProviderOpenAI, DefaultOpenAIModel, 0.25, 2, true},
		{ProviderOpenAI, "gpt-5.2", 1.25, 10, true},
		{ProviderOpenAI, "llama3.1", 0, 0, false},
		{ProviderOpenAI, "claude-sonnet-4-5", 0, 0, false}, // wrong provider
	} {
		in, out, ok := Price(tc.provider, tc.model)
		if in != tc.in || out != tc.out || ok != tc.ok {
			t.Errorf("Price(%s, %s) = %g, %g, %v; want %g, %g, %v", tc.provider, tc.model, in, out, ok, tc.in, tc.out, tc.ok)
		}
	}
}

func TestCost(t *testing.T) {
	official := &modelPlanner{provider: ProviderAnthropic, model: "claude-sonnet-4-5"}
	if got := official.cost(1_000_000, 100_000); got != 3+1.5 {
		t.Errorf("official endpoint: $%g, want $4.5 from list prices", got)
	}
	local := &modelPlanner{provider: ProviderOpenAI, model: "gpt-4o", cfg: Config{BaseURL: "http://127.0.0.1:11434/v1"}}
	if got := local.cost(1_000_000, 1_000_000); got != 0 {
		t.Errorf("local server: $%g, want 0", got)
	}
	priced := &modelPlanner{provider: ProviderOpenAI, model: "llama3.1", cfg: Config{BaseURL: "http://127.0.0.1:8000/v1", InputPrice: 0.5, OutputPrice: 1}}
	if got := priced.cost(2_000_000, 1_000_000); got != 2 {
		t.Errorf("configured prices: $%g, want 2", got)
	}
}
