package plan

import (
	"context"
	"sync"
	"time"

	"marcus/core"
)

// callLog collects a creation's model calls from concurrent planners.
type callLog struct {
	mu    sync.Mutex
	calls []core.LLMCall
}

func (l *callLog) add(c core.LLMCall) {
	l.mu.Lock()
	l.calls = append(l.calls, c)
	l.mu.Unlock()
}

// take empties the log, stamping the calls with their project.
func (l *callLog) take(p core.ProjectID, name string) []core.LLMCall {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.calls
	l.calls = nil
	for i := range out {
		out[i].Project, out[i].ProjectName = p, name
	}
	return out
}

func (l *callLog) restore(calls []core.LLMCall) {
	l.mu.Lock()
	l.calls = append(calls, l.calls...)
	l.mu.Unlock()
}

// reporter publishes a creation's progress from one goroutine: to the
// Progress callback and as events, several pending steps in one commit.
type reporter struct {
	s       *Service
	project core.ProjectID
	fn      func(Progress)
	ch      chan progressItem
	done    chan struct{}
}

// progressItem is a step to publish, or (ack set) a request to say when
// everything sent before it is published.
type progressItem struct {
	p   Progress
	ack chan struct{}
}

func newReporter(s *Service, p core.ProjectID, fn func(Progress)) *reporter {
	r := &reporter{s: s, project: p, fn: fn, ch: make(chan progressItem, 64), done: make(chan struct{})}
	go r.run()
	return r
}

func (r *reporter) send(p Progress) {
	p.Project = r.project
	r.ch <- progressItem{p: p}
}

// flush returns once every step sent so far is published, so that the
// events a creation commits next come after them.
func (r *reporter) flush() {
	ack := make(chan struct{})
	r.ch <- progressItem{ack: ack}
	<-ack
}

func (r *reporter) close() {
	close(r.ch)
	<-r.done
}

func (r *reporter) run() {
	defer close(r.done)
	for item := range r.ch {
		batch := []progressItem{item}
	drain:
		for {
			select {
			case q, ok := <-r.ch:
				if !ok {
					break drain
				}
				batch = append(batch, q)
			default:
				break drain
			}
		}
		var steps []Progress
		var acks []chan struct{}
		for _, it := range batch {
			if it.ack != nil {
				acks = append(acks, it.ack)
			} else {
				steps = append(steps, it.p)
			}
		}
		r.publish(steps)
		for _, ack := range acks {
			close(ack)
		}
	}
}

func (r *reporter) publish(batch []Progress) {
	if r.fn != nil {
		for _, p := range batch {
			r.fn(p)
		}
	}
	var events []core.Event
	for _, p := range batch {
		if p.Stage == "failed" || p.Stage == "stored" {
			continue // EventPlanningFailed and EventProjectCreated say it
		}
		events = append(events, core.Event{At: r.s.clock(), Project: r.project, Kind: core.EventPlanning,
			Payload: core.PlanningProgress{Done: p.Done, Feature: p.Feature, Name: p.Name, Stage: p.Stage, Total: p.Total}})
	}
	if len(events) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Progress is a courtesy to watchers: a failure to record it does not
	// fail the creation, whose own commit reports any real trouble.
	_ = r.s.store.Update(ctx, func(tx core.Tx) error {
		for _, e := range events {
			if _, err := tx.AppendEvent(e); err != nil {
				return err
			}
		}
		return nil
	})
}
