package llm

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"marcus/core"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header map[string]string
		want   time.Duration
		ok     bool
	}{
		{"absent", nil, 0, false},
		{"seconds", map[string]string{"Retry-After": "2"}, 2 * time.Second, true},
		{"fraction", map[string]string{"Retry-After": "1.5"}, 1500 * time.Millisecond, true},
		{"zero", map[string]string{"Retry-After": "0"}, 0, true},
		{"capped", map[string]string{"Retry-After": "3600"}, retryAfterCap, true},
		{"huge", map[string]string{"Retry-After": "1e300"}, retryAfterCap, true},
		{"negative", map[string]string{"Retry-After": "-4"}, 0, false},
		{"date", map[string]string{"Retry-After": now.Add(7 * time.Second).Format(http.TimeFormat)}, 7 * time.Second, true},
		{"date past", map[string]string{"Retry-After": now.Add(-time.Hour).Format(http.TimeFormat)}, 0, true},
		{"date far", map[string]string{"Retry-After": now.Add(time.Hour).Format(http.TimeFormat)}, retryAfterCap, true},
		{"garbage", map[string]string{"Retry-After": "soon"}, 0, false},
		{"ms", map[string]string{"Retry-After-Ms": "250", "Retry-After": "9"}, 250 * time.Millisecond, true},
		{"ms garbage falls back", map[string]string{"Retry-After-Ms": "x", "Retry-After": "3"}, 3 * time.Second, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tc.header {
				h.Set(k, v)
			}
			got, ok := parseRetryAfter(h, now)
			if got != tc.want || ok != tc.ok {
				t.Fatalf("got %v %v, want %v %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestRetryBackoff(t *testing.T) {
	for failures, ceiling := range map[int]time.Duration{
		1: 500 * time.Millisecond, 2: time.Second, 3: 2 * time.Second, 4: 4 * time.Second,
		5: 8 * time.Second, 6: 10 * time.Second, 40: 10 * time.Second,
	} {
		for range 50 {
			d := retryBackoff(failures)
			if d < ceiling/2 || d > ceiling {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", failures, d, ceiling/2, ceiling)
			}
		}
	}
}

func TestRetryDelayHonoursServer(t *testing.T) {
	if d := retryDelay(failedAttempt{hasWait: true, wait: 2 * time.Second}, 3); d != 2*time.Second {
		t.Errorf("delay = %v, want the server's 2s", d)
	}
	if d := retryDelay(failedAttempt{hasWait: true, wait: time.Hour}, 1); d != retryAfterCap {
		t.Errorf("delay = %v, want the cap", d)
	}
}

func TestPromptsCarryRequest(t *testing.T) {
	req := core.PlanRequest{
		Description: "A recipe site.\nWith search.", Name: "Recipes", Complexity: core.Enterprise,
		MaxTasks: 40, TeamSize: 5, Existing: []core.PlanTask{{Name: "Scaffold repo"}, {Name: "Auth:\nlogin"}},
	}
	a := analyzeUserPrompt(req)
	for _, want := range []string{"enterprise", "40 tasks", "5 agents", "Recipes", "A recipe site.\nWith search.", "- Scaffold repo", "- Auth: login"} {
		if !strings.Contains(a, want) {
			t.Errorf("analyze prompt lacks %q:\n%s", want, a)
		}
	}
	an := core.Analysis{Name: "Recipes", Kind: "web app", Features: []core.Feature{{Name: "Auth"}, {Name: "Search\nand filter"}},
		Foundation: []core.PlanTask{{Name: "Scaffold"}}, Closing: []core.PlanTask{{Name: "Docs"}}}
	e := expandUserPrompt(req, an, an.Features[1])
	for _, want := range []string{markerFeature + "Search and filter\n", "19 tasks", `"Auth"`, `"Scaffold"`, "- Scaffold repo", "web app"} {
		if !strings.Contains(e, want) {
			t.Errorf("expand prompt lacks %q:\n%s", want, e)
		}
	}
	if !strings.HasPrefix(analyzeSystemPrompt, markerOperation+"analyze\n") || !strings.HasPrefix(expandSystemPrompt, markerOperation+"expand\n") {
		t.Error("system prompts must open with their marker line")
	}
	p := analyzeUserPrompt(core.PlanRequest{Description: "x", Complexity: core.Prototype})
	if !strings.Contains(p, "prototype") || strings.Contains(p, "Budget") || strings.Contains(p, "agents work") || strings.Contains(p, "existing") {
		t.Errorf("minimal prompt:\n%s", p)
	}
}
