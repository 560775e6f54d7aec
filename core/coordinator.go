package core

import (
	"context"
	"strings"
	"sync"
	"time"
)

// Coordinator is marcus's service: every operation an agent, the dashboard
// or a command performs on a board. It keeps no authoritative state of its
// own; each operation is one store transaction that also appends an event.
type Coordinator struct {
	store  Store
	now    func() time.Time
	leases LeasePolicy
	// frontiers caches, per project, what idle agents are told (see
	// frontierOf), keyed by the board's generation: never a fact on its own.
	frontiers sync.Map
	// running caches whether a project has a running experiment;
	// runningRead holds the projects whose entry is being read afresh.
	running, runningRead sync.Map
	// attached holds the workspaces of the projects a runner works (see
	// AttachWorkspaces).
	attachMu sync.RWMutex
	attached map[ProjectID]attachment
}

// Option configures a Coordinator.
type Option func(*Coordinator)

// WithClock replaces time.Now; tests use it to move time.
func WithClock(now func() time.Time) Option { return func(c *Coordinator) { c.now = now } }

// WithLeasePolicy replaces DefaultLeasePolicy.
func WithLeasePolicy(p LeasePolicy) Option { return func(c *Coordinator) { c.leases = p } }

// NewCoordinator returns a Coordinator over s.
func NewCoordinator(s Store, opts ...Option) *Coordinator {
	c := &Coordinator{store: s, now: time.Now, leases: DefaultLeasePolicy}
	for _, o := range opts {
		o(c)
	}
	return c
}

// LeasePolicy returns the lease lengths in force.
func (c *Coordinator) LeasePolicy() LeasePolicy { return c.leases }

func (c *Coordinator) clock() time.Time { return c.now().UTC() }

// Now is the coordinator's clock, so adapters compute lease times on the
// same clock as the rules.
func (c *Coordinator) Now() time.Time { return c.clock() }

// RegisterRequest is what an agent says about itself.
type RegisterRequest struct {
	ID      AgentID
	Name    string
	Role    string
	Skills  []string
	Project ProjectID // "" means the newest project
}

// RegisterAgent adds an agent to a project, or updates it when it registers
// again (after a restart, say); a task it holds stays its own.
func (c *Coordinator) RegisterAgent(ctx context.Context, r RegisterRequest) (Agent, error) {
	if err := checkRegister(r); err != nil {
		return Agent{}, err
	}
	var out Agent
	err := c.store.Update(ctx, func(tx Tx) error {
		p, err := FindProject(tx, r.Project)
		if err != nil {
			return err
		}
		now := c.clock()
		a, err := tx.Agent(r.ID)
		switch {
		case err == nil:
			if a.Project != p.ID && a.CurrentTask != "" {
				return Refusef(ErrConflict, ReasonAgentBusy, "agent %s still holds task %s in another project: finish or unassign it before moving", a.ID, a.CurrentTask)
			}
		case CodeOf(err) == ErrNotFound:
			a = Agent{ID: r.ID, RegisteredAt: now}
		default:
			return err
		}
		a.Name, a.Role, a.Skills, a.Project, a.LastSeenAt = orDefault(r.Name, string(r.ID)), r.Role, cleanList(r.Skills), p.ID, now
		if err := tx.PutAgent(a); err != nil {
			return err
		}
		out = a
		_, err = tx.AppendEvent(Event{At: now, Project: p.ID, Kind: EventAgentRegistered, Agent: a.ID,
			Payload: AgentRegistered{Name: a.Name, Role: a.Role, Skills: a.Skills}})
		return err
	})
	return out, err
}

func checkRegister(r RegisterRequest) error {
	switch {
	case strings.TrimSpace(string(r.ID)) == "":
		return Errorf(ErrInvalid, "agent_id is empty: send a stable id for this agent, e.g. \"agent-1\"")
	case len(r.ID) > MaxNameLen || len(r.Name) > MaxNameLen || len(r.Role) > MaxNameLen:
		return Errorf(ErrInvalid, "agent id, name and role are limited to %d characters", MaxNameLen)
	case len(r.Skills) > MaxLabels:
		return Errorf(ErrInvalid, "%d skills sent; the limit is %d", len(r.Skills), MaxLabels)
	}
	// Skills are stored like labels, so they have a label's limit.
	for _, s := range r.Skills {
		if len(s) > MaxNameLen {
			return Errorf(ErrInvalid, "a skill is %d characters; the limit is %d", len(s), MaxNameLen)
		}
	}
	return nil
}

// FindProject finds a project by id or by name inside a transaction; ""
// means the newest. Services beside the Coordinator (planning) use it to
// read projects as the Coordinator does.
func FindProject(tx ReadTx, ref ProjectID) (Project, error) {
	if ref != "" {
		p, err := tx.Project(ref)
		if CodeOf(err) != ErrNotFound {
			return p, err
		}
	}
	ps, err := tx.Projects()
	if err != nil {
		return Project{}, err
	}
	if len(ps) == 0 {
		return Project{}, Refusef(ErrNotFound, ReasonNoProject, "there is no project yet: create one first (marcus new --from plan.yaml)")
	}
	if ref == "" {
		return ps[len(ps)-1], nil
	}
	for _, p := range ps {
		if strings.EqualFold(p.Name, string(ref)) {
			return p, nil
		}
	}
	return Project{}, Refusef(ErrNotFound, ReasonUnknownProject, "no project %q: list them with list_projects (or marcus projects)", ref)
}

// ResolveProject finds a project by id or name; "" means the newest.
func (c *Coordinator) ResolveProject(ctx context.Context, ref ProjectID) (Project, error) {
	var p Project
	err := c.store.View(ctx, func(tx ReadTx) error {
		var err error
		p, err = FindProject(tx, ref)
		return err
	})
	return p, err
}

// Projects lists every project, oldest first.
func (c *Coordinator) Projects(ctx context.Context) ([]Project, error) {
	var ps []Project
	err := c.store.View(ctx, func(tx ReadTx) error {
		var err error
		ps, err = tx.Projects()
		return err
	})
	return ps, err
}

func loadAgent(tx ReadTx, id AgentID) (Agent, error) {
	a, err := tx.Agent(id)
	if CodeOf(err) == ErrNotFound {
		return a, Refusef(ErrNotFound, ReasonUnknownAgent, "agent %q is not registered: call register_agent first", id)
	}
	return a, err
}

func loadTask(tx ReadTx, id TaskID) (Task, error) {
	t, err := tx.Task(id)
	if CodeOf(err) == ErrNotFound {
		return t, unknownTask(id)
	}
	return t, err
}

// loadTaskRow loads a task without its dependencies, for the frequent
// writes (progress reports) that do not need them.
func loadTaskRow(tx ReadTx, id TaskID) (Task, error) {
	ts, err := tx.TasksByID([]TaskID{id})
	if err != nil {
		return Task{}, err
	}
	if len(ts) == 0 {
		return Task{}, unknownTask(id)
	}
	return ts[0], nil
}

func unknownTask(id TaskID) error {
	return Refusef(ErrNotFound, ReasonUnknownTask, "no task %q: check the task_id you were given", id)
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}
