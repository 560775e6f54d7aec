package postgres

import (
	"marcus/core"

	"github.com/jackc/pgx/v5"
)

const mirrorCols = `project_id, kind, board_id, cursor, last_action, state, last_sync_at, last_error`

func scanMirror(r pgx.Rows) (core.Mirror, error) {
	var m core.Mirror
	var project string
	var state []byte
	var at int64
	err := r.Scan(&project, &m.Kind, &m.Board, &m.Cursor, &m.LastAction, &state, &at, &m.LastError)
	m.Project, m.State, m.LastSyncAt = core.ProjectID(project), fromJSON[map[string]string](state), fromNanos(at)
	return m, err
}

func (t *txn) Mirror(p core.ProjectID, kind string) (core.Mirror, error) {
	ms, err := collect(t, "read mirror", scanMirror, `SELECT `+mirrorCols+` FROM mirrors WHERE project_id = $1 AND kind = $2`, string(p), kind)
	if err != nil {
		return core.Mirror{}, err
	}
	if len(ms) == 0 {
		return core.Mirror{}, core.Errorf(core.ErrNotFound, "project %s has no %s mirror: link it first", p, kind)
	}
	return ms[0], nil
}

func (t *txn) Mirrors(kind string) ([]core.Mirror, error) {
	if kind == "" {
		return collect(t, "list mirrors", scanMirror, `SELECT `+mirrorCols+` FROM mirrors ORDER BY project_id, kind`)
	}
	return collect(t, "list mirrors", scanMirror, `SELECT `+mirrorCols+` FROM mirrors WHERE kind = $1 ORDER BY project_id`, kind)
}

func (t *txn) PutMirror(m core.Mirror) error {
	_, err := t.exec("save mirror", `INSERT INTO mirrors (`+mirrorCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (project_id, kind) DO UPDATE SET board_id = excluded.board_id, cursor = excluded.cursor,
		last_action = excluded.last_action, state = excluded.state, last_sync_at = excluded.last_sync_at,
		last_error = excluded.last_error`,
		string(m.Project), m.Kind, m.Board, m.Cursor, m.LastAction, toJSON(m.State), nanos(m.LastSyncAt), m.LastError)
	return err
}

func (t *txn) MirrorItems(p core.ProjectID, kind string) (map[core.TaskID]string, error) {
	out := map[core.TaskID]string{}
	err := t.eachRow("list mirror items", func(r pgx.Rows) error {
		var id, remote string
		err := r.Scan(&id, &remote)
		out[core.TaskID(id)] = remote
		return err
	}, `SELECT task_id, remote_id FROM mirror_items WHERE project_id = $1 AND kind = $2`, string(p), kind)
	return out, err
}

// PutMirrorItem records a task's remote id; the remote id stops standing
// for any other task. A concurrent writer that gave the remote id to
// another task makes the insert fail on the unique key, and Update runs
// this again, now seeing (and deleting) that row.
func (t *txn) PutMirrorItem(p core.ProjectID, kind string, task core.TaskID, remote string) error {
	if _, err := t.exec("forget remote item", `DELETE FROM mirror_items WHERE kind = $1 AND remote_id = $2 AND task_id <> $3`,
		kind, remote, string(task)); err != nil {
		return err
	}
	_, err := t.exec("save mirror item", `INSERT INTO mirror_items (project_id, kind, task_id, remote_id) VALUES ($1, $2, $3, $4)
		ON CONFLICT (project_id, kind, task_id) DO UPDATE SET remote_id = excluded.remote_id`, string(p), kind, string(task), remote)
	return err
}

func (t *txn) DeleteMirrorItems(p core.ProjectID, kind string, task core.TaskID) error {
	if task == "" {
		_, err := t.exec("forget mirror items", `DELETE FROM mirror_items WHERE project_id = $1 AND kind = $2`, string(p), kind)
		return err
	}
	_, err := t.exec("forget mirror item", `DELETE FROM mirror_items WHERE project_id = $1 AND kind = $2 AND task_id = $3`,
		string(p), kind, string(task))
	return err
}
