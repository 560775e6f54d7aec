package sqlite

import (
	"database/sql"
	"errors"

	"marcus/core"
)

const mirrorCols = `project_id, kind, board_id, cursor, last_action, state, last_sync_at, last_error`

func scanMirror(r interface{ Scan(...any) error }) (core.Mirror, error) {
	var m core.Mirror
	var state string
	var at int64
	err := r.Scan(&m.Project, &m.Kind, &m.Board, &m.Cursor, &m.LastAction, &state, &at, &m.LastError)
	m.State, m.LastSyncAt = fromJSON[map[string]string](state), fromNanos(at)
	return m, err
}

func (t *txn) Mirror(p core.ProjectID, kind string) (core.Mirror, error) {
	m, err := scanMirror(t.queryRow(`SELECT `+mirrorCols+` FROM mirrors WHERE project_id = ? AND kind = ?`, p, kind))
	if errors.Is(err, sql.ErrNoRows) {
		return core.Mirror{}, core.Errorf(core.ErrNotFound, "project %s has no %s mirror: link it first", p, kind)
	}
	return m, t.s.translate(err, "read mirror")
}

func (t *txn) Mirrors(kind string) ([]core.Mirror, error) {
	scan := func(r *sql.Rows) (core.Mirror, error) { return scanMirror(r) }
	if kind == "" {
		return collect(t, "list mirrors", scan, `SELECT `+mirrorCols+` FROM mirrors ORDER BY project_id, kind`)
	}
	return collect(t, "list mirrors", scan, `SELECT `+mirrorCols+` FROM mirrors WHERE kind = ? ORDER BY project_id`, kind)
}

func (t *txn) PutMirror(m core.Mirror) error {
	_, err := t.exec("save mirror", `INSERT OR REPLACE INTO mirrors (`+mirrorCols+`) VALUES (?,?,?,?,?,?,?,?)`,
		m.Project, m.Kind, m.Board, m.Cursor, m.LastAction, toJSON(m.State), nanos(m.LastSyncAt), m.LastError)
	return err
}

func (t *txn) MirrorItems(p core.ProjectID, kind string) (map[core.TaskID]string, error) {
	rows, err := t.query("list mirror items", `SELECT task_id, remote_id FROM mirror_items WHERE project_id = ? AND kind = ?`, p, kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[core.TaskID]string{}
	for rows.Next() {
		var id core.TaskID
		var remote string
		if err := rows.Scan(&id, &remote); err != nil {
			return nil, t.s.translate(err, "list mirror items")
		}
		out[id] = remote
	}
	return out, t.s.translate(rows.Err(), "list mirror items")
}

func (t *txn) PutMirrorItem(p core.ProjectID, kind string, task core.TaskID, remote string) error {
	if _, err := t.exec("forget remote item", `DELETE FROM mirror_items WHERE kind = ? AND remote_id = ? AND task_id <> ?`, kind, remote, task); err != nil {
		return err
	}
	_, err := t.exec("save mirror item", `INSERT OR REPLACE INTO mirror_items (project_id, kind, task_id, remote_id) VALUES (?,?,?,?)`,
		p, kind, task, remote)
	return err
}

func (t *txn) CountEvents(p core.ProjectID, after int64) (int, error) {
	var n int
	err := t.queryRow(`SELECT count(*) FROM events WHERE project_id = ? AND id > ?`, p, after).Scan(&n)
	return n, t.s.translate(err, "count events")
}

func (t *txn) DeleteMirrorItems(p core.ProjectID, kind string, task core.TaskID) error {
	if task == "" {
		_, err := t.exec("forget mirror items", `DELETE FROM mirror_items WHERE project_id = ? AND kind = ?`, p, kind)
		return err
	}
	_, err := t.exec("forget mirror item", `DELETE FROM mirror_items WHERE project_id = ? AND kind = ? AND task_id = ?`, p, kind, task)
	return err
}
