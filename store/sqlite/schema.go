package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

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
// A file that needs no migration is checked in a read transaction only, so
// that opening it does not wait for another process's write.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return core.Wrap(core.ErrInternal, err, "read embedded migrations")
	}
	// Identity first: switching to WAL would rewrite another program's
	// rollback-journal file.
	version, err := s.readIdentity(ctx)
	if err != nil {
		return err
	}
	if err := s.useWAL(ctx); err != nil || version >= ms[len(ms)-1].version {
		return err
	}
	for _, m := range ms {
		if err := s.apply(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// useWAL puts the file in WAL mode, which is stored in the file, so every
// later connection of every process uses it. It is not a DSN pragma: two
// connections switching a new file to WAL at the same moment make one of
// them fail at once with SQLITE_BUSY, without waiting out the busy timeout,
// and as a DSN pragma that failed the opening of the connection, so one of
// two processes opening a new database failed. Here it is retried.
func (s *Store) useWAL(ctx context.Context) error {
	deadline := time.Now().Add(s.busy)
	for delay := time.Millisecond; ; delay = min(2*delay, 50*time.Millisecond) {
		var mode string
		err := s.w.db.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode)
		switch {
		case err == nil && strings.EqualFold(mode, "wal"):
			return nil
		case err != nil && sqliteCode(err)&0xff != sqliteBusy:
			return s.translate(err, "switch to WAL mode")
		case err == nil:
			err = fmt.Errorf("journal mode stayed %q", mode)
		}
		if time.Now().After(deadline) {
			return core.Wrap(core.ErrUnavailable, err, "the database %s is locked by another process (switch to WAL mode): wait for it to finish, or stop it", s.path)
		}
		select {
		case <-ctx.Done():
			return s.translate(ctx.Err(), "switch to WAL mode")
		case <-time.After(delay):
		}
	}
}

func (s *Store) readIdentity(ctx context.Context) (int, error) {
	tx, err := s.r.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return 0, s.translate(err, "open the database")
	}
	defer tx.Rollback()
	return s.checkIdentity(ctx, tx)
}

func (s *Store) apply(ctx context.Context, m migration) error {
	tx, err := s.beginWrite(ctx)
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
		return 0, foreignError(s.path)
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

// sqliteMagic begins every SQLite database file.
const sqliteMagic = "SQLite format 3\x00"

// checkHeader reads the file's 100-byte SQLite header itself, before SQLite
// opens it, and refuses a file that is not a marcus database, so that
// SQLite never touches it: even a refused WAL-mode file would get its WAL
// checkpointed into it when the handle closes. A missing or empty file is a
// new database. A header that looks empty but may be stale (a new marcus
// file whose first migration is still in the WAL) is left to
// checkIdentity, which reads through the WAL.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return core.Wrap(core.ErrUnavailable, err, "cannot read %s: check the file's permissions and the folder's", path)
	}
	defer f.Close()
	var h [100]byte
	n, err := io.ReadFull(f, h[:])
	switch {
	case n == 0 && errors.Is(err, io.EOF):
		return nil
	case err != nil && !errors.Is(err, io.ErrUnexpectedEOF):
		return core.Wrap(core.ErrUnavailable, err, "cannot read %s", path)
	// Offsets from https://sqlite.org/fileformat.html#the_database_header;
	// bytes 21-23 (payload fractions) must be 64, 32, 32.
	case n < len(h) || string(h[:len(sqliteMagic)]) != sqliteMagic || string(h[21:24]) != "\x40\x20\x20":
		return corruptError(path, nil)
	}
	cookie, version, app := binary.BigEndian.Uint32(h[40:]), binary.BigEndian.Uint32(h[60:]), binary.BigEndian.Uint32(h[68:])
	if app != applicationID && (app != 0 || version != 0 || cookie != 0) {
		return foreignError(path)
	}
	return nil
}

func foreignError(path string) error {
	return core.Errorf(core.ErrCorrupt, "%s is a SQLite database of another program (not marcus); marcus left it untouched: point --db at another file", path)
}

func corruptError(path string, err error) error {
	return core.Wrap(core.ErrCorrupt, err, "the file %s is damaged or is not a marcus database; marcus left it untouched: point --db at another file or restore a backup", path)
}
