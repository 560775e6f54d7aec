package core

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultPlanConcurrency is how many feature calls a creation runs at once.
const DefaultPlanConcurrency = 8

// DedupeWindow is how long an identical create request (same name, same
// description) returns the first one's project instead of creating another.
const DedupeWindow = 10 * time.Minute

// CreateRequest asks for a project planned from a description.
type CreateRequest struct {
	Description string
	// Name is the project's name; "" lets the planner suggest one.
	Name       string
	Planner    Planner
	Complexity Complexity
	MaxTasks   int
	TeamSize   int
	// Concurrency bounds the feature calls in flight (0: the default, 8).
	Concurrency int
	// Options are kept with the project beside the planner's own (the
	// workspace root, tags, a deadline); see OptionWorkspaceRoot.
	Options map[string]string
	// Progress, when set, hears every step as it happens, besides the
	// EventPlanning events. It is called from one goroutine at a time.
	Progress func(PlanProgress)
}

// PlanProgress is one step of a creation.
type PlanProgress struct {
	Project ProjectID `json:"project_id"`
	Name    string    `json:"name,omitempty"`
	// Stage is "started", "analyzed", "feature", "validating", "stored" or
	// "failed".
	Stage   string `json:"stage"`
	Done    int    `json:"done"`
	Total   int    `json:"total"`
	Feature string `json:"feature,omitempty"`
	Error   string `json:"error,omitempty"`
}

// Creation is a created project with what a person wants to know of it.
type Creation struct {
	Project  Project
	Tasks    []Task
	Schedule Schedule
	// RecommendedAgents is the plan's peak parallelism: more agents than
	// this would wait.
	RecommendedAgents int
	Features          []string
	Warnings          []string
	// Duplicate says an identical request made this project moments ago
	// and this one returned it.
	Duplicate bool
	// Calls are the model calls this creation made (none for a duplicate).
	Calls []LLMCall
}

type flight struct {
	done chan struct{}
	res  Creation
	err  error
}

// CreateProject plans a project from a description and stores it, all or
// nothing. The steps: an identical request within DedupeWindow returns the
// first one's project; the analysis call runs while the project's name is
// checked; the features are expanded concurrently (at most Concurrency at a
// time, the first failure cancelling the rest); the plan is assembled,
// repaired or refused (AssemblePlan); the project, its tasks and the model
// calls are stored in one transaction. A failed or cancelled creation
// stores no project and no task; it records the model calls it paid for
// and an EventPlanningFailed event, so costs are never hidden.
func (c *Coordinator) CreateProject(ctx context.Context, req CreateRequest) (Creation, error) {
	if err := checkCreate(&req); err != nil {
		return Creation{}, err
	}
	key := strings.ToLower(strings.TrimSpace(req.Name)) + "\x00" + strings.TrimSpace(req.Description)
	for {
		c.flightMu.Lock()
		if c.flights == nil {
			c.flights = map[string]*flight{}
		}
		f, busy := c.flights[key]
		if !busy {
			f = &flight{done: make(chan struct{})}
			c.flights[key] = f
			c.flightMu.Unlock()
			f.res, f.err = c.createOnce(ctx, req)
			c.flightMu.Lock()
			delete(c.flights, key)
			c.flightMu.Unlock()
			close(f.done)
			return f.res, f.err
		}
		c.flightMu.Unlock()
		select {
		case <-ctx.Done():
			return Creation{}, Wrap(ErrUnavailable, ctx.Err(), "project creation cancelled")
		case <-f.done:
		}
		if f.err == nil {
			res := f.res
			res.Duplicate, res.Calls, res.Warnings = true, nil, nil
			return res, nil
		}
		// The first attempt failed; this one tries for itself.
	}
}

func checkCreate(req *CreateRequest) error {
	req.Description = strings.TrimSpace(req.Description)
	req.Name = strings.Join(strings.Fields(req.Name), " ")
	switch {
	case req.Description == "":
		return Errorf(ErrInvalid, "the description is empty: say what to build, e.g. \"a todo web app with login, lists and reminders\"")
	case len(req.Description) > MaxDescriptionLen:
		return Errorf(ErrInvalid, "the description is %d bytes; the limit is %d: shorten it or write the plan as a file", len(req.Description), MaxDescriptionLen)
	case len(req.Name) > MaxNameLen:
		return Errorf(ErrInvalid, "the project name is %d characters; the limit is %d", len(req.Name), MaxNameLen)
	case req.Planner == nil:
		return Errorf(ErrInvalid, "no planner: choose one (offline, anthropic, openai)")
	case req.MaxTasks < 0:
		return Errorf(ErrInvalid, "max_tasks is %d: use a positive number, or 0 for no limit", req.MaxTasks)
	case req.TeamSize < 0 || req.TeamSize > 1000:
		return Errorf(ErrInvalid, "team_size is %d: use a number from 1 to 1000, or 0 for unknown", req.TeamSize)
	case req.Concurrency < 0:
		return Errorf(ErrInvalid, "concurrency is %d: use a positive number", req.Concurrency)
	}
	if err := checkOptions(req.Options); err != nil {
		return err
	}
	if req.Concurrency == 0 {
		req.Concurrency = DefaultPlanConcurrency
	}
	if req.Complexity == "" {
		req.Complexity = Standard
	}
	if _, err := ParseComplexity(string(req.Complexity)); err != nil {
		return err
	}
	return nil
}

// creation is the state of one run of the pipeline.
type creation struct {
	c       *Coordinator
	req     CreateRequest
	id      ProjectID
	calls   callLog
	events  *reporter
	started time.Time
	stored  bool // a draft's run, once stored or discarded
}

func (c *Coordinator) createOnce(ctx context.Context, req CreateRequest) (res Creation, err error) {
	if dup, ok, err := c.findDuplicate(ctx, req.Name, req.Description); err != nil || ok {
		return dup, err
	}
	run := &creation{c: c, req: req, id: ProjectID(NewID("p")), started: c.clock()}
	run.events = newReporter(c, run.id, req.Progress)
	defer func() {
		if err != nil {
			run.fail(err)
		}
		run.events.close()
	}()
	a, plan, warnings, err := run.plan(ctx)
	if err != nil {
		return Creation{}, err
	}
	return run.store(ctx, a, plan, warnings)
}

// plan runs the planning steps: analysis beside set-up, the features
// concurrently, assembly.
func (run *creation) plan(ctx context.Context) (Analysis, Plan, []string, error) {
	req := run.req
	run.events.send(PlanProgress{Stage: "started", Name: req.Name})
	preq := PlanRequest{Description: req.Description, Name: req.Name, Complexity: req.Complexity,
		MaxTasks: req.MaxTasks, TeamSize: req.TeamSize, Record: run.calls.add}
	a, err := run.analyze(ctx, preq)
	if err != nil {
		return a, Plan{}, nil, err
	}
	expansions, err := expandAll(ctx, req.Planner, preq, a, req.Concurrency, func(done int, f Feature) {
		run.events.send(PlanProgress{Stage: "feature", Done: done, Total: len(a.Features), Feature: f.Name})
	})
	if err != nil {
		return a, Plan{}, nil, err
	}
	run.events.send(PlanProgress{Stage: "validating", Done: len(a.Features), Total: len(a.Features)})
	plan, warnings, err := AssemblePlan(preq, a, expansions)
	return a, plan, warnings, err
}

// analyze runs the analysis call while the project's set-up runs beside
// it; a set-up failure cancels the analysis.
func (run *creation) analyze(ctx context.Context, preq PlanRequest) (Analysis, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	setup := make(chan error, 1)
	go func() {
		err := run.setup(ctx)
		if err != nil {
			cancel(err)
		}
		setup <- err
	}()
	a, err := safePlan(func() (Analysis, error) { return run.req.Planner.Analyze(ctx, preq) })
	serr := <-setup
	if serr != nil {
		return Analysis{}, serr
	}
	if err != nil {
		return Analysis{}, planError(ctx, err, "analysing the description")
	}
	if len(a.Features) == 0 && len(a.Foundation) == 0 && len(a.Closing) == 0 {
		return Analysis{}, Errorf(ErrInvalid, "the planner found nothing to do in the description: say what to build and what it should do")
	}
	if len(a.Features) > MaxPlanTasks {
		return Analysis{}, Errorf(ErrInvalid, "the planner found %d features; the limit is %d", len(a.Features), MaxPlanTasks)
	}
	run.events.send(PlanProgress{Stage: "analyzed", Name: orDefault(run.req.Name, a.Name), Total: len(a.Features)})
	return a, nil
}

// setup prepares the project beside the analysis: the name must be free
// (or taken by this very request moments ago), then the registered set-up
// hooks run (a board mirror creating its board, for one).
func (run *creation) setup(ctx context.Context) error {
	if run.req.Name != "" {
		if err := run.c.store.View(ctx, func(tx ReadTx) error {
			_, _, err := duplicateIn(tx, run.req.Name, run.req.Description, run.c.clock())
			return err
		}); err != nil {
			return err
		}
	}
	for _, hook := range run.c.setupHooks {
		if err := hook(ctx, Project{ID: run.id, Name: run.req.Name, Description: run.req.Description}); err != nil {
			return Wrap(CodeOf(err), err, "setting up the project")
		}
	}
	return nil
}

// expandAll runs one Expand per feature, at most limit at a time. The first
// failure cancels the others and is returned; every goroutine has ended when
// it returns.
func expandAll(ctx context.Context, p Planner, preq PlanRequest, a Analysis, limit int, done func(int, Feature)) ([][]PlanTask, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	out := make([][]PlanTask, len(a.Features))
	sem := make(chan struct{}, max(1, limit))
	var wg sync.WaitGroup
	var finished atomic.Int64
	var first error
	var once sync.Once
	for i, f := range a.Features {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			tasks, err := safePlan(func() ([]PlanTask, error) { return p.Expand(ctx, preq, a, f) })
			if err == nil && len(tasks) == 0 {
				err = Errorf(ErrInvalid, "the planner gave no tasks for feature %q", f.Name)
			}
			if err != nil {
				err = planError(ctx, err, fmt.Sprintf("planning feature %q", f.Name))
				once.Do(func() { first = err })
				cancel(err)
				return
			}
			out[i] = tasks
			done(int(finished.Add(1)), f)
		})
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	if err := ctx.Err(); err != nil {
		return nil, Wrap(ErrUnavailable, context.Cause(ctx), "project creation cancelled")
	}
	return out, nil
}

// safePlan turns a planner's panic into an error: no panic reaches a user.
func safePlan[T any](fn func() (T, error)) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = Errorf(ErrInternal, "the planner failed: %v\n%s", r, debug.Stack())
		}
	}()
	return fn()
}

// planError keeps a planner's error code and says which step failed; a
// cancellation says so.
func planError(ctx context.Context, err error, doing string) error {
	if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) && !errors.Is(cause, context.DeadlineExceeded) {
			return cause
		}
		return Wrap(ErrUnavailable, err, "project creation cancelled while %s", doing)
	}
	var e *Error
	if errors.As(err, &e) {
		return Wrap(e.Code, err, "%s", doing)
	}
	return Wrap(ErrUnavailable, err, "%s", doing)
}

// store writes the project, its tasks and the model calls in one
// transaction, unless an identical request stored its project first.
func (run *creation) store(ctx context.Context, a Analysis, plan Plan, warnings []string) (Creation, error) {
	c := run.c
	now := c.clock()
	options := maps.Clone(run.req.Options)
	if options == nil {
		options = map[string]string{}
	}
	options["complexity"], options["features"] = string(run.req.Complexity), strconv.Itoa(len(a.Features))
	if a.Kind != "" {
		options["kind"] = a.Kind
	}
	if run.req.MaxTasks > 0 {
		options["max_tasks"] = strconv.Itoa(run.req.MaxTasks)
	}
	if run.req.TeamSize > 0 {
		options["team_size"] = strconv.Itoa(run.req.TeamSize)
	}
	if run.req.Name == "" {
		options["named_by"] = "planner"
	}
	p := Project{ID: run.id, Name: plan.Name, Description: run.req.Description, Planner: run.req.Planner.Name(),
		Options: options, CreatedAt: now}
	tasks, err := BuildTasks(plan, p.ID, now)
	if err != nil {
		return Creation{}, err
	}
	sched, err := ComputeSchedule(tasks)
	if err != nil {
		return Creation{}, err
	}
	calls := run.calls.take(p.ID, p.Name)
	var dup Creation
	var isDup bool
	if err := ctx.Err(); err != nil {
		return Creation{}, Wrap(ErrUnavailable, err, "project creation cancelled before it was stored")
	}
	run.events.flush()
	err = c.store.Update(ctx, func(tx Tx) error {
		var err error
		if run.req.Name == "" {
			// A suggested name steps aside for an existing project's.
			if p.Name, err = freeName(tx, p.Name, p.Description, now); err != nil {
				return err
			}
		}
		dup, isDup, err = duplicateIn(tx, p.Name, p.Description, now)
		if err != nil || isDup {
			return err
		}
		if err := tx.InsertProject(p); err != nil {
			return err
		}
		if err := tx.InsertTasks(tasks); err != nil {
			return err
		}
		if err := tx.InsertLLMCalls(calls); err != nil {
			return err
		}
		_, err = tx.AppendEvent(Event{At: now, Project: p.ID, Kind: EventProjectCreated,
			Payload: map[string]any{"name": p.Name, "tasks": len(tasks), "planner": p.Planner,
				"features": len(a.Features), "recommended_agents": sched.PeakParallelism,
				"seconds": now.Sub(run.started).Seconds()}})
		return err
	})
	if err != nil {
		run.calls.restore(calls)
		return Creation{}, err
	}
	if isDup {
		run.calls.restore(calls)
		run.recordOrphanCalls(dup.Project)
		return dup, nil
	}
	names := make([]string, len(a.Features))
	for i, f := range a.Features {
		names[i] = f.Name
	}
	run.events.send(PlanProgress{Stage: "stored", Name: p.Name, Done: len(a.Features), Total: len(a.Features)})
	return Creation{Project: p, Tasks: tasks, Schedule: sched, RecommendedAgents: sched.PeakParallelism,
		Features: names, Warnings: warnings, Calls: calls}, nil
}

// recordOrphanCalls keeps the calls of a creation that lost the race to an
// identical one: they were paid for.
func (run *creation) recordOrphanCalls(winner Project) {
	calls := run.calls.take(run.id, winner.Name)
	if len(calls) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = run.c.store.Update(ctx, func(tx Tx) error { return tx.InsertLLMCalls(calls) })
}

// fail records a failed creation: its model calls and an event; no project.
func (run *creation) fail(cause error) {
	name := run.req.Name
	calls := run.calls.take(run.id, orDefault(name, "(unnamed) "+cut(oneLineText(run.req.Description), 60)))
	run.events.send(PlanProgress{Stage: "failed", Name: name, Error: cause.Error()})
	run.events.flush()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = run.c.store.Update(ctx, func(tx Tx) error {
		if err := tx.InsertLLMCalls(calls); err != nil {
			return err
		}
		_, err := tx.AppendEvent(Event{At: run.c.clock(), Project: run.id, Kind: EventPlanningFailed,
			Payload: map[string]any{"name": name, "error": cause.Error(), "calls": len(calls)}})
		return err
	})
}

// findDuplicate looks, before any planning, for the project an identical
// request made within DedupeWindow.
func (c *Coordinator) findDuplicate(ctx context.Context, name, description string) (Creation, bool, error) {
	var res Creation
	var ok bool
	err := c.store.View(ctx, func(tx ReadTx) error {
		var err error
		res, ok, err = duplicateIn(tx, name, description, c.clock())
		if name == "" && err != nil {
			err = nil // an unnamed request takes whatever name is free later
		}
		return err
	})
	return res, ok, err
}

// duplicateIn finds a project made by an identical request (same name, or
// unnamed with the same description, within DedupeWindow). A project that
// has the name but not the description is a conflict.
func duplicateIn(tx ReadTx, name, description string, now time.Time) (Creation, bool, error) {
	ps, err := tx.Projects()
	if err != nil {
		return Creation{}, false, err
	}
	for _, p := range ps {
		recent := now.Sub(p.CreatedAt) < DedupeWindow && p.Description == description
		sameName := name != "" && strings.EqualFold(p.Name, name)
		unnamedTwin := name == "" && p.Options["named_by"] == "planner"
		switch {
		case recent && (sameName || unnamedTwin):
			res, err := creationOf(tx, p)
			return res, err == nil, err
		case sameName:
			return Creation{}, false, Errorf(ErrConflict, "a project named %q already exists (%s): choose another name", name, p.ID)
		}
	}
	return Creation{}, false, nil
}

// freeName returns name, or name with a number, whichever no other
// project has; a recent twin of this request keeps its name, so the
// duplicate check finds it.
func freeName(tx ReadTx, name, description string, now time.Time) (string, error) {
	ps, err := tx.Projects()
	if err != nil {
		return "", err
	}
	taken := map[string]bool{}
	for _, p := range ps {
		if p.Options["named_by"] == "planner" && p.Description == description && now.Sub(p.CreatedAt) < DedupeWindow {
			return p.Name, nil
		}
		taken[strings.ToLower(p.Name)] = true
	}
	candidate := name
	for n := 2; taken[strings.ToLower(candidate)]; n++ {
		candidate = fmt.Sprintf("%s (%d)", cut(name, MaxNameLen-10), n)
	}
	return candidate, nil
}

func creationOf(tx ReadTx, p Project) (Creation, error) {
	tasks, err := tx.Tasks(p.ID)
	if err != nil {
		return Creation{}, err
	}
	sched, err := ComputeSchedule(tasks)
	if err != nil {
		return Creation{}, err
	}
	return Creation{Project: p, Tasks: tasks, Schedule: sched, RecommendedAgents: sched.PeakParallelism, Duplicate: true}, nil
}

// callLog collects a creation's model calls from concurrent planners.
type callLog struct {
	mu    sync.Mutex
	calls []LLMCall
}

func (l *callLog) add(c LLMCall) {
	l.mu.Lock()
	l.calls = append(l.calls, c)
	l.mu.Unlock()
}

// take empties the log, stamping the calls with their project.
func (l *callLog) take(p ProjectID, name string) []LLMCall {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.calls
	l.calls = nil
	for i := range out {
		out[i].Project, out[i].ProjectName = p, name
	}
	return out
}

func (l *callLog) restore(calls []LLMCall) {
	l.mu.Lock()
	l.calls = append(calls, l.calls...)
	l.mu.Unlock()
}

// reporter publishes a creation's progress from one goroutine: to the
// Progress callback and as events, several pending steps in one commit.
type reporter struct {
	c       *Coordinator
	project ProjectID
	fn      func(PlanProgress)
	ch      chan progressItem
	done    chan struct{}
}

// progressItem is a step to publish, or (ack set) a request to say when
// everything sent before it is published.
type progressItem struct {
	p   PlanProgress
	ack chan struct{}
}

func newReporter(c *Coordinator, p ProjectID, fn func(PlanProgress)) *reporter {
	r := &reporter{c: c, project: p, fn: fn, ch: make(chan progressItem, 64), done: make(chan struct{})}
	go r.run()
	return r
}

func (r *reporter) send(p PlanProgress) {
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
		var steps []PlanProgress
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

func (r *reporter) publish(batch []PlanProgress) {
	if r.fn != nil {
		for _, p := range batch {
			r.fn(p)
		}
	}
	var events []Event
	for _, p := range batch {
		if p.Stage == "failed" || p.Stage == "stored" {
			continue // EventPlanningFailed and EventProjectCreated say it
		}
		events = append(events, Event{At: r.c.clock(), Project: r.project, Kind: EventPlanning,
			Payload: map[string]any{"stage": p.Stage, "done": p.Done, "total": p.Total, "feature": p.Feature, "name": p.Name}})
	}
	if len(events) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Progress is a courtesy to watchers: a failure to record it does not
	// fail the creation, whose own commit reports any real trouble.
	_ = r.c.store.Update(ctx, func(tx Tx) error {
		for _, e := range events {
			if _, err := tx.AppendEvent(e); err != nil {
				return err
			}
		}
		return nil
	})
}

func oneLineText(s string) string { return strings.Join(strings.Fields(s), " ") }
