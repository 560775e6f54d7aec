package run

import (
	"context"
	"slices"
	"time"

	"marcus/core"
)

// Summary is what a run did, read from its events and the board at the
// end: what marcus run --json prints.
type Summary struct {
	Project     core.ProjectID `json:"project_id"`
	ProjectName string         `json:"project"`
	Integration string         `json:"integration_branch"`
	// The board at the end.
	Tasks    int  `json:"tasks"`
	Done     int  `json:"done"`
	Blocked  int  `json:"blocked"`
	Left     int  `json:"left"`
	Complete bool `json:"complete"`
	// The gate: merges and refusals by status, and gates that could not run.
	Merges             int `json:"merges"`
	Conflicts          int `json:"conflicts"`
	ValidationFailures int `json:"validation_failures"`
	OtherRefusals      int `json:"other_refusals"`
	GateErrors         int `json:"gate_errors"`
	// Agents: started, ended by themselves while holding their task, and
	// tasks taken back (hand-backs and lease recoveries).
	Spawns     int `json:"spawns"`
	Crashes    int `json:"crashes"`
	Recoveries int `json:"recoveries"`
	// request_next_task calls, and those that found no task.
	Polls     int     `json:"polls"`
	IdlePolls int     `json:"idle_polls"`
	IdleShare float64 `json:"idle_share"`
	// Times.
	WallSeconds     float64 `json:"wall_seconds"`
	MergesPerMinute float64 `json:"merges_per_minute"`
	GateP50Seconds  float64 `json:"gate_seconds_p50"`
	GateP99Seconds  float64 `json:"gate_seconds_p99"`
	SpawnToCallP50  float64 `json:"spawn_to_first_call_seconds_p50"`
	SpawnToCallP99  float64 `json:"spawn_to_first_call_seconds_p99"`
	ReadyToSpawnP50 float64 `json:"ready_to_spawn_seconds_p50"`
	ReadyToSpawnP99 float64 `json:"ready_to_spawn_seconds_p99"`
	ExperimentID    string  `json:"experiment_id,omitempty"`
}

// summarize reads the run's events (after from) and the board.
func (c *Controller) summarize(ctx context.Context, from int64, exp core.Experiment) (Summary, error) {
	evs, err := c.eventsAfter(ctx, from)
	if err != nil {
		return Summary{}, err
	}
	b, err := c.c.Board(ctx, c.o.Project.ID)
	if err != nil {
		return Summary{}, err
	}
	s := Summarize(evs, b.Tasks, c.started, time.Since(c.started))
	s.Project, s.ProjectName, s.Integration = c.o.Project.ID, c.o.Project.Name, c.o.Workspaces.Integration()
	s.Tasks, s.Done, s.Blocked = len(b.Tasks), b.Counts[core.StatusDone], b.Counts[core.StatusBlocked]
	s.Left, s.Complete = s.Tasks-s.Done-s.Blocked, s.Tasks > 0 && s.Done == s.Tasks
	if exp.ID != "" {
		s.ExperimentID = string(exp.ID)
		if st, err := c.c.ExperimentStatus(ctx, string(exp.ID)); err == nil {
			s.Polls, s.IdlePolls = st.Polls, st.IdlePolls
		}
		if s.Polls > 0 {
			s.IdleShare = float64(s.IdlePolls) / float64(s.Polls)
		}
	}
	return s, nil
}

func (c *Controller) eventsAfter(ctx context.Context, from int64) ([]core.Event, error) {
	var all []core.Event
	for {
		evs, err := c.c.Events(ctx, c.o.Project.ID, from, 1000)
		if err != nil || len(evs) == 0 {
			return all, err
		}
		all = append(all, evs...)
		from = evs[len(evs)-1].ID
	}
}

// Summarize counts what a run's events say: merges, gate refusals,
// spawns, crashes, recoveries, and the times of gates, of agents' first
// calls after their start, and of tasks waiting for an agent once ready
// (tasks are the project's, with their dependencies; start is when the
// run began).
func Summarize(evs []core.Event, tasks []core.Task, start time.Time, wall time.Duration) Summary {
	s := Summary{WallSeconds: wall.Seconds()}
	var gates []float64
	for _, e := range evs {
		switch p := e.Payload.(type) {
		case core.TaskCompleted:
			if p.Commit != "" && !p.AlreadyMerged {
				s.Merges++
				gates = append(gates, p.GateSeconds)
			}
		case core.GateFailed:
			s.countRefusal(p.Status)
		case core.AgentSpawned:
			s.Spawns++
		case core.AgentExited:
			if p.Crashed() {
				s.Crashes++
			}
		case core.LeaseRecovery:
			s.Recoveries++
		}
	}
	s.GateP50Seconds, s.GateP99Seconds = quantile(gates, 0.5), quantile(gates, 0.99)
	if wall > 0 {
		s.MergesPerMinute = float64(s.Merges) / wall.Minutes()
	}
	calls := spawnToFirstCall(evs)
	s.SpawnToCallP50, s.SpawnToCallP99 = quantile(calls, 0.5), quantile(calls, 0.99)
	waits := readyToSpawn(evs, tasks, start)
	s.ReadyToSpawnP50, s.ReadyToSpawnP99 = quantile(waits, 0.5), quantile(waits, 0.99)
	return s
}

func (s *Summary) countRefusal(status core.GateStatus) {
	switch status {
	case core.GateConflict:
		s.Conflicts++
	case core.GateValidationFailed:
		s.ValidationFailures++
	case core.GateError:
		s.GateErrors++
	default:
		s.OtherRefusals++
	}
}

// spawnToFirstCall is, per spawned agent, the seconds from its process
// start to the first event it caused itself (its registration, as a rule).
func spawnToFirstCall(evs []core.Event) []float64 {
	started := map[core.AgentID]time.Time{}
	var out []float64
	for _, e := range evs {
		if p, ok := e.Payload.(core.AgentSpawned); ok {
			started[e.Agent] = p.StartedAt
			continue
		}
		at, ok := started[e.Agent]
		if !ok || at.IsZero() || !e.AgentActed() || e.At.Before(at) {
			continue
		}
		out = append(out, e.At.Sub(at).Seconds())
		delete(started, e.Agent)
	}
	return out
}

// readyToSpawn is, per agent spawned for a task, the seconds from the
// moment the task became ready (its last hard dependency done, or the
// run's start) to the agent's start: how long ready work waited for a
// slot and for the controller.
func readyToSpawn(evs []core.Event, tasks []core.Task, start time.Time) []float64 {
	done := map[core.TaskID]time.Time{}
	for _, e := range evs {
		if _, ok := e.Payload.(core.TaskCompleted); ok {
			done[e.Task] = e.At
		}
	}
	byID := map[core.TaskID]core.Task{}
	for _, t := range tasks {
		byID[t.ID] = t
	}
	var out []float64
	for _, e := range evs {
		p, ok := e.Payload.(core.AgentSpawned)
		t, known := byID[e.Task]
		if !ok || !known || p.StartedAt.IsZero() {
			continue
		}
		ready := start
		for _, d := range t.HardDependencies() {
			if at, ok := done[d]; ok && at.After(ready) {
				ready = at
			}
		}
		out = append(out, max(p.StartedAt.Sub(ready).Seconds(), 0))
	}
	return out
}

// quantile is the q-quantile of xs (nearest rank), 0 for none.
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*q))]
}
