package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"marcus/core"
)

// layeredPlan is a plan of n tasks in layers of width; each task after the
// first layer depends (hard) on two tasks of the layer before it. The seed
// makes it the same every run.
func layeredPlan(name string, n, width int, seed uint64) core.Plan {
	r := rand.New(rand.NewPCG(seed, 1))
	p := core.Plan{Name: name, Tasks: make([]core.PlanTask, n)}
	for i := range p.Tasks {
		pt := core.PlanTask{Name: fmt.Sprintf("task-%05d", i), Priority: []string{"low", "medium", "high"}[r.IntN(3)]}
		if layer := i / width; layer > 0 {
			prev := (layer - 1) * width
			for _, j := range []int{prev + r.IntN(width), prev + r.IntN(width)} {
				if dep := fmt.Sprintf("task-%05d", j); !slices.Contains(pt.After, dep) {
					pt.After = append(pt.After, dep)
				}
			}
		}
		p.Tasks[i] = pt
	}
	return p
}

func openTemp(tb testing.TB, path string) *Store {
	tb.Helper()
	if path == "" {
		path = filepath.Join(tb.TempDir(), "marcus.db")
	}
	s, err := Open(context.Background(), path, Options{BusyTimeout: 30 * time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// drainResult is what a drain saw: every claim's latency and the holders
// that the workers observed.
type drainResult struct {
	claims    int
	latencies []time.Duration
	wall      time.Duration
	doubles   []string
	// resumed counts tasks handed back to the agent that already held them;
	// a drain that completes every task it gets should see none.
	resumed int
}

// drainBook is what the workers of a drain saw, kept under mu: who holds a
// task from its claim until its completion returned, and who was ever
// handed it.
type drainBook struct {
	mu      sync.Mutex
	res     drainResult
	held    map[core.TaskID]core.AgentID
	claimed map[core.TaskID]core.AgentID
}

func (b *drainBook) claim(as core.Assignment, id core.AgentID, lat time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	task := as.Task.Task.ID
	b.res.claims++
	b.res.latencies = append(b.res.latencies, lat)
	if as.Resumed {
		b.res.resumed++
	}
	if other, ok := b.held[task]; ok {
		b.res.doubles = append(b.res.doubles, fmt.Sprintf("%s held by %s and %s", task, other, id))
	} else if other, ok := b.claimed[task]; ok {
		b.res.doubles = append(b.res.doubles, fmt.Sprintf("%s handed to %s, then again to %s", task, other, id))
	}
	b.held[task], b.claimed[task] = id, id
}

func (b *drainBook) release(task core.TaskID) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.held, task)
}

// drain has one worker per agent claim and complete tasks of project p until
// the project is complete. Workers are spread over the coordinators, as over
// processes. It records a double claim whenever a worker is handed a task
// that another worker holds or that was handed out before: a task is
// claimed once in a drain. The first error stops every worker: a worker
// that dies holding a task would leave the others waiting for it forever.
func drain(ctx context.Context, cs []*core.Coordinator, p core.ProjectID, workers int) (drainResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	book := &drainBook{held: map[core.TaskID]core.AgentID{}, claimed: map[core.TaskID]core.AgentID{}}
	agent := func(w int) core.AgentID { return core.AgentID(fmt.Sprintf("agent-%03d", w)) }
	for w := range workers {
		if _, err := cs[w%len(cs)].RegisterAgent(ctx, core.RegisterRequest{ID: agent(w), Project: p}); err != nil {
			return book.res, err
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	start := time.Now()
	for w := range workers {
		wg.Go(func() {
			if err := drainWorker(ctx, cs[w%len(cs)], agent(w), book); err != nil {
				errs <- err
				cancel()
			}
		})
	}
	wg.Wait()
	book.res.wall = time.Since(start)
	close(errs)
	return book.res, <-errs
}

// drainWorker claims and completes tasks until the project is complete.
func drainWorker(ctx context.Context, c *core.Coordinator, id core.AgentID, book *drainBook) error {
	for {
		t0 := time.Now()
		as, err := c.RequestNextTask(ctx, id)
		lat := time.Since(t0)
		if err != nil {
			return fmt.Errorf("%s: request_next_task: %w", id, err)
		}
		if as.Complete {
			return nil
		}
		if as.Task == nil {
			// An agent waits the advised delay; the cap keeps advice meant
			// for real work from slowing a drain of instant tasks.
			time.Sleep(min(as.Retry.After, 10*time.Millisecond))
			continue
		}
		task := as.Task.Task.ID
		book.claim(as, id, lat)
		_, err = c.ReportProgress(ctx, core.ProgressReport{Agent: id, Task: task, Status: core.StatusDone})
		book.release(task)
		if err != nil {
			return fmt.Errorf("%s: complete %s: %w", id, task, err)
		}
	}
}

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}
