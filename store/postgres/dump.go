package postgres

import (
	"context"
	"encoding/json"

	"marcus/core"

	"github.com/jackc/pgx/v5"
)

var (
	_ core.Dumper = (*Store)(nil)
	_ core.Loader = (*Store)(nil)
)

// dumpPage is how many rows a dump reads at a time.
const dumpPage = 1000

// Dump reads the whole database on one snapshot and passes it to put,
// table by table. Events are known by their positions; events committed
// but not numbered yet (their writer died, or commits while the dump
// starts) come last, numbered after the last position in the order of
// their ids, as the sequencer would number them.
func (s *Store) Dump(ctx context.Context, put func(core.DumpBatch) error) (core.TableCounts, error) {
	if err := s.seq.pass(ctx); err != nil {
		return nil, err
	}
	var counts core.TableCounts
	err := s.View(ctx, func(rt core.ReadTx) error {
		t := rt.(*txn)
		var err error
		if counts, err = t.counts(); err != nil {
			return err
		}
		for _, step := range []func(func(core.DumpBatch) error) error{t.dumpProjects, t.dumpTasks, t.dumpAgents,
			t.dumpKnowledge, t.dumpEvents, t.dumpExperiments, t.dumpMirrors, t.dumpRest} {
			if err := step(put); err != nil {
				return err
			}
		}
		return nil
	})
	return counts, err
}

// Counts counts each table's rows.
func (s *Store) Counts(ctx context.Context) (core.TableCounts, error) {
	var counts core.TableCounts
	err := s.View(ctx, func(rt core.ReadTx) (err error) {
		counts, err = rt.(*txn).counts()
		return err
	})
	return counts, err
}

func (t *txn) counts() (core.TableCounts, error) {
	out := core.TableCounts{}
	for _, table := range core.DumpTables {
		var n int64
		if err := t.scalar("count "+table, `SELECT count(*) FROM `+table, nil, &n); err != nil {
			return nil, err
		}
		out[table] = n
	}
	return out, nil
}

// pages reads a table a page at a time, by a key that grows (q's first
// parameter is the last key read, its second the page's size), and passes
// each page to put.
func pages[T any, K any](t *txn, q string, after K, key func(T) K, scan func(pgx.Rows) (T, error), put func([]T) error) error {
	for {
		page, err := collect(t, "dump", scan, q, after, dumpPage)
		if err != nil || len(page) == 0 {
			return err
		}
		if err := put(page); err != nil {
			return err
		}
		if len(page) < dumpPage {
			return nil
		}
		after = key(page[len(page)-1])
	}
}

func (t *txn) dumpProjects(put func(core.DumpBatch) error) error {
	type row struct {
		p   core.Project
		ord int64
	}
	scan := func(r pgx.Rows) (row, error) {
		var x row
		p, err := scanProject(rowWithOrd{r, &x.ord})
		x.p = p
		return x, err
	}
	return pages(t, `SELECT `+projectCols+`, ord FROM projects WHERE ord > $1 ORDER BY ord LIMIT $2`, int64(0),
		func(x row) int64 { return x.ord }, scan, func(rows []row) error {
			ps := make([]core.Project, len(rows))
			for i, x := range rows {
				ps[i] = x.p
			}
			return put(core.DumpBatch{Projects: ps})
		})
}

// rowWithOrd scans a row's last column into ord and the others as asked.
type rowWithOrd struct {
	pgx.Rows
	ord *int64
}

func (r rowWithOrd) Scan(dst ...any) error { return r.Rows.Scan(append(dst, r.ord)...) }

func (t *txn) dumpTasks(put func(core.DumpBatch) error) error {
	return pages(t, `SELECT `+taskCols+withDeps+` FROM tasks WHERE id > $1 ORDER BY id LIMIT $2`, "",
		func(x core.Task) string { return string(x.ID) }, scanTaskWithDeps, func(ts []core.Task) error {
			return put(core.DumpBatch{Tasks: ts})
		})
}

func (t *txn) dumpAgents(put func(core.DumpBatch) error) error {
	return pages(t, `SELECT `+agentCols+` FROM agents WHERE id > $1 ORDER BY id LIMIT $2`, "",
		func(a core.Agent) string { return string(a.ID) }, scanAgent, func(as []core.Agent) error {
			return put(core.DumpBatch{Agents: as})
		})
}

func (t *txn) dumpKnowledge(put func(core.DumpBatch) error) error {
	err := pages(t, `SELECT `+artifactCols+` FROM artifacts WHERE id > $1 ORDER BY id LIMIT $2`, int64(0),
		func(a core.Artifact) int64 { return a.ID }, scanArtifact, func(as []core.Artifact) error {
			return put(core.DumpBatch{Artifacts: as})
		})
	if err != nil {
		return err
	}
	return pages(t, `SELECT `+decisionCols+` FROM decisions WHERE id > $1 ORDER BY id LIMIT $2`, int64(0),
		func(d core.Decision) int64 { return d.ID }, scanDecision, func(ds []core.Decision) error {
			return put(core.DumpBatch{Decisions: ds})
		})
}

func scanRawEvent(r pgx.Rows) (core.Event, error) {
	var e core.Event
	var project, kind, task, agent string
	var at int64
	var payload []byte
	err := r.Scan(&e.ID, &at, &project, &kind, &task, &agent, &payload)
	e.Project, e.Kind, e.Task, e.Agent = core.ProjectID(project), core.EventKind(kind), core.TaskID(task), core.AgentID(agent)
	e.At, e.Payload = fromNanos(at), core.RawPayload(payload)
	return e, err
}

// dumpEvents gives the numbered events by position, then the others
// numbered after them, then the highest position given out.
func (t *txn) dumpEvents(put func(core.DumpBatch) error) error {
	var last int64
	if err := t.scalar("read the last event", `SELECT last FROM event_positions`, nil, &last); err != nil {
		return err
	}
	err := pages(t, `SELECT `+eventCols+` FROM events WHERE pos > $1 ORDER BY pos LIMIT $2`, int64(0),
		func(e core.Event) int64 { return e.ID }, scanRawEvent, func(evs []core.Event) error {
			return put(core.DumpBatch{Events: evs})
		})
	if err != nil {
		return err
	}
	// Unnumbered events are known by their insertion ids while paging.
	err = pages(t, `SELECT id, at, project_id, kind, task_id, agent_id, payload FROM events
		WHERE pos IS NULL AND id > $1 ORDER BY id LIMIT $2`, int64(0),
		func(e core.Event) int64 { return e.ID }, scanRawEvent, func(evs []core.Event) error {
			out := make([]core.Event, len(evs))
			for i, e := range evs {
				last++
				out[i], out[i].ID = e, last
			}
			return put(core.DumpBatch{Events: out})
		})
	if err != nil {
		return err
	}
	return put(core.DumpBatch{EventHighWater: last})
}

func (t *txn) dumpExperiments(put func(core.DumpBatch) error) error {
	return core.DumpExperiments(t, put)
}

func (t *txn) dumpMirrors(put func(core.DumpBatch) error) error {
	ms, err := t.Mirrors("")
	if err != nil || len(ms) == 0 {
		return err
	}
	if err := put(core.DumpBatch{Mirrors: ms}); err != nil {
		return err
	}
	items, err := collect(t, "dump mirror items", func(r pgx.Rows) (core.MirrorItem, error) {
		var project, task string
		it := core.MirrorItem{}
		err := r.Scan(&project, &it.Kind, &task, &it.Remote)
		it.Project, it.Task = core.ProjectID(project), core.TaskID(task)
		return it, err
	}, `SELECT project_id, kind, task_id, remote_id FROM mirror_items ORDER BY project_id, kind, task_id`)
	if err != nil || len(items) == 0 {
		return err
	}
	return put(core.DumpBatch{MirrorItems: items})
}

// dumpRest gives the model calls and the named leases.
func (t *txn) dumpRest(put func(core.DumpBatch) error) error {
	err := pages(t, `SELECT `+llmCallCols+` FROM llm_calls WHERE id > $1 ORDER BY id LIMIT $2`, int64(0),
		func(c core.LLMCall) int64 { return c.ID }, scanLLMCall, func(cs []core.LLMCall) error {
			return put(core.DumpBatch{LLMCalls: cs})
		})
	if err != nil {
		return err
	}
	ls, err := collect(t, "dump leases", func(r pgx.Rows) (core.NamedLease, error) {
		var l core.NamedLease
		var expires int64
		err := r.Scan(&l.Name, &l.Holder, &expires, &l.Term)
		l.ExpiresAt = fromNanos(expires)
		return l, err
	}, `SELECT name, holder, expires_at, term FROM leases ORDER BY name`)
	if err != nil || len(ls) == 0 {
		return err
	}
	return put(core.DumpBatch{Leases: ls})
}

// Load fills an empty schema from a dump in one transaction, by COPY,
// keeping every id: events keep theirs as positions (and as insertion
// ids), the identity sequences and the last position move past them.
func (s *Store) Load(ctx context.Context, fill func(put func(core.DumpBatch) error) error, verify func(core.TableCounts) error) error {
	t, err := s.startTxn(ctx, true)
	if err != nil {
		return s.translate(err, "start the copy")
	}
	defer t.end()
	err = protect(func() error { return t.load(fill, verify) })
	if err == nil && t.broken == nil {
		_, err = t.conn.Exec(ctx, "COMMIT")
		t.open = err != nil
		err = t.fail(err, "commit the copy")
	}
	if err == nil && t.broken != nil {
		err = s.translate(t.broken, "copy")
	}
	if err == nil {
		s.signal()
	}
	return err
}

func (t *txn) load(fill func(put func(core.DumpBatch) error) error, verify func(core.TableCounts) error) error {
	if err := t.started(); err != nil {
		return t.fail(err, "start the copy")
	}
	have, err := t.counts()
	if err != nil {
		return err
	}
	if have.Total() > 0 {
		return core.NotEmpty(t.s.where+" (schema "+t.s.schema+")", have,
			"create an empty database (createdb NAME) or schema (CREATE SCHEMA name, then ?search_path=name in the URL) and copy into it")
	}
	l := &pgLoader{t: t}
	if err := fill(l.put); err != nil {
		return err
	}
	if err := l.finish(); err != nil {
		return err
	}
	got, err := t.counts()
	if err != nil {
		return err
	}
	return verify(got)
}

// pgLoader writes a dump's batches. A task's dependencies may name tasks
// of later batches, so they wait until every task is in.
type pgLoader struct {
	t     *txn
	tasks []core.Task // whose dependencies are not written yet
	high  int64
}

func (l *pgLoader) put(b core.DumpBatch) error {
	if len(b.Tasks) == 0 {
		if err := l.flushDeps(); err != nil {
			return err
		}
	}
	table, cols, rows := l.rows(b)
	if len(rows) == 0 {
		return nil
	}
	_, err := l.t.conn.CopyFrom(l.t.ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
	return l.t.fail(err, "copy "+table)
}

// rows are a batch's rows for COPY, with their table and columns.
func (l *pgLoader) rows(b core.DumpBatch) (string, []string, [][]any) {
	switch {
	case len(b.Projects) > 0:
		return "projects", []string{"id", "name", "description", "planner", "options", "created_at"}, mapRows(b.Projects, func(p core.Project) []any {
			return []any{string(p.ID), p.Name, p.Description, p.Planner, toJSON(p.Options), nanos(p.CreatedAt)}
		})
	case len(b.Tasks) > 0:
		l.tasks = append(l.tasks, b.Tasks...)
		return "tasks", taskColumns, mapRows(b.Tasks, func(x core.Task) []any { return taskArgs(x, 0) })
	case len(b.Agents) > 0:
		return "agents", []string{"id", "name", "role", "skills", "project_id", "registered_at", "last_seen_at", "current_task",
			"report_times", "tasks_done"}, mapRows(b.Agents, agentArgs)
	case len(b.Artifacts) > 0:
		return "artifacts", []string{"id", "task_id", "agent_id", "filename", "type", "description", "content", "location", "created_at"},
			mapRows(b.Artifacts, func(a core.Artifact) []any {
				return []any{a.ID, string(a.Task), string(a.Agent), a.Filename, a.Type, a.Description, a.Content, a.Location, nanos(a.CreatedAt)}
			})
	case len(b.Decisions) > 0:
		return "decisions", []string{"id", "task_id", "agent_id", "text", "what", "why", "impact", "created_at"},
			mapRows(b.Decisions, func(d core.Decision) []any {
				return []any{d.ID, string(d.Task), string(d.Agent), d.Text, d.What, d.Why, d.Impact, nanos(d.CreatedAt)}
			})
	case len(b.Events) > 0:
		return "events", []string{"id", "pos", "at", "project_id", "kind", "task_id", "agent_id", "payload"}, mapRows(b.Events, eventRow)
	case b.EventHighWater > 0:
		l.high = b.EventHighWater
	}
	return l.moreRows(b)
}

func (l *pgLoader) moreRows(b core.DumpBatch) (string, []string, [][]any) {
	switch {
	case len(b.Experiments) > 0:
		return "experiments", []string{"id", "name", "project_id", "started_at", "ended_at", "params", "tags", "polls", "idle_polls", "ended_by"},
			mapRows(b.Experiments, func(e core.Experiment) []any {
				return []any{string(e.ID), e.Name, string(e.Project), nanos(e.StartedAt), nanos(e.EndedAt), toJSON(e.Params),
					toJSON(nonNil(e.Tags)), e.Polls, e.IdlePolls, e.EndedBy}
			})
	case len(b.Samples) > 0:
		return "experiment_samples", []string{"experiment_id", "at", "backlog", "ready", "in_progress", "blocked", "done", "agents", "working"},
			mapRows(b.Samples, func(s core.Sample) []any {
				return []any{string(s.Experiment), nanos(s.At), s.Backlog, s.Ready, s.InProgress, s.Blocked, s.Done, s.Agents, s.Working}
			})
	case len(b.Mirrors) > 0:
		return "mirrors", []string{"project_id", "kind", "board_id", "cursor", "last_action", "state", "last_sync_at", "last_error"},
			mapRows(b.Mirrors, func(m core.Mirror) []any {
				return []any{string(m.Project), m.Kind, m.Board, m.Cursor, m.LastAction, toJSON(m.State), nanos(m.LastSyncAt), m.LastError}
			})
	case len(b.MirrorItems) > 0:
		return "mirror_items", []string{"project_id", "kind", "task_id", "remote_id"}, mapRows(b.MirrorItems, func(it core.MirrorItem) []any {
			return []any{string(it.Project), it.Kind, string(it.Task), it.Remote}
		})
	case len(b.LLMCalls) > 0:
		return "llm_calls", []string{"id", "at", "project_id", "project_name", "provider", "model", "operation", "input_tokens",
				"output_tokens", "latency", "cost_usd", "outcome", "error"}, mapRows(b.LLMCalls, func(c core.LLMCall) []any {
				return []any{c.ID, nanos(c.At), string(c.Project), c.ProjectName, c.Provider, c.Model, c.Operation, c.InputTokens,
					c.OutputTokens, int64(c.Latency), c.CostUSD, c.Outcome, c.Error}
			})
	case len(b.Leases) > 0:
		return "leases", []string{"name", "holder", "expires_at", "term"}, mapRows(b.Leases, func(x core.NamedLease) []any {
			return []any{x.Name, x.Holder, nanos(x.ExpiresAt), x.Term}
		})
	}
	return "", nil, nil
}

func mapRows[T any](xs []T, row func(T) []any) [][]any {
	out := make([][]any, len(xs))
	for i, x := range xs {
		out[i] = row(x)
	}
	return out
}

func agentArgs(a core.Agent) []any {
	reports := make([]int64, len(a.ReportTimes))
	for i, r := range a.ReportTimes {
		reports[i] = nanos(r)
	}
	return []any{string(a.ID), a.Name, a.Role, toJSON(nonNil(a.Skills)), string(a.Project), nanos(a.RegisteredAt),
		nanos(a.LastSeenAt), string(a.CurrentTask), toJSON(reports), a.TasksDone}
}

// eventRow is an event's row, its id as both insertion id and position.
// A RawPayload is written byte for byte; one that is not JSON (which a
// json column refuses) is kept as a JSON string of its bytes.
func eventRow(e core.Event) []any {
	payload, ok := e.Payload.(core.RawPayload)
	if !ok {
		enc, err := core.EncodePayload(e.Payload)
		if err != nil {
			enc = []byte("null")
		}
		payload = enc
	}
	if !json.Valid(payload) {
		payload, _ = json.Marshal(string(payload))
	}
	return []any{e.ID, e.ID, nanos(e.At), string(e.Project), string(e.Kind), string(e.Task), string(e.Agent), []byte(payload)}
}

// flushDeps writes the dependencies and labels of the tasks in, once all
// are, and counts each task's unfinished hard dependencies.
func (l *pgLoader) flushDeps() error {
	if len(l.tasks) == 0 {
		return nil
	}
	ts := l.tasks
	l.tasks = nil
	if err := l.t.copyDeps(ts); err != nil {
		return err
	}
	if err := l.t.copyLabels(ts); err != nil {
		return err
	}
	_, err := l.t.exec("count dependencies", `UPDATE tasks SET pending_deps = (SELECT count(*) FROM task_deps d
		JOIN tasks x ON x.id = d.depends_on WHERE d.task_id = tasks.id AND d.hard AND x.status <> 'done')
		WHERE status <> 'done'`)
	return err
}

// finish writes what waits for the end, moves the identity sequences past
// the ids copied and keeps the last position given out.
func (l *pgLoader) finish() error {
	if err := l.flushDeps(); err != nil {
		return err
	}
	for _, table := range []string{"artifacts", "decisions", "events", "llm_calls"} {
		_, err := l.t.exec("copy "+table, `SELECT setval(pg_get_serial_sequence('`+table+`', 'id'),
			coalesce(max(id), 1), max(id) IS NOT NULL) FROM `+table)
		if err != nil {
			return err
		}
	}
	_, err := l.t.exec("keep the last event position", `UPDATE event_positions
		SET last = greatest(last, $1, (SELECT coalesce(max(pos), 0) FROM events))`, l.high)
	return err
}
