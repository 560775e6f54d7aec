package sqlite

import (
	"database/sql"
	"time"

	"marcus/core"
)

const llmCallCols = `id, at, project_id, project_name, provider, model, operation, input_tokens, output_tokens,
	latency, cost_usd, outcome, error`

func scanLLMCall(r *sql.Rows) (core.LLMCall, error) {
	var c core.LLMCall
	var at, latency int64
	err := r.Scan(&c.ID, &at, &c.Project, &c.ProjectName, &c.Provider, &c.Model, &c.Operation, &c.InputTokens,
		&c.OutputTokens, &latency, &c.CostUSD, &c.Outcome, &c.Error)
	c.At, c.Latency = fromNanos(at), time.Duration(latency)
	return c, err
}

func (t *txn) LLMCalls(p core.ProjectID) ([]core.LLMCall, error) {
	if p == "" {
		return collect(t, "list model calls", scanLLMCall, `SELECT `+llmCallCols+` FROM llm_calls ORDER BY id`)
	}
	return collect(t, "list model calls", scanLLMCall, `SELECT `+llmCallCols+` FROM llm_calls WHERE project_id = ? ORDER BY id`, p)
}

func (t *txn) InsertLLMCalls(calls []core.LLMCall) error {
	for i := range calls {
		c := &calls[i]
		if c.At.IsZero() {
			c.At = time.Now()
		}
		id, err := lastID(t.exec("record model call", `INSERT INTO llm_calls (at, project_id, project_name, provider, model,
			operation, input_tokens, output_tokens, latency, cost_usd, outcome, error) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
			nanos(c.At), c.Project, c.ProjectName, c.Provider, c.Model, c.Operation, c.InputTokens, c.OutputTokens,
			int64(c.Latency), c.CostUSD, c.Outcome, c.Error))
		if err != nil {
			return err
		}
		c.ID = id
	}
	return nil
}

// AddDependencies adds dependencies to a task that is not done and counts
// its unfinished hard dependencies again.
func (t *txn) AddDependencies(id core.TaskID, deps []core.Dependency) error {
	var status core.TaskStatus
	err := t.queryRow(`SELECT status FROM tasks WHERE id = ?`, id).Scan(&status)
	switch {
	case err == sql.ErrNoRows:
		return notFound("task", id)
	case err != nil:
		return t.s.translate(err, "read task")
	case status == core.StatusDone:
		return core.Refusef(core.ErrConflict, core.ReasonAlreadyDone, "task %s is done; a done task never changes again", id)
	}
	for _, d := range deps {
		if d.Task == id {
			return core.Errorf(core.ErrInvalid, "task %s cannot depend on itself", id)
		}
		var exists int
		if err := t.queryRow(`SELECT count(*) FROM tasks WHERE id = ?`, d.Task).Scan(&exists); err != nil {
			return t.s.translate(err, "read task")
		}
		if exists == 0 {
			return core.Errorf(core.ErrInvalid, "task %s cannot depend on %s, which does not exist", id, d.Task)
		}
		var had sql.NullBool
		if err := t.queryRow(`SELECT hard FROM task_deps WHERE task_id = ? AND depends_on = ?`, id, d.Task).Scan(&had); err != nil && err != sql.ErrNoRows {
			return t.s.translate(err, "read dependency")
		}
		if !d.Soft && !had.Bool {
			// The task it now waits for unblocks one more task.
			if _, err := t.exec("count unblocks", `UPDATE tasks SET unblocks = unblocks + 1 WHERE id = ?`, d.Task); err != nil {
				return err
			}
		}
		if _, err := t.exec("add dependency", `INSERT INTO task_deps (task_id, depends_on, hard) VALUES (?,?,?)
			ON CONFLICT (task_id, depends_on) DO UPDATE SET hard = max(hard, excluded.hard)`, id, d.Task, !d.Soft); err != nil {
			return err
		}
	}
	_, err = t.exec("count dependencies", `UPDATE tasks SET pending_deps = (SELECT count(*) FROM task_deps d
		JOIN tasks x ON x.id = d.depends_on WHERE d.task_id = tasks.id AND d.hard = 1 AND x.status <> 'done')
		WHERE id = ?`, id)
	return err
}
