package storetest

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"marcus/core"
)

// Copies between stores (core.CopyStore, marcus db copy) are checked by
// filling one store with every kind of row through the Coordinator, as
// marcus writes them, copying, and comparing everything each store reads
// back. These helpers are shared by the stores' copy tests.

// FillForCopy fills an empty store with two projects worked by agents:
// dependencies hard and soft (one added after the plan), labels, claims,
// progress, completions, a blocker, a recovery with its handoff, a person's
// actions, artifacts, decisions, an ended experiment with polls and
// samples and a running one, a mirror with items, model calls and named
// leases. It works on clock, which it moves.
func FillForCopy(t *testing.T, s core.Store, clock *Clock) {
	t.Helper()
	ctx := t.Context()
	c := core.NewCoordinator(s, core.WithClock(clock.Now), core.WithLeasePolicy(Policy))
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("fill for copy: %s: %v", what, err)
		}
	}
	p1, ts, err := c.ImportPlan(ctx, core.Plan{Name: "Shop", Description: "a shop", Tasks: []core.PlanTask{
		{Name: "Design", Phase: "design", Priority: "high", Labels: []string{"Foundation", "API"}, Acceptance: []string{"a schema"}, EstimateMinutes: 30},
		{Name: "Cart", After: []string{"Design"}, Labels: []string{"api"}},
		{Name: "Checkout", After: []string{"Cart"}, SoftAfter: []string{"Design"}, Description: "Pay by card."},
		{Name: "Docs", Phase: "docs", After: []string{"Checkout"}, Priority: "low"},
		{Name: "Search"},
		{Name: "Admin", Priority: "urgent"},
	}})
	must("import", err)
	ids := map[string]core.TaskID{}
	for _, x := range ts {
		ids[x.Name] = x.ID
	}
	must("add dependency", s.Update(ctx, func(tx core.Tx) error {
		return tx.AddDependencies(ids["Docs"], []core.Dependency{{Task: ids["Search"]}, {Task: ids["Admin"], Soft: true}})
	}))
	p2, _, err := c.ImportPlan(ctx, core.Plan{Name: "Blog", Tasks: []core.PlanTask{{Name: "Posts"}, {Name: "Feed", After: []string{"Posts"}}}})
	must("import", err)
	_, err = c.StartExperiment(ctx, core.ExperimentRequest{Name: "first run", Project: p1.ID, Params: map[string]string{"agents": "3"}, Tags: []string{"copy"}})
	must("start experiment", err)
	for _, a := range []core.AgentID{"ann", "bob", "cid"} {
		_, err := c.RegisterAgent(ctx, core.RegisterRequest{ID: a, Name: "Agent " + string(a), Role: "dev", Skills: []string{"go", "sql"}, Project: p1.ID})
		must("register", err)
	}
	fillWork(t, c, clock, ids, must)
	_, err = c.SampleExperiments(ctx)
	must("sample", err)
	clock.Advance(5 * time.Second)
	_, err = c.SampleExperiments(ctx)
	must("sample", err)
	_, err = c.EndExperiment(ctx, "first run")
	must("end experiment", err)
	_, err = c.StartExperiment(ctx, core.ExperimentRequest{Name: "blog run", Project: p2.ID})
	must("start experiment", err)
	_, err = c.RegisterAgent(ctx, core.RegisterRequest{ID: "dee", Project: p2.ID})
	must("register", err)
	_, err = c.RequestNextTask(ctx, "dee")
	must("claim", err)
	fillOutside(t, c, s, clock, p1.ID, ids, must)
}

// fillWork claims, reports, completes, blocks and recovers tasks.
func fillWork(t *testing.T, c *core.Coordinator, clock *Clock, ids map[string]core.TaskID, must func(string, error)) {
	ctx := t.Context()
	claim := func(a core.AgentID) core.Task {
		as, err := c.RequestNextTask(ctx, a)
		must("claim", err)
		if as.Task == nil {
			t.Fatalf("fill for copy: %s got no task", a)
		}
		return as.Task.Task
	}
	report := func(a core.AgentID, x core.Task, st core.TaskStatus, pct int, msg string) {
		_, err := c.ReportProgress(ctx, core.ProgressReport{Agent: a, Task: x.ID, Status: st, Progress: pct, Message: msg, Epoch: x.Lease.Epoch})
		must("report", err)
	}
	admin := claim("ann")
	design := claim("bob")
	search := claim("cid")
	clock.Advance(10 * time.Second)
	report("ann", admin, core.StatusInProgress, 40, "halfway through admin")
	_, err := c.LogDecision(ctx, core.Decision{Task: design.ID, Agent: "bob", Text: "Use PostgreSQL because it scales; affects every service"})
	must("decision", err)
	_, err = c.LogArtifact(ctx, core.Artifact{Task: design.ID, Agent: "bob", Filename: "schema.sql", Type: "specification",
		Description: "the schema", Content: "CREATE TABLE carts (id int);"})
	must("artifact", err)
	report("bob", design, core.StatusDone, 100, "designed")
	_, err = c.ReportBlocker(ctx, core.BlockerReport{Agent: "cid", Task: search.ID, Description: "no index yet", Severity: "low"})
	must("blocker", err)
	clock.Advance(5 * time.Second)
	report("ann", admin, core.StatusDone, 100, "admin done")
	cart := claim("bob")
	report("bob", cart, core.StatusInProgress, 10, "started the cart")
	// cid goes silent: its lease and grace run out and the task returns
	// with a handoff.
	clock.Advance(Policy.Claimed.Duration + Policy.Claimed.Grace + time.Minute)
	report("bob", cart, core.StatusInProgress, 60, "cart totals")
	_, err = c.RecoverExpiredLeases(ctx)
	must("recover", err)
	_, err = c.SetPriority(ctx, ids["Docs"], core.PriorityHigh)
	must("priority", err)
	_, err = c.BlockTask(ctx, ids["Search"], "waiting for the index")
	must("block", err)
	must("note", c.NoteTask(ctx, ids["Checkout"], "remember taxes", "person"))
	_, err = c.RequestNextTask(ctx, "ann") // idle: counts an idle poll
	must("poll", err)
}

// fillOutside adds what comes from outside the agents: a mirror, model
// calls, named leases and an event of a kind this release does not know.
func fillOutside(t *testing.T, c *core.Coordinator, s core.Store, clock *Clock, p core.ProjectID, ids map[string]core.TaskID, must func(string, error)) {
	ctx := t.Context()
	m, err := c.LinkMirror(ctx, core.Mirror{Project: p, Kind: "trello", Board: "board-1", State: map[string]string{"list:todo": "L1"}})
	must("link", err)
	must("mirror item", c.SetMirrorItem(ctx, p, "trello", ids["Design"], "card-1"))
	must("mirror item", c.SetMirrorItem(ctx, p, "trello", ids["Cart"], "card-2"))
	m.Cursor, m.LastAction, m.LastSyncAt, m.LastError = 3, "action-9", clock.Now(), "a passing failure"
	must("save mirror", c.SaveMirror(ctx, m))
	must("model calls", s.Update(ctx, func(tx core.Tx) error {
		return tx.InsertLLMCalls([]core.LLMCall{
			{At: clock.Now(), Project: p, ProjectName: "Shop", Provider: "anthropic", Model: "claude-x", Operation: "analyze",
				InputTokens: 1200, OutputTokens: 800, Latency: 1500 * time.Millisecond, CostUSD: 0.0123, Outcome: "ok"},
			{At: clock.Now(), ProjectName: "Failed", Provider: "openai", Model: "gpt-x", Operation: "expand:cart",
				Latency: time.Second, Outcome: "rate_limited", Error: "429"},
		})
	}))
	_, _, err = c.AcquireLease(ctx, core.LeaseMonitorJob, "server-1", time.Minute)
	must("lease", err)
	_, _, err = c.AcquireLease(ctx, core.MirrorLease(p, "trello"), "server-2", time.Minute)
	must("lease", err)
	must("future event", s.Update(ctx, func(tx core.Tx) error {
		_, err := tx.AppendEvent(core.Event{At: clock.Now(), Project: p, Kind: "future.kind", Payload: core.RawPayload(`{"x":[1,2]}`)})
		return err
	}))
}

// SameContent fails t unless a and b read back the same: every project's
// board and history, every event with its id and payload, agents,
// artifacts, decisions, experiments with their counts and samples,
// mirrors and their items, model calls, costs and named leases. Both are
// read through coordinators on clock, so derived values agree.
func SameContent(t *testing.T, a, b core.Store, clock *Clock) {
	t.Helper()
	ca, cb := readAll(t, a, clock), readAll(t, b, clock)
	if len(ca) != len(cb) {
		t.Fatalf("the stores read back %d and %d things", len(ca), len(cb))
	}
	for i := range ca {
		if !reflect.DeepEqual(ca[i].v, cb[i].v) {
			t.Errorf("%s differs:\n%#v\n%#v", ca[i].what, ca[i].v, cb[i].v)
		}
	}
}

type readBack struct {
	what string
	v    any
}

// readAll reads everything a store holds, by way of core.
func readAll(t *testing.T, s core.Store, clock *Clock) []readBack {
	t.Helper()
	ctx := t.Context()
	c := core.NewCoordinator(s, core.WithClock(clock.Now), core.WithLeasePolicy(Policy))
	var out []readBack
	add := func(what string, v any, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("read %s: %v", what, err)
		}
		out = append(out, readBack{what, v})
	}
	ps, err := c.Projects(ctx)
	add("projects", ps, err)
	for _, p := range ps {
		readProject(t, ctx, c, p, add)
	}
	evs, err := c.Events(ctx, "", 0, 100000)
	add("events", evs, err)
	err = s.View(ctx, func(tx core.ReadTx) error {
		agents, err := tx.Agents("")
		add("agents", agents, err)
		es, err := tx.Experiments("")
		add("experiments", es, err)
		for _, e := range es {
			ss, err := tx.Samples(e.ID)
			add("samples of "+e.Name, ss, err)
		}
		calls, err := tx.LLMCalls("")
		add("model calls", calls, err)
		for _, name := range []string{core.LeaseMonitorJob, core.MirrorLease(ps[0].ID, "trello")} {
			l, err := tx.NamedLease(name)
			add("lease "+name, l, err)
		}
		return nil
	})
	add("read", nil, err)
	ms, err := c.Mirrors(ctx, "")
	add("mirrors", ms, err)
	return out
}

func readProject(t *testing.T, ctx context.Context, c *core.Coordinator, p core.Project, add func(string, any, error)) {
	t.Helper()
	b, err := c.Board(ctx, p.ID)
	b.LastEventID = 0 // SQLite names its newest event, PostgreSQL the last id it gave out
	add("board of "+p.Name, b, err)
	h, err := c.ProjectHistory(ctx, p.ID)
	add("history of "+p.Name, h, err)
	cost, err := c.Costs(ctx, p.ID)
	add("costs of "+p.Name, cost, err)
	items, err := c.MirrorItems(ctx, p.ID, "trello")
	if core.CodeOf(err) == core.ErrNotFound {
		err = nil
	}
	add("mirror items of "+p.Name, items, err)
	for _, x := range b.Tasks {
		v, err := c.TaskDetail(ctx, x.ID)
		add(fmt.Sprintf("task %s of %s", x.Name, p.Name), v, err)
	}
}
