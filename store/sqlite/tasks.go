package sqlite

import (
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"marcus/core"
)

const taskCols = `id, project_id, seq, name, description, status, priority, labels, phase, estimate_minutes,
	acceptance, progress, holder, claimed_at, lease_expires_at, lease_grace, lease_epoch, lease_renewals,
	last_progress_at, last_message, handoff, silent_recoveries, blocked_reason, unblocks, created_at,
	updated_at, completed_at`

func scanTask(r interface{ Scan(...any) error }) (core.Task, error) {
	var t core.Task
	var labels, acceptance, handoff string
	var claimed, expires, grace, lastProgress, created, updated, completed int64
	err := r.Scan(&t.ID, &t.Project, &t.Seq, &t.Name, &t.Description, &t.Status, &t.Priority, &labels,
		&t.Phase, &t.EstimateMinutes, &acceptance, &t.Progress, &t.Holder, &claimed, &expires, &grace,
		&t.Lease.Epoch, &t.Lease.Renewals, &lastProgress, &t.LastMessage, &handoff, &t.SilentRecoveries,
		&t.BlockedReason, &t.Unblocks, &created, &updated, &completed)
	if err != nil {
		return t, err
	}
	t.Labels, t.Acceptance = fromJSON[[]string](labels), fromJSON[[]string](acceptance)
	t.Handoff = fromJSON[*core.Handoff](handoff)
	t.Lease.ClaimedAt, t.Lease.ExpiresAt, t.Lease.LastProgressAt = fromNanos(claimed), fromNanos(expires), fromNanos(lastProgress)
	t.Lease.Grace = time.Duration(grace)
	t.CreatedAt, t.UpdatedAt, t.CompletedAt = fromNanos(created), fromNanos(updated), fromNanos(completed)
	return t, nil
}

func scanTaskRows(r *sql.Rows) (core.Task, error) { return scanTask(r) }

// tasks runs a task query and attaches every task's dependencies.
func (t *txn) tasks(doing, q string, args ...any) ([]core.Task, error) {
	ts, err := collect(t, doing, scanTaskRows, q, args...)
	if err != nil || len(ts) == 0 {
		return ts, err
	}
	return ts, t.attachDeps(ts)
}

// related runs a task query without loading dependencies: the tasks
// around a claimed one, listed by name in its context.
func (t *txn) related(doing, q string, args ...any) ([]core.Task, error) {
	return collect(t, doing, scanTaskRows, q, args...)
}

// attachDeps loads the dependencies of ts in one query.
func (t *txn) attachDeps(ts []core.Task) error {
	idx := make(map[core.TaskID]int, len(ts))
	ids := make([]core.TaskID, len(ts))
	for i, x := range ts {
		idx[x.ID], ids[i] = i, x.ID
		ts[i].Dependencies = nil
	}
	var rows *sql.Rows
	var err error
	if len(ids) == 1 { // the common case (one task read), without parsing a JSON list
		rows, err = t.query("read dependencies", `SELECT task_id, depends_on, hard FROM task_deps
			WHERE task_id = ? ORDER BY rowid`, ids[0])
	} else {
		rows, err = t.query("read dependencies", `SELECT task_id, depends_on, hard FROM task_deps
			WHERE task_id IN (SELECT value FROM json_each(?)) ORDER BY task_id, rowid`, idList(ids))
	}
	if err != nil {
		return err
	}
	return t.s.translate(addDeps(rows, ts, idx), "read dependencies")
}

func addDeps(rows *sql.Rows, ts []core.Task, idx map[core.TaskID]int) error {
	defer rows.Close()
	for rows.Next() {
		var id, dep core.TaskID
		var hard bool
		if err := rows.Scan(&id, &dep, &hard); err != nil {
			return err
		}
		i := idx[id]
		ts[i].Dependencies = append(ts[i].Dependencies, core.Dependency{Task: dep, Soft: !hard})
	}
	return rows.Err()
}

func (t *txn) Task(id core.TaskID) (core.Task, error) {
	ts, err := t.tasks("read task", `SELECT `+taskCols+` FROM tasks WHERE id = ?`, id)
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
	return t.related("read tasks", `SELECT `+taskCols+` FROM tasks WHERE id IN (SELECT value FROM json_each(?)) ORDER BY seq`, idList(ids))
}

func (t *txn) Tasks(p core.ProjectID) ([]core.Task, error) {
	return t.tasks("list tasks", `SELECT `+taskCols+` FROM tasks WHERE project_id = ? ORDER BY seq`, p)
}

func (t *txn) TasksByStatus(p core.ProjectID, st core.TaskStatus) ([]core.Task, error) {
	return t.related("list tasks", `SELECT `+taskCols+` FROM tasks WHERE project_id = ? AND status = ? ORDER BY seq`, p, st)
}

func (t *txn) TasksWithLabel(p core.ProjectID, label string) ([]core.Task, error) {
	return t.related("list tasks", `SELECT `+taskCols+` FROM tasks WHERE id IN
		(SELECT task_id FROM task_labels WHERE project_id = ? AND label = ?) ORDER BY seq`, p, strings.ToLower(label))
}

func (t *txn) Dependents(id core.TaskID) ([]core.Task, error) {
	return t.related("list dependents", `SELECT `+taskCols+` FROM tasks WHERE id IN
		(SELECT task_id FROM task_deps WHERE depends_on = ?) ORDER BY seq`, id)
}

// Ancestors walks the dependency graph up from id in one recursive
// query. UNION keeps one row per task and distance, so a diamond costs a
// row per path length, never a row per path; the outer query keeps each
// task at its nearest distance.
func (t *txn) Ancestors(id core.TaskID, depth, limit int) ([]core.Task, error) {
	return core.WalkAncestors(id, depth, limit, func(ids []core.TaskID) ([]core.TaskID, error) {
		return collect(t, "list ancestors", func(r *sql.Rows) (core.TaskID, error) {
			var id core.TaskID
			return id, r.Scan(&id)
		}, `SELECT DISTINCT depends_on FROM task_deps WHERE task_id IN (SELECT value FROM json_each(?))`, idList(ids))
	}, t.TasksByID)
}

func (t *txn) ReadyTasks(p core.ProjectID, limit int) ([]core.Task, error) {
	return t.tasks("list ready tasks", `SELECT `+taskCols+` FROM tasks
		WHERE project_id = ? AND status = 'todo' AND pending_deps = 0
		ORDER BY priority DESC, unblocks DESC, phase, seq LIMIT ?`, p, limit)
}

func (t *txn) ExpiredLeases(now time.Time) ([]core.Task, error) {
	return t.tasks("list expired leases", `SELECT `+taskCols+` FROM tasks
		WHERE status = 'in_progress' AND lease_expires_at > 0 AND lease_expires_at + lease_grace < ?
		ORDER BY lease_expires_at`, nanos(now))
}

func (t *txn) RecentlyCompleted(p core.ProjectID, limit int) ([]core.Task, error) {
	return t.related("list completed tasks", `SELECT `+taskCols+` FROM tasks
		WHERE project_id = ? AND status = 'done' ORDER BY completed_at DESC LIMIT ?`, p, limit)
}

func (t *txn) TaskCounts(p core.ProjectID) (map[core.TaskStatus]int, error) {
	rows, err := t.query("count tasks", `SELECT status, count(*) FROM tasks WHERE project_id = ? GROUP BY status`, p)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[core.TaskStatus]int{}
	for rows.Next() {
		var st core.TaskStatus
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, t.s.translate(err, "count tasks")
		}
		out[st] = n
	}
	return out, t.s.translate(rows.Err(), "count tasks")
}

// InsertTasks adds tasks, their dependencies and labels, then counts each
// new task's unfinished hard dependencies.
func (t *txn) InsertTasks(ts []core.Task) error {
	if err := t.insertTaskRows(ts); err != nil {
		return err
	}
	if err := t.insertDeps(ts); err != nil {
		return err
	}
	if err := t.insertLabels(ts); err != nil {
		return err
	}
	projects := map[core.ProjectID]bool{}
	for _, x := range ts {
		projects[x.Project] = true
	}
	for p := range projects {
		if _, err := t.exec("count dependencies", `UPDATE tasks SET pending_deps = (SELECT count(*) FROM task_deps d
			JOIN tasks x ON x.id = d.depends_on WHERE d.task_id = tasks.id AND d.hard = 1 AND x.status <> 'done')
			WHERE project_id = ? AND status <> 'done'`, p); err != nil {
			return err
		}
	}
	return nil
}

func (t *txn) insertTaskRows(ts []core.Task) error {
	stmt, err := t.tx.PrepareContext(t.ctx, `INSERT INTO tasks (`+taskCols+`)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return t.s.translate(err, "insert tasks")
	}
	defer stmt.Close()
	for _, x := range ts {
		if _, err := stmt.ExecContext(t.ctx, taskArgs(x)...); err != nil {
			return t.s.translate(err, "insert task "+x.Name)
		}
	}
	return nil
}

func taskArgs(x core.Task) []any {
	handoff := ""
	if x.Handoff != nil {
		handoff = toJSON(x.Handoff)
	}
	return []any{x.ID, x.Project, x.Seq, x.Name, x.Description, x.Status, x.Priority, toJSON(nonNil(x.Labels)),
		x.Phase, x.EstimateMinutes, toJSON(nonNil(x.Acceptance)), x.Progress, x.Holder, nanos(x.Lease.ClaimedAt),
		nanos(x.Lease.ExpiresAt), int64(x.Lease.Grace), x.Lease.Epoch, x.Lease.Renewals, nanos(x.Lease.LastProgressAt),
		x.LastMessage, handoff, x.SilentRecoveries, x.BlockedReason, x.Unblocks, nanos(x.CreatedAt),
		nanos(x.UpdatedAt), nanos(x.CompletedAt)}
}

func (t *txn) insertDeps(ts []core.Task) error {
	stmt, err := t.tx.PrepareContext(t.ctx, `INSERT INTO task_deps (task_id, depends_on, hard) VALUES (?,?,?)`)
	if err != nil {
		return t.s.translate(err, "insert dependencies")
	}
	defer stmt.Close()
	for _, x := range ts {
		for _, d := range x.Dependencies {
			if _, err := stmt.ExecContext(t.ctx, x.ID, d.Task, !d.Soft); err != nil {
				if sqliteCode(err)&0xff == sqliteConstraint {
					return core.Errorf(core.ErrInvalid, "task %q depends on %s, which does not exist", x.Name, d.Task)
				}
				return t.s.translate(err, "insert dependencies")
			}
		}
	}
	return nil
}

func (t *txn) insertLabels(ts []core.Task) error {
	stmt, err := t.tx.PrepareContext(t.ctx, `INSERT OR IGNORE INTO task_labels (project_id, label, task_id) VALUES (?,?,?)`)
	if err != nil {
		return t.s.translate(err, "insert labels")
	}
	defer stmt.Close()
	for _, x := range ts {
		for _, l := range x.Labels {
			if _, err := stmt.ExecContext(t.ctx, x.Project, strings.ToLower(l), x.ID); err != nil {
				return t.s.translate(err, "insert labels")
			}
		}
	}
	return nil
}

// UpdateTask writes a task's mutable fields. A done task is final: the
// update only matches a task that is not done yet, and when none matched
// the reason is looked up. When a task becomes done its dependents stop
// waiting.
func (t *txn) UpdateTask(x core.Task) error {
	a := taskArgs(x)
	res, err := t.exec("update task", `UPDATE tasks SET name=?, description=?, status=?, priority=?, labels=?, phase=?,
		estimate_minutes=?, acceptance=?, progress=?, holder=?, claimed_at=?, lease_expires_at=?, lease_grace=?,
		lease_epoch=?, lease_renewals=?, last_progress_at=?, last_message=?, handoff=?, silent_recoveries=?,
		blocked_reason=?, unblocks=?, updated_at=?, completed_at=? WHERE id=? AND status <> 'done'`,
		append(slices.Clone(a[3:24]), a[25], a[26], x.ID)...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return t.whyNotUpdated(x.ID, err)
	}
	if x.Status != core.StatusDone {
		return nil
	}
	_, err = t.exec("release dependents", `UPDATE tasks SET pending_deps = pending_deps - 1
		WHERE id IN (SELECT task_id FROM task_deps WHERE depends_on = ? AND hard = 1)`, x.ID)
	return err
}

func (t *txn) whyNotUpdated(id core.TaskID, err error) error {
	if err != nil {
		return t.s.translate(err, "update task")
	}
	var status core.TaskStatus
	err = t.queryRow(`SELECT status FROM tasks WHERE id = ?`, id).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("task", id)
	}
	if err != nil {
		return t.s.translate(err, "read task")
	}
	return core.Refusef(core.ErrConflict, core.ReasonAlreadyDone, "task %s is done; a done task never changes again", id)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ClaimableTasks is ReadyTasks: a write transaction here runs alone, so no
// other claim is in flight.
func (t *txn) ClaimableTasks(p core.ProjectID, limit int) ([]core.Task, error) {
	return t.ReadyTasks(p, limit)
}
