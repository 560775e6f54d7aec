package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"marcus/core"
)

// drained is what the workers of a drain saw.
type drained struct {
	mu        sync.Mutex
	claims    int
	latencies []time.Duration
	wall      time.Duration
	// doubles are tasks handed to a second worker: a claim happens once
	// per task in a drain, whoever completes it.
	doubles []string
	owner   map[core.TaskID]core.AgentID
}

func (d *drained) claimed(task core.TaskID, agent core.AgentID, lat time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.claims++
	d.latencies = append(d.latencies, lat)
	if prev, ok := d.owner[task]; ok {
		d.doubles = append(d.doubles, fmt.Sprintf("%s handed to %s, then to %s", task, prev, agent))
	}
	d.owner[task] = agent
}

// drain has workers, spread over the coordinators (as over servers), claim
// and complete the tasks of project p until it is complete. The first
// error stops every worker.
func drain(ctx context.Context, cs []*core.Coordinator, p core.ProjectID, workers int) (*drained, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	d := &drained{owner: map[core.TaskID]core.AgentID{}}
	agent := func(w int) core.AgentID { return core.AgentID(fmt.Sprintf("agent-%03d", w)) }
	for w := range workers {
		if _, err := cs[w%len(cs)].RegisterAgent(ctx, core.RegisterRequest{ID: agent(w), Project: p}); err != nil {
			return d, err
		}
	}
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Go(func() {
			if err := drainWorker(ctx, cs[w%len(cs)], agent(w), d); err != nil {
				cancel(err)
			}
		})
	}
	wg.Wait()
	d.wall = time.Since(start)
	return d, context.Cause(ctx)
}

func drainWorker(ctx context.Context, c *core.Coordinator, id core.AgentID, d *drained) error {
	for {
		t0 := time.Now()
		as, err := c.RequestNextTask(ctx, id)
		lat := time.Since(t0)
		switch {
		case err != nil:
			return fmt.Errorf("%s: request_next_task: %w", id, err)
		case as.Complete:
			return nil
		case as.Task == nil:
			// The advised wait, capped: a drain's tasks take no time.
			time.Sleep(min(as.Retry.After, 10*time.Millisecond))
			continue
		}
		task := as.Task.Task.ID
		d.claimed(task, id, lat)
		if _, err := c.ReportProgress(ctx, core.ProgressReport{Agent: id, Task: task, Status: core.StatusDone}); err != nil {
			return fmt.Errorf("%s: complete %s: %w", id, task, err)
		}
	}
}
