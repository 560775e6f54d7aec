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
	"github.com/jackc/pgx/v5/pgxpool"
)

// txn is one transaction; it implements core.Tx (and so core.ReadTx). It
// runs on one pooled connection and manages BEGIN and COMMIT itself, to
// save round trips: BEGIN goes with the first statement, and the events
// appended go with the COMMIT (see commit).
type txn struct {
	ctx   context.Context
	conn  *pgxpool.Conn
	s     *Store
	write bool
	// begin is the BEGIN statement while it has not been sent; open says
	// that it was sent and no COMMIT yet.
	begin string
	open  bool
	// events are the events appended, inserted at the commit: a
	// transaction never reads its own events (they have no position yet).
	// inserted says that some were inserted already (Options.insertEarly).
	events   []pendingEvent
	inserted bool
	// broken is the first error a statement met. The server aborts the
	// transaction at its first error, so this one, not whatever fn made of
	// it, decides the transaction's fate.
	broken error
	// deferred are writes waiting to go with the next statement (see
	// deferWrite).
	deferred []deferredWrite
	// ahead holds rows read ahead of the call that wants them, in the
	// round trip of an earlier one (see Agent); prefix drops them.
	ahead map[string]any
	// live holds the tasks this transaction read as not done and has not
	// made done since: an update of one can be deferred (see UpdateTask).
	live map[core.TaskID]bool
}

// saw notes the tasks read as not done, which this transaction's updates
// cannot miss (see UpdateTask).
func (t *txn) saw(ts []core.Task) {
	if !t.write {
		return
	}
	for _, x := range ts {
		if x.Status != core.StatusDone {
			if t.live == nil {
				t.live = map[core.TaskID]bool{}
			}
			t.live[x.ID] = true
		}
	}
}

var _ core.Tx = (*txn)(nil)

func (s *Store) startTxn(ctx context.Context, write bool) (*txn, error) {
	if s.closed.Load() {
		return nil, core.Errorf(core.ErrUnavailable, "the store for %s is closed", s.where)
	}
	if err := s.gate.acquire(ctx, core.IsUrgent(ctx)); err != nil {
		return nil, err
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		s.gate.release()
		return nil, err
	}
	t := &txn{ctx: ctx, conn: conn, s: s, write: write, begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"}
	if write {
		t.begin = "BEGIN ISOLATION LEVEL REPEATABLE READ"
	}
	return t, nil
}

// end rolls back what was not committed and gives the connection back (the
// pool closes a connection left inside a transaction). A read has nothing
// to lose: its caller goes on while the ROLLBACK is on its way, and the
// connection goes back when it is done (Close waits for that).
func (t *txn) end() {
	if !t.open {
		t.release()
		return
	}
	if !t.write {
		t.s.ending.Go(t.rollback)
		return
	}
	t.rollback()
}

func (t *txn) rollback() {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(t.ctx), 5*time.Second)
	_, _ = t.conn.Exec(ctx, "ROLLBACK")
	cancel()
	t.release()
}

func (t *txn) release() {
	t.conn.Release()
	t.s.gate.release()
}

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

// batch is a round trip's statements: first what must precede the
// caller's (see prefix), then the caller's.
type batch struct {
	pgx.Batch
	// pre names what each statement of the prefix does, for its error.
	pre []string
}

// deferredWrite is a write whose only answer is success or an error, sent
// with the transaction's next statement (see deferWrite).
type deferredWrite struct {
	doing, sql string
	args       []any
}

// prefix starts a round trip with what must go before its statements: the
// BEGIN not sent yet and the writes deferred. Results read ahead are
// dropped: they stand for the snapshot only until another statement runs.
func (t *txn) prefix() *batch {
	b := &batch{}
	if t.begin != "" {
		b.Queue(t.begin)
		b.pre = append(b.pre, "start a transaction")
		t.begin, t.open = "", true
	}
	for _, w := range t.deferred {
		b.Queue(w.sql, w.args...)
		b.pre = append(b.pre, w.doing)
	}
	t.deferred, t.ahead = nil, nil
	return b
}

// send sends b and reads the answers to its prefix; the caller reads the
// answers to its own statements and closes the results.
func (t *txn) send(b *batch) (pgx.BatchResults, error) {
	br := t.conn.SendBatch(t.ctx, &b.Batch)
	for _, doing := range b.pre {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return nil, t.fail(err, doing)
		}
	}
	return br, nil
}

// deferWrite queues a write to go with the transaction's next statement or
// its commit, saving it a round trip of its own. Only a write whose
// caller needs no answer but success may be deferred: an error it meets
// fails the transaction (and is reported by the statement it went with),
// so it is never lost, only told later.
func (t *txn) deferWrite(doing, q string, args ...any) {
	t.deferred, t.ahead = append(t.deferred, deferredWrite{doing, q, args}), nil
}

// readAhead keeps rows read ahead under key, for the call that wants them.
func (t *txn) readAhead(key string, v any) {
	if t.ahead == nil {
		t.ahead = map[string]any{}
	}
	t.ahead[key] = v
}

// aheadOf returns what was read ahead under key, if it still stands.
func aheadOf[T any](t *txn, key string) (T, bool) {
	v, ok := t.ahead[key].(T)
	return v, ok
}

// started sends BEGIN and the deferred writes now, when they were not
// sent: before a COPY, which cannot share a round trip.
func (t *txn) started() error {
	b := t.prefix()
	if len(b.pre) == 0 {
		return nil
	}
	br, err := t.send(b)
	if err != nil {
		return err
	}
	return t.fail(br.Close(), "start a transaction")
}

func (t *txn) exec(doing, q string, args ...any) (pgconn.CommandTag, error) {
	b := t.prefix()
	if len(b.pre) == 0 {
		tag, err := t.conn.Exec(t.ctx, q, args...)
		return tag, t.fail(err, doing)
	}
	b.Queue(q, args...)
	br, err := t.send(b)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return tag, t.fail(err, doing)
}

// query runs q, after what must precede it (see prefix).
func (t *txn) query(q string, args ...any) (pgx.Rows, error) {
	b := t.prefix()
	if len(b.pre) == 0 {
		return t.conn.Query(t.ctx, q, args...)
	}
	b.Queue(q, args...)
	br, err := t.send(b)
	if err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		br.Close()
		return nil, err
	}
	return batchRows{rows, br}, nil
}

// batchRows are the rows of a batch's last query; closing them closes the
// batch.
type batchRows struct {
	pgx.Rows
	br pgx.BatchResults
}

func (r batchRows) Close() {
	r.Rows.Close()
	r.br.Close()
}

// scalar reads one row of one or more columns into dst; no row is
// pgx.ErrNoRows, left for the caller to name.
func (t *txn) scalar(doing, q string, args []any, dst ...any) error {
	rows, err := t.query(q, args...)
	if err != nil {
		return t.fail(err, doing)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return t.fail(err, doing)
		}
		return pgx.ErrNoRows
	}
	if err := rows.Scan(dst...); err != nil {
		return t.fail(err, doing)
	}
	rows.Close()
	return t.fail(rows.Err(), doing)
}

// collect runs a query and scans every row with scan.
func collect[T any](t *txn, doing string, scan func(pgx.Rows) (T, error), q string, args ...any) ([]T, error) {
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, t.fail(err, doing)
	}
	out, err := scanRows(rows, scan)
	return out, t.fail(err, doing)
}

// scanRows scans every row with scan and closes rows.
func scanRows[T any](rows pgx.Rows, scan func(pgx.Rows) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
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
