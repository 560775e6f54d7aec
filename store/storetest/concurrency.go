package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"marcus/core"
)

// Sizes of the concurrent drain.
const (
	drainTasks   = 500
	drainWidth   = 50 // tasks per layer of the plan
	drainWorkers = 32
	drainPoll    = 5 * time.Millisecond // how often a waiting worker looks at the other handle's writes
)

func testConcurrency(t *testing.T, h Harness) {
	t.Run("ClaimsAcrossHandles", func(t *testing.T) { concurrentDrain(t, h) })
}

// layeredPlan is n tasks in layers of width; each task after the first
// layer depends hard on two tasks of the layer before and, now and then,
// softly on an older one. A fixed seed keeps it the same every run.
func layeredPlan(n, width int) core.Plan {
	r := rand.New(rand.NewPCG(7, 11))
	name := func(i int) string { return fmt.Sprintf("task-%04d", i) }
	p := core.Plan{Name: "Drain", Tasks: make([]core.PlanTask, n)}
	for i := range p.Tasks {
		t := core.PlanTask{Name: name(i), Priority: []string{"low", "medium", "high"}[r.IntN(3)]}
		if layer := i / width; layer > 0 {
			prev := (layer - 1) * width
			for _, j := range []int{prev + r.IntN(width), prev + r.IntN(width)} {
				if !slices.Contains(t.After, name(j)) {
					t.After = append(t.After, name(j))
				}
			}
			if i%5 == 0 {
				t.SoftAfter = []string{name(r.IntN(prev + 1))}
			}
		}
		p.Tasks[i] = t
	}
	return p
}

// concurrentDrain has 32 workers, spread over two handles on one database,
// claim and complete (or now and then give up) a 500-task plan, while a
// reaper moves the clock and takes back leases, so completions race
// recoveries. Afterwards the event stream must show no double claim, no
// claim before a hard dependency was done, and rows that agree with it.
func concurrentDrain(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(layeredPlan(drainTasks, drainWidth))
	handles := []handle{{e.c, e.store}}
	if h.Second != nil { // without one, the drain still tests one handle's claims
		s := h.Second(t, e.store)
		handles = append(handles, handle{core.NewCoordinator(s, e.opts...), s})
	}
	// The timeout guards against a hang; it is not a performance target.
	ctx, cancel := context.WithTimeoutCause(t.Context(), 2*time.Minute, errors.New("the drain hung"))
	defer cancel()
	fail := func(who string, err error) {
		if ctx.Err() == nil { // only the first failure: the others are its echo
			t.Errorf("%s: %v", who, err)
			cancel()
		}
	}
	reaperCtx, stopReaper := context.WithCancel(ctx)
	var reaper sync.WaitGroup
	reaper.Go(func() {
		if err := reap(reaperCtx, handles[len(handles)-1], e.clock); reaperCtx.Err() == nil {
			fail("reaper", err)
		}
	})
	var workers sync.WaitGroup
	var claims atomic.Int64
	for i := range drainWorkers {
		w := worker{handle: handles[i%len(handles)], id: core.AgentID(fmt.Sprintf("w%02d", i)), seed: i, p: b.project.ID, claims: &claims}
		e.register(b, w.id)
		workers.Go(func() {
			if err := w.run(ctx); err != nil {
				fail("worker "+string(w.id), err)
			}
		})
	}
	workers.Wait()
	stopReaper()
	reaper.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("drain: %v", err)
	}
	// The history is checked even after a failed drain: it tells why.
	checkDrain(t, e, b, !t.Failed())
}

// handle is a coordinator and the store handle it works on, which the
// drain also reads directly.
type handle struct {
	c *core.Coordinator
	s core.Store
}

// worker is one agent of the drain.
type worker struct {
	handle
	id   core.AgentID
	seed int
	p    core.ProjectID
	// claims counts every worker's claims: a store that hands tasks out
	// again and again fails the drain instead of keeping it busy forever.
	claims *atomic.Int64
}

// maxClaims bounds the claims of a drain; a sound run needs about 1.3 per
// task (some are given up or taken back).
const maxClaims = 10 * drainTasks

// run claims tasks until the project is complete. A worker that gets no
// task waits for the next change on the board rather than sleeping.
func (w worker) run(ctx context.Context) error {
	for n := 0; ; {
		last, err := lastEvent(ctx, w.s)
		if err != nil {
			return err
		}
		as, err := w.c.RequestNextTask(ctx, w.id)
		switch {
		case err != nil:
			return err
		case as.Complete:
			return nil
		case as.Task == nil:
			if err := stalled(ctx, w.s, w.p); err != nil {
				return err
			}
			if _, err := w.c.WaitForChange(ctx, last, drainPoll); err != nil {
				return err
			}
			continue
		case as.Resumed:
			return fmt.Errorf("resumed %s, but a worker never asks while it holds a task", as.Task.Task.ID)
		}
		if w.claims.Add(1) > maxClaims {
			return fmt.Errorf("more than %d claims for %d tasks: tasks are handed out again and again", maxClaims, drainTasks)
		}
		n++
		if err := w.finish(ctx, as.Task.Task, (n+w.seed)%7 == 0); err != nil {
			return err
		}
	}
}

// finish completes task, or gives it up. A refusal because the reaper took
// the lease back first is the fencing at work, not a failure.
func (w worker) finish(ctx context.Context, task core.Task, giveUp bool) error {
	if giveUp {
		_, err := w.c.Unassign(ctx, task.ID, "giving up")
		if errors.Is(err, core.ErrConflict) {
			return nil
		}
		return err
	}
	got, err := w.c.ReportProgress(ctx, core.ProgressReport{Agent: w.id, Task: task.ID, Status: core.StatusDone, Epoch: task.Lease.Epoch})
	switch {
	case errors.Is(err, core.ErrConflict):
		return nil
	case err == nil && got.Status != core.StatusDone:
		return fmt.Errorf("completion of %s accepted, but the task is %s", task.ID, got.Status)
	}
	return err
}

// reap moves the clock a minute at a time and recovers expired leases; a
// task the circuit breaker blocks is unassigned at once, as a person would,
// so that the drain can finish.
func reap(ctx context.Context, h handle, clock *Clock) error {
	c := h.c
	for {
		last, err := lastEvent(ctx, h.s)
		if err != nil {
			return err
		}
		clock.Advance(time.Minute)
		rs, err := c.RecoverExpiredLeases(ctx)
		if err != nil {
			return err
		}
		for _, r := range rs {
			if !r.Tripped {
				continue
			}
			if _, err := c.Unassign(ctx, r.Task.ID, "reaper"); err != nil {
				return err
			}
		}
		if _, err := c.WaitForChange(ctx, last, drainPoll); err != nil {
			return err
		}
	}
}

// stalled reports a board on which no change can ever come: tasks left to
// do, none ready, none in progress (to complete or recover) and none blocked
// (for the reaper to unassign). Without it a store that never releases
// dependents would hang the drain instead of failing it.
func stalled(ctx context.Context, s core.Store, p core.ProjectID) error {
	return s.View(ctx, func(tx core.ReadTx) error {
		counts, err := tx.TaskCounts(p)
		if err != nil {
			return err
		}
		ready, err := tx.ReadyTasks(p, 1)
		if err != nil || len(ready) > 0 || counts[core.StatusInProgress] > 0 || counts[core.StatusBlocked] > 0 {
			return err
		}
		if counts[core.StatusTodo] > 0 {
			return fmt.Errorf("stalled: %d tasks to do, none ready, none in progress, none blocked", counts[core.StatusTodo])
		}
		return nil
	})
}

func lastEvent(ctx context.Context, s core.Store) (int64, error) {
	var id int64
	err := s.View(ctx, func(tx core.ReadTx) (err error) { id, err = tx.LastEventID(); return err })
	return id, err
}

// checkDrain checks the drain's event stream against the claim rules and the
// rows, and when it finished, that every task was completed exactly once.
func checkDrain(t *testing.T, e *env, b board, finished bool) {
	t.Helper()
	evs := e.events(b.project.ID, 0)
	tasks := e.tasks(b.project.ID)
	checkIncreasing(t, evs)
	bad := CheckHistory(evs, tasks)
	for i, v := range bad {
		if i == 20 {
			t.Errorf("... and %d more violations", len(bad)-i)
			break
		}
		t.Error(v)
	}
	checkRowsAgree(t, evs, tasks)
	kinds := map[core.EventKind]int{}
	for _, ev := range evs {
		kinds[ev.Kind]++
	}
	t.Logf("%d claims, %d completions, %d unassigns, %d recoveries, %d circuit breaks",
		kinds[core.EventTaskClaimed], kinds[core.EventTaskCompleted], kinds[core.EventTaskUnassigned],
		kinds[core.EventLeaseRecovered], kinds[core.EventCircuitBroken])
	if !finished {
		return
	}
	if kinds[core.EventTaskCompleted] != drainTasks {
		t.Errorf("%d completions, want %d", kinds[core.EventTaskCompleted], drainTasks)
	}
	for _, task := range tasks {
		if task.Status != core.StatusDone {
			t.Errorf("task %s is %s after the drain, want done", task.Name, task.Status)
		}
	}
}
