package postgres

import (
	"errors"
	"strings"

	"marcus/core"

	"github.com/jackc/pgx/v5"
)

// InsertTasks adds tasks with their dependencies and labels, in three
// COPYs. Two writes make it safe beside concurrent writers (see the package
// documentation):
//   - it touches the projects it adds to, because core chose the new tasks'
//     names and places by reading the whole board;
//   - it touches every stored task a new task depends on, and counts a new
//     task's unfinished hard dependencies from the touched rows, because a
//     dependency completing at the same moment releases only the dependents
//     its own snapshot holds.
func (t *txn) InsertTasks(ts []core.Task) error {
	if len(ts) == 0 {
		return nil
	}
	if err := t.touchProjects(ts); err != nil {
		return err
	}
	stored, err := t.touchDependencies(ts)
	if err != nil {
		return err
	}
	if err := t.copyTasks(ts, stored); err != nil {
		return err
	}
	if err := t.copyDeps(ts); err != nil {
		return err
	}
	return t.copyLabels(ts)
}

func (t *txn) touchProjects(ts []core.Task) error {
	seen := map[core.ProjectID]bool{}
	var ids []string
	for _, x := range ts {
		if !seen[x.Project] {
			seen[x.Project] = true
			ids = append(ids, string(x.Project))
		}
	}
	_, err := t.exec("insert tasks", `UPDATE projects SET name = name WHERE id = ANY($1)`, ids)
	return err
}

// touchDependencies writes the stored tasks that the new ones depend on and
// returns their statuses. A dependency that is neither new nor stored is
// refused.
func (t *txn) touchDependencies(ts []core.Task) (map[core.TaskID]core.TaskStatus, error) {
	fresh := make(map[core.TaskID]bool, len(ts))
	for _, x := range ts {
		fresh[x.ID] = true
	}
	var want []string
	for _, x := range ts {
		for _, d := range x.Dependencies {
			if !fresh[d.Task] {
				want = append(want, string(d.Task))
			}
		}
	}
	stored := map[core.TaskID]core.TaskStatus{}
	if len(want) == 0 {
		return stored, nil
	}
	err := t.eachRow("insert dependencies", func(r pgx.Rows) error {
		var id, status string
		err := r.Scan(&id, &status)
		stored[core.TaskID(id)] = core.TaskStatus(status)
		return err
	}, `UPDATE tasks SET unblocks = unblocks WHERE id = ANY($1) RETURNING id, status`, want)
	if err != nil {
		return nil, err
	}
	for _, x := range ts {
		for _, d := range x.Dependencies {
			if _, ok := stored[d.Task]; !ok && !fresh[d.Task] {
				return nil, core.Errorf(core.ErrInvalid, "task %q depends on %s, which does not exist", x.Name, d.Task)
			}
		}
	}
	return stored, nil
}

// eachRow runs a query and hands each row to fn.
func (t *txn) eachRow(doing string, fn func(pgx.Rows) error, q string, args ...any) error {
	_, err := collect(t, doing, func(r pgx.Rows) (struct{}, error) { return struct{}{}, fn(r) }, q, args...)
	return err
}

func (t *txn) copyTasks(ts []core.Task, stored map[core.TaskID]core.TaskStatus) error {
	status := make(map[core.TaskID]core.TaskStatus, len(ts))
	for _, x := range ts {
		status[x.ID] = x.Status
	}
	rows := make([][]any, len(ts))
	for i, x := range ts {
		pending := 0
		for _, d := range x.Dependencies {
			st, ok := status[d.Task]
			if !ok {
				st = stored[d.Task]
			}
			if !d.Soft && st != core.StatusDone {
				pending++
			}
		}
		if x.Status == core.StatusDone {
			pending = 0
		}
		rows[i] = taskArgs(x, pending)
	}
	if err := t.started(); err != nil {
		return t.fail(err, "insert tasks")
	}
	_, err := t.conn.CopyFrom(t.ctx, pgx.Identifier{"tasks"}, taskColumns, pgx.CopyFromRows(rows))
	return t.fail(err, "insert tasks")
}

func (t *txn) copyDeps(ts []core.Task) error {
	var rows [][]any
	for _, x := range ts {
		for _, d := range x.Dependencies {
			rows = append(rows, []any{string(x.ID), string(d.Task), !d.Soft})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	_, err := t.conn.CopyFrom(t.ctx, pgx.Identifier{"task_deps"}, []string{"task_id", "depends_on", "hard"}, pgx.CopyFromRows(rows))
	return t.fail(err, "insert dependencies")
}

func (t *txn) copyLabels(ts []core.Task) error {
	type key struct{ project, label, task string }
	seen := map[key]bool{}
	var rows [][]any
	for _, x := range ts {
		for _, l := range x.Labels {
			k := key{string(x.Project), strings.ToLower(l), string(x.ID)}
			if !seen[k] {
				seen[k] = true
				rows = append(rows, []any{k.project, k.label, k.task})
			}
		}
	}
	if len(rows) == 0 {
		return nil
	}
	_, err := t.conn.CopyFrom(t.ctx, pgx.Identifier{"task_labels"}, []string{"project_id", "label", "task_id"}, pgx.CopyFromRows(rows))
	return t.fail(err, "insert labels")
}

// AddDependencies makes a task that is not done also wait for deps. Every
// dependency is written (a new hard one counts one more task it unblocks;
// the others are touched) so that its completing at the same moment
// conflicts with this, as in InsertTasks.
func (t *txn) AddDependencies(id core.TaskID, deps []core.Dependency) error {
	var status string
	err := t.scalar("read task", `SELECT status FROM tasks WHERE id = $1`, []any{string(id)}, &status)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return notFound("task", id)
	case err != nil:
		return err
	case core.TaskStatus(status) == core.StatusDone:
		return core.Refusef(core.ErrConflict, core.ReasonAlreadyDone, "task %s is done; a done task never changes again", id)
	}
	for _, d := range deps {
		if err := t.addDependency(id, d); err != nil {
			return err
		}
	}
	_, err = t.exec("count dependencies", `UPDATE tasks SET pending_deps = (SELECT count(*) FROM task_deps d
		JOIN tasks x ON x.id = d.depends_on WHERE d.task_id = tasks.id AND d.hard AND x.status <> 'done')
		WHERE id = $1`, string(id))
	return err
}

func (t *txn) addDependency(id core.TaskID, d core.Dependency) error {
	if d.Task == id {
		return core.Errorf(core.ErrInvalid, "task %s cannot depend on itself", id)
	}
	var had bool
	err := t.scalar("read dependency", `SELECT hard FROM task_deps WHERE task_id = $1 AND depends_on = $2`,
		[]any{string(id), string(d.Task)}, &had)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	more := 0
	if !d.Soft && !had {
		more = 1 // the task it now waits for unblocks one more task
	}
	tag, err := t.exec("add dependency", `UPDATE tasks SET unblocks = unblocks + $2 WHERE id = $1`, string(d.Task), more)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return core.Errorf(core.ErrInvalid, "task %s cannot depend on %s, which does not exist", id, d.Task)
	}
	_, err = t.exec("add dependency", `INSERT INTO task_deps (task_id, depends_on, hard) VALUES ($1, $2, $3)
		ON CONFLICT (task_id, depends_on) DO UPDATE SET hard = task_deps.hard OR excluded.hard`, string(id), string(d.Task), !d.Soft)
	return err
}
