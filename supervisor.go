package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"marcus/core"
)

// stage is a step of the shutdown order: every loop of a stage has stopped
// before the next stage is told to stop.
type stage int

const (
	// stageIntake holds what takes or makes agent requests: the MCP server
	// (HTTP or stdio) and synthetic agents. It stops first, so no request
	// changes the board while the rest winds down.
	stageIntake stage = iota
	// stageBoard holds the loops that act on the board themselves: the
	// lease monitor, the experiment collector, a spawn controller.
	stageBoard
	// stageMirror holds the board syncers. They stop after everything that
	// changes the board, so their final push carries the last change.
	stageMirror
	numStages
)

// defaultStopGrace bounds how long Stop waits for one stage: longer than
// any loop's own shutdown (the MCP server gives requests 5 s, a syncer's
// final push its own bound), short enough that a stuck loop cannot keep
// the process from exiting.
const defaultStopGrace = 30 * time.Second

// supervisor starts and joins a run's background loops. The run has one
// cancellation, Context, which ends with the command's context or when a
// vital loop stops; the command's foreground runs on it and returns, and
// Stop then stops the loops stage by stage and closes what the run opened.
// Loops are told to stop only by Stop, never by the command's context
// directly, so the order holds whatever ended the run.
type supervisor struct {
	ctx       context.Context
	cancel    context.CancelCauseFunc
	stages    [numStages]*group
	stopGrace time.Duration

	mu       sync.Mutex
	stopping bool
	failures []error // vital loops' errors and panics: the command's error
	report   func(name string, err error)
	closers  []func() error
}

// group is one stage's loops.
type group struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	jobs   []*job
}

// job is one loop started by the supervisor.
type job struct {
	name   string
	cancel context.CancelFunc
	done   chan struct{}
	err    error
}

// Stop stops this loop alone, before its stage stops (the dashboard's
// background work when the person quits), and waits until it has.
func (j *job) Stop() error {
	j.cancel()
	<-j.done
	return j.err
}

// Done is closed when the loop has returned.
func (j *job) Done() <-chan struct{} { return j.done }

// Err is the loop's error, once Done is closed: nil when it ended because
// its stage was told to stop.
func (j *job) Err() error { return j.err }

// panicError is a loop's panic, turned into an error once its stack is
// logged.
type panicError struct {
	name  string
	value any
}

func (e *panicError) Error() string {
	return fmt.Sprintf("%s stopped after an internal error (logged): %v", e.name, e.value)
}

func newSupervisor(parent context.Context) *supervisor {
	s := &supervisor{stopGrace: defaultStopGrace}
	s.ctx, s.cancel = context.WithCancelCause(parent)
	base := context.WithoutCancel(parent)
	for i := range s.stages {
		ctx, cancel := context.WithCancel(base)
		s.stages[i] = &group{ctx: ctx, cancel: cancel}
	}
	return s
}

// Context is the run's one cancellation: it ends when the command's
// context does (Ctrl-C) or when a vital loop stops.
func (s *supervisor) Context() context.Context { return s.ctx }

// Go starts loop in stage; it runs until Stop stops the stage. An error it
// returns or a panic is logged and reported (see ReportTo); a panic is also
// the command's error, once the run is over.
func (s *supervisor) Go(st stage, name string, loop func(context.Context) error) *job {
	return s.start(st, name, false, loop)
}

// GoVital starts a loop the run cannot go on without: when it ends, for
// whatever reason, the run's Context ends, and its error is the command's.
func (s *supervisor) GoVital(st stage, name string, loop func(context.Context) error) *job {
	return s.start(st, name, true, loop)
}

func (s *supervisor) start(st stage, name string, vital bool, loop func(context.Context) error) *job {
	g := s.stages[st]
	ctx, cancel := context.WithCancel(g.ctx)
	j := &job{name: name, cancel: cancel, done: make(chan struct{})}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping {
		cancel()
		j.err = core.Errorf(core.ErrUnavailable, "%s not started: the run is stopping", name)
		close(j.done)
		return j
	}
	g.jobs = append(g.jobs, j)
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		defer close(j.done)
		defer cancel()
		err := guard(ctx, name, loop)
		j.err = s.settle(name, vital, ctx.Err() != nil, err)
	}()
	return j
}

// guard runs loop, turning a panic into an error after logging its stack:
// a panic in a loop must not take the process, or the terminal the
// dashboard holds, down unrestored.
func guard(ctx context.Context, name string, loop func(context.Context) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			slog.Error("background loop panicked", "loop", name, "panic", r, "stack", string(debug.Stack()))
			err = &panicError{name: name, value: r}
		}
	}()
	return loop(ctx)
}

// settle decides what a loop's end means. told: its stage was told to
// stop, so its context's cancellation is no error.
func (s *supervisor) settle(name string, vital, told bool, err error) error {
	if told && errors.Is(err, context.Canceled) {
		err = nil
	}
	if err != nil {
		s.fail(name, vital, err)
	}
	if vital && !told {
		s.cancel(err) // nil: it ended cleanly (stdio at the end of input), and so does the run
	}
	return err
}

func (s *supervisor) fail(name string, vital bool, err error) {
	var p *panicError
	if !errors.As(err, &p) {
		slog.Error("background loop failed", "loop", name, "error", err)
	}
	s.mu.Lock()
	if vital || p != nil {
		s.failures = append(s.failures, err)
	}
	report := s.report
	s.mu.Unlock()
	if report != nil {
		report(name, err)
	}
}

// ReportTo sends each loop's failure to fn as well as to the log (the
// dashboard shows it in its footer); nil stops that. fn must not block
// for long: it runs on the failed loop's goroutine.
func (s *supervisor) ReportTo(fn func(name string, err error)) {
	s.mu.Lock()
	s.report = fn
	s.mu.Unlock()
}

// AtStop registers fn to run once every loop has stopped; the last
// registered runs first (the store closes before the log it writes to).
func (s *supervisor) AtStop(fn func() error) {
	s.mu.Lock()
	s.closers = append(s.closers, fn)
	s.mu.Unlock()
}

// Stop ends the run: it stops the stages in order, each joined before the
// next, then runs the AtStop functions, and returns what counts for the
// command's exit: vital loops' errors, panics, and failures to close. A
// second Stop returns nil.
func (s *supervisor) Stop() error {
	return joinErrs(s.stop()...)
}

func (s *supervisor) stop() []error {
	s.mu.Lock()
	if s.stopping {
		s.mu.Unlock()
		return nil
	}
	s.stopping = true
	s.mu.Unlock()
	s.cancel(nil)
	var errs []error
	for st, g := range s.stages {
		g.cancel()
		if err := s.join(stage(st), g); err != nil {
			errs = append(errs, err)
		}
	}
	s.mu.Lock()
	errs = append(slices.Clone(s.failures), errs...)
	closers := s.closers
	s.mu.Unlock()
	for _, c := range slices.Backward(closers) {
		if err := c(); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// join waits for a stage's loops, for at most stopGrace; a loop still
// running then is named in the log and the error, and left behind so the
// process can exit.
func (s *supervisor) join(st stage, g *group) error {
	joined := make(chan struct{})
	go func() { g.wg.Wait(); close(joined) }()
	select {
	case <-joined:
		return nil
	case <-time.After(s.stopGrace):
	}
	var stuck []string
	for _, j := range g.jobs {
		select {
		case <-j.done:
		default:
			stuck = append(stuck, j.name)
		}
	}
	slog.Error("background loops did not stop", "stage", int(st), "loops", stuck, "waited", s.stopGrace)
	return core.Errorf(core.ErrInternal, "%v did not stop within %s of being told to (logged)", stuck, s.stopGrace)
}

// failureStatus is the line that tells a person that a loop failed (the
// dashboard's footer).
func failureStatus(name string, err error) string {
	var p *panicError
	if errors.As(err, &p) {
		return p.Error()
	}
	return fmt.Sprintf("%s stopped: %v (logged)", name, err)
}

// joinErrs joins a command's error with the supervisor's, leaving out
// those already in the chain of one before (a vital loop's error that the
// command also returned), so each failure is told once.
func joinErrs(errs ...error) error {
	var out []error
	for _, err := range errs {
		if err == nil || slices.ContainsFunc(out, func(prev error) bool { return errors.Is(prev, err) }) {
			continue
		}
		out = append(out, err)
	}
	switch len(out) {
	case 0:
		return nil
	case 1:
		return out[0]
	}
	return errors.Join(out...)
}
