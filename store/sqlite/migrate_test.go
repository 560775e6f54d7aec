package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"marcus/core"
)

// TestMigrateFromVersion1 upgrades a database written at schema version 1,
// whose labels kept their case, and finds its capitalised foundation label.
func TestMigrateFromVersion1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	v1, err := migrationFiles.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	stmts := []string{string(v1), fmt.Sprintf("PRAGMA application_id = %d", applicationID), "PRAGMA user_version = 1",
		`INSERT INTO projects (id, name, created_at) VALUES ('p-1', 'old', 1)`,
		`INSERT INTO tasks (id, project_id, seq, name, status, priority, phase, created_at, updated_at)
			VALUES ('t-1', 'p-1', 0, 'Setup', 'todo', 1, 0, 1, 1)`,
		`INSERT INTO task_labels (project_id, label, task_id) VALUES ('p-1', 'Foundation', 't-1')`}
	for _, q := range stmts {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	raw.Close()

	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, err := s.SchemaVersion(context.Background()); err != nil || v != latestVersion(t) {
		t.Fatalf("schema version %d (%v), want %d", v, err, latestVersion(t))
	}
	err = s.View(context.Background(), func(tx core.ReadTx) error {
		for _, label := range []string{"foundation", "FOUNDATION"} {
			ts, err := tx.TasksWithLabel("p-1", label)
			if err != nil {
				return err
			}
			if len(ts) != 1 || ts[0].ID != "t-1" {
				t.Errorf("TasksWithLabel(%q) = %v, want t-1", label, ts)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
