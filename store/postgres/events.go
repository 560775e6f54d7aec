package postgres

import (
	"slices"
	"time"

	"marcus/core"

	"github.com/jackc/pgx/v5"
)

// Every read of events sees only sequenced events and knows an event by its
// position (pos AS id): see the package documentation.
const eventCols = `pos, at, project_id, kind, task_id, agent_id, payload`

func scanEvent(r pgx.Rows) (core.Event, error) {
	var e core.Event
	var project, kind, task, agent string
	var at int64
	var payload []byte
	err := r.Scan(&e.ID, &at, &project, &kind, &task, &agent, &payload)
	e.Project, e.Kind, e.Task, e.Agent = core.ProjectID(project), core.EventKind(kind), core.TaskID(task), core.AgentID(agent)
	e.At, e.Payload = fromNanos(at), core.DecodePayload(e.Kind, payload)
	return e, err
}

// AppendEvent adds an event, inserted with the commit. It has no position
// until the sequencer gives it one after the commit, so it returns 0:
// readers learn its id.
func (t *txn) AppendEvent(e core.Event) (int64, error) {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	payload, err := core.EncodePayload(e.Payload)
	if err != nil {
		return 0, core.Wrap(core.ErrInternal, err, "encode the payload of a %s event", e.Kind)
	}
	ev := pendingEvent{e, payload}
	if !t.s.insertEarly {
		t.events = append(t.events, ev)
		return 0, nil
	}
	_, err = t.exec("append event", insertEvents, eventArgs([]pendingEvent{ev})...)
	t.inserted = t.inserted || err == nil
	return 0, err
}

// pendingEvent is an event appended, with its encoded payload, waiting to
// be inserted.
type pendingEvent struct {
	core.Event
	payload []byte
}

// insertEvents is one statement for all of a transaction's events, in the
// order they were appended.
const insertEvents = `INSERT INTO events (at, project_id, kind, task_id, agent_id, payload)
	SELECT at, project_id, kind, task_id, agent_id, payload::json
	FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
	AS e(at, project_id, kind, task_id, agent_id, payload)`

// eventArgs are insertEvents' arguments for evs.
func eventArgs(evs []pendingEvent) []any {
	at := make([]int64, len(evs))
	project, kind, task, agent, payload := make([]string, len(evs)), make([]string, len(evs)), make([]string, len(evs)),
		make([]string, len(evs)), make([]string, len(evs))
	for i, e := range evs {
		at[i], project[i], kind[i], task[i], agent[i] = nanos(e.At), string(e.Project), string(e.Kind), string(e.Task), string(e.Agent)
		payload[i] = string(e.payload)
	}
	return []any{at, project, kind, task, agent, payload}
}

func (t *txn) Events(p core.ProjectID, after int64, limit int) ([]core.Event, error) {
	if limit <= 0 {
		limit = 1000
	}
	if p == "" {
		return collect(t, "list events", scanEvent, `SELECT `+eventCols+` FROM events WHERE pos > $1 ORDER BY pos LIMIT $2`, after, limit)
	}
	return collect(t, "list events", scanEvent, `SELECT `+eventCols+` FROM events WHERE project_id = $1 AND pos > $2
		ORDER BY pos LIMIT $3`, string(p), after, limit)
}

func (t *txn) LatestEvents(p core.ProjectID, limit int) ([]core.Event, error) {
	if limit <= 0 {
		limit = 1000
	}
	var evs []core.Event
	var err error
	if p == "" {
		evs, err = collect(t, "list events", scanEvent, `SELECT `+eventCols+` FROM events WHERE pos IS NOT NULL
			ORDER BY pos DESC LIMIT $1`, limit)
	} else {
		evs, err = collect(t, "list events", scanEvent, `SELECT `+eventCols+` FROM events WHERE project_id = $1 AND pos IS NOT NULL
			ORDER BY pos DESC LIMIT $2`, string(p), limit)
	}
	slices.Reverse(evs)
	return evs, err
}

// TaskEvents lists a task's newest events, including those committed but
// not numbered yet (last, with id 0), so that a transaction sees a task's
// events as it sees its row: a commit makes both visible at once, and the
// numbering follows an instant later.
func (t *txn) TaskEvents(id core.TaskID, limit int) ([]core.Event, error) {
	if limit <= 0 {
		limit = 1000
	}
	evs, err := collect(t, "list task events", scanEvent, `SELECT coalesce(pos, 0), at, project_id, kind, task_id, agent_id, payload
		FROM events WHERE task_id = $1 ORDER BY pos DESC NULLS FIRST, id DESC LIMIT $2`, string(id), limit)
	slices.Reverse(evs)
	return evs, err
}

// lastEventSQL reads the last event's position; lastEventKey is where it
// is read ahead.
const (
	lastEventSQL = `SELECT last FROM event_positions`
	lastEventKey = "last event"
)

// LastEventID is the last position handed out, which the sequencer commits
// with the positions themselves.
func (t *txn) LastEventID() (int64, error) {
	if id, ok := aheadOf[int64](t, lastEventKey); ok {
		return id, nil
	}
	var id int64
	err := t.scalar("read the last event", lastEventSQL, nil, &id)
	return id, err
}

func (t *txn) CountEvents(p core.ProjectID, after int64) (int, error) {
	var n int
	err := t.scalar("count events", `SELECT count(*) FROM events WHERE project_id = $1 AND pos > $2`, []any{string(p), after}, &n)
	return n, err
}
