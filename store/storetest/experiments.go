package storetest

import (
	"context"
	"testing"
	"time"

	"marcus/core"
)

func testExperiments(t *testing.T, h Harness) {
	t.Run("Lifecycle", func(t *testing.T) { experimentsLifecycle(t, h) })
	t.Run("CompletesByItself", func(t *testing.T) { experimentsComplete(t, h) })
	t.Run("Samples", func(t *testing.T) { experimentsSamples(t, h) })
}

func experimentsLifecycle(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("a"), pt("b", "a")))
	x, err := e.c.StartExperiment(t.Context(), core.ExperimentRequest{Name: "run 1", Project: "P", Params: map[string]string{"agents": "2"}, Tags: []string{"baseline"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.c.StartExperiment(t.Context(), core.ExperimentRequest{Name: "run 2", Project: b.project.ID})
	wantErr(t, err, core.ErrConflict, "already running")
	wantReason(t, err, core.ReasonExperimentRunning)
	e.register(b, "w1")
	e.register(b, "w2")
	e.claim(b, "w1", "a")
	e.noTask("w2") // b waits for a: an idle poll
	e.clock.Advance(90 * time.Second)
	st, err := e.c.ExperimentStatus(t.Context(), "RUN 1")
	if err != nil {
		t.Fatal(err)
	}
	if !st.Running || st.Total != 2 || st.Counts[core.StatusInProgress] != 1 || st.Agents != 2 || st.Elapsed != 90*time.Second {
		t.Errorf("status %+v", st)
	}
	if st.Polls != 2 || st.IdlePolls != 1 || st.Params["agents"] != "2" || len(st.Tags) != 1 {
		t.Errorf("polls %d/%d idle, params %v, tags %v", st.Polls, st.IdlePolls, st.Params, st.Tags)
	}
	ended, err := e.c.EndExperiment(t.Context(), string(x.ID))
	if err != nil || ended.EndedAt.IsZero() || ended.EndedBy != "request" {
		t.Fatalf("end: %+v, %v", ended, err)
	}
	e.noTask("w2")
	if st, _ := e.c.ExperimentStatus(t.Context(), "run 1"); st.Running || st.Polls != 2 {
		t.Errorf("after the end: running %v, polls %d (polls after the end must not count)", st.Running, st.Polls)
	}
	_, err = e.c.StartExperiment(t.Context(), core.ExperimentRequest{Name: "Run 1", Project: b.project.ID})
	wantErr(t, err, core.ErrConflict, "Run 1")
	wantReason(t, err, core.ReasonNameTaken)
	if _, err := e.c.ExperimentStatus(t.Context(), "nope"); core.CodeOf(err) != core.ErrNotFound {
		t.Errorf("unknown experiment: err = %v", err)
	}
}

func experimentsComplete(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("a"), pt("b")))
	if _, err := e.c.StartExperiment(t.Context(), core.ExperimentRequest{Name: "auto", Project: b.project.ID}); err != nil {
		t.Fatal(err)
	}
	e.register(b, "w1")
	e.complete("w1", e.claim(b, "w1", "a").ID)
	e.block("w1", e.claim(b, "w1", "b").ID, "needs a person")
	as := e.request("w1") // done + blocked = total, nothing in progress
	if as.ExperimentDone != "auto" {
		t.Fatalf("the finished run was not ended: %+v", as)
	}
	st, _ := e.c.ExperimentStatus(t.Context(), "auto")
	if st.Running || st.EndedBy != "complete" {
		t.Errorf("status %+v", st)
	}
	other := e.importPlan(plan("Q", pt("x")))
	e.clock.Advance(time.Second) // "oldest first" needs an order
	if _, err := e.c.StartExperiment(t.Context(), core.ExperimentRequest{Name: "other", Project: other.project.ID}); err != nil {
		t.Fatal(err)
	}
	if es, err := e.c.Experiments(t.Context(), b.project.ID); err != nil || len(es) != 1 || es[0].Name != "auto" {
		t.Errorf("P's experiments = %+v, %v; want auto alone", es, err)
	}
	if es, err := e.c.Experiments(t.Context(), ""); err != nil || len(es) != 2 || es[0].Name != "auto" || es[1].Name != "other" {
		t.Errorf("every experiment = %+v, %v; want auto then other", es, err)
	}
	if evs := e.eventsOf(core.EventExperimentEnded); len(evs) != 1 || payloadOf[core.ExperimentEnded](t, evs[0]).By != "complete" {
		t.Errorf("ended events %+v", evs)
	}
}

func experimentsSamples(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("a"), pt("b"), pt("c", "a")))
	x, err := e.c.StartExperiment(t.Context(), core.ExperimentRequest{Name: "sampled", Project: b.project.ID})
	if err != nil {
		t.Fatal(err)
	}
	e.register(b, "w1")
	e.register(b, "w2")
	if n, err := e.c.SampleExperiments(t.Context()); err != nil || n != 1 {
		t.Fatalf("sample: %d, %v", n, err)
	}
	e.clock.Advance(5 * time.Second)
	e.claim(b, "w1", "a")
	e.c.SampleExperiments(t.Context())
	ss, err := e.c.ExperimentSamples(t.Context(), x.ID)
	if err != nil || len(ss) != 2 {
		t.Fatalf("samples %+v, %v", ss, err)
	}
	if s := ss[0]; s.Backlog != 3 || s.Ready != 2 || s.Working != 0 || s.Agents != 2 {
		t.Errorf("first sample %+v", s)
	}
	if s := ss[1]; s.Backlog != 2 || s.Ready != 1 || s.InProgress != 1 || s.Working != 1 || !s.At.After(ss[0].At) {
		t.Errorf("second sample %+v", s)
	}
	if _, err := e.c.EndExperiment(t.Context(), "sampled"); err != nil {
		t.Fatal(err)
	}
	if n, _ := e.c.SampleExperiments(t.Context()); n != 0 {
		t.Errorf("%d samples of an ended experiment", n)
	}
	// The collector loop stops when told.
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { e.c.RunExperimentCollector(ctx, 10*time.Millisecond, nil); close(done) }()
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the collector did not stop")
	}
}
