package postgres_test

import (
	"context"
	"sync"
	"testing"

	"marcus/core"
	"marcus/store/postgres"
	"marcus/store/postgres/pgtest"
	"marcus/store/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestConformance runs the store conformance suite on a real PostgreSQL
// database: a fresh schema for every store the suite opens.
func TestConformance(t *testing.T) {
	pgtest.Skip(t)
	var mu sync.Mutex
	urls := map[core.Store]string{}
	open := func(t *testing.T, url string) core.Store {
		s := openStore(t, url, postgres.Options{})
		mu.Lock()
		urls[s] = url
		mu.Unlock()
		return s
	}
	urlOf := func(s core.Store) string {
		mu.Lock()
		defer mu.Unlock()
		return urls[s]
	}
	storetest.Run(t, storetest.Harness{
		Open: func(t *testing.T) core.Store { return open(t, pgtest.URL(t)) },
		Reopen: func(t *testing.T, s core.Store) core.Store {
			if err := s.Close(); err != nil {
				t.Fatalf("close before reopening: %v", err)
			}
			return open(t, urlOf(s))
		},
		Second: func(t *testing.T, s core.Store) core.Store { return open(t, urlOf(s)) },
	})
}

// openStore opens the database at url and closes it when the test ends.
func openStore(tb testing.TB, url string, o postgres.Options) *postgres.Store {
	tb.Helper()
	s, err := postgres.Open(context.Background(), url, o)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}
