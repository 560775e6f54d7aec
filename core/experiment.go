package core

import (
	"context"
	"strings"
	"time"
)

// Experiment events.
const (
	EventExperimentStarted EventKind = "experiment_started"
	EventExperimentEnded   EventKind = "experiment_ended"
)

// ExperimentRequest starts an experiment on a project.
type ExperimentRequest struct {
	Name    string
	Project ProjectID
	Params  map[string]string
	Tags    []string
}

// StartExperiment starts recording a run of a project: one experiment runs
// per project at a time; names are unique.
func (c *Coordinator) StartExperiment(ctx context.Context, r ExperimentRequest) (Experiment, error) {
	r.Name = strings.Join(strings.Fields(r.Name), " ")
	if len(r.Name) > MaxNameLen {
		return Experiment{}, Errorf(ErrInvalid, "the experiment name is %d characters; the limit is %d", len(r.Name), MaxNameLen)
	}
	if len(r.Tags) > MaxLabels || len(r.Params) > MaxLabels {
		return Experiment{}, Errorf(ErrInvalid, "at most %d tags and %d params", MaxLabels, MaxLabels)
	}
	var e Experiment
	err := c.store.Update(ctx, func(tx Tx) error {
		p, err := FindProject(tx, r.Project)
		if err != nil {
			return err
		}
		if run, err := tx.RunningExperiment(p.ID); err == nil {
			return Refusef(ErrConflict, ReasonExperimentRunning, "experiment %q is already running on %s: end it first", run.Name, p.Name)
		} else if CodeOf(err) != ErrNotFound {
			return err
		}
		now := c.clock()
		name := r.Name
		if name == "" {
			name = p.Name + " " + now.Format("2006-01-02 15:04:05")
		}
		e = Experiment{ID: ExperimentID(NewID("x")), Name: name, Project: p.ID, StartedAt: now, Params: r.Params, Tags: cleanList(r.Tags)}
		if err := tx.InsertExperiment(e); err != nil {
			return err
		}
		_, err = tx.AppendEvent(Event{At: now, Project: p.ID, Kind: EventExperimentStarted,
			Payload: ExperimentStarted{Experiment: e.Name, ID: e.ID}})
		return err
	})
	if err == nil {
		c.running.Delete(e.Project)
	}
	return e, err
}

// ExperimentState is an experiment with where its project stands.
type ExperimentState struct {
	Experiment
	Running bool
	Counts  map[TaskStatus]int
	Total   int
	Elapsed time.Duration
	Agents  int
}

// ExperimentStatus reports an experiment (by id or name; "" is the
// running experiment of the newest project, or the newest experiment).
func (c *Coordinator) ExperimentStatus(ctx context.Context, ref string) (ExperimentState, error) {
	var st ExperimentState
	err := c.store.View(ctx, func(tx ReadTx) (err error) {
		st, err = experimentState(tx, ref, c.clock())
		return err
	})
	return st, err
}

func experimentState(tx ReadTx, ref string, now time.Time) (ExperimentState, error) {
	var st ExperimentState
	e, err := findExperiment(tx, ref)
	if err != nil {
		return st, err
	}
	st.Experiment, st.Running = e, e.EndedAt.IsZero()
	if st.Counts, err = tx.TaskCounts(e.Project); err != nil {
		return st, err
	}
	for _, n := range st.Counts {
		st.Total += n
	}
	agents, err := tx.Agents(e.Project)
	st.Agents = len(agents)
	end := e.EndedAt
	if st.Running {
		end = now
	}
	st.Elapsed = end.Sub(e.StartedAt)
	return st, err
}

// ExperimentRecord is what an experiment's metrics derive from, read in
// one snapshot.
type ExperimentRecord struct {
	State ExperimentState
	// Tasks are the project's tasks as they stand.
	Tasks []Task
	// Events are the project's events in the experiment's window (up to
	// At while it runs), oldest first.
	Events []Event
	// Calls are the project's model calls, all of them.
	Calls []LLMCall
	// Samples are the board samples taken while it ran, oldest first.
	Samples []Sample
	// At is when the record was read, on the coordinator's clock.
	At time.Time
}

// ExperimentRecord reads an experiment (by id or name, as ExperimentStatus)
// with its project's tasks, events, model calls and samples.
func (c *Coordinator) ExperimentRecord(ctx context.Context, ref string) (ExperimentRecord, error) {
	var rec ExperimentRecord
	err := c.store.View(ctx, func(tx ReadTx) (err error) {
		rec.At = c.clock()
		if rec.State, err = experimentState(tx, ref, rec.At); err != nil {
			return err
		}
		p := rec.State.Project
		if rec.Tasks, err = tx.Tasks(p); err != nil {
			return err
		}
		if rec.Events, err = windowEvents(tx, rec.State.Experiment); err != nil {
			return err
		}
		if rec.Calls, err = tx.LLMCalls(p); err != nil {
			return err
		}
		rec.Samples, err = tx.Samples(rec.State.ID)
		return err
	})
	return rec, err
}

// windowEvents lists a project's events inside an experiment's window, a
// page at a time.
func windowEvents(tx ReadTx, e Experiment) ([]Event, error) {
	var out []Event
	for after := int64(0); ; {
		evs, err := tx.Events(e.Project, after, 5000)
		if err != nil {
			return nil, err
		}
		for _, ev := range evs {
			if !ev.At.Before(e.StartedAt) && (e.EndedAt.IsZero() || !ev.At.After(e.EndedAt)) {
				out = append(out, ev)
			}
		}
		if len(evs) < 5000 {
			return out, nil
		}
		after = evs[len(evs)-1].ID
	}
}

// Experiments lists a project's experiments ("" for every project's),
// oldest first.
func (c *Coordinator) Experiments(ctx context.Context, project ProjectID) ([]Experiment, error) {
	var es []Experiment
	err := c.store.View(ctx, func(tx ReadTx) (err error) {
		es, err = tx.Experiments(project)
		return err
	})
	return es, err
}

func findExperiment(tx ReadTx, ref string) (Experiment, error) {
	if ref != "" {
		return tx.Experiment(ref)
	}
	es, err := tx.Experiments("")
	if err != nil {
		return Experiment{}, err
	}
	if len(es) == 0 {
		return Experiment{}, Refusef(ErrNotFound, ReasonNoExperiment, "no experiment yet: start one with start_experiment (or marcus experiment run)")
	}
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].EndedAt.IsZero() {
			return es[i], nil
		}
	}
	return es[len(es)-1], nil
}

// EndExperiment ends a running experiment (a finished one is returned as
// it is).
func (c *Coordinator) EndExperiment(ctx context.Context, ref string) (Experiment, error) {
	var e Experiment
	err := c.store.Update(ctx, func(tx Tx) error {
		var err error
		if e, err = findExperiment(tx, ref); err != nil || !e.EndedAt.IsZero() {
			return err
		}
		return c.endExperiment(tx, &e, "request")
	})
	if err == nil {
		c.running.Delete(e.Project)
	}
	return e, err
}

func (c *Coordinator) endExperiment(tx Tx, e *Experiment, by string) error {
	now := c.clock()
	if err := tx.EndExperiment(e.ID, now, by); err != nil {
		return err
	}
	e.EndedAt, e.EndedBy = now, by
	_, err := tx.AppendEvent(Event{At: now, Project: e.Project, Kind: EventExperimentEnded,
		Payload: ExperimentEnded{By: by, Experiment: e.Name, ID: e.ID}})
	return err
}

// runningCache remembers for a moment whether a project has a running
// experiment, so idle polls on projects without one stay read-only.
type runningEntry struct {
	running bool
	until   time.Time
}

var runningTTL = 500 * time.Millisecond

// experimentPoll counts a request on a project with a running experiment,
// and ends the experiment when the request finds the run finished: nothing
// in progress, and done + blocked = total.
func (c *Coordinator) experimentPoll(ctx context.Context, out *Assignment) error {
	p := out.Project.ID
	if may, err := c.mayRun(ctx, p); err != nil || !may {
		return err
	}
	running := false
	err := c.store.Update(ctx, func(tx Tx) error {
		running, out.ExperimentDone = false, "" // fn may run again: see Store.Update
		e, err := tx.RunningExperiment(p)
		if CodeOf(err) == ErrNotFound {
			return nil
		}
		if err != nil {
			return err
		}
		running = true
		if err := tx.CountPoll(p, out.Task == nil); err != nil {
			return err
		}
		if out.Task != nil {
			return nil
		}
		counts, err := tx.TaskCounts(p)
		if err != nil || !runFinished(counts) {
			return err
		}
		out.ExperimentDone = e.Name
		running = false
		return c.endExperiment(tx, &e, "complete")
	})
	c.running.Store(p, runningEntry{running: running, until: time.Now().Add(runningTTL)})
	return err
}

// mayRun tells whether a project may have a running experiment: false when
// a read snapshot (or one cached for runningTTL, or a moment longer while
// another request reads it afresh) found none. Most projects
// run none, and their requests stay off the write queue that claims and
// reports wait in.
func (c *Coordinator) mayRun(ctx context.Context, p ProjectID) (bool, error) {
	if p == "" {
		return false, nil
	}
	now := time.Now()
	if v, ok := c.running.Load(p); ok && !v.(runningEntry).running {
		if now.Before(v.(runningEntry).until) {
			return false, nil
		}
		// The entry is stale: one request reads it afresh, and those that
		// come meanwhile go on with what it said a moment ago rather than
		// all queueing for the same read.
		if _, reading := c.runningRead.LoadOrStore(p, true); reading {
			return false, nil
		}
		defer c.runningRead.Delete(p)
	}
	var none bool
	if err := c.store.View(ctx, func(tx ReadTx) error {
		_, err := tx.RunningExperiment(p)
		if none = CodeOf(err) == ErrNotFound; none {
			return nil
		}
		return err
	}); err != nil {
		return false, err
	}
	if none {
		c.running.Store(p, runningEntry{until: now.Add(runningTTL)})
	}
	return !none, nil
}
