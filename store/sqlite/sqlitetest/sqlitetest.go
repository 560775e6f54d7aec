// Package sqlitetest compares SQLite database files row by row, for tests
// of copies between stores: two files hold the same data when every table
// holds the same rows, byte for byte.
package sqlitetest

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"testing"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// orders says how each table's rows are compared: by a key where the
// order of insertion means nothing, by rowid where it does (the order of
// projects created in the same instant, of a task's dependencies).
var orders = map[string]string{
	"projects":           "rowid",
	"tasks":              "id",
	"task_deps":          "task_id, rowid",
	"task_labels":        "project_id, label, task_id",
	"agents":             "id",
	"artifacts":          "id",
	"decisions":          "id",
	"events":             "id",
	"experiments":        "id",
	"experiment_samples": "experiment_id, at",
	"mirrors":            "project_id, kind",
	"mirror_items":       "project_id, kind, task_id",
	"llm_calls":          "id",
	"leases":             "name",
	"sqlite_sequence":    "name",
}

// SameFiles fails t unless the databases at a and b hold the same tables
// with the same rows. A table this package has no order for fails too, so
// a new table is never left out of the comparison.
func SameFiles(t *testing.T, a, b string) {
	t.Helper()
	ta, tb := tables(t, a), tables(t, b)
	if !reflect.DeepEqual(ta, tb) {
		t.Fatalf("the files hold different tables: %v and %v", ta, tb)
	}
	for _, table := range ta {
		order, ok := orders[table]
		if !ok {
			t.Errorf("table %s has no order to compare its rows by: add it to sqlitetest's orders", table)
			continue
		}
		ra, rb := Rows(t, a, table, order), Rows(t, b, table, order)
		if len(ra) != len(rb) {
			t.Errorf("table %s: %d rows and %d rows", table, len(ra), len(rb))
			continue
		}
		for i := range ra {
			if !reflect.DeepEqual(ra[i], rb[i]) {
				t.Errorf("table %s, row %d differs:\n%q\n%q", table, i, ra[i], rb[i])
			}
		}
	}
}

func open(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func tables(t *testing.T, path string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rows, err := open(t, path).QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

// Rows reads every row of a table in order, each column as text.
func Rows(t *testing.T, path, table, order string) [][]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rows, err := open(t, path).QueryContext(ctx, fmt.Sprintf(`SELECT * FROM %s ORDER BY %s`, table, order))
	if err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = fmt.Sprintf("%T:%v", v, v)
			if b, ok := v.([]byte); ok {
				row[i] = "bytes:" + string(b)
			}
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
