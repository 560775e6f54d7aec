package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"runtime/debug"
	"time"

	"marcus/core"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// txn is one transaction; it implements core.Tx (and so core.ReadTx).
type txn struct {
	ctx   context.Context
	tx    pgx.Tx
	s     *Store
	write bool
	// appended counts the events appended: the commit is followed by a
	// sequencing pass only when there are some.
	appended int
	// broken is the first error a statement met. The server aborts the
	// transaction at its first error, so this one, not whatever fn made of
	// it, decides the transaction's fate.
	broken error
}

var _ core.Tx = (*txn)(nil)

// fail records err as the transaction's first failure and translates it.
func (t *txn) fail(err error, doing string) error {
	if err == nil {
		return nil
	}
	if t.broken == nil && !errors.Is(err, pgx.ErrNoRows) {
		t.broken = err
	}
	return t.s.translate(err, doing)
}

func (t *txn) exec(doing, q string, args ...any) (pgconn.CommandTag, error) {
	tag, err := t.tx.Exec(t.ctx, q, args...)
	return tag, t.fail(err, doing)
}

// scalar reads one row of one or more columns into dst; no row is
// pgx.ErrNoRows, left for the caller to name.
func (t *txn) scalar(doing, q string, args []any, dst ...any) error {
	err := t.tx.QueryRow(t.ctx, q, args...).Scan(dst...)
	if errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	return t.fail(err, doing)
}

// collect runs a query and scans every row with scan.
func collect[T any](t *txn, doing string, scan func(pgx.Rows) (T, error), q string, args ...any) ([]T, error) {
	rows, err := t.tx.Query(t.ctx, q, args...)
	if err != nil {
		return nil, t.fail(err, doing)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, t.fail(err, doing)
		}
		out = append(out, v)
	}
	return out, t.fail(rows.Err(), doing)
}

// protect turns a panic in a write into an error for its caller.
func protect(fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = core.Errorf(core.ErrInternal, "a write panicked: %v\n%s", p, debug.Stack())
		}
	}()
	return fn()
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

// toJSON encodes a jsonb value, as store/sqlite encodes its JSON columns.
func toJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return []byte("null")
	}
	return b
}

// fromJSON decodes a column written by toJSON; a value of another shape
// decodes to the zero value rather than failing the whole read.
func fromJSON[T any](b []byte) T {
	var v T
	if len(b) > 0 {
		_ = json.Unmarshal(b, &v)
	}
	return v
}

func strs[T ~string](ids []T) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func notFound(what string, id any) error {
	return core.Errorf(core.ErrNotFound, "no %s %q", what, id)
}
