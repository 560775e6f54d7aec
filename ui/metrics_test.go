package ui

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"marcus/core"
)

// The loader feeds the store's events to the metrics: the scripted run's
// numbers reach the snapshot, and the header counts the recovery.
func TestMetricsFromStore(t *testing.T) {
	r := newRun(t, 120, 40)
	ms := r.e.m.snap.Metrics
	got := []int{ms.Recoveries, ms.Completions, ms.Claims, ms.Blockers, ms.Blocked, ms.Agents, ms.Holding, ms.Done, ms.Total}
	if want := []int{1, 3, 7, 2, 1, 4, 2, 3, 8}; !slices.Equal(got, want) {
		t.Errorf("metrics %v, want %v", got, want)
	}
	if !ms.Start.Equal(Start) || ms.Elapsed != 15*time.Minute || len(ms.Buckets) != 15 {
		t.Errorf("start %v elapsed %v buckets %d", ms.Start, ms.Elapsed, len(ms.Buckets))
	}
	if out := r.e.screen(); !strings.Contains(out, "1 recovered") {
		t.Errorf("header lacks the recovery:\n%s", out)
	}
}

// evSeq builds events with increasing ids.
type evSeq struct {
	t0  time.Time
	evs []core.Event
}

func (s *evSeq) add(at time.Duration, kind core.EventKind, agent, task string, payload core.Payload) {
	s.evs = append(s.evs, core.Event{ID: int64(len(s.evs) + 1), At: s.t0.Add(at), Project: "p", Kind: kind,
		Agent: core.AgentID(agent), Task: core.TaskID(task), Payload: payload})
}

// benchEvents is a realistic hour of 20 agents: claims, progress reports
// and completions, with a recovery now and then.
func benchEvents(n int) []core.Event {
	s := &evSeq{t0: Start}
	for a := range 20 {
		s.add(time.Duration(a)*time.Second, core.EventAgentRegistered, fmt.Sprintf("agent-%d", a), "", nil)
	}
	for i := 0; len(s.evs) < n; i++ {
		agent := fmt.Sprintf("agent-%d", i%20)
		task := fmt.Sprintf("t%d", i/4)
		at := time.Duration(20+i*3) * time.Second
		switch i % 4 {
		case 0:
			s.add(at, core.EventTaskClaimed, agent, task, core.TaskClaimed{Epoch: 1})
		case 3:
			if i%40 == 3 {
				s.add(at, core.EventLeaseRecovered, agent, task, nil)
			} else {
				s.add(at, core.EventTaskCompleted, agent, task, core.TaskCompleted{Progress: 100})
			}
		default:
			s.add(at, core.EventTaskProgress, agent, task, core.TaskProgress{Progress: 50, Message: "going"})
		}
	}
	return s.evs[:n]
}
