package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"marcus/core"
)

// txn is one transaction; it implements core.Tx (and so core.ReadTx).
type txn struct {
	ctx context.Context
	tx  *sql.Tx
	s   *Store
	p   *pool
}

var _ core.Tx = (*txn)(nil)

// Statements are prepared once per pool and reused: parsing SQL was a
// fifth of a claim's cost. A statement not prepared yet runs unprepared.

func (t *txn) exec(doing, q string, args ...any) (sql.Result, error) {
	var r sql.Result
	var err error
	if st := t.p.prepared(q); st != nil {
		r, err = t.tx.StmtContext(t.ctx, st).ExecContext(t.ctx, args...)
	} else {
		r, err = t.tx.ExecContext(t.ctx, q, args...)
	}
	return r, t.s.translate(err, doing)
}

func (t *txn) query(doing, q string, args ...any) (*sql.Rows, error) {
	var r *sql.Rows
	var err error
	if st := t.p.prepared(q); st != nil {
		r, err = t.tx.StmtContext(t.ctx, st).QueryContext(t.ctx, args...)
	} else {
		r, err = t.tx.QueryContext(t.ctx, q, args...)
	}
	return r, t.s.translate(err, doing)
}

func (t *txn) queryRow(q string, args ...any) *sql.Row {
	if st := t.p.prepared(q); st != nil {
		return t.tx.StmtContext(t.ctx, st).QueryRowContext(t.ctx, args...)
	}
	return t.tx.QueryRowContext(t.ctx, q, args...)
}

// collect runs a query and scans every row with scan.
func collect[T any](t *txn, doing string, scan func(*sql.Rows) (T, error), q string, args ...any) ([]T, error) {
	rows, err := t.query(doing, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, t.s.translate(err, doing)
		}
		out = append(out, v)
	}
	return out, t.s.translate(rows.Err(), doing)
}

func nanos(tm time.Time) int64 {
	if tm.IsZero() {
		return 0
	}
	return tm.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func toJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}

// fromJSON decodes a column written by toJSON; a damaged value decodes to
// the zero value rather than failing the whole read.
func fromJSON[T any](s string) T {
	var v T
	if s != "" {
		_ = json.Unmarshal([]byte(s), &v)
	}
	return v
}

// idList passes a list of ids as one JSON parameter, read in SQL with
// json_each, so that the statement text stays the same whatever the count
// and its prepared form can be reused.
func idList[T ~string](ids []T) string {
	return toJSON(ids)
}

func notFound(what string, id any) error {
	return core.Errorf(core.ErrNotFound, "no %s %q", what, id)
}
