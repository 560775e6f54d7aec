package sqlite

import (
	"context"
	"sync"
	"testing"
	"time"

	"marcus/core"
)

// hookStore runs a hook ahead of a View or an Update: the n-th hook of
// views before the n-th View (nil for none), and likewise for updates. It
// lets a test slip another agent's write in between the steps of one
// request, as another server would. Hooks write through the inner Store.
type hookStore struct {
	*Store
	views, updates []func()
	looks          int // Views that listed ready tasks
	// onRunning, when set, runs in each read of a running experiment.
	onRunning func()
}

func (h *hookStore) View(ctx context.Context, fn func(core.ReadTx) error) error {
	runNext(&h.views)
	return h.Store.View(ctx, func(tx core.ReadTx) error { return fn(lookCounter{tx, h}) })
}

// lookCounter counts the reads of a View that list ready tasks.
type lookCounter struct {
	core.ReadTx
	h *hookStore
}

func (l lookCounter) RunningExperiment(p core.ProjectID) (core.Experiment, error) {
	if l.h.onRunning != nil {
		l.h.onRunning()
	}
	return l.ReadTx.RunningExperiment(p)
}

func (l lookCounter) ReadyTasks(p core.ProjectID, limit int) ([]core.Task, error) {
	l.h.looks++
	return l.ReadTx.ReadyTasks(p, limit)
}

func (h *hookStore) Update(ctx context.Context, fn func(core.Tx) error) error {
	runNext(&h.updates)
	return h.Store.Update(ctx, fn)
}

func runNext(hooks *[]func()) {
	if len(*hooks) == 0 {
		return
	}
	b := (*hooks)[0]
	*hooks = (*hooks)[1:]
	if b != nil {
		b()
	}
}

// lostClaim sets up a request that loses its claim: w1 holds X; R is ready
// when w2 looks, and w3 (through another coordinator) claims it before w2's
// claim transaction runs. Y waits for X.
func lostClaim(t *testing.T) (hs *hookStore, c, other *core.Coordinator, tasks []core.Task) {
	t.Helper()
	ctx := context.Background()
	hs = &hookStore{Store: openTemp(t, "")}
	c, other = core.NewCoordinator(hs), core.NewCoordinator(hs.Store)
	p, tasks, err := c.ImportPlan(ctx, core.Plan{Name: "P", Tasks: []core.PlanTask{{Name: "X"}, {Name: "R"}, {Name: "Y", After: []string{"X"}}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []core.AgentID{"w1", "w2", "w3"} {
		if _, err := c.RegisterAgent(ctx, core.RegisterRequest{ID: a, Project: p.ID}); err != nil {
			t.Fatal(err)
		}
	}
	if as, err := c.RequestNextTask(ctx, "w1"); err != nil || as.Task == nil || as.Task.Task.ID != tasks[0].ID {
		t.Fatalf("w1 claims X: %+v, %v", as, err)
	}
	hs.updates = []func(){func() {
		if as, err := other.RequestNextTask(ctx, "w3"); err != nil || as.Task == nil || as.Task.Task.ID != tasks[1].ID {
			t.Errorf("w3 claims R: %+v, %v", as, err)
		}
	}}
	return hs, c, other, tasks
}

// TestLostClaimIsToldToWait: w2 saw R ready, w3 took it first. w2 gets
// no task and is told to wait for the work in progress, never to exit.
func TestLostClaimIsToldToWait(t *testing.T) {
	_, c, _, _ := lostClaim(t)
	as, err := c.RequestNextTask(context.Background(), "w2")
	if err != nil {
		t.Fatal(err)
	}
	if as.Task != nil || as.Settled || as.Complete || as.Retry == nil {
		t.Fatalf("w2 was told %+v (retry %+v); want to wait, X and R being in progress", as, as.Retry)
	}
}

// TestLostClaimAsksAgainSoon: w2 lost its claim to w3. It is told to ask
// again after the shortest wait, without looking at the board again, and
// asking again once X is done it gets Y.
func TestLostClaimAsksAgainSoon(t *testing.T) {
	ctx := context.Background()
	hs, c, other, tasks := lostClaim(t)
	hs.looks = 0
	as, err := c.RequestNextTask(ctx, "w2")
	if err != nil {
		t.Fatal(err)
	}
	if as.Task != nil || as.Settled || as.Complete || as.Retry == nil || as.Retry.After != core.MinRetryAfter {
		t.Fatalf("w2 was told %+v (retry %+v); want to ask again after the shortest wait", as, as.Retry)
	}
	if hs.looks != 1 {
		t.Errorf("the lost claim looked at the ready tasks %d times; want once, before the claim", hs.looks)
	}
	if _, err := other.ReportProgress(ctx, core.ProgressReport{Agent: "w1", Task: tasks[0].ID, Status: core.StatusDone}); err != nil {
		t.Fatal(err)
	}
	if as, err := c.RequestNextTask(ctx, "w2"); err != nil || as.Task == nil || as.Task.Task.ID != tasks[2].ID {
		t.Fatalf("w2 asking again: %+v, %v; want Y", as, err)
	}
}

// TestStaleExperimentCacheIsReadOnce: when the cached "no experiment
// running" has expired, one request reads it afresh, and a request that
// comes meanwhile answers with the stale entry instead of reading too: it
// finishes while the first read is held up.
func TestStaleExperimentCacheIsReadOnce(t *testing.T) {
	ctx := context.Background()
	hs := &hookStore{Store: openTemp(t, "")}
	c := core.NewCoordinator(hs)
	p, _, err := c.ImportPlan(ctx, core.Plan{Name: "P", Tasks: []core.PlanTask{{Name: "X"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []core.AgentID{"w1", "w2", "w3"} {
		if _, err := c.RegisterAgent(ctx, core.RegisterRequest{ID: a, Project: p.ID}); err != nil {
			t.Fatal(err)
		}
	}
	if as, err := c.RequestNextTask(ctx, "w1"); err != nil || as.Task == nil {
		t.Fatalf("w1 claims X: %+v, %v", as, err)
	}
	time.Sleep(600 * time.Millisecond) // the cache entry (500 ms) expires
	var mu sync.Mutex
	reads := 0
	inRead, release := make(chan struct{}), make(chan struct{})
	hs.onRunning = func() {
		mu.Lock()
		reads++
		first := reads == 1
		mu.Unlock()
		if first {
			close(inRead)
			<-release
		}
	}
	done := make(chan error, 1)
	go func() {
		_, err := c.RequestNextTask(ctx, "w2")
		done <- err
	}()
	<-inRead
	if _, err := c.RequestNextTask(ctx, "w3"); err != nil {
		t.Fatal(err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if reads != 1 {
		t.Errorf("the stale entry was read %d times; want once", reads)
	}
	// Once that entry expires too, a request reads it again: the read in
	// flight was let go.
	time.Sleep(600 * time.Millisecond)
	if _, err := c.RequestNextTask(ctx, "w3"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if reads != 2 {
		t.Errorf("after the entry expired again it was read %d times in all; want twice", reads)
	}
}
