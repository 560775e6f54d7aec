package trello_test

import (
	"fmt"
	"testing"
	"time"

	"marcus/core"
)

// BenchmarkFirstMirror100 mirrors a 100-task project (half with two
// acceptance criteria) to the fake Trello for the first time, through
// adlio/trello's own limit of 8 requests a second: the wall time against
// the floor (requests / 8 per second). Then agents change 20 tasks'
// status (10 claims, 10 completions) and a push delivers them: requests per
// status change.
func BenchmarkFirstMirror100(b *testing.B) {
	plan := core.Plan{Name: "Hundred"}
	for i := range 100 {
		pt := core.PlanTask{Name: fmt.Sprintf("task %03d", i)}
		if i%2 == 0 {
			pt.Acceptance = []string{"works", "tested"}
		}
		if i >= 10 {
			pt.After = []string{fmt.Sprintf("task %03d", i-10)}
		}
		plan.Tasks = append(plan.Tasks, pt)
	}
	for b.Loop() {
		b.StopTimer()
		rb := newRig(b, plan)
		b.StartTimer()
		start := time.Now()
		before := rb.fake.Requests()
		if _, err := rb.sync.Link(b.Context(), ""); err != nil {
			b.Fatal(err)
		}
		if err := rb.sync.Push(b.Context()); err != nil {
			b.Fatal(err)
		}
		wall := time.Since(start)
		n := rb.fake.Requests() - before
		floor := time.Duration(float64(n) / 8 * float64(time.Second))
		b.ReportMetric(float64(n), "requests")
		b.ReportMetric(wall.Seconds(), "wall-s")
		b.ReportMetric(floor.Seconds(), "floor-s")
		b.ReportMetric(float64(wall)/float64(floor), "x-floor")

		b.StopTimer()
		if _, err := rb.coord.RegisterAgent(b.Context(), core.RegisterRequest{ID: "a1", Project: rb.proj.ID}); err != nil {
			b.Fatal(err)
		}
		changes := 0
		for range 10 {
			as, err := rb.coord.RequestNextTask(b.Context(), "a1")
			if err != nil || as.Task == nil {
				b.Fatal(err)
			}
			if err := rb.sync.Push(b.Context()); err != nil {
				b.Fatal(err)
			}
			before = rb.fake.Requests()
			if _, err := rb.coord.ReportProgress(b.Context(), core.ProgressReport{Agent: "a1", Task: as.Task.Task.ID, Status: core.StatusDone, Progress: 100}); err != nil {
				b.Fatal(err)
			}
			if err := rb.sync.Push(b.Context()); err != nil {
				b.Fatal(err)
			}
			changes += rb.fake.Requests() - before
		}
		b.ReportMetric(float64(changes)/10, "requests/completion")
		b.StartTimer()
	}
}
