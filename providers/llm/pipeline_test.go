package llm_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"marcus/core"
	"marcus/core/plan"
	"marcus/providers/llm"
	"marcus/providers/llm/llmfake"
	"marcus/store/sqlite"
)

// The creation pipeline end to end: a real planner speaking HTTP to a fake
// model on 127.0.0.1, the real SQLite store. Every case ends in a correct
// project or a clear error with no project and no task stored.

type pipe struct {
	t     *testing.T
	store *sqlite.Store
	coord *core.Coordinator
	plans *plan.Service
	fake  *llmfake.Server
	waits atomic.Int64 // total backoff asked for, in ms
}

func newPipe(t *testing.T, api string, latency time.Duration, respond func(llmfake.Request) llmfake.Reply, tweak ...func(*llm.Config)) (*pipe, core.Planner) {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "m.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	p := &pipe{t: t, store: s, coord: core.NewCoordinator(s), plans: plan.New(s)}
	p.fake = llmfake.New(t, llmfake.Options{Key: "k-test", Latency: latency, Respond: respond})
	cfg := llm.Config{Provider: api, APIKey: "k-test", Model: "test-model", Timeout: 5 * time.Second, MaxRetries: 3,
		Wait: func(ctx context.Context, d time.Duration) error {
			p.waits.Add(d.Milliseconds())
			return ctx.Err()
		}}
	if api == llm.ProviderAnthropic {
		cfg.BaseURL = p.fake.URL()
	} else {
		cfg.BaseURL = p.fake.OpenAIURL()
	}
	for _, f := range tweak {
		f(&cfg)
	}
	planner, err := llm.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p, planner
}

func analysis(features ...string) map[string]any {
	fs := make([]map[string]any, len(features))
	for i, f := range features {
		fs[i] = map[string]any{"name": f, "description": "the " + f, "priority": "high", "labels": []string{"backend"}}
	}
	return map[string]any{"name": "Shop", "summary": "a shop", "kind": "web app", "features": fs,
		"foundation": []map[string]any{{"name": "Set up repo", "phase": "design", "estimate_minutes": 30}},
		"closing": []map[string]any{{"name": "Integrate", "phase": "integrate"},
			{"name": "Write docs", "phase": "docs", "after": []string{"Integrate"}}}}
}

func tasksFor(f string) map[string]any {
	return map[string]any{"tasks": []map[string]any{
		{"name": "Design " + f, "phase": "design", "estimate_minutes": 20, "acceptance": []string{"agreed"}},
		{"name": "Build " + f, "phase": "implement", "estimate_minutes": "45", "after": []string{"Design " + f}},
		{"name": "Test " + f, "phase": "test", "after": []string{"Build " + f}},
	}}
}

// script answers analyze with features and expand with tasksFor, unless
// override answers first.
func script(features []string, override func(llmfake.Request) (llmfake.Reply, bool)) func(llmfake.Request) llmfake.Reply {
	return func(r llmfake.Request) llmfake.Reply {
		if override != nil {
			if rep, ok := override(r); ok {
				return rep
			}
		}
		if r.Operation == "analyze" {
			return llmfake.JSON(analysis(features...))
		}
		return llmfake.JSON(tasksFor(r.Feature))
	}
}

func (p *pipe) create(planner core.Planner, name string) (plan.Creation, error) {
	return p.plans.CreateProject(p.t.Context(), plan.CreateRequest{Description: "a shop with " + name, Name: name, Planner: planner})
}

func (p *pipe) nothingStored() {
	p.t.Helper()
	err := p.store.View(p.t.Context(), func(tx core.ReadTx) error {
		ps, err := tx.Projects()
		if len(ps) != 0 {
			p.t.Errorf("%d project(s) stored by a failed creation", len(ps))
		}
		return err
	})
	if err != nil {
		p.t.Fatal(err)
	}
}

func (p *pipe) calls() []core.LLMCall {
	var out []core.LLMCall
	if err := p.store.View(p.t.Context(), func(tx core.ReadTx) (err error) { out, err = tx.LLMCalls(""); return err }); err != nil {
		p.t.Fatal(err)
	}
	return out
}

func outcomes(calls []core.LLMCall) map[string]int {
	m := map[string]int{}
	for _, c := range calls {
		m[c.Outcome]++
	}
	return m
}

var apis = []string{llm.ProviderAnthropic, llm.ProviderOpenAI}

func TestPipelineGoodPlan(t *testing.T) {
	for _, api := range apis {
		t.Run(api, func(t *testing.T) {
			p, planner := newPipe(t, api, 0, script([]string{"Cart", "Checkout", "Search"}, nil))
			res, err := p.create(planner, "Good")
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Tasks) != 1+3*3+2 || res.RecommendedAgents != 3 {
				t.Errorf("%d tasks, %d agents; want 12 and 3", len(res.Tasks), res.RecommendedAgents)
			}
			if !strings.HasPrefix(res.Project.Planner, api+"/") {
				t.Errorf("planner %q", res.Project.Planner)
			}
			calls := p.calls()
			if len(calls) != 4 || outcomes(calls)[core.OutcomeOK] != 4 {
				t.Fatalf("calls %+v, want 4 ok", calls)
			}
			for _, c := range calls {
				if c.Project != res.Project.ID || c.InputTokens == 0 || c.OutputTokens == 0 || c.Provider != api {
					t.Errorf("call %+v lacks its project, tokens or provider", c)
				}
			}
		})
	}
}

func TestPipelineCycleRefused(t *testing.T) {
	for _, api := range apis {
		t.Run(api, func(t *testing.T) {
			p, planner := newPipe(t, api, 0, script([]string{"Cart", "Loop"}, func(r llmfake.Request) (llmfake.Reply, bool) {
				if r.Feature != "Loop" {
					return llmfake.Reply{}, false
				}
				return llmfake.JSON(map[string]any{"tasks": []map[string]any{
					{"name": "Loop A", "phase": "implement", "after": []string{"Loop B"}},
					{"name": "Loop B", "phase": "implement", "after": []string{"Loop A"}}}}), true
			}))
			_, err := p.create(planner, "Cyclic")
			if core.CodeOf(err) != core.ErrInvalid || !strings.Contains(err.Error(), `"Loop A"`) {
				t.Fatalf("err = %v, want a cycle naming its tasks", err)
			}
			p.nothingStored()
		})
	}
}

func TestPipelineMalformedThenGood(t *testing.T) {
	for _, api := range apis {
		t.Run(api, func(t *testing.T) {
			var once sync.Once
			p, planner := newPipe(t, api, 0, script([]string{"Cart"}, func(r llmfake.Request) (llmfake.Reply, bool) {
				bad := false
				if r.Feature == "Cart" {
					once.Do(func() { bad = true })
				}
				if bad {
					return llmfake.Text("Sure! Here are the tasks:\n```json\n{\"tasks\": [{\"name\": \"Design Cart\",,]}\n```"), true
				}
				return llmfake.Reply{}, false
			}))
			res, err := p.create(planner, "Fixed")
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Tasks) != 6 {
				t.Errorf("%d tasks", len(res.Tasks))
			}
			if o := outcomes(p.calls()); o[core.OutcomeBadOutput] != 1 || o[core.OutcomeOK] != 2 {
				t.Errorf("outcomes %v, want one bad output then success", o)
			}
		})
	}
}

func TestPipelineTruncatedTwiceRefused(t *testing.T) {
	for _, api := range apis {
		t.Run(api, func(t *testing.T) {
			p, planner := newPipe(t, api, 0, script([]string{"Cart", "Big"}, func(r llmfake.Request) (llmfake.Reply, bool) {
				if r.Feature == "Big" {
					return llmfake.Reply{Text: `{"tasks": [{"name": "Design Big", "description": "a very long`, Truncated: true}, true
				}
				return llmfake.Reply{}, false
			}))
			_, err := p.create(planner, "Truncated")
			if err == nil || !strings.Contains(err.Error(), "Big") {
				t.Fatalf("err = %v, want a refusal naming the feature", err)
			}
			p.nothingStored()
			if n := outcomes(p.calls())[core.OutcomeBadOutput]; n != 2 {
				t.Errorf("%d bad outputs recorded, want 2 (the answer and the one retry)", n)
			}
		})
	}
}

func TestPipelineRateLimitedHonoursRetryAfter(t *testing.T) {
	for _, api := range apis {
		t.Run(api, func(t *testing.T) {
			var first atomic.Bool
			p, planner := newPipe(t, api, 0, script([]string{"Cart"}, func(r llmfake.Request) (llmfake.Reply, bool) {
				if r.Operation == "analyze" && first.CompareAndSwap(false, true) {
					return llmfake.Reply{Status: 429, Message: "slow down", RetryAfter: "7"}, true
				}
				return llmfake.Reply{}, false
			}))
			if _, err := p.create(planner, "Limited"); err != nil {
				t.Fatal(err)
			}
			if w := p.waits.Load(); w != 7000 {
				t.Errorf("waited %d ms before retrying, want the 7 s Retry-After said", w)
			}
			if o := outcomes(p.calls()); o[core.OutcomeRateLimited] != 1 {
				t.Errorf("outcomes %v, want one rate_limited", o)
			}
		})
	}
}

func TestPipelineServerErrors(t *testing.T) {
	for _, api := range apis {
		t.Run(api, func(t *testing.T) {
			var fails atomic.Int32
			p, planner := newPipe(t, api, 0, script([]string{"Cart", "Down"}, func(r llmfake.Request) (llmfake.Reply, bool) {
				if r.Feature == "Down" {
					fails.Add(1)
					return llmfake.Error(500, "internal error"), true
				}
				return llmfake.Reply{}, false
			}))
			_, err := p.create(planner, "Broken")
			if err == nil || !strings.Contains(err.Error(), `"Down"`) {
				t.Fatalf("err = %v, want the failure naming the feature", err)
			}
			p.nothingStored()
			if n := fails.Load(); n != 4 {
				t.Errorf("%d attempts on the failing feature, want 1 + 3 retries", n)
			}
			calls := p.calls()
			if o := outcomes(calls); o[core.OutcomeServerError] != 4 {
				t.Errorf("outcomes %v, want 4 server errors kept in the cost log", o)
			}
			for _, c := range calls {
				if c.ProjectName != "Broken" {
					t.Errorf("a failed creation's call lost its name: %+v", c)
				}
			}
		})
	}
}

func TestPipelineSlowPastTimeout(t *testing.T) {
	for _, api := range apis {
		t.Run(api, func(t *testing.T) {
			var slow atomic.Int32
			p, planner := newPipe(t, api, 0, script([]string{"Cart"}, func(r llmfake.Request) (llmfake.Reply, bool) {
				if r.Feature == "Cart" && slow.Add(1) == 1 {
					return llmfake.Reply{Delay: 10 * time.Second}, true
				}
				return llmfake.Reply{}, false
			}), func(c *llm.Config) { c.Timeout = 300 * time.Millisecond })
			start := time.Now()
			if _, err := p.create(planner, "Slow"); err != nil {
				t.Fatal(err)
			}
			if time.Since(start) > 8*time.Second {
				t.Error("the slow call was not cut off at its timeout")
			}
			if o := outcomes(p.calls()); o[core.OutcomeTimeout] != 1 {
				t.Errorf("outcomes %v, want one timeout", o)
			}
		})
	}
}

func TestPipelineCancelStoresNothing(t *testing.T) {
	for _, api := range apis {
		t.Run(api, func(t *testing.T) {
			p, planner := newPipe(t, api, 0, script([]string{"A", "B", "C", "D"}, func(r llmfake.Request) (llmfake.Reply, bool) {
				if r.Operation == "expand" {
					return llmfake.Reply{Delay: time.Minute}, true
				}
				return llmfake.Reply{}, false
			}))
			ctx, cancel := context.WithCancel(t.Context())
			errc := make(chan error, 1)
			go func() {
				_, err := p.plans.CreateProject(ctx, plan.CreateRequest{Description: "d", Name: "Cancelled", Planner: planner})
				errc <- err
			}()
			for p.fake.InFlight() < 4 {
				time.Sleep(time.Millisecond)
			}
			cancel()
			select {
			case err := <-errc:
				if !errors.Is(err, context.Canceled) {
					t.Errorf("err = %v, want context.Canceled", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("cancel did not stop the creation")
			}
			p.nothingStored()
			deadline := time.Now().Add(5 * time.Second)
			for p.fake.InFlight() > 0 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			if n := p.fake.InFlight(); n != 0 {
				t.Errorf("%d requests still open after cancel", n)
			}
		})
	}
}

// BenchmarkCreate20Features plans a 20-feature project with a fake model
// that answers every call after 500 ms: the wall time with one feature call
// at a time and with the default eight, against the ideal: the analysis
// call plus ceil(20/limit) rounds of feature calls.
func BenchmarkCreate20Features(b *testing.B) {
	const latency = 500 * time.Millisecond
	features := make([]string, 20)
	for i := range features {
		features[i] = fmt.Sprintf("Feature %02d", i+1)
	}
	for _, limit := range []int{1, plan.DefaultConcurrency} {
		b.Run(fmt.Sprintf("concurrency=%d", limit), func(b *testing.B) {
			s, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "m.db"), sqlite.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			fake := llmfake.New(b, llmfake.Options{Key: "k", Latency: latency, Respond: script(features, nil)})
			planner, err := llm.New(llm.Config{Provider: llm.ProviderAnthropic, APIKey: "k", BaseURL: fake.URL(), Model: "m"})
			if err != nil {
				b.Fatal(err)
			}
			plans := plan.New(s)
			ideal := latency + time.Duration((len(features)+limit-1)/limit)*latency
			var total time.Duration
			for i := 0; b.Loop(); i++ {
				start := time.Now()
				_, err := plans.CreateProject(b.Context(), plan.CreateRequest{Description: fmt.Sprintf("run %d", i),
					Name: fmt.Sprintf("Bench %d", i), Planner: planner, Concurrency: limit})
				if err != nil {
					b.Fatal(err)
				}
				total += time.Since(start)
			}
			wall := total / time.Duration(b.N)
			b.ReportMetric(float64(wall.Milliseconds()), "wall-ms")
			b.ReportMetric(float64(ideal.Milliseconds()), "ideal-ms")
			b.ReportMetric(float64(wall)/float64(ideal), "x-ideal")
		})
	}
}
