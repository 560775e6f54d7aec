package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"

	"marcus/core"

	"github.com/jackc/pgx/v5/pgconn"
)

// conflict classifies an error for Update's retry.
type conflict int

const (
	noConflict conflict = iota
	// lostRace: a serialization failure or a deadlock; running the
	// transaction again on a fresh snapshot settles it.
	lostRace
	// uniqueConflict: a unique key another writer took first. When core
	// checked for the key on its snapshot, a fresh run sees the other row
	// and answers properly; a key that stays taken is a real conflict.
	uniqueConflict
)

func conflictOf(err error) conflict {
	pe, ok := asServerError(err)
	switch {
	case !ok:
		return noConflict
	case pe.Code == "40001" || pe.Code == "40P01":
		return lostRace
	case pe.Code == "23505":
		return uniqueConflict
	}
	return noConflict
}

func asServerError(err error) (*pgconn.PgError, bool) {
	var pe *pgconn.PgError
	return pe, errors.As(err, &pe)
}

// translate turns a driver error into a core error once, here, with what to
// do about it.
func (s *Store) translate(err error, doing string) error {
	if err == nil {
		return nil
	}
	var ce *core.Error
	if errors.As(err, &ce) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return core.Wrap(core.ErrUnavailable, err, "%s: gave up", doing)
	}
	if pe, ok := asServerError(err); ok {
		return s.serverError(pe, doing)
	}
	var ne net.Error
	var connect *pgconn.ConnectError
	if errors.As(err, &connect) || errors.As(err, &ne) || pgconn.Timeout(err) {
		return core.Wrap(core.ErrUnavailable, err, "%s: cannot reach %s: is the server running, and are the host and port in the URL right?", doing, s.where)
	}
	return core.Wrap(core.ErrInternal, err, "%s on %s", doing, s.where)
}

// serverError translates an error the server sent, by its SQLSTATE.
func (s *Store) serverError(pe *pgconn.PgError, doing string) error {
	code := func(c core.Code, format string, args ...any) error {
		return core.Wrap(c, pe, "%s", fmt.Sprintf(format, args...))
	}
	user := s.cfg.ConnConfig.User
	switch pe.Code {
	case "40001", "40P01":
		return code(core.ErrUnavailable, "%s kept conflicting with other writers on %s (tried %d times): try again", doing, s.where, s.attempts)
	case "23505":
		return code(core.ErrConflict, "%s clashed with a row another writer stored first: try again", doing)
	case "28P01", "28000":
		return code(core.ErrUnavailable, "%s refused user %q: check the user and password in the URL (or PGPASSWORD, ~/.pgpass) and the server's pg_hba.conf", s.where, user)
	case "3D000":
		return code(core.ErrUnavailable, "%s: the database does not exist: create it (createdb NAME, or CREATE DATABASE NAME) or fix the URL", s.where)
	case "42501":
		return code(core.ErrUnavailable, "user %q may not %s in schema %q of %s: grant it (GRANT USAGE, CREATE ON SCHEMA ...) or use a database it owns", user, doing, s.schema, s.where)
	case "53300":
		return code(core.ErrUnavailable, "%s has no free connections: lower the pool size of each marcus, or raise max_connections", s.where)
	case "53100":
		return code(core.ErrUnavailable, "the disk of %s is full: free some space", s.where)
	case "25006":
		return code(core.ErrUnavailable, "%s is read-only (a standby?): point marcus at the primary", s.where)
	case "57P01", "57P02", "57P03":
		return code(core.ErrUnavailable, "%s is shutting down or starting up: try again in a moment", s.where)
	case "XX001", "XX002":
		return code(core.ErrCorrupt, "data in %s is damaged: restore a backup", s.where)
	case "42P01", "42703":
		return code(core.ErrCorrupt, "marcus's tables in schema %q of %s are missing or were changed by hand: restore a backup, or point marcus at another database", s.schema, s.where)
	}
	class := pe.Code
	if len(class) > 2 {
		class = class[:2]
	}
	switch class {
	case "22", "23":
		return code(core.ErrInvalid, "%s broke a database rule", doing)
	case "53":
		return code(core.ErrUnavailable, "%s is out of resources (%s): try again later", s.where, pe.Code)
	case "08":
		return code(core.ErrUnavailable, "lost the connection to %s (%s): is the server up?", s.where, doing)
	}
	return code(core.ErrInternal, "%s on %s", doing, s.where)
}
