package postgres

import (
	"strings"
	"time"

	"marcus/core"

	"github.com/jackc/pgx/v5"
)

const projectCols = `id, name, description, planner, options, created_at`

func scanProject(r pgx.Rows) (core.Project, error) {
	var p core.Project
	var id string
	var opts []byte
	var created int64
	err := r.Scan(&id, &p.Name, &p.Description, &p.Planner, &opts, &created)
	p.ID, p.Options, p.CreatedAt = core.ProjectID(id), fromJSON[map[string]string](opts), fromNanos(created)
	return p, err
}

func (t *txn) Projects() ([]core.Project, error) {
	return collect(t, "list projects", scanProject, `SELECT `+projectCols+` FROM projects ORDER BY created_at, ord`)
}

func (t *txn) Project(id core.ProjectID) (core.Project, error) {
	if p, ok := aheadOf[core.Project](t, "project "+string(id)); ok {
		return p, nil
	}
	ps, err := collect(t, "read project", scanProject, `SELECT `+projectCols+` FROM projects WHERE id = $1`, string(id))
	if err != nil {
		return core.Project{}, err
	}
	if len(ps) == 0 {
		return core.Project{}, notFound("project", id)
	}
	return ps[0], nil
}

// InsertProject adds a project. It touches the projects guard: core checked
// that the name is free by reading every project, and two creations that
// both passed that check must not both commit.
func (t *txn) InsertProject(p core.Project) error {
	if err := t.touchGuard("projects"); err != nil {
		return err
	}
	_, err := t.exec("insert project", `INSERT INTO projects (`+projectCols+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		string(p.ID), p.Name, p.Description, p.Planner, toJSON(p.Options), nanos(p.CreatedAt))
	return err
}

func (t *txn) touchGuard(name string) error {
	_, err := t.exec("guard "+name, `UPDATE guards SET touches = touches + 1 WHERE name = $1`, name)
	return err
}

const agentCols = `id, name, role, skills, project_id, registered_at, last_seen_at, current_task, report_times, tasks_done`

func scanAgent(r pgx.Rows) (core.Agent, error) {
	var a core.Agent
	var id, project, task string
	var skills, reports []byte
	var registered, seen int64
	err := r.Scan(&id, &a.Name, &a.Role, &skills, &project, &registered, &seen, &task, &reports, &a.TasksDone)
	a.ID, a.Project, a.CurrentTask = core.AgentID(id), core.ProjectID(project), core.TaskID(task)
	a.Skills, a.RegisteredAt, a.LastSeenAt = fromJSON[[]string](skills), fromNanos(registered), fromNanos(seen)
	for _, n := range fromJSON[[]int64](reports) {
		a.ReportTimes = append(a.ReportTimes, fromNanos(n))
	}
	return a, err
}

// Agent reads an agent and, in the same round trip, reads ahead its
// project and the task it last held, which whoever reads an agent (a
// claim, a report) reads next; and, in an urgent read (a request for work
// looking first), the project's best ready task and the last event's
// position: an idle agent's answer then takes one round trip. A claim
// finds it read ahead with its lock (see lockReady).
func (t *txn) Agent(id core.AgentID) (core.Agent, error) {
	if a, ok := aheadOf[core.Agent](t, "agent "+string(id)); ok {
		return a, nil
	}
	b := t.prefix()
	urgent := core.IsUrgent(t.ctx) && !t.write
	queueAgent(b, id, urgent)
	br, err := t.send(b)
	if err != nil {
		return core.Agent{}, err
	}
	defer br.Close()
	return t.scanAgent(br, id, urgent)
}

// queueAgent queues the reads of Agent: with urgent, those of an urgent
// read too.
func queueAgent(b *batch, id core.AgentID, urgent bool) {
	const project = `(SELECT project_id FROM agents WHERE id = $1)`
	b.Queue(`SELECT `+agentCols+` FROM agents WHERE id = $1`, string(id))
	b.Queue(`SELECT `+projectCols+` FROM projects WHERE id = `+project, string(id))
	b.Queue(`SELECT `+taskCols+withDeps+` FROM tasks WHERE id = (SELECT current_task FROM agents WHERE id = $1)`, string(id))
	if urgent {
		b.Queue(strings.Replace(readySQL, "$1", project, 1), string(id), 1)
		b.Queue(lastEventSQL)
	}
}

// scanAgent reads the answers to queueAgent's reads, keeps what they read
// ahead and returns the agent.
func (t *txn) scanAgent(br pgx.BatchResults, id core.AgentID, urgent bool) (core.Agent, error) {
	var ps []core.Project
	var ts, ready []core.Task
	var last int64
	as, err := scanAll(br, scanAgent)
	if err == nil {
		ps, err = scanAll(br, scanProject)
	}
	if err == nil {
		ts, err = scanAll(br, scanTaskWithDeps)
	}
	if err == nil && urgent {
		if ready, err = scanAll(br, scanTaskWithDeps); err == nil {
			err = br.QueryRow().Scan(&last)
		}
	}
	if err != nil {
		return core.Agent{}, t.fail(err, "read agent")
	}
	if len(as) == 0 {
		return core.Agent{}, notFound("agent", id)
	}
	for _, p := range ps {
		t.readAhead("project "+string(p.ID), p)
		if urgent {
			t.readAhead(readyKey(p.ID, 1), ready)
			t.readAhead(lastEventKey, last)
		}
	}
	for _, x := range ts {
		t.readAhead("task "+string(x.ID), x)
	}
	t.saw(ts)
	return as[0], nil
}

func (t *txn) Agents(p core.ProjectID) ([]core.Agent, error) {
	if p == "" {
		return collect(t, "list agents", scanAgent, `SELECT `+agentCols+` FROM agents ORDER BY registered_at, id`)
	}
	return collect(t, "list agents", scanAgent, `SELECT `+agentCols+` FROM agents WHERE project_id = $1 ORDER BY registered_at, id`, string(p))
}

func (t *txn) PutAgent(a core.Agent) error {
	reports := make([]int64, len(a.ReportTimes))
	for i, r := range a.ReportTimes {
		reports[i] = nanos(r)
	}
	// Deferred: a claim or a report saves its agent, then goes on to read
	// or commit, which takes the write along.
	t.deferWrite("save agent", `INSERT INTO agents (`+agentCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role, skills = excluded.skills,
		project_id = excluded.project_id, last_seen_at = excluded.last_seen_at, current_task = excluded.current_task,
		report_times = excluded.report_times, tasks_done = excluded.tasks_done`,
		string(a.ID), a.Name, a.Role, toJSON(nonNil(a.Skills)), string(a.Project), nanos(a.RegisteredAt), nanos(a.LastSeenAt),
		string(a.CurrentTask), toJSON(reports), a.TasksDone)
	return nil
}

const artifactCols = `id, task_id, agent_id, filename, type, description, content, location, created_at`

func scanArtifact(r pgx.Rows) (core.Artifact, error) {
	var a core.Artifact
	var task, agent string
	var created int64
	err := r.Scan(&a.ID, &task, &agent, &a.Filename, &a.Type, &a.Description, &a.Content, &a.Location, &created)
	a.Task, a.Agent, a.CreatedAt = core.TaskID(task), core.AgentID(agent), fromNanos(created)
	return a, err
}

func (t *txn) Artifacts(tasks []core.TaskID) ([]core.Artifact, error) {
	if len(tasks) == 0 {
		return nil, nil
	}
	return collect(t, "list artifacts", scanArtifact, artifactsSQL, strs(tasks))
}

func (t *txn) InsertArtifact(a core.Artifact) (int64, error) {
	var id int64
	err := t.scalar("save artifact", `INSERT INTO artifacts (task_id, agent_id, filename, type, description, content, location, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, []any{string(a.Task), string(a.Agent), a.Filename, a.Type,
		a.Description, a.Content, a.Location, nanos(a.CreatedAt)}, &id)
	return id, err
}

const decisionCols = `id, task_id, agent_id, text, what, why, impact, created_at`

func scanDecision(r pgx.Rows) (core.Decision, error) {
	var d core.Decision
	var task, agent string
	var created int64
	err := r.Scan(&d.ID, &task, &agent, &d.Text, &d.What, &d.Why, &d.Impact, &created)
	d.Task, d.Agent, d.CreatedAt = core.TaskID(task), core.AgentID(agent), fromNanos(created)
	return d, err
}

func (t *txn) Decisions(tasks []core.TaskID) ([]core.Decision, error) {
	if len(tasks) == 0 {
		return nil, nil
	}
	return collect(t, "list decisions", scanDecision, decisionsSQL, strs(tasks))
}

func (t *txn) InsertDecision(d core.Decision) (int64, error) {
	var id int64
	err := t.scalar("save decision", `INSERT INTO decisions (task_id, agent_id, text, what, why, impact, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, []any{string(d.Task), string(d.Agent), d.Text, d.What, d.Why,
		d.Impact, nanos(d.CreatedAt)}, &id)
	return id, err
}

func (t *txn) InsertLLMCalls(calls []core.LLMCall) error {
	for i := range calls {
		c := &calls[i]
		if c.At.IsZero() {
			c.At = time.Now()
		}
		err := t.scalar("record model call", `INSERT INTO llm_calls (at, project_id, project_name, provider, model,
			operation, input_tokens, output_tokens, latency, cost_usd, outcome, error)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
			[]any{nanos(c.At), string(c.Project), c.ProjectName, c.Provider, c.Model, c.Operation, c.InputTokens,
				c.OutputTokens, int64(c.Latency), c.CostUSD, c.Outcome, c.Error}, &c.ID)
		if err != nil {
			return err
		}
	}
	return nil
}

const llmCallCols = `id, at, project_id, project_name, provider, model, operation, input_tokens, output_tokens,
	latency, cost_usd, outcome, error`

func scanLLMCall(r pgx.Rows) (core.LLMCall, error) {
	var c core.LLMCall
	var project string
	var at, latency int64
	err := r.Scan(&c.ID, &at, &project, &c.ProjectName, &c.Provider, &c.Model, &c.Operation, &c.InputTokens,
		&c.OutputTokens, &latency, &c.CostUSD, &c.Outcome, &c.Error)
	c.Project, c.At, c.Latency = core.ProjectID(project), fromNanos(at), time.Duration(latency)
	return c, err
}

func (t *txn) LLMCalls(p core.ProjectID) ([]core.LLMCall, error) {
	if p == "" {
		return collect(t, "list model calls", scanLLMCall, `SELECT `+llmCallCols+` FROM llm_calls ORDER BY id`)
	}
	return collect(t, "list model calls", scanLLMCall, `SELECT `+llmCallCols+` FROM llm_calls WHERE project_id = $1 ORDER BY id`, string(p))
}
