// Package pgtest gives tests an empty PostgreSQL schema of their own, on the
// server that MARCUS_TEST_POSTGRES names (a URL such as
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable). A test
// binary creates one database for its run, through that URL, and drops it
// at the end; each test gets a schema of that database, dropped when the
// test ends. Without the variable, tests that need PostgreSQL skip.
package pgtest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Env names the server the tests use.
const Env = "MARCUS_TEST_POSTGRES"

var run struct {
	once    sync.Once
	admin   string // the URL of Env
	name    string // this run's database
	url     *url.URL
	pool    *pgxpool.Pool // on this run's database, for schemas
	err     error
	schemas atomic.Int64
}

// Main runs the tests of a package and drops the database they used. Call
// it from TestMain.
func Main(m *testing.M) {
	os.Exit(Drop(m.Run()))
}

// Drop drops the database this run's tests used, for a TestMain that does
// more than Main, and returns the exit code: code, or 1 when the drop
// failed.
func Drop(code int) int {
	if err := drop(); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		code = max(code, 1)
	}
	return code
}

// Skip skips tb unless MARCUS_TEST_POSTGRES is set.
func Skip(tb testing.TB) {
	tb.Helper()
	if os.Getenv(Env) == "" {
		tb.Skipf("needs PostgreSQL: set %s to a server's URL, e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable (.ci/setup.d/20-postgres.sh starts one)", Env)
	}
}

// URL returns the URL of a new, empty schema in this run's database: its
// search_path names the schema. The schema is dropped when tb ends, after
// the cleanups tb registers later (closing the stores opened on it).
func URL(tb testing.TB) string {
	tb.Helper()
	Skip(tb)
	run.once.Do(create)
	if run.err != nil {
		tb.Fatalf("pgtest: %v", run.err)
	}
	schema := fmt.Sprintf("t%d", run.schemas.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := run.pool.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("pgtest: create schema %s: %v", schema, err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := run.pool.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("pgtest: drop schema %s: %v", schema, err)
		}
	})
	u := *run.url
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// create makes this run's database.
func create() {
	run.admin = os.Getenv(Env)
	u, err := url.Parse(run.admin)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		run.err = fmt.Errorf("%s must be a postgres:// URL", Env)
		return
	}
	run.name = fmt.Sprintf("marcus_test_%d_%d", time.Now().Unix(), os.Getpid())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, run.admin)
	if err != nil {
		run.err = fmt.Errorf("connect to %s: %w", Env, err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+run.name); err != nil {
		run.err = fmt.Errorf("create database %s: %w", run.name, err)
		return
	}
	u.Path = "/" + run.name
	run.url = u
	run.pool, run.err = pgxpool.New(ctx, u.String())
}

// drop drops this run's database, if it made one.
func drop() error {
	if run.url == nil {
		return nil
	}
	if run.pool != nil {
		run.pool.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, run.admin)
	if err != nil {
		return fmt.Errorf("connect to drop %s: %w", run.name, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP DATABASE "+run.name+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", run.name, err)
	}
	return nil
}
