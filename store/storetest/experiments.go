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

func testExperimentTallies(t *testing.T, h Harness) {
	t.Run("Tallies", func(t *testing.T) { experimentsTallies(t, h) })
	t.Run("EndIsIdempotent", func(t *testing.T) { experimentsEndTwice(t, h) })
	t.Run("EndsInTheMonitorLoop", func(t *testing.T) { experimentsEndInLoop(t, h) })
}

// experimentsTallies: Marcus's tallies count the experiment's window only:
// distinct agents registered, distinct tasks claimed and completed, and
// every blocker, artifact, decision and context request. A context request
// is recorded only while an experiment runs on the task's project.
func experimentsTallies(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("a"), pt("b"), pt("c", "a")))
	e.register(b, "early")
	a := e.claim(b, "early", "a")
	last := e.lastEventID()
	if err := e.c.NoteContextRequest(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	e.expectEvents(last) // no experiment: nothing recorded
	e.clock.Advance(time.Second)
	x, err := e.c.StartExperiment(t.Context(), core.ExperimentRequest{Name: "tally", Project: b.project.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []core.AgentID{"w1", "w1", "w2"} {
		e.register(b, w)
	}
	e.complete("early", a.ID)
	held := e.claim(b, "w1", "b")
	for range 2 {
		if err := e.c.NoteContextRequest(t.Context(), held); err != nil {
			t.Fatal(err)
		}
	}
	if evs := e.eventsOf(core.EventContextRequested); len(evs) != 2 || evs[0].Task != held.ID || evs[0].Agent != "w1" {
		t.Errorf("context requests %+v, want two on b by its holder w1", evs)
	}
	if _, err := e.c.ReportBlocker(t.Context(), core.BlockerReport{Agent: "w1", Task: held.ID, Description: "flaky", Severity: "low"}); err != nil {
		t.Fatal(err)
	}
	e.logArtifact(held.ID, "b.md")
	e.logDecision(held.ID, "I chose X because Y.")
	e.clock.Advance(time.Hour)
	e.recoverOnly(held.ID, "w1 went silent")
	e.complete("w2", e.claim(b, "w2", "b").ID)
	want := core.ExperimentCounts{Registrations: 2, Assignments: 1, Completions: 2, Blockers: 1, Artifacts: 1, Decisions: 1, ContextRequests: 2}
	if got, err := e.c.ExperimentCounts(t.Context(), x); err != nil || got != want {
		t.Errorf("counts %+v, %v; want %+v (b claimed twice counts once; early and its claim came before the start)", got, err, want)
	}
	if x, err = e.c.EndExperiment(t.Context(), x.Name); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Second)
	e.register(b, "late")
	if err := e.c.NoteContextRequest(t.Context(), e.task(b.id("c"))); err != nil {
		t.Fatal(err)
	}
	if got, err := e.c.ExperimentCounts(t.Context(), x); err != nil || got != want {
		t.Errorf("counts after the end %+v, %v; want %+v unchanged", got, err, want)
	}
}

// experimentsEndTwice: ending an experiment that already ended, by itself
// or by request, returns it as it ended, with the same figures, and logs
// no second end.
func experimentsEndTwice(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("a"), pt("b")))
	if _, err := e.c.StartExperiment(t.Context(), core.ExperimentRequest{Name: "twice", Project: b.project.ID}); err != nil {
		t.Fatal(err)
	}
	e.register(b, "w1")
	e.complete("w1", e.claim(b, "w1", "a").ID)
	if ended, err := e.c.EndFinishedExperiments(t.Context()); err != nil || len(ended) != 0 {
		t.Fatalf("with b to do: ended %+v, %v; want none", ended, err)
	}
	e.block("w1", e.claim(b, "w1", "b").ID, "needs a person")
	ended, err := e.c.EndFinishedExperiments(t.Context())
	if err != nil || len(ended) != 1 || ended[0].Name != "twice" || ended[0].EndedBy != "complete" {
		t.Fatalf("done + blocked = total: ended %+v, %v; want twice, by complete", ended, err)
	}
	first, _ := e.c.ExperimentCounts(t.Context(), ended[0])
	if again, err := e.c.EndFinishedExperiments(t.Context()); err != nil || len(again) != 0 {
		t.Errorf("a second pass ended %+v, %v; want none", again, err)
	}
	e.clock.Advance(time.Minute)
	for range 2 {
		x, err := e.c.EndExperiment(t.Context(), "twice")
		if err != nil || !sameTime(x.EndedAt, ended[0].EndedAt) || x.EndedBy != "complete" {
			t.Errorf("end_experiment after the end: %+v, %v; want it as it ended at %v", x, err, ended[0].EndedAt)
		}
		if n, _ := e.c.ExperimentCounts(t.Context(), x); n != first {
			t.Errorf("counts %+v, want %+v again", n, first)
		}
	}
	if evs := e.eventsOf(core.EventExperimentEnded); len(evs) != 1 {
		t.Errorf("%d experiment_ended events, want 1", len(evs))
	}
}

// experimentsEndInLoop: the lease monitor's loop ends a finished run by
// itself, though no agent asks for work again (Marcus's one-task workers
// exit after their task).
func experimentsEndInLoop(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("a")))
	if _, err := e.c.StartExperiment(t.Context(), core.ExperimentRequest{Name: "loop", Project: b.project.ID}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { e.c.RunLeaseMonitor(ctx, time.Hour, nil); close(done) }()
	defer func() { cancel(); <-done }()
	e.register(b, "w1")
	e.complete("w1", e.claim(b, "w1", "a").ID)
	// The loop looks every core.ExperimentCheckInterval; the bound here
	// only keeps a broken loop from hanging the suite.
	deadline := time.Now().Add(30 * core.ExperimentCheckInterval)
	for {
		st, err := e.c.ExperimentStatus(t.Context(), "loop")
		if err != nil {
			t.Fatal(err)
		}
		if !st.Running {
			if st.EndedBy != "complete" {
				t.Errorf("ended by %q, want complete", st.EndedBy)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the run is still running %v after its last task", 30*core.ExperimentCheckInterval)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
