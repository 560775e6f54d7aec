package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"marcus/core"
	"marcus/store/sqlite"
	"marcus/store/storetest"
)

// TestConformance runs the store conformance suite on a real database file.
func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		Open: func(t *testing.T) core.Store {
			return openConformance(t, filepath.Join(t.TempDir(), "marcus.db"))
		},
		Reopen: func(t *testing.T, s core.Store) core.Store {
			path := s.(*sqlite.Store).Path()
			if err := s.Close(); err != nil {
				t.Fatalf("close before reopening: %v", err)
			}
			return openConformance(t, path)
		},
		Second: func(t *testing.T, s core.Store) core.Store {
			return openConformance(t, s.(*sqlite.Store).Path())
		},
	})
}

// openConformance opens the database at path with default options, as
// marcus does, and closes it when the test ends.
func openConformance(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
