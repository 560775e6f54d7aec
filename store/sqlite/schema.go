package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"marcus/core"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// applicationID marks a SQLite file as a marcus database ("MRCS").
const applicationID = 0x4d524353

type migration struct {
	version int
	name    string
	sql     string
}

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

// migrate applies the migrations the file lacks, each in its own immediate
// transaction, so two processes opening a new file at once do not race. A
// file with tables but without marcus's application id is refused untouched.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return core.Wrap(core.ErrInternal, err, "read embedded migrations")
	}
	for _, m := range ms {
		if err := s.apply(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) apply(ctx context.Context, m migration) error {
	tx, err := s.w.db.BeginTx(ctx, nil)
	if err != nil {
		return s.translate(err, "open the database")
	}
	defer tx.Rollback()
	version, err := s.checkIdentity(ctx, tx)
	if err != nil || version >= m.version {
		return err
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return s.translate(err, "apply migration "+m.name)
	}
	pragmas := fmt.Sprintf("PRAGMA application_id = %d; PRAGMA user_version = %d", applicationID, m.version)
	if _, err := tx.ExecContext(ctx, pragmas); err != nil {
		return s.translate(err, "record migration "+m.name)
	}
	return s.translate(tx.Commit(), "commit migration "+m.name)
}

// checkIdentity returns the schema version, refusing foreign databases and
// databases written by a newer marcus.
func (s *Store) checkIdentity(ctx context.Context, tx *sql.Tx) (int, error) {
	var app, version, tables int
	row := tx.QueryRowContext(ctx, "SELECT (SELECT application_id FROM pragma_application_id), (SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM sqlite_schema)")
	if err := row.Scan(&app, &version, &tables); err != nil {
		return 0, s.translate(err, "read the database header")
	}
	if app != applicationID && (tables > 0 || version > 0) {
		return 0, core.Errorf(core.ErrCorrupt, "%s is a SQLite database of another program (not marcus); marcus left it untouched: point --db at another file", s.path)
	}
	ms, err := migrations()
	if err != nil {
		return 0, err
	}
	if latest := ms[len(ms)-1].version; version > latest {
		return 0, core.Errorf(core.ErrUnavailable, "%s was written by a newer marcus (schema %d; this one knows %d): upgrade marcus", s.path, version, latest)
	}
	return version, nil
}

// SchemaVersion reports the database's schema version.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.r.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	return v, s.translate(err, "read the schema version")
}
