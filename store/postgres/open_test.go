package postgres

import (
	"context"
	"net"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"

	"marcus/core"
	"marcus/store/postgres/pgtest"

	"github.com/jackc/pgx/v5"
)

// wantErr asserts err's code and that its message says every one of parts
// and none of hidden.
func wantErr(t *testing.T, what string, err error, code core.Code, parts []string, hidden ...string) {
	t.Helper()
	if core.CodeOf(err) != code {
		t.Fatalf("%s: %v (code %s), want %s", what, err, core.CodeOf(err), code)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("%s: %q does not say %q", what, err, p)
		}
	}
	for _, h := range hidden {
		if strings.Contains(err.Error(), h) {
			t.Errorf("%s: %q gives away %q", what, err, h)
		}
	}
}

// admin runs statements on the database of url as its user.
func admin(t *testing.T, url string, stmts ...string) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	for _, q := range stmts {
		if _, err := conn.Exec(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// withURL changes url's user, password or database.
func withURL(t *testing.T, raw string, change func(u *url.URL)) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	change(u)
	return u.String()
}

func TestOpenRefusesBadURLs(t *testing.T) {
	for _, raw := range []string{"postgres://[::1", "mysql://127.0.0.1/x", "port=notanumber"} {
		_, err := Open(t.Context(), raw, Options{})
		wantErr(t, raw, err, core.ErrInvalid, []string{"not valid", "postgres://"})
	}
}

func TestOpenUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	_, err = Open(t.Context(), "postgres://marcus:s3cret@"+addr+"/marcus?connect_timeout=5", Options{})
	wantErr(t, "a closed port", err, core.ErrUnavailable, []string{"cannot reach", addr, "is the server running"}, "s3cret")
}

func TestOpenMissingDatabase(t *testing.T) {
	raw := withURL(t, pgtest.URL(t), func(u *url.URL) { u.Path = "/marcus_no_such_database" })
	_, err := Open(t.Context(), raw, Options{})
	wantErr(t, "a missing database", err, core.ErrUnavailable, []string{"marcus_no_such_database", "does not exist", "CREATE DATABASE"})
}

// TestOpenWrongPassword needs a server that checks the password of user
// marcus_pw_test (.ci/setup.d/20-postgres.sh sets pg_hba.conf so).
func TestOpenWrongPassword(t *testing.T) {
	raw := pgtest.URL(t)
	admin(t, raw, `DO $$ BEGIN
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'marcus_pw_test') THEN
			CREATE ROLE marcus_pw_test LOGIN PASSWORD 'right-one';
		END IF; END $$`)
	wrong := withURL(t, raw, func(u *url.URL) { u.User = url.UserPassword("marcus_pw_test", "wrong-one") })
	if conn, err := pgx.Connect(t.Context(), wrong); err == nil {
		conn.Close(context.Background())
		t.Skip("the server lets marcus_pw_test in with any password: give it scram-sha-256 in pg_hba.conf, as .ci/setup.d/20-postgres.sh does")
	}
	_, err := Open(t.Context(), wrong, Options{})
	wantErr(t, "a wrong password", err, core.ErrUnavailable, []string{`"marcus_pw_test"`, "password"}, "wrong-one")
}

func TestOpenWithoutPrivilege(t *testing.T) {
	raw := pgtest.URL(t)
	schema := schemaOf(t, raw)
	admin(t, raw, `DO $$ BEGIN
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'marcus_noprivs_test') THEN
			CREATE ROLE marcus_noprivs_test LOGIN;
		END IF; END $$`, "GRANT USAGE ON SCHEMA "+schema+" TO marcus_noprivs_test")
	raw = withURL(t, raw, func(u *url.URL) { u.User = url.User("marcus_noprivs_test") })
	_, err := Open(t.Context(), raw, Options{})
	wantErr(t, "a user who may not create tables", err, core.ErrUnavailable, []string{"marcus_noprivs_test", "may not", "GRANT"})
}

func schemaOf(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("search_path")
}

func TestOpenMissingSchema(t *testing.T) {
	raw := withURL(t, pgtest.URL(t), func(u *url.URL) {
		q := u.Query()
		q.Set("search_path", "no_such_schema")
		u.RawQuery = q.Encode()
	})
	_, err := Open(t.Context(), raw, Options{})
	wantErr(t, "a missing schema", err, core.ErrInvalid, []string{"search_path", "CREATE SCHEMA"})
}

// TestOpenRefusesForeignSchema: a schema holding another program's tables
// is refused and left as it was.
func TestOpenRefusesForeignSchema(t *testing.T) {
	raw := pgtest.URL(t)
	admin(t, raw, "CREATE TABLE customers (id int)", "INSERT INTO customers VALUES (7)")
	_, err := Open(t.Context(), raw, Options{})
	wantErr(t, "another program's schema", err, core.ErrCorrupt, []string{"another program", "search_path"})
	conn, err := pgx.Connect(t.Context(), raw)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	var marcus bool
	err = conn.QueryRow(t.Context(), `SELECT (SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()),
		to_regclass('marcus_schema') IS NOT NULL`).Scan(&n, &marcus)
	if err != nil || n != 1 || marcus {
		t.Errorf("after the refusal: %d tables, marcus_schema %v, %v; want the one table alone", n, marcus, err)
	}
}

// TestMigrations: migrations apply in order, only those the schema lacks,
// each recorded; a failing one leaves nothing of itself; a schema migrated
// further than this marcus knows is refused.
func TestMigrations(t *testing.T) {
	raw := pgtest.URL(t)
	s := open(t, raw, Options{})
	embedded, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	v := embedded[len(embedded)-1].version
	more := append(embedded,
		migration{v + 1, "m1", "CREATE TABLE extra (a int)"},
		migration{v + 2, "m2", "ALTER TABLE extra ADD COLUMN b int; INSERT INTO extra VALUES (1, 2)"})
	if err := s.migrate(t.Context(), more); err != nil {
		t.Fatal(err)
	}
	broken := append(more, migration{v + 3, "m3", "CREATE TABLE half (x int); SELECT 1/0"})
	err = s.migrate(t.Context(), broken)
	wantErr(t, "a failing migration", err, core.ErrInvalid, []string{"m3"})
	conn, err := pgx.Connect(t.Context(), raw)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var versions []int
	var a, b int
	var half bool
	err = conn.QueryRow(t.Context(), `SELECT array_agg(version ORDER BY applied_at, version), (SELECT a FROM extra),
		(SELECT b FROM extra), to_regclass('half') IS NOT NULL FROM marcus_schema`).Scan(&versions, &a, &b, &half)
	if err != nil || len(versions) != len(more) || versions[len(versions)-1] != v+2 || a != 1 || b != 2 || half {
		t.Errorf("versions %v, extra (%d, %d), half %v, %v", versions, a, b, half, err)
	}
	s.Close()
	_, err = Open(t.Context(), raw, Options{})
	wantErr(t, "a newer schema", err, core.ErrUnavailable, []string{"newer marcus", "upgrade marcus"})
}

// TestConcurrentOpenMigratesOnce: servers starting together on an empty
// database all open it; one of them migrates.
func TestConcurrentOpenMigratesOnce(t *testing.T) {
	raw := pgtest.URL(t)
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			s, err := Open(context.Background(), raw, Options{})
			if err != nil {
				t.Error(err)
				return
			}
			s.Close()
		})
	}
	wg.Wait()
	s := open(t, raw, Options{})
	v, err := s.SchemaVersion(t.Context())
	ms, _ := migrations()
	if err != nil || v != ms[len(ms)-1].version {
		t.Errorf("schema version %d, %v", v, err)
	}
}

// The pool's size comes from Options, else the URL's pool_max_conns, else
// four a core between 4 and 16; nothing needs a server.
func TestPoolSize(t *testing.T) {
	for cores, want := range map[int]int32{1: 4, 2: 8, 3: 12, 4: 16, 64: 16} {
		if got := poolSize(cores); got != want {
			t.Errorf("%d cores: a pool of %d by default, want %d", cores, got, want)
		}
	}
	for _, c := range []struct {
		url  string
		o    Options
		want int32
	}{
		{"postgres://u@h/db", Options{}, poolSize(runtime.GOMAXPROCS(0))},
		{"postgres://u@h/db?pool_max_conns=40", Options{}, 40},
		{"postgres://u@h/db?pool_max_conns=40", Options{MaxConns: 8}, 8},
		{"host=h user=u pool_max_conns=3", Options{}, 3},
	} {
		cfg, err := config(c.url, c.o)
		if err != nil {
			t.Fatalf("%s: %v", c.url, err)
		}
		if cfg.MaxConns != c.want {
			t.Errorf("%s with %+v: pool of %d, want %d", c.url, c.o, cfg.MaxConns, c.want)
		}
	}
}
