package runner

import (
	"context"
	"io"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"time"

	"marcus/core"
)

// Spec is one process to start.
type Spec struct {
	// Path is the program, Args its arguments (without the program).
	Path string
	Args []string
	// Dir is the working directory.
	Dir string
	// Env is the whole environment (KEY=VALUE).
	Env []string
	// Log is the output log's path; stdout and stderr both go there.
	Log string
	// LogLimit caps the log (see logFile); default DefaultLogLimit.
	LogLimit int64
	// Grace is how long a stop waits after SIGTERM before SIGKILL;
	// default DefaultGrace.
	Grace time.Duration
	// TailLines is how many recent output lines are kept in memory;
	// default DefaultTailLines.
	TailLines int
	// PIDFile, when set, records the process group while it runs, so Reap
	// finds it after marcus itself died.
	PIDFile string
}

// Defaults for Spec.
const (
	DefaultLogLimit  = 8 << 20
	DefaultGrace     = 10 * time.Second
	DefaultTailLines = 200
)

func (s Spec) withDefaults() Spec {
	if s.LogLimit <= 0 {
		s.LogLimit = DefaultLogLimit
	}
	if s.Grace <= 0 {
		s.Grace = DefaultGrace
	}
	if s.TailLines <= 0 {
		s.TailLines = DefaultTailLines
	}
	return s
}

// Process is one running agent in its own process group. It implements
// core.AgentProcess.
type Process struct {
	spec    Spec
	cmd     *exec.Cmd
	started time.Time
	tail    *tail
	done    chan struct{}
	copied  chan struct{}
	stopped atomic.Bool
	endOnce sync.Once
	exit    core.ProcessExit
}

var _ core.AgentProcess = (*Process)(nil)

// Start starts the process in a process group of its own, with stdin from
// the null device and stdout and stderr into the log. When ctx ends the
// process is stopped as by Stop. After the leader exits, whatever it left
// in its group is stopped too, so nothing outlives it.
func Start(ctx context.Context, s Spec) (*Process, error) {
	if err := supported(); err != nil {
		return nil, err
	}
	s = s.withDefaults()
	log, err := openLog(s.Log, s.LogLimit)
	if err != nil {
		return nil, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		log.Close()
		return nil, core.Wrap(core.ErrUnavailable, err, "cannot make the output pipe")
	}
	cmd := exec.Command(s.Path, s.Args...)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = s.Dir, s.Env, w, w
	ownGroup(cmd)
	p := &Process{spec: s, cmd: cmd, tail: newTail(s.TailLines), done: make(chan struct{}), copied: make(chan struct{})}
	err = cmd.Start()
	w.Close() // the child holds its own copy
	if err != nil {
		r.Close()
		log.Close()
		return nil, core.Wrap(core.ErrInvalid, err, "cannot start %s in %s", s.Path, s.Dir)
	}
	p.started = time.Now()
	if s.PIDFile != "" {
		recordPID(s.PIDFile, p.PID())
	}
	go p.copy(r, log)
	go p.wait(r)
	go p.watch(ctx)
	return p, nil
}

// copy feeds the output to the log and the tail until every writer closed
// its end (or the pipe is closed under it).
func (p *Process) copy(r io.Reader, log *logFile) {
	defer close(p.copied)
	defer log.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			_, _ = log.Write(buf[:n]) // a full disk must not stop the agent
			p.tail.Write(buf[:n])
		}
		if err != nil {
			return
		}
	}
}

// wait reaps the leader, stops what it left in its group, drains the
// output and records the exit.
func (p *Process) wait(r *os.File) {
	_ = p.cmd.Wait() // the exit status is in ProcessState
	ended := time.Now()
	p.terminate()
	select {
	case <-p.copied:
	case <-time.After(2 * time.Second):
		// A process that left the group still holds the pipe: stop reading.
	}
	r.Close()
	<-p.copied
	p.exit = exitOf(p.cmd.ProcessState)
	p.exit.Stopped, p.exit.StartedAt, p.exit.EndedAt = p.stopped.Load(), p.started, ended
	p.tail.Flush()
	if p.spec.PIDFile != "" {
		_ = os.Remove(p.spec.PIDFile) // the group is gone: nothing to reap
	}
	close(p.done)
}

func (p *Process) watch(ctx context.Context) {
	select {
	case <-ctx.Done():
		p.stopped.Store(true)
		p.terminate()
	case <-p.done:
	}
}

// terminate stops the whole group once: SIGTERM, then SIGKILL when it is
// not gone after the grace period.
func (p *Process) terminate() {
	p.endOnce.Do(func() {
		pgid := p.cmd.Process.Pid
		if !groupAlive(pgid) {
			return
		}
		signalGroup(pgid, sigTerm)
		if waitGroupGone(pgid, p.spec.Grace) {
			return
		}
		signalGroup(pgid, sigKill)
		waitGroupGone(pgid, 5*time.Second)
	})
}

// Stop ends the process and everything in its group: SIGTERM, SIGKILL
// after the grace period. It returns when the process is gone and its
// output flushed, or when ctx ends first.
func (p *Process) Stop(ctx context.Context) error {
	select {
	case <-p.done:
		return nil
	default:
	}
	p.stopped.Store(true)
	go p.terminate()
	select {
	case <-p.done:
		return nil
	case <-ctx.Done():
		return core.Wrap(core.ErrUnavailable, ctx.Err(), "agent process %d did not stop in time", p.PID())
	}
}

// PID is the leader's process id, which is also the group id.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// LogPath is the output log.
func (p *Process) LogPath() string { return p.spec.Log }

// Done is closed once the process and its group are gone.
func (p *Process) Done() <-chan struct{} { return p.done }

// Exit is how the process ended; ok is false while it runs.
func (p *Process) Exit() (core.ProcessExit, bool) {
	select {
	case <-p.done:
		return p.exit, true
	default:
		return core.ProcessExit{}, false
	}
}

// Tail returns up to n recent output lines, safe to print.
func (p *Process) Tail(n int) []string { return p.tail.Last(n) }

// exitOf reads an exit status; a process killed by a signal has code -1
// and the signal's name.
func exitOf(st *os.ProcessState) core.ProcessExit {
	if st == nil {
		return core.ProcessExit{Code: -1}
	}
	return core.ProcessExit{Code: st.ExitCode(), Signal: signalOf(st)}
}
