package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"marcus/core"
	"marcus/store/postgres"
	"marcus/store/postgres/pgtest"
	"marcus/store/sqlite"
)

// benchSchemas numbers the schemas this test binary creates.
var benchSchemas int

// benchStore opens the store a benchmark runs on, chosen by
// MARCUS_BENCH_STORE: "sqlite" (the default) in a temporary folder, or
// "postgres" in a new schema of the server MARCUS_TEST_POSTGRES names,
// dropped when tb ends.
func benchStore(tb testing.TB) core.Store {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	switch kind := os.Getenv("MARCUS_BENCH_STORE"); kind {
	case "", "sqlite":
		s, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "bench.db"), sqlite.Options{})
		if err != nil {
			tb.Fatal(err)
		}
		return s
	case "postgres":
		// MARCUS_BENCH_POOL sizes the pool (default: the store's).
		s, err := postgres.Open(ctx, benchSchema(tb), postgres.Options{MaxConns: int32(envInt("MARCUS_BENCH_POOL", 0))})
		if err != nil {
			tb.Fatal(err)
		}
		return s
	default:
		tb.Fatalf("MARCUS_BENCH_STORE=%q: set it to sqlite or postgres", kind)
		return nil
	}
}

// benchSchema creates a schema on the server MARCUS_TEST_POSTGRES names
// and returns a URL whose search_path is that schema; the schema is
// dropped when tb ends, after the store on it is closed.
func benchSchema(tb testing.TB) string {
	tb.Helper()
	pgtest.Skip(tb)
	admin := os.Getenv(pgtest.Env)
	u, err := url.Parse(admin)
	if err != nil {
		tb.Fatalf("%s: %v", pgtest.Env, err)
	}
	benchSchemas++
	schema := fmt.Sprintf("marcus_bench_%d_%d", os.Getpid(), benchSchemas)
	exec := func(q string) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			tb.Fatalf("connect to %s: %v", pgtest.Env, err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, q); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
	}
	exec("CREATE SCHEMA " + schema)
	tb.Cleanup(func() { exec("DROP SCHEMA " + schema + " CASCADE") })
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
