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
}

// drain has one worker per agent claim and complete tasks of project p until
// the project is complete. Workers are spread over the coordinators, as over
// processes. It records a double claim whenever a worker is handed a task
// another worker holds.
func drain(ctx context.Context, cs []*core.Coordinator, p core.ProjectID, workers int) (drainResult, error) {
	var (
		mu   sync.Mutex
		res  drainResult
		held = map[core.TaskID]core.AgentID{}
		wg   sync.WaitGroup
		errs = make(chan error, workers)
	)
	start := time.Now()
	for w := range workers {
		c := cs[w%len(cs)]
		id := core.AgentID(fmt.Sprintf("agent-%03d", w))
		if _, err := c.RegisterAgent(ctx, core.RegisterRequest{ID: id, Project: p}); err != nil {
			return res, err
		}
		wg.Go(func() {
			for {
				t0 := time.Now()
				as, err := c.RequestNextTask(ctx, id)
				lat := time.Since(t0)
				if err != nil {
					errs <- err
					return
				}
				if as.Complete {
					return
				}
				if as.Task == nil {
					time.Sleep(time.Millisecond)
					continue
				}
				task := as.Task.Task.ID
				mu.Lock()
				res.claims++
				res.latencies = append(res.latencies, lat)
				if other, ok := held[task]; ok {
					res.doubles = append(res.doubles, fmt.Sprintf("%s held by %s and %s", task, other, id))
				}
				held[task] = id
				mu.Unlock()
				mu.Lock()
				delete(held, task)
				mu.Unlock()
				if _, err := c.ReportProgress(ctx, core.ProgressReport{Agent: id, Task: task, Status: core.StatusDone}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	res.wall = time.Since(start)
	close(errs)
	return res, <-errs
}

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}
