package postgres

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"marcus/core"

	"github.com/jackc/pgx/v5"
)

var taskColumns = []string{"id", "project_id", "seq", "name", "description", "status", "priority", "labels", "phase",
	"estimate_minutes", "acceptance", "progress", "holder", "claimed_at", "lease_expires_at", "lease_grace", "lease_epoch",
	"lease_renewals", "last_progress_at", "last_message", "handoff", "silent_recoveries", "blocked_reason", "unblocks",
	"created_at", "updated_at", "completed_at", "pending_deps"}

// taskCols are the columns a task is read from (pending_deps is the
// store's own).
var taskCols = strings.Join(taskColumns[:len(taskColumns)-1], ", ")

// scanTask reads taskCols, and more columns into more.
func scanTask(r pgx.Row, more ...any) (core.Task, error) {
	var t core.Task
	var id, project, status, holder string
	var prio, phase int
	var labels, acceptance, handoff []byte
	var claimed, expires, grace, lastProgress, created, updated, completed int64
	dst := []any{&id, &project, &t.Seq, &t.Name, &t.Description, &status, &prio, &labels, &phase,
		&t.EstimateMinutes, &acceptance, &t.Progress, &holder, &claimed, &expires, &grace, &t.Lease.Epoch,
		&t.Lease.Renewals, &lastProgress, &t.LastMessage, &handoff, &t.SilentRecoveries, &t.BlockedReason,
		&t.Unblocks, &created, &updated, &completed}
	if err := r.Scan(append(dst, more...)...); err != nil {
		return t, err
	}
	t.ID, t.Project, t.Status, t.Holder = core.TaskID(id), core.ProjectID(project), core.TaskStatus(status), core.AgentID(holder)
	t.Priority, t.Phase = core.Priority(prio), core.Phase(phase)
	t.Labels, t.Acceptance = fromJSON[[]string](labels), fromJSON[[]string](acceptance)
	t.Handoff = fromJSON[*core.Handoff](handoff)
	t.Lease.ClaimedAt, t.Lease.ExpiresAt, t.Lease.LastProgressAt = fromNanos(claimed), fromNanos(expires), fromNanos(lastProgress)
	t.Lease.Grace = time.Duration(grace)
	t.CreatedAt, t.UpdatedAt, t.CompletedAt = fromNanos(created), fromNanos(updated), fromNanos(completed)
	return t, nil
}

func scanTaskRows(r pgx.Rows) (core.Task, error) { return scanTask(r) }

// taskArgs are a task's values in taskColumns' order, pending_deps last.
func taskArgs(x core.Task, pending int) []any {
	var handoff any
	if x.Handoff != nil {
		handoff = toJSON(x.Handoff)
	}
	return []any{string(x.ID), string(x.Project), x.Seq, x.Name, x.Description, string(x.Status), int(x.Priority),
		toJSON(nonNil(x.Labels)), int(x.Phase), x.EstimateMinutes, toJSON(nonNil(x.Acceptance)), x.Progress,
		string(x.Holder), nanos(x.Lease.ClaimedAt), nanos(x.Lease.ExpiresAt), int64(x.Lease.Grace), x.Lease.Epoch,
		x.Lease.Renewals, nanos(x.Lease.LastProgressAt), x.LastMessage, handoff, x.SilentRecoveries, x.BlockedReason,
		x.Unblocks, nanos(x.CreatedAt), nanos(x.UpdatedAt), nanos(x.CompletedAt), pending}
}

// withDeps follows taskCols in a query whose task rows are named tasks:
// each task's dependencies, in the order they were added, as JSON, so that
// a task and its dependencies take one round trip.
const withDeps = `, (SELECT coalesce(json_agg(json_build_object('t', d.depends_on, 'h', d.hard) ORDER BY d.ord), '[]')
	FROM task_deps d WHERE d.task_id = tasks.id)`

// tasks runs a task query whose columns are taskCols then withDeps.
func (t *txn) tasks(doing, q string, args ...any) ([]core.Task, error) {
	ts, err := collect(t, doing, scanTaskWithDeps, q, args...)
	t.saw(ts)
	return ts, err
}

func scanTaskWithDeps(r pgx.Rows) (core.Task, error) {
	var deps []byte
	x, err := scanTask(r, &deps)
	for _, d := range fromJSON[[]struct {
		T string `json:"t"`
		H bool   `json:"h"`
	}](deps) {
		x.Dependencies = append(x.Dependencies, core.Dependency{Task: core.TaskID(d.T), Soft: !d.H})
	}
	return x, err
}

// related runs a task query without loading dependencies.
func (t *txn) related(doing, q string, args ...any) ([]core.Task, error) {
	ts, err := collect(t, doing, scanTaskRows, q, args...)
	t.saw(ts)
	return ts, err
}

func (t *txn) Task(id core.TaskID) (core.Task, error) {
	if x, ok := aheadOf[core.Task](t, "task "+string(id)); ok {
		return x, nil
	}
	ts, err := t.tasks("read task", `SELECT `+taskCols+withDeps+` FROM tasks WHERE id = $1`, string(id))
	if err != nil {
		return core.Task{}, err
	}
	if len(ts) == 0 {
		return core.Task{}, notFound("task", id)
	}
	return ts[0], nil
}

func (t *txn) TasksByID(ids []core.TaskID) ([]core.Task, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if len(ids) == 1 { // a report's task, which Agent read ahead
		if x, ok := aheadOf[core.Task](t, "task "+string(ids[0])); ok {
			return []core.Task{x}, nil
		}
	}
	return t.related("read tasks", byIDSQL, strs(ids))
}

func (t *txn) Tasks(p core.ProjectID) ([]core.Task, error) {
	return t.tasks("list tasks", `SELECT `+taskCols+withDeps+` FROM tasks WHERE project_id = $1 ORDER BY seq`, string(p))
}

func (t *txn) TasksByStatus(p core.ProjectID, st core.TaskStatus) ([]core.Task, error) {
	return t.related("list tasks", `SELECT `+taskCols+` FROM tasks WHERE project_id = $1 AND status = $2 ORDER BY seq`, string(p), string(st))
}

func (t *txn) TasksWithLabel(p core.ProjectID, label string) ([]core.Task, error) {
	return t.related("list tasks", withLabelSQL, string(p), strings.ToLower(label))
}

func (t *txn) Dependents(id core.TaskID) ([]core.Task, error) {
	return t.related("list dependents", dependentsSQL, string(id))
}

func (t *txn) Ancestors(id core.TaskID, depth, limit int) ([]core.Task, error) {
	return core.WalkAncestors(id, depth, limit, t.parents, t.TasksByID)
}

// readySQL lists a project's ready tasks, best first.
var readySQL = `SELECT ` + taskCols + withDeps + ` FROM tasks
	WHERE project_id = $1 AND status = 'todo' AND pending_deps = 0
	ORDER BY priority DESC, unblocks DESC, phase, seq LIMIT $2`

func readyKey(p core.ProjectID, limit int) string { return fmt.Sprintf("ready %d %s", limit, p) }

func (t *txn) ReadyTasks(p core.ProjectID, limit int) ([]core.Task, error) {
	if ts, ok := aheadOf[[]core.Task](t, readyKey(p, limit)); ok {
		return ts, nil
	}
	return t.tasks("list ready tasks", readySQL, string(p), limit)
}

// maxClaimable bounds the candidates a claim locks: see claimable_tasks.
const maxClaimable = 32

// ClaimableTasks is ReadyTasks that also locks the tasks it lists for this
// transaction (up to 32), skipping tasks that another transaction has
// locked (a claim in flight) or that changed since this transaction's
// snapshot (claimed by a transaction that committed since): claimers on any
// number of servers take different tasks instead of queueing for one, and
// a claim that lost the head of the queue takes the next task rather than
// starting over.
//
// Under REPEATABLE READ, locking a task changed since the snapshot fails
// the statement. So one statement locks the candidates in a savepoint;
// when it fails, a second one locks only tasks whose row no transaction
// has locked or updated since it was written (xmax = 0), which cannot fail
// so; only when that finds none does the schema's function claimable_tasks
// try the others one by one, each in a subtransaction.
func (t *txn) ClaimableTasks(p core.ProjectID, limit int) ([]core.Task, error) {
	if !t.write {
		return t.ReadyTasks(p, limit)
	}
	limit = min(limit, maxClaimable)
	for _, untouched := range []bool{false, true} {
		ts, err := t.lockReady(p, limit, untouched)
		if conflictOf(err) != lostRace && (len(ts) > 0 || !untouched) {
			return ts, t.fail(err, "claim a ready task")
		}
		if _, err := t.exec("claim a ready task", "ROLLBACK TO SAVEPOINT claim"); err != nil {
			return nil, err
		}
	}
	return t.tasks("claim a ready task", `SELECT `+taskCols+withDeps+` FROM claimable_tasks($1, $2) WITH ORDINALITY AS tasks
		ORDER BY ordinality`, string(p), limit)
}

// lockReady takes a savepoint and locks the first ready tasks (with
// untouched, only those whose row no transaction touched since it was
// written), in one round trip; its error is left for the caller to judge.
// When the transaction is for an agent (core.ForAgent), the same round
// trip reads the agent ahead, after the lock so that the lock's statement
// takes the snapshot.
func (t *txn) lockReady(p core.ProjectID, limit int, untouched bool) ([]core.Task, error) {
	b := t.prefix()
	b.Queue("SAVEPOINT claim")
	b.Queue(`SELECT `+taskCols+withDeps+` FROM tasks
		WHERE project_id = $1 AND status = 'todo' AND pending_deps = 0 AND (NOT $3 OR xmax = '0')
		ORDER BY priority DESC, unblocks DESC, phase, seq LIMIT $2
		FOR NO KEY UPDATE SKIP LOCKED`, string(p), limit, untouched)
	agent, forAgent := core.AgentOf(t.ctx)
	if forAgent {
		queueAgent(b, agent, false)
	}
	br, err := t.send(b)
	if err != nil {
		return nil, err
	}
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return nil, err
	}
	ts, err := scanAll(br, scanTaskWithDeps)
	if err != nil {
		return nil, err
	}
	t.saw(ts)
	if forAgent {
		a, err := t.scanAgent(br, agent, false)
		if err == nil {
			t.readAhead("agent "+string(agent), a)
		} else if t.broken != nil {
			return nil, err
		}
	}
	return ts, nil
}

// scanAll reads the rows of a batch's next query with scan.
func scanAll[T any](br pgx.BatchResults, scan func(pgx.Rows) (T, error)) ([]T, error) {
	rows, err := br.Query()
	if err != nil {
		return nil, err
	}
	return scanRows(rows, scan)
}

func (t *txn) ExpiredLeases(now time.Time) ([]core.Task, error) {
	return t.tasks("list expired leases", `SELECT `+taskCols+withDeps+` FROM tasks
		WHERE status = 'in_progress' AND lease_expires_at > 0 AND lease_expires_at + lease_grace < $1
		ORDER BY lease_expires_at`, nanos(now))
}

func (t *txn) RecentlyCompleted(p core.ProjectID, limit int) ([]core.Task, error) {
	return t.related("list completed tasks", `SELECT `+taskCols+` FROM tasks
		WHERE project_id = $1 AND status = 'done' ORDER BY completed_at DESC LIMIT $2`, string(p), limit)
}

func (t *txn) TaskCounts(p core.ProjectID) (map[core.TaskStatus]int, error) {
	type count struct {
		status string
		n      int
	}
	cs, err := collect(t, "count tasks", func(r pgx.Rows) (count, error) {
		var c count
		return c, r.Scan(&c.status, &c.n)
	}, `SELECT status, count(*) FROM tasks WHERE project_id = $1 GROUP BY status`, string(p))
	out := map[core.TaskStatus]int{}
	for _, c := range cs {
		out[core.TaskStatus(c.status)] = c.n
	}
	return out, err
}

// updateTaskSQL writes a task's mutable fields. A done task is final: the
// update matches only a task that is not done. When the task becomes done,
// its dependents stop waiting for it, in the same statement, locked in the
// order of their ids so that two completions releasing the same dependents
// never deadlock. It ends with the SELECT that says how many it matched.
const updateTaskSQL = `WITH u AS (
		UPDATE tasks SET name=$1, description=$2, status=$3, priority=$4, labels=$5, phase=$6,
		estimate_minutes=$7, acceptance=$8, progress=$9, holder=$10, claimed_at=$11, lease_expires_at=$12,
		lease_grace=$13, lease_epoch=$14, lease_renewals=$15, last_progress_at=$16, last_message=$17, handoff=$18,
		silent_recoveries=$19, blocked_reason=$20, unblocks=$21, updated_at=$22, completed_at=$23
		WHERE id = $24 AND status <> 'done' RETURNING status),
	waiting AS (
		SELECT id FROM tasks WHERE id IN (SELECT task_id FROM task_deps WHERE depends_on = $24 AND hard)
		AND EXISTS (SELECT 1 FROM u WHERE status = 'done') ORDER BY id FOR NO KEY UPDATE),
	released AS (
		UPDATE tasks SET pending_deps = pending_deps - 1 FROM waiting WHERE tasks.id = waiting.id)
	`

// UpdateTask writes a task's mutable fields (see updateTaskSQL); when it
// matched no task, the reason is looked up.
//
// A task this transaction read as not done is updated without a round trip
// of its own: the update goes with the next statement or the COMMIT
// (deferWrite). It cannot miss the task: under REPEATABLE READ a row
// changed or removed since the snapshot fails the update (a conflict, and
// the transaction runs again), and this transaction has not made it done.
// Should it miss all the same, it divides by zero and fails the
// transaction rather than lose the write.
func (t *txn) UpdateTask(x core.Task) error {
	a := taskArgs(x, 0)
	args := append(a[3:24:24], a[25], a[26], string(x.ID))
	if t.live[x.ID] {
		if x.Status == core.StatusDone {
			delete(t.live, x.ID)
		}
		t.deferWrite("update task", updateTaskSQL+`SELECT 1 / count(*) FROM u`, args...)
		return nil
	}
	var n int
	if err := t.scalar("update task", updateTaskSQL+`SELECT count(*) FROM u`, args, &n); err != nil {
		return err
	}
	if n == 0 {
		return t.whyNotUpdated(x.ID)
	}
	t.saw([]core.Task{x})
	return nil
}

func (t *txn) whyNotUpdated(id core.TaskID) error {
	var status string
	err := t.scalar("read task", `SELECT status FROM tasks WHERE id = $1`, []any{string(id)}, &status)
	if errors.Is(err, pgx.ErrNoRows) {
		return notFound("task", id)
	}
	if err != nil {
		return err
	}
	return core.Refusef(core.ErrConflict, core.ReasonAlreadyDone, "task %s is done; a done task never changes again", id)
}
