package sqlite

import (
	"database/sql"
	"errors"
	"slices"
	"time"

	"marcus/core"
)

func scanProject(r *sql.Rows) (core.Project, error) {
	var p core.Project
	var opts string
	var created int64
	err := r.Scan(&p.ID, &p.Name, &p.Description, &p.Planner, &opts, &created)
	p.Options, p.CreatedAt = fromJSON[map[string]string](opts), fromNanos(created)
	return p, err
}

const projectCols = `id, name, description, planner, options, created_at`

func (t *txn) Projects() ([]core.Project, error) {
	return collect(t, "list projects", scanProject, `SELECT `+projectCols+` FROM projects ORDER BY created_at, rowid`)
}

func (t *txn) Project(id core.ProjectID) (core.Project, error) {
	ps, err := collect(t, "read project", scanProject, `SELECT `+projectCols+` FROM projects WHERE id = ?`, id)
	if err != nil {
		return core.Project{}, err
	}
	if len(ps) == 0 {
		return core.Project{}, notFound("project", id)
	}
	return ps[0], nil
}

func (t *txn) InsertProject(p core.Project) error {
	_, err := t.exec("insert project", `INSERT INTO projects (`+projectCols+`) VALUES (?,?,?,?,?,?)`,
		p.ID, p.Name, p.Description, p.Planner, toJSON(p.Options), nanos(p.CreatedAt))
	return err
}

const agentCols = `id, name, role, skills, project_id, registered_at, last_seen_at, current_task, report_times, tasks_done`

func scanAgent(r *sql.Rows) (core.Agent, error) {
	var a core.Agent
	var skills, reports string
	var registered, seen int64
	err := r.Scan(&a.ID, &a.Name, &a.Role, &skills, &a.Project, &registered, &seen, &a.CurrentTask, &reports, &a.TasksDone)
	a.Skills, a.RegisteredAt, a.LastSeenAt = fromJSON[[]string](skills), fromNanos(registered), fromNanos(seen)
	for _, n := range fromJSON[[]int64](reports) {
		a.ReportTimes = append(a.ReportTimes, fromNanos(n))
	}
	return a, err
}

func (t *txn) Agent(id core.AgentID) (core.Agent, error) {
	as, err := collect(t, "read agent", scanAgent, `SELECT `+agentCols+` FROM agents WHERE id = ?`, id)
	if err != nil {
		return core.Agent{}, err
	}
	if len(as) == 0 {
		return core.Agent{}, notFound("agent", id)
	}
	return as[0], nil
}

func (t *txn) Agents(p core.ProjectID) ([]core.Agent, error) {
	if p == "" {
		return collect(t, "list agents", scanAgent, `SELECT `+agentCols+` FROM agents ORDER BY registered_at, id`)
	}
	return collect(t, "list agents", scanAgent, `SELECT `+agentCols+` FROM agents WHERE project_id = ? ORDER BY registered_at, id`, p)
}

func (t *txn) PutAgent(a core.Agent) error {
	reports := make([]int64, len(a.ReportTimes))
	for i, r := range a.ReportTimes {
		reports[i] = nanos(r)
	}
	_, err := t.exec("save agent", `INSERT INTO agents (`+agentCols+`) VALUES (?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT (id) DO UPDATE SET name=excluded.name, role=excluded.role, skills=excluded.skills,
		project_id=excluded.project_id, last_seen_at=excluded.last_seen_at, current_task=excluded.current_task,
		report_times=excluded.report_times, tasks_done=excluded.tasks_done`,
		a.ID, a.Name, a.Role, toJSON(nonNil(a.Skills)), a.Project, nanos(a.RegisteredAt), nanos(a.LastSeenAt),
		a.CurrentTask, toJSON(reports), a.TasksDone)
	return err
}

const artifactCols = `id, task_id, agent_id, filename, type, description, content, location, created_at`

func scanArtifact(r *sql.Rows) (core.Artifact, error) {
	var a core.Artifact
	var created int64
	err := r.Scan(&a.ID, &a.Task, &a.Agent, &a.Filename, &a.Type, &a.Description, &a.Content, &a.Location, &created)
	a.CreatedAt = fromNanos(created)
	return a, err
}

func (t *txn) Artifacts(tasks []core.TaskID) ([]core.Artifact, error) {
	if len(tasks) == 0 {
		return nil, nil
	}
	return collect(t, "list artifacts", scanArtifact, `SELECT `+artifactCols+` FROM artifacts
		WHERE task_id IN (SELECT value FROM json_each(?)) ORDER BY id`, idList(tasks))
}

func (t *txn) InsertArtifact(a core.Artifact) (int64, error) {
	r, err := t.exec("save artifact", `INSERT INTO artifacts (task_id, agent_id, filename, type, description, content, location, created_at)
		VALUES (?,?,?,?,?,?,?,?)`, a.Task, a.Agent, a.Filename, a.Type, a.Description, a.Content, a.Location, nanos(a.CreatedAt))
	return lastID(r, err)
}

const decisionCols = `id, task_id, agent_id, text, what, why, impact, created_at`

func scanDecision(r *sql.Rows) (core.Decision, error) {
	var d core.Decision
	var created int64
	err := r.Scan(&d.ID, &d.Task, &d.Agent, &d.Text, &d.What, &d.Why, &d.Impact, &created)
	d.CreatedAt = fromNanos(created)
	return d, err
}

func (t *txn) Decisions(tasks []core.TaskID) ([]core.Decision, error) {
	if len(tasks) == 0 {
		return nil, nil
	}
	return collect(t, "list decisions", scanDecision, `SELECT `+decisionCols+` FROM decisions
		WHERE task_id IN (SELECT value FROM json_each(?)) ORDER BY id`, idList(tasks))
}

func (t *txn) InsertDecision(d core.Decision) (int64, error) {
	r, err := t.exec("save decision", `INSERT INTO decisions (task_id, agent_id, text, what, why, impact, created_at)
		VALUES (?,?,?,?,?,?,?)`, d.Task, d.Agent, d.Text, d.What, d.Why, d.Impact, nanos(d.CreatedAt))
	return lastID(r, err)
}

func scanEvent(r *sql.Rows) (core.Event, error) {
	var e core.Event
	var at int64
	var payload string
	err := r.Scan(&e.ID, &at, &e.Project, &e.Kind, &e.Task, &e.Agent, &payload)
	e.At, e.Payload = fromNanos(at), core.DecodePayload(e.Kind, []byte(payload))
	return e, err
}

const eventCols = `id, at, project_id, kind, task_id, agent_id, payload`

func (t *txn) Events(p core.ProjectID, after int64, limit int) ([]core.Event, error) {
	if limit <= 0 {
		limit = 1000
	}
	if p == "" {
		return collect(t, "list events", scanEvent, `SELECT `+eventCols+` FROM events WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
	}
	return collect(t, "list events", scanEvent, `SELECT `+eventCols+` FROM events WHERE project_id = ? AND id > ? ORDER BY id LIMIT ?`, p, after, limit)
}

func (t *txn) LatestEvents(p core.ProjectID, limit int) ([]core.Event, error) {
	if limit <= 0 {
		limit = 1000
	}
	var evs []core.Event
	var err error
	if p == "" {
		evs, err = collect(t, "list events", scanEvent, `SELECT `+eventCols+` FROM events ORDER BY id DESC LIMIT ?`, limit)
	} else {
		evs, err = collect(t, "list events", scanEvent, `SELECT `+eventCols+` FROM events WHERE project_id = ? ORDER BY id DESC LIMIT ?`, p, limit)
	}
	slices.Reverse(evs)
	return evs, err
}

func (t *txn) TaskEvents(id core.TaskID, limit int) ([]core.Event, error) {
	if limit <= 0 {
		limit = 1000
	}
	evs, err := collect(t, "list task events", scanEvent, `SELECT `+eventCols+` FROM events WHERE task_id = ? ORDER BY id DESC LIMIT ?`, id, limit)
	slices.Reverse(evs)
	return evs, err
}

func (t *txn) LastEventID() (int64, error) {
	var id sql.NullInt64
	err := t.queryRow(`SELECT max(id) FROM events`).Scan(&id)
	return id.Int64, t.s.translate(err, "read the last event")
}

func (t *txn) AppendEvent(e core.Event) (int64, error) {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	payload, err := core.EncodePayload(e.Payload)
	if err != nil {
		return 0, core.Wrap(core.ErrInternal, err, "encode the payload of a %s event", e.Kind)
	}
	r, err := t.exec("append event", `INSERT INTO events (at, project_id, kind, task_id, agent_id, payload) VALUES (?,?,?,?,?,?)`,
		nanos(e.At), e.Project, e.Kind, e.Task, e.Agent, string(payload))
	return lastID(r, err)
}

func lastID(r sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	id, err := r.LastInsertId()
	if err != nil {
		return 0, errors.Join(core.Errorf(core.ErrInternal, "read inserted id"), err)
	}
	return id, nil
}
