package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"marcus/core"

	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// migrations lists the embedded migrations in order of version.
func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		v, err := strconv.Atoi(strings.SplitN(e.Name(), "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number", e.Name())
		}
		b, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, migration{v, e.Name(), string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// schemaTable records the migrations applied; its presence marks a schema
// as marcus's.
const schemaTable = `CREATE TABLE IF NOT EXISTS marcus_schema (
	version    integer PRIMARY KEY,
	name       text NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now()
)`

// querier is what both a pool and a transaction offer.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// migrate applies the migrations (the embedded ones when ms is nil) that the
// schema lacks, all in one transaction under an advisory lock, so that two
// servers starting together migrate once: the second waits for the lock,
// then finds the schema up to date. A schema that needs nothing is only
// read. A schema with tables but no marcus_schema is refused untouched.
func (s *Store) migrate(ctx context.Context, ms []migration) error {
	if ms == nil {
		var err error
		if ms, err = migrations(); err != nil {
			return core.Wrap(core.ErrInternal, err, "read embedded migrations")
		}
	}
	latest := ms[len(ms)-1].version
	version, err := s.checkIdentity(ctx, s.pool, latest)
	if err != nil || version >= latest {
		return err
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return s.translate(err, "open the database")
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, s.locks.migrate); err != nil {
		return s.translate(err, "wait for another server's migration")
	}
	// READ COMMITTED: this statement sees what a server that held the lock
	// before us committed.
	if version, err = s.checkIdentity(ctx, tx, latest); err != nil || version >= latest {
		return err
	}
	if _, err := tx.Exec(ctx, schemaTable); err != nil {
		return s.translate(err, "create tables")
	}
	for _, m := range ms {
		if m.version <= version {
			continue
		}
		if _, err := tx.Exec(ctx, m.sql); err != nil {
			return s.translate(err, "apply migration "+m.name)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO marcus_schema (version, name) VALUES ($1, $2)`, m.version, m.name); err != nil {
			return s.translate(err, "record migration "+m.name)
		}
	}
	return s.translate(tx.Commit(ctx), "commit the migrations")
}

// checkIdentity returns the schema's version (0 for an empty schema),
// refusing another program's tables and a schema of a newer marcus.
func (s *Store) checkIdentity(ctx context.Context, q querier, latest int) (int, error) {
	var marcus bool
	var tables int
	err := q.QueryRow(ctx, `SELECT to_regclass(quote_ident(current_schema()) || '.marcus_schema') IS NOT NULL,
		(SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
		 WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f'))`).Scan(&marcus, &tables)
	if err != nil {
		return 0, s.translate(err, "read the schema")
	}
	if !marcus {
		if tables > 0 {
			return 0, core.Errorf(core.ErrCorrupt, "schema %q of %s holds tables of another program (not marcus); marcus left them untouched: point marcus at an empty database, or give it its own schema with search_path=NAME in the URL", s.schema, s.where)
		}
		return 0, nil
	}
	var version int
	if err := q.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM marcus_schema`).Scan(&version); err != nil {
		return 0, s.translate(err, "read the schema version")
	}
	if version > latest {
		return 0, core.Errorf(core.ErrUnavailable, "%s was written by a newer marcus (schema %d; this one knows %d): upgrade marcus", s.where, version, latest)
	}
	return version, nil
}

// SchemaVersion reports the database's schema version.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM marcus_schema`).Scan(&v)
	return v, s.translate(err, "read the schema version")
}
