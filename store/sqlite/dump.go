package sqlite

import (
	"context"
	"database/sql"

	"marcus/core"
)

var (
	_ core.Dumper = (*Store)(nil)
	_ core.Loader = (*Store)(nil)
)

// dumpPage is how many rows a dump reads at a time.
const dumpPage = 1000

// Dump reads the whole database on one read transaction (a snapshot: the
// file may be in use meanwhile) and passes it to put, table by table.
func (s *Store) Dump(ctx context.Context, put func(core.DumpBatch) error) (core.TableCounts, error) {
	var counts core.TableCounts
	err := s.View(ctx, func(rt core.ReadTx) error {
		t := rt.(*txn)
		var err error
		if counts, err = t.counts(); err != nil {
			return err
		}
		return t.dump(put)
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
		if err := t.queryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
			return nil, t.s.translate(err, "count "+table)
		}
		out[table] = n
	}
	return out, nil
}

func (t *txn) dump(put func(core.DumpBatch) error) error {
	steps := []func(func(core.DumpBatch) error) error{t.dumpProjects, t.dumpTasks, t.dumpAgents, t.dumpKnowledge,
		t.dumpEvents, t.dumpExperiments, t.dumpMirrors, t.dumpRest}
	for _, step := range steps {
		if err := step(put); err != nil {
			return err
		}
	}
	return nil
}

// pages reads a table a page at a time, by a key that grows (q has one
// parameter, the last key read, and ends with ORDER BY key LIMIT ?), and
// passes each page to put.
func pages[T any, K any](t *txn, q string, after K, key func(T) K, scan func(*sql.Rows) (T, error), put func([]T) error) error {
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
		p     core.Project
		rowid int64
	}
	scan := func(r *sql.Rows) (row, error) {
		var x row
		var opts string
		var created int64
		err := r.Scan(&x.p.ID, &x.p.Name, &x.p.Description, &x.p.Planner, &opts, &created, &x.rowid)
		x.p.Options, x.p.CreatedAt = fromJSON[map[string]string](opts), fromNanos(created)
		return x, err
	}
	return pages(t, `SELECT `+projectCols+`, rowid FROM projects WHERE rowid > ? ORDER BY rowid LIMIT ?`, int64(0),
		func(x row) int64 { return x.rowid }, scan, func(rows []row) error {
			ps := make([]core.Project, len(rows))
			for i, x := range rows {
				ps[i] = x.p
			}
			return put(core.DumpBatch{Projects: ps})
		})
}

func (t *txn) dumpTasks(put func(core.DumpBatch) error) error {
	return pages(t, `SELECT `+taskCols+` FROM tasks WHERE id > ? ORDER BY id LIMIT ?`, core.TaskID(""),
		func(x core.Task) core.TaskID { return x.ID }, scanTaskRows, func(ts []core.Task) error {
			if err := t.attachDeps(ts); err != nil {
				return err
			}
			return put(core.DumpBatch{Tasks: ts})
		})
}

func (t *txn) dumpAgents(put func(core.DumpBatch) error) error {
	return pages(t, `SELECT `+agentCols+` FROM agents WHERE id > ? ORDER BY id LIMIT ?`, core.AgentID(""),
		func(a core.Agent) core.AgentID { return a.ID }, scanAgent, func(as []core.Agent) error {
			return put(core.DumpBatch{Agents: as})
		})
}

func (t *txn) dumpKnowledge(put func(core.DumpBatch) error) error {
	err := pages(t, `SELECT `+artifactCols+` FROM artifacts WHERE id > ? ORDER BY id LIMIT ?`, int64(0),
		func(a core.Artifact) int64 { return a.ID }, scanArtifact, func(as []core.Artifact) error {
			return put(core.DumpBatch{Artifacts: as})
		})
	if err != nil {
		return err
	}
	return pages(t, `SELECT `+decisionCols+` FROM decisions WHERE id > ? ORDER BY id LIMIT ?`, int64(0),
		func(d core.Decision) int64 { return d.ID }, scanDecision, func(ds []core.Decision) error {
			return put(core.DumpBatch{Decisions: ds})
		})
}

// dumpEvents gives the events with their payloads as stored, then the
// highest id AUTOINCREMENT ever gave out.
func (t *txn) dumpEvents(put func(core.DumpBatch) error) error {
	scan := func(r *sql.Rows) (core.Event, error) {
		var e core.Event
		var at int64
		var payload string
		err := r.Scan(&e.ID, &at, &e.Project, &e.Kind, &e.Task, &e.Agent, &payload)
		e.At, e.Payload = fromNanos(at), core.RawPayload(payload)
		return e, err
	}
	err := pages(t, `SELECT `+eventCols+` FROM events WHERE id > ? ORDER BY id LIMIT ?`, int64(0),
		func(e core.Event) int64 { return e.ID }, scan, func(evs []core.Event) error {
			return put(core.DumpBatch{Events: evs})
		})
	if err != nil {
		return err
	}
	var high sql.NullInt64
	err = t.queryRow(`SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0),
		coalesce((SELECT max(id) FROM events), 0))`).Scan(&high)
	if err != nil {
		return t.s.translate(err, "read the last event id")
	}
	return put(core.DumpBatch{EventHighWater: high.Int64})
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
	items, err := collect(t, "dump mirror items", func(r *sql.Rows) (core.MirrorItem, error) {
		var it core.MirrorItem
		err := r.Scan(&it.Project, &it.Kind, &it.Task, &it.Remote)
		return it, err
	}, `SELECT project_id, kind, task_id, remote_id FROM mirror_items ORDER BY project_id, kind, task_id`)
	if err != nil || len(items) == 0 {
		return err
	}
	return put(core.DumpBatch{MirrorItems: items})
}

// dumpRest gives the model calls and the named leases.
func (t *txn) dumpRest(put func(core.DumpBatch) error) error {
	err := pages(t, `SELECT `+llmCallCols+` FROM llm_calls WHERE id > ? ORDER BY id LIMIT ?`, int64(0),
		func(c core.LLMCall) int64 { return c.ID }, scanLLMCall, func(cs []core.LLMCall) error {
			return put(core.DumpBatch{LLMCalls: cs})
		})
	if err != nil {
		return err
	}
	ls, err := collect(t, "dump leases", func(r *sql.Rows) (core.NamedLease, error) {
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

// Load fills an empty database from a dump, in one write transaction.
func (s *Store) Load(ctx context.Context, fill func(put func(core.DumpBatch) error) error, verify func(core.TableCounts) error) error {
	return s.Update(ctx, func(tx core.Tx) error {
		t := tx.(*txn)
		have, err := t.counts()
		if err != nil {
			return err
		}
		if have.Total() > 0 {
			return core.NotEmpty(s.path, have, "name a new file")
		}
		l := &loader{t: t}
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
	})
}

// loader writes a dump's batches. A task's dependencies may name tasks of
// later batches, so they wait until every task is in.
type loader struct {
	t     *txn
	tasks []core.Task // with dependencies not written yet
	high  int64
}

func (l *loader) put(b core.DumpBatch) error {
	if len(b.Tasks) == 0 {
		if err := l.flushDeps(); err != nil {
			return err
		}
	}
	t := l.t
	var err error
	switch {
	case len(b.Projects) > 0:
		err = each(b.Projects, t.InsertProject)
	case len(b.Tasks) > 0:
		err = l.putTasks(b.Tasks)
	case len(b.Agents) > 0:
		err = each(b.Agents, t.PutAgent)
	case len(b.Artifacts) > 0:
		err = each(b.Artifacts, t.loadArtifact)
	case len(b.Decisions) > 0:
		err = each(b.Decisions, t.loadDecision)
	case len(b.Events) > 0:
		err = each(b.Events, t.loadEvent)
	case b.EventHighWater > 0:
		l.high = b.EventHighWater
	case len(b.Experiments) > 0:
		err = each(b.Experiments, t.InsertExperiment)
	case len(b.Samples) > 0:
		err = each(b.Samples, t.InsertSample)
	case len(b.Mirrors) > 0:
		err = each(b.Mirrors, t.PutMirror)
	case len(b.MirrorItems) > 0:
		err = each(b.MirrorItems, func(it core.MirrorItem) error { return t.PutMirrorItem(it.Project, it.Kind, it.Task, it.Remote) })
	case len(b.LLMCalls) > 0:
		err = each(b.LLMCalls, t.loadLLMCall)
	case len(b.Leases) > 0:
		err = each(b.Leases, t.PutNamedLease)
	}
	return err
}

func each[T any](xs []T, fn func(T) error) error {
	for _, x := range xs {
		if err := fn(x); err != nil {
			return err
		}
	}
	return nil
}

func (l *loader) putTasks(ts []core.Task) error {
	if err := l.t.insertTaskRows(ts); err != nil {
		return err
	}
	if err := l.t.insertLabels(ts); err != nil {
		return err
	}
	l.tasks = append(l.tasks, ts...)
	return nil
}

// flushDeps writes the dependencies of every task in, once all are, and
// counts each task's unfinished hard dependencies.
func (l *loader) flushDeps() error {
	if len(l.tasks) == 0 {
		return nil
	}
	ts := l.tasks
	l.tasks = nil
	if err := l.t.insertDeps(ts); err != nil {
		return err
	}
	_, err := l.t.exec("count dependencies", `UPDATE tasks SET pending_deps = (SELECT count(*) FROM task_deps d
		JOIN tasks x ON x.id = d.depends_on WHERE d.task_id = tasks.id AND d.hard = 1 AND x.status <> 'done')`)
	return err
}

// finish writes what waits for the end, and keeps the highest event id
// given out, so that ids never repeat.
func (l *loader) finish() error {
	if err := l.flushDeps(); err != nil {
		return err
	}
	if l.high == 0 {
		return nil
	}
	_, err := l.t.exec("keep the last event id", `UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'events'`, l.high)
	if err != nil {
		return err
	}
	_, err = l.t.exec("keep the last event id", `INSERT INTO sqlite_sequence (name, seq) SELECT 'events', ?
		WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'events')`, l.high)
	return err
}

func (t *txn) loadArtifact(a core.Artifact) error {
	_, err := t.exec("copy artifact", `INSERT INTO artifacts (`+artifactCols+`) VALUES (?,?,?,?,?,?,?,?,?)`,
		a.ID, a.Task, a.Agent, a.Filename, a.Type, a.Description, a.Content, a.Location, nanos(a.CreatedAt))
	return err
}

func (t *txn) loadDecision(d core.Decision) error {
	_, err := t.exec("copy decision", `INSERT INTO decisions (`+decisionCols+`) VALUES (?,?,?,?,?,?,?,?)`,
		d.ID, d.Task, d.Agent, d.Text, d.What, d.Why, d.Impact, nanos(d.CreatedAt))
	return err
}

// loadEvent writes an event with its id, and its payload byte for byte
// when it is a RawPayload (as dumps carry it).
func (t *txn) loadEvent(e core.Event) error {
	payload, ok := e.Payload.(core.RawPayload)
	if !ok {
		enc, err := core.EncodePayload(e.Payload)
		if err != nil {
			return core.Wrap(core.ErrInvalid, err, "event %d's payload", e.ID)
		}
		payload = enc
	}
	_, err := t.exec("copy event", `INSERT INTO events (`+eventCols+`) VALUES (?,?,?,?,?,?,?)`,
		e.ID, nanos(e.At), e.Project, e.Kind, e.Task, e.Agent, string(payload))
	return err
}

func (t *txn) loadLLMCall(c core.LLMCall) error {
	_, err := t.exec("copy model call", `INSERT INTO llm_calls (`+llmCallCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		c.ID, nanos(c.At), c.Project, c.ProjectName, c.Provider, c.Model, c.Operation, c.InputTokens, c.OutputTokens,
		int64(c.Latency), c.CostUSD, c.Outcome, c.Error)
	return err
}
