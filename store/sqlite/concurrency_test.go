package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"marcus/core"
)

// TestNoDoubleClaimsAcrossHandles: no task is ever held by two agents. 200
// goroutines claim and complete through two separate handles on one file,
// as two processes would, until the 10,000-task board is done. Then a third
// handle reads the events back (their ids are commit order) and finds
// every task claimed once and completed once, each claim after the
// completions of all its hard dependencies, and rows that agree.
//
// It takes about 7 s, and 2 to 2.5 minutes under -race on two cores:
// -short skips it.
func TestNoDoubleClaimsAcrossHandles(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 claims take minutes under -race; skipped with -short")
	}
	const tasks, width, workers = 10000, 500, 200
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "marcus.db")
	s1, s2 := openTemp(t, path), openTemp(t, path)
	c1, c2 := core.NewCoordinator(s1), core.NewCoordinator(s2)
	p, _, err := c1.ImportPlan(ctx, layeredPlan("two-handles", tasks, width, 42))
	if err != nil {
		t.Fatal(err)
	}

	res, err := drain(ctx, []*core.Coordinator{c1, c2}, p.ID, workers)
	if err != nil {
		t.Fatalf("drain: %v", err)
	}
	t.Logf("%d claims by %d workers on 2 handles in %v (%.0f claims/s, claim p50 %v, p99 %v)",
		res.claims, workers, res.wall.Round(time.Millisecond), float64(res.claims)/res.wall.Seconds(),
		percentile(res.latencies, 0.5), percentile(res.latencies, 0.99))
	for _, d := range res.doubles {
		t.Errorf("seen by the workers: %s", d)
	}
	if res.claims != tasks || res.resumed != 0 {
		t.Errorf("workers got %d tasks (%d resumed); want %d, none resumed", res.claims, res.resumed, tasks)
	}

	a := readAudit(t, openTemp(t, path), p.ID)
	a.report(t)
	if len(a.tasks) != tasks {
		t.Fatalf("%d tasks in the project, want %d", len(a.tasks), tasks)
	}
	for id, tk := range a.tasks {
		if a.claims[id] != 1 || a.completions[id] != 1 {
			t.Errorf("task %s claimed %d times and completed %d times; want once each", id, a.claims[id], a.completions[id])
		}
		if tk.Status != core.StatusDone {
			t.Errorf("task %s is %s, want done", id, tk.Status)
		}
	}
	// drain puts agent-000 on the first handle, agent-001 on the second...
	var doneBy [2]int
	for _, ag := range a.agents {
		var w int
		if _, err := fmt.Sscanf(string(ag.ID), "agent-%d", &w); err != nil {
			t.Fatal(err)
		}
		doneBy[w%2] += ag.TasksDone
	}
	t.Logf("tasks completed through each handle: %v", doneBy)
	if len(a.agents) != workers || doneBy[0]+doneBy[1] != tasks {
		t.Errorf("%d agents completed %v tasks; want %d agents, %d tasks", len(a.agents), doneBy, workers, tasks)
	}
	if min(doneBy[0], doneBy[1]) < tasks/10 {
		t.Errorf("the handles completed %v tasks: one barely got the write lock", doneBy)
	}
}

// TestWriterNotStarvedByBusyHandle: a writer that meets another process's
// write lock gets its turn well within its busy timeout, however busy the
// other process is. The busy handle here writes without pause from 8
// goroutines, one transaction right after another; the other handle makes
// 60 small writes, each after a pause that gives the busy handle the lead
// again. SQLite's own busy handler, which sleeps up to 100 ms between
// tries, waited up to seconds here, and often past a 1 s busy timeout.
func TestWriterNotStarvedByBusyHandle(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "marcus.db")
	busy := openTemp(t, path)
	timeout := time.Second
	if raceEnabled {
		timeout = 3 * time.Second
	}
	polite, err := Open(ctx, path, Options{BusyTimeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	defer polite.Close()

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var hammered atomic.Int64
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				err := busy.Update(ctx, func(tx core.Tx) error {
					for range 50 {
						if _, err := tx.AppendEvent(core.Event{Kind: "hammer"}); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
				hammered.Add(1)
			}
		})
	}
	defer wg.Wait()
	defer close(stop)
	time.Sleep(100 * time.Millisecond) // let the hammer get going

	var worst time.Duration
	for i := range 60 {
		time.Sleep(5 * time.Millisecond) // the busy handle takes the lead again
		t0 := time.Now()
		err := polite.Update(ctx, func(tx core.Tx) error {
			_, err := tx.AppendEvent(core.Event{Kind: "polite"})
			return err
		})
		worst = max(worst, time.Since(t0))
		if err != nil {
			t.Fatalf("write %d of the other handle: %v", i, err)
		}
	}
	t.Logf("60 writes waited at most %v (busy timeout %v), while the busy handle committed %d transactions",
		worst, timeout, hammered.Load())
}

// TestWriterWaitsWhileAnotherProcessCommits: a write that meets another
// process's write lock waits as long as that process keeps committing, even
// well past its busy timeout; the busy timeout is for a process that holds
// the lock and commits nothing (TestLockedByAnotherProcess). Here the other
// handle never lets go for long: four goroutines keep its writer busy with
// transactions of about 10 ms each, one right after another, for several
// busy timeouts. A write that failed with "locked by another process"
// while the database was plainly making progress reached agents as an
// error under load.
func TestWriterWaitsWhileAnotherProcessCommits(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "marcus.db")
	busy := openTemp(t, path)
	timeout := 300 * time.Millisecond
	if raceEnabled {
		timeout = time.Second
	}
	patient, err := Open(ctx, path, Options{BusyTimeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	defer patient.Close()

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var commits atomic.Int64
	hammerUntil := time.Now().Add(5 * timeout)
	for range 4 {
		wg.Go(func() {
			for time.Now().Before(hammerUntil) {
				select {
				case <-stop:
					return
				default:
				}
				err := busy.Update(ctx, func(tx core.Tx) error {
					time.Sleep(10 * time.Millisecond) // holds the write lock
					_, err := tx.AppendEvent(core.Event{Kind: "hammer"})
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
				commits.Add(1)
			}
		})
	}
	defer wg.Wait()
	defer close(stop)
	time.Sleep(50 * time.Millisecond) // let the hammer get going

	t0 := time.Now()
	before := commits.Load()
	err = patient.Update(ctx, func(tx core.Tx) error {
		_, err := tx.AppendEvent(core.Event{Kind: "patient"})
		return err
	})
	if err != nil {
		t.Fatalf("a write while another process kept committing failed (busy timeout %v, after %v, %d commits meanwhile): %v",
			timeout, time.Since(t0), commits.Load()-before, err)
	}
	t.Logf("the write waited %v (busy timeout %v) while the other handle committed %d transactions",
		time.Since(t0), timeout, commits.Load()-before)
}
