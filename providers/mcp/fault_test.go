package mcp_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"marcus/core"
	"marcus/providers/mcp"
)

// faultyStore wraps the real store and, when told to, fails the way a
// broken store or a bug would: by panicking, by refusing, or by hanging
// until the caller gives up. It is the seam for failures that no argument
// can provoke.
type faultyStore struct {
	core.Store
	mu   sync.Mutex
	mode string // "", "panic", "unavailable", "hang"
}

func (s *faultyStore) set(mode string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mode = mode
}

func (s *faultyStore) fault(ctx context.Context) error {
	s.mu.Lock()
	mode := s.mode
	s.mu.Unlock()
	switch mode {
	case "panic":
		panic("store exploded: secret internals")
	case "unavailable":
		return core.Errorf(core.ErrUnavailable, "the database is locked by another process: wait for it to finish, or stop it")
	case "hang":
		<-ctx.Done()
		return core.Wrap(core.ErrUnavailable, ctx.Err(), "gave up waiting for the database")
	}
	return nil
}

func (s *faultyStore) View(ctx context.Context, fn func(core.ReadTx) error) error {
	if err := s.fault(ctx); err != nil {
		return err
	}
	return s.Store.View(ctx, fn)
}

func (s *faultyStore) Update(ctx context.Context, fn func(core.Tx) error) error {
	if err := s.fault(ctx); err != nil {
		return err
	}
	return s.Store.Update(ctx, fn)
}

// lockedBuffer is a log sink safe to read while the server writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func faultyEnv(t *testing.T) (*faultyStore, *core.Coordinator) {
	t.Helper()
	e := newEnv(t)
	e.plan(onePlan("faults", "A"))
	fs := &faultyStore{Store: e.store}
	return fs, core.NewCoordinator(fs)
}

// A panic inside a tool becomes an in-band internal error that leaks
// nothing, is logged with its stack, and leaves the server serving.
func TestToolPanicIsInBand(t *testing.T) {
	for _, transport := range []string{"http", "memory"} {
		t.Run(transport, func(t *testing.T) {
			fs, coord := faultyEnv(t)
			logs := &lockedBuffer{}
			o := mcp.Options{Logger: slog.New(slog.NewTextHandler(logs, nil))}
			var c *client
			if transport == "http" {
				e := &env{t: t, coord: coord}
				c = dial(t, e.serve(o), nil)
			} else {
				c, _ = dialMem(t, coord, o)
			}
			c.ok("register_agent", args{"agent_id": "a1"})
			fs.set("panic")
			for _, tool := range []string{"get_agent_status", "request_next_task", "list_projects"} {
				a := args{"agent_id": "a1"}
				if tool == "list_projects" {
					a = nil
				}
				m := c.fail(tool, a, core.ErrInternal, "internal error in "+tool, "logged", "try again")
				if msg := str(m, "error"); strings.Contains(msg, "secret") || strings.Contains(msg, "goroutine") {
					t.Errorf("%s: error leaks the panic: %q", tool, msg)
				}
			}
			fs.set("")
			c.ok("ping", nil)
			claim(t, c, "a1", "A")
			out := logs.String()
			if !strings.Contains(out, "tool panicked") || !strings.Contains(out, "secret internals") || !strings.Contains(out, "goroutine") {
				t.Errorf("the panic was not logged with its stack:\n%s", brief(out))
			}
		})
	}
}

// A store that cannot serve yields its own advice, in-band.
func TestStoreUnavailableIsInBand(t *testing.T) {
	fs, coord := faultyEnv(t)
	c, _ := dialMem(t, coord, mcp.Options{})
	fs.set("unavailable")
	c.fail("register_agent", args{"agent_id": "a1"}, core.ErrUnavailable, "locked by another process", "wait")
	c.fail("get_project_status", nil, core.ErrUnavailable, "locked")
	fs.set("")
	c.ok("register_agent", args{"agent_id": "a1"})
}

// CallTimeout bounds a call: a store that never answers costs an agent
// the timeout, not a hang.
func TestCallTimeout(t *testing.T) {
	fs, coord := faultyEnv(t)
	c, _ := dialMem(t, coord, mcp.Options{CallTimeout: 200 * time.Millisecond})
	c.ok("register_agent", args{"agent_id": "a1"})
	fs.set("hang")
	start := time.Now()
	c.fail("request_next_task", args{"agent_id": "a1"}, core.ErrUnavailable, "gave up")
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("a hung store held the call for %v", d)
	}
	fs.set("")
	claim(t, c, "a1", "A")
}
