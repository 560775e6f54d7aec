package llm_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"marcus/core"
	"marcus/providers/llm"
	"marcus/providers/llm/llmfake"
)

func TestRateLimitHonoursRetryAfter(t *testing.T) {
	for _, prov := range providers {
		t.Run(prov, func(t *testing.T) {
			h := setup(t, prov, firstThen(llmfake.Reply{Status: http.StatusTooManyRequests, RetryAfter: "2", Message: "slow down"}), nil)
			if _, err := h.analyze(t); err != nil {
				t.Fatal(err)
			}
			if w := h.waits.all(); len(w) != 1 || w[0] != 2*time.Second {
				t.Errorf("waits = %v, want [2s]", w)
			}
			calls := h.calls.all()
			if !equalStrings(h.calls.outcomes(), []string{core.OutcomeRateLimited, core.OutcomeOK}) || !strings.Contains(calls[0].Error, "slow down") {
				t.Errorf("calls = %+v", calls)
			}
		})
	}
}

func TestRateLimitWithoutRetryAfterBacksOff(t *testing.T) {
	h := setup(t, llm.ProviderOpenAI, firstThen(llmfake.Error(http.StatusTooManyRequests, "quota")), nil)
	if _, err := h.analyze(t); err != nil {
		t.Fatal(err)
	}
	if w := h.waits.all(); len(w) != 1 || w[0] < 250*time.Millisecond || w[0] > 500*time.Millisecond {
		t.Errorf("waits = %v, want one first backoff in [250ms, 500ms]", w)
	}
}

func TestServerErrorsThenSuccess(t *testing.T) {
	for _, prov := range providers {
		t.Run(prov, func(t *testing.T) {
			h := setup(t, prov, func(req llmfake.Request) llmfake.Reply {
				switch req.N {
				case 1:
					return llmfake.Error(http.StatusInternalServerError, "boom")
				case 2:
					if req.API == llmfake.APIAnthropic {
						return llmfake.Reply{Status: 529, ErrorType: "overloaded_error", Message: "Overloaded"}
					}
					return llmfake.Error(http.StatusServiceUnavailable, "busy")
				case 3:
					return llmfake.Error(http.StatusBadGateway, "")
				}
				return good(req)
			}, nil)
			if _, err := h.expand(t, "Accounts"); err != nil {
				t.Fatal(err)
			}
			want := []string{core.OutcomeServerError, core.OutcomeServerError, core.OutcomeServerError, core.OutcomeOK}
			if !equalStrings(h.calls.outcomes(), want) {
				t.Fatalf("outcomes = %v, want %v", h.calls.outcomes(), want)
			}
			waits := h.waits.all()
			if len(waits) != 3 {
				t.Fatalf("waits = %v, want 3", waits)
			}
			for i, w := range waits {
				ceiling := 500 * time.Millisecond << i
				if w < ceiling/2 || w > ceiling {
					t.Errorf("wait %d = %v, want within [%v, %v]", i+1, w, ceiling/2, ceiling)
				}
			}
		})
	}
}

func TestServerErrorForeverGivesUp(t *testing.T) {
	for _, prov := range providers {
		t.Run(prov, func(t *testing.T) {
			h := setup(t, prov, func(llmfake.Request) llmfake.Reply {
				return llmfake.Error(http.StatusInternalServerError, "still broken")
			}, func(c *llm.Config) { c.MaxRetries = 2 })
			_, err := h.analyze(t)
			if err == nil || !errors.Is(err, core.ErrUnavailable) {
				t.Fatalf("err = %v, want ErrUnavailable", err)
			}
			for _, want := range []string{"after 3 attempts", "still broken", "try again later"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			if n := h.fake.Count(pathOf(prov)); n != 3 {
				t.Errorf("%d requests, want MaxRetries+1 = 3", n)
			}
			if len(h.waits.all()) != 2 || len(h.calls.all()) != 3 {
				t.Errorf("waits %v, calls %v", h.waits.all(), h.calls.outcomes())
			}
		})
	}
}

func TestNoRetriesWhenNegative(t *testing.T) {
	h := setup(t, llm.ProviderAnthropic, func(llmfake.Request) llmfake.Reply {
		return llmfake.Error(http.StatusInternalServerError, "x")
	}, func(c *llm.Config) { c.MaxRetries = -1 })
	if _, err := h.analyze(t); err == nil {
		t.Fatal("want an error")
	}
	if n := h.fake.Count(llmfake.PathMessages); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestSlowResponseTimesOutAndRetries(t *testing.T) {
	for _, prov := range providers {
		t.Run(prov, func(t *testing.T) {
			h := setup(t, prov, firstThen(llmfake.Reply{Delay: 3 * time.Second}), func(c *llm.Config) { c.Timeout = 200 * time.Millisecond })
			start := time.Now()
			if _, err := h.analyze(t); err != nil {
				t.Fatal(err)
			}
			if el := time.Since(start); el > 2*time.Second {
				t.Errorf("took %v; the slow attempt should have been cut at 200ms", el)
			}
			calls := h.calls.all()
			if !equalStrings(h.calls.outcomes(), []string{core.OutcomeTimeout, core.OutcomeOK}) {
				t.Fatalf("outcomes = %v", h.calls.outcomes())
			}
			if l := calls[0].Latency; l < 200*time.Millisecond || l > time.Second {
				t.Errorf("timed-out attempt latency %v", l)
			}
			if !strings.Contains(calls[0].Error, "llm.timeout") {
				t.Errorf("timeout error %q should name llm.timeout", calls[0].Error)
			}
			waitIdle(t, h.fake)
		})
	}
}

func TestUnauthorizedIsNotRetried(t *testing.T) {
	for _, prov := range providers {
		t.Run(prov, func(t *testing.T) {
			h := setup(t, prov, good, func(c *llm.Config) { c.APIKey = "sk-wrong" })
			_, err := h.analyze(t)
			if err == nil || !errors.Is(err, core.ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			wants := []string{"refused the key", "401", "OPENAI_API_KEY / llm.openai_api_key"}
			if prov == llm.ProviderAnthropic {
				wants = []string{"refused the key", "401", "CLAUDE_API_KEY / llm.anthropic_api_key"}
			}
			for _, want := range wants {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			if n := h.fake.Count(pathOf(prov)); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
			if len(h.waits.all()) != 0 || !equalStrings(h.calls.outcomes(), []string{core.OutcomeRefused}) {
				t.Errorf("waits %v outcomes %v", h.waits.all(), h.calls.outcomes())
			}
		})
	}
}

func TestClientErrorsAreNotRetried(t *testing.T) {
	for _, prov := range providers {
		for _, tc := range []struct {
			status int
			wants  []string
		}{
			{http.StatusNotFound, []string{"404", `"test-model"`, "llm.model", "llm.base_url"}},
			{http.StatusBadRequest, []string{"400", "rejected the request", "max_tokens: too large"}},
			{http.StatusForbidden, []string{"403", "refused the key"}},
		} {
			t.Run(fmt.Sprintf("%s/%d", prov, tc.status), func(t *testing.T) {
				h := setup(t, prov, func(llmfake.Request) llmfake.Reply {
					return llmfake.Error(tc.status, "max_tokens: too large")
				}, nil)
				_, err := h.analyze(t)
				if err == nil || !errors.Is(err, core.ErrInvalid) {
					t.Fatalf("err = %v, want ErrInvalid", err)
				}
				for _, want := range tc.wants {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q lacks %q", err, want)
					}
				}
				if tc.status == http.StatusNotFound && !strings.Contains(err.Error(), h.fake.URL()) {
					t.Errorf("error %q should name the base URL", err)
				}
				if n := h.fake.Count(pathOf(prov)); n != 1 {
					t.Errorf("%d requests, want 1", n)
				}
			})
		}
	}
}

func TestCancelMidCall(t *testing.T) {
	for _, prov := range providers {
		t.Run(prov, func(t *testing.T) {
			h := setup(t, prov, func(llmfake.Request) llmfake.Reply { return llmfake.Reply{Delay: 10 * time.Second} }, nil)
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(100*time.Millisecond, cancel)
			start := time.Now()
			_, err := h.planner.Analyze(ctx, h.request())
			if el := time.Since(start); el > 2*time.Second {
				t.Errorf("returned after %v; cancellation should stop it at once", el)
			}
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
			if !equalStrings(h.calls.outcomes(), []string{core.OutcomeCanceled}) || len(h.waits.all()) != 0 {
				t.Errorf("outcomes %v waits %v", h.calls.outcomes(), h.waits.all())
			}
			waitIdle(t, h.fake)
		})
	}
}

func TestCancelDuringBackoff(t *testing.T) {
	// The real timer (Config.Wait nil) must give up when ctx ends.
	h := setup(t, llm.ProviderAnthropic, func(llmfake.Request) llmfake.Reply {
		return llmfake.Reply{Status: http.StatusTooManyRequests, RetryAfter: "30"}
	}, func(c *llm.Config) { c.Wait = nil })
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	_, err := h.planner.Analyze(ctx, h.request())
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("returned after %v, want promptly after cancel", el)
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := h.fake.Count(llmfake.PathMessages); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestParentDeadlineIsNotRetried(t *testing.T) {
	h := setup(t, llm.ProviderOpenAI, func(llmfake.Request) llmfake.Reply { return llmfake.Reply{Delay: 5 * time.Second} }, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	_, err := h.planner.Analyze(ctx, h.request())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	if !equalStrings(h.calls.outcomes(), []string{core.OutcomeCanceled}) || h.fake.Count(llmfake.PathChatCompletions) != 1 {
		t.Errorf("outcomes %v, %d requests", h.calls.outcomes(), h.fake.Count(llmfake.PathChatCompletions))
	}
	waitIdle(t, h.fake)
}

func TestNoGoroutineLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	for _, prov := range providers {
		h := setup(t, prov, func(req llmfake.Request) llmfake.Reply {
			switch req.N {
			case 1:
				return llmfake.Reply{Delay: 2 * time.Second} // times out
			case 2:
				return llmfake.Error(http.StatusInternalServerError, "x")
			}
			return good(req)
		}, func(c *llm.Config) { c.Timeout = 150 * time.Millisecond })
		if _, err := h.analyze(t); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := h.planner.Analyze(ctx, h.request()); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
		waitIdle(t, h.fake)
		h.client.CloseIdleConnections()
		h.fake.Close()
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= before {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestUnreachableServerIsRetried(t *testing.T) {
	// A listener that is closed at once leaves a port nobody answers on.
	fake := llmfake.New(nil, llmfake.Options{})
	url := fake.URL()
	fake.Close()
	calls, waits := &callLog{}, &waitLog{}
	p, err := llm.New(llm.Config{Provider: "anthropic", APIKey: "k", BaseURL: url, MaxRetries: 2, Wait: waits.wait})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Analyze(context.Background(), core.PlanRequest{Description: "x", Record: calls.record})
	if err == nil || !errors.Is(err, core.ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	for _, want := range []string{"cannot reach the anthropic API", url, "after 3 attempts"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if !equalStrings(calls.outcomes(), []string{core.OutcomeError, core.OutcomeError, core.OutcomeError}) || len(waits.all()) != 2 {
		t.Errorf("outcomes %v waits %v", calls.outcomes(), waits.all())
	}
}
