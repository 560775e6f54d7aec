package ui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"marcus/core"
	"marcus/core/metrics"
	runcore "marcus/core/run"
)

// FeedLimit is how many of a project's newest events the activity feed keeps.
const FeedLimit = 2000

// Snapshot is everything a frame shows, loaded at once after a change: the
// views render it and never read the store.
type Snapshot struct {
	Projects []core.Project
	// Board is the selected project's tasks and agents; its Project.ID is
	// empty when there is no project yet.
	Board  core.Board
	Status core.ProjectStatus
	// Layers and Schedule are the board's dependency graph (nil when it has
	// a cycle, which a stored board never has).
	Layers   [][]core.TaskID
	Schedule core.Schedule
	// ByID indexes Board.Tasks.
	ByID map[core.TaskID]int
	// Events are the project's newest events, oldest first.
	Events []core.Event
	// Metrics are the run's live numbers (header, Experiments view).
	Metrics MetricsSnapshot
	Costs   core.CostTotals
	// Experiments are the project's recorded experiments with their
	// metrics, oldest first (the same report marcus experiment report prints).
	Experiments []metrics.ExperimentReport
	// Mirrors are the project's board mirrors (Trello) and their state.
	Mirrors []core.MirrorStatus
	// Detail is filled when a task's detail is open.
	Detail *TaskDetail
	// Runner is marcus run's agents and their output, nil when no runner
	// runs in this process; the root refreshes it on a timer of its own.
	Runner   *RunnerSnapshot
	LoadedAt time.Time
}

// Task returns a task of the board by id.
func (s *Snapshot) Task(id core.TaskID) (core.Task, bool) {
	if s == nil {
		return core.Task{}, false
	}
	i, ok := s.ByID[id]
	if !ok {
		return core.Task{}, false
	}
	return s.Board.Tasks[i], true
}

// MetricsSnapshot and MetricsBucket are the live run metrics a frame
// shows; core/metrics computes them, with the same replay of the events
// as the experiment reports.
type (
	MetricsSnapshot = metrics.LiveSnapshot
	MetricsBucket   = metrics.LiveBucket
)

// TaskDetail is what the detail view shows of one task.
type TaskDetail = core.TaskView

// loadRequest says what to load, and for which generation of the root:
// the answer to an older generation is stale.
type loadRequest struct {
	gen     uint64
	project core.ProjectID
	detail  core.TaskID
}

// snapshotMsg carries a loaded snapshot into Update, with the request it
// answers.
type snapshotMsg struct {
	req  loadRequest
	snap *Snapshot
	err  error
}

// changedMsg says the store has events after the last one seen.
type changedMsg struct {
	last int64
	err  error
}

// loader loads snapshots. One load runs at a time (the model starts the
// next only when the last has answered), so its state needs no lock.
type loader struct {
	coord   *core.Coordinator
	runner  runcore.Live
	metrics *metrics.Live
	// reports keeps ended experiments' reports (they never change) and
	// when a running one was last computed.
	reports map[core.ExperimentID]metrics.ExperimentReport
	lastRun time.Time
}

func (l *loader) cmd(ctx context.Context, req loadRequest) tea.Cmd {
	return func() tea.Msg {
		snap, err := l.load(ctx, req)
		return snapshotMsg{req: req, snap: snap, err: err}
	}
}

func (l *loader) load(ctx context.Context, req loadRequest) (*Snapshot, error) {
	c := l.coord
	s := &Snapshot{LoadedAt: c.Now(), ByID: map[core.TaskID]int{}}
	ps, err := c.Projects(ctx)
	if err != nil {
		return nil, err
	}
	s.Projects = ps
	if len(ps) == 0 {
		return s, nil
	}
	ref := req.project
	if ref == "" {
		ref = ps[len(ps)-1].ID
	}
	b, err := c.Board(ctx, ref)
	if err != nil {
		return nil, err
	}
	if err := s.setBoard(b); err != nil {
		return nil, err
	}
	if l.metrics == nil || l.metrics.Project() != b.Project.ID {
		l.metrics = metrics.NewLive(b.Project.ID)
	}
	if err := l.feedMetrics(ctx, b.Project.ID); err != nil {
		return nil, err
	}
	s.Metrics = l.metrics.Snapshot(s.LoadedAt, b)
	if s.Events, err = c.LatestEvents(ctx, b.Project.ID, FeedLimit); err != nil {
		return nil, err
	}
	if sum, err := c.Costs(ctx, b.Project.ID); err == nil {
		s.Costs = sum.Totals
	}
	s.Experiments = l.experiments(ctx, b.Project.ID, s.LoadedAt)
	if ms, err := c.Mirrors(ctx, ""); err == nil {
		for _, m := range ms {
			if m.Project == b.Project.ID {
				s.Mirrors = append(s.Mirrors, m)
			}
		}
	}
	if req.detail != "" {
		if s.Detail, err = loadDetail(ctx, c, req.detail); err != nil && core.CodeOf(err) != core.ErrNotFound {
			return nil, err
		}
	}
	if l.runner != nil {
		s.Runner = loadRunner(l.runner, s.LoadedAt)
	}
	return s, nil
}

// setBoard sets the board and what is computed from it alone: the index by
// id, the status, the layers and the schedule.
func (s *Snapshot) setBoard(b core.Board) error {
	s.Board = b
	for i, t := range b.Tasks {
		s.ByID[t.ID] = i
	}
	var err error
	if s.Status, err = core.Status(b); err != nil {
		return err
	}
	if layers, err := core.Layers(b.Tasks); err == nil {
		s.Layers = layers
		s.Schedule, _ = core.ComputeSchedule(b.Tasks)
	}
	return nil
}

// feedMetrics gives the metrics every event they have not seen, a page at
// a time.
func (l *loader) feedMetrics(ctx context.Context, p core.ProjectID) error {
	for {
		evs, err := l.coord.Events(ctx, p, l.metrics.LastEventID(), 5000)
		if err != nil {
			return err
		}
		l.metrics.Add(evs)
		if len(evs) < 5000 {
			return nil
		}
	}
}

func loadDetail(ctx context.Context, c *core.Coordinator, id core.TaskID) (*TaskDetail, error) {
	v, err := c.TaskDetail(ctx, id)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// waitCmd answers when the store has an event after after: at once for a
// commit through this process, within poll for another process's.
func waitCmd(ctx context.Context, c *core.Coordinator, after int64, poll time.Duration) tea.Cmd {
	return func() tea.Msg {
		last, err := c.WaitForChange(ctx, after, poll)
		return changedMsg{last: last, err: err}
	}
}

// experiments reports a project's experiments: an ended one once, a
// running one at most every two seconds (its report reads its events).
func (l *loader) experiments(ctx context.Context, p core.ProjectID, now time.Time) []metrics.ExperimentReport {
	es, err := l.coord.Experiments(ctx, p)
	if err != nil {
		return nil
	}
	if l.reports == nil {
		l.reports = map[core.ExperimentID]metrics.ExperimentReport{}
	}
	var out []metrics.ExperimentReport
	for _, e := range es {
		rep, ok := l.reports[e.ID]
		stale := !ok || (rep.Experiment.Running && (e.EndedAt.IsZero() && now.Sub(l.lastRun) >= 2*time.Second || !e.EndedAt.IsZero()))
		if stale {
			fresh, err := metrics.Report(ctx, l.coord, string(e.ID))
			if err != nil {
				continue
			}
			rep = fresh
			l.reports[e.ID] = rep
			if rep.Experiment.Running {
				l.lastRun = now
			}
		}
		out = append(out, rep)
	}
	return out
}
