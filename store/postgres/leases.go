package postgres

import (
	"errors"

	"marcus/core"

	"github.com/jackc/pgx/v5"
)

func (t *txn) NamedLease(name string) (core.NamedLease, error) {
	l := core.NamedLease{Name: name}
	var expires int64
	err := t.scalar("read lease", `SELECT holder, expires_at, term FROM leases WHERE name = $1`, []any{name}, &l.Holder, &expires, &l.Term)
	if errors.Is(err, pgx.ErrNoRows) {
		return core.NamedLease{}, core.Errorf(core.ErrNotFound, "nobody has taken the lease %q yet", name)
	}
	l.ExpiresAt = fromNanos(expires)
	return l, err
}

// PutNamedLease writes a lease. Two servers taking a lease that ran out
// both write its row, so one of them runs again and finds the other holds
// it.
func (t *txn) PutNamedLease(l core.NamedLease) error {
	_, err := t.exec("save lease", `INSERT INTO leases (name, holder, expires_at, term) VALUES ($1, $2, $3, $4)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at, term = excluded.term`,
		l.Name, l.Holder, nanos(l.ExpiresAt), l.Term)
	return err
}
