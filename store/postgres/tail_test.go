package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"marcus/core"
	"marcus/store/postgres/pgtest"

	"github.com/jackc/pgx/v5"
)

// Sizes of the tail test.
const (
	tailEvents  = 20000
	tailWriters = 16
	tailTailers = 3
	tailTasks   = 40
)

// TestTailIsExact: 16 writers on 3 pools append 20,000 events while 3
// tailers read them by id; every tailer sees every event exactly once, ids
// only growing, and each task's events in the order their transactions
// committed. Writers hold some transactions open after appending, so that
// events are inserted in one order and committed in another (the test
// checks that this happened: the third pool inserts each event when it is
// appended, not with the commit), and the third pool runs without
// notifications, so its tailer relies on its own commits and polling.
func TestTailIsExact(t *testing.T) {
	url := pgtest.URL(t)
	stores := []*Store{
		open(t, url, Options{}),
		open(t, url, Options{}),
		open(t, url, Options{NoNotify: true, insertEarly: true}),
	}
	ctx, cancel := context.WithTimeoutCause(t.Context(), 10*time.Minute, errors.New("the tail test hung"))
	defer cancel()
	tasks := tailBoard(t, stores[0])
	book := newTailBook()
	var writers sync.WaitGroup
	var reserved atomic.Int64
	for w := range tailWriters {
		writers.Go(func() {
			if err := tailWriter(ctx, stores[w%len(stores)], w, tasks, &reserved, book); err != nil {
				t.Errorf("writer %d: %v", w, err)
				cancel()
			}
		})
	}
	var tailers sync.WaitGroup
	seen := make([][]seenEvent, tailTailers)
	for i := range tailTailers {
		tailers.Go(func() {
			var err error
			if seen[i], err = tail(ctx, stores[i], book); err != nil {
				t.Errorf("tailer %d: %v", i, err)
				cancel()
			}
		})
	}
	writers.Wait()
	book.finish()
	tailers.Wait()
	if t.Failed() {
		return
	}
	for i, evs := range seen {
		checkTail(t, fmt.Sprintf("tailer %d (notifications %v)", i, i < 2), evs, book)
	}
	checkLog(t, url)
}

// tailBoard imports a project of independent tasks for the writers.
func tailBoard(t *testing.T, s *Store) []core.TaskID {
	t.Helper()
	plan := core.Plan{Name: "tail"}
	for i := range tailTasks {
		plan.Tasks = append(plan.Tasks, core.PlanTask{Name: fmt.Sprintf("t%02d", i)})
	}
	_, ts, err := core.NewCoordinator(s).ImportPlan(t.Context(), plan)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]core.TaskID, len(ts))
	for i, x := range ts {
		ids[i] = x.ID
	}
	return ids
}

// tailBook is what the writers committed: when each event's transaction
// returned, and how many events were written in all.
type tailBook struct {
	mu        sync.Mutex
	committed map[string]time.Time // by marker
	done      chan struct{}
}

func newTailBook() *tailBook {
	return &tailBook{committed: map[string]time.Time{}, done: make(chan struct{})}
}

func (b *tailBook) commit(markers []string, at time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, m := range markers {
		b.committed[m] = at
	}
}

func (b *tailBook) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.committed)
}

func (b *tailBook) finish() { close(b.done) }

// tailWriter appends events until 20,000 are reserved. A transaction takes
// one to three events. Most write a task (a counter in it, so that the
// task's transactions commit one after the other) and append events for
// it; the rest append an event of no task. Some linger before committing.
func tailWriter(ctx context.Context, s *Store, w int, tasks []core.TaskID, reserved *atomic.Int64, book *tailBook) error {
	r := rand.New(rand.NewPCG(uint64(w), 99))
	for i := 0; ; i++ {
		k := int64(1 + r.IntN(3))
		first := reserved.Add(k) - k
		if first >= tailEvents {
			return nil
		}
		k = min(k, tailEvents-first)
		var task core.TaskID
		if r.IntN(4) > 0 {
			task = tasks[r.IntN(len(tasks))]
		}
		linger := time.Duration(0)
		if r.IntN(3) == 0 {
			linger = time.Duration(r.IntN(3000)) * time.Microsecond
		}
		markers := make([]string, k)
		for j := range markers {
			markers[j] = fmt.Sprintf("w%d-%d-%d", w, i, j)
		}
		if err := s.Update(ctx, func(tx core.Tx) error { return appendTail(tx, task, markers, linger) }); err != nil {
			return err
		}
		book.commit(markers, time.Now())
	}
}

// appendTail is one writer transaction. n numbers a task's transactions:
// they all write the task, so they commit in the order of n.
func appendTail(tx core.Tx, task core.TaskID, markers []string, linger time.Duration) error {
	n := 0
	if task != "" {
		x, err := tx.Task(task)
		if err != nil {
			return err
		}
		x.Lease.Renewals++
		n = x.Lease.Renewals
		if err := tx.UpdateTask(x); err != nil {
			return err
		}
	}
	for j, m := range markers {
		payload := core.RawPayload(fmt.Sprintf(`{"m": %q, "n": %d, "j": %d}`, m, n, j))
		if _, err := tx.AppendEvent(core.Event{Kind: "tail", Task: task, Payload: payload}); err != nil {
			return err
		}
	}
	time.Sleep(linger)
	return nil
}

type seenEvent struct {
	id     int64
	task   core.TaskID
	marker string
	n, j   int
	at     time.Time
}

// tail reads events by id, as a dashboard does, until it has as many as
// the writers committed and they are done. It waits for the store's change
// signal or 20 ms, whichever comes first.
func tail(ctx context.Context, s *Store, book *tailBook) ([]seenEvent, error) {
	var out []seenEvent
	var after int64
	finished := false
	for {
		changed := s.Changed()
		var evs []core.Event
		err := s.View(ctx, func(tx core.ReadTx) (err error) { evs, err = tx.Events("", after, 1000); return err })
		if err != nil {
			return out, err
		}
		now := time.Now()
		for _, ev := range evs {
			after = ev.ID
			if ev.Kind != "tail" {
				continue // the board's import
			}
			var p struct {
				M    string
				N, J int
			}
			raw, _ := ev.Payload.(core.RawPayload)
			if err := json.Unmarshal(raw, &p); err != nil {
				return out, fmt.Errorf("event %d: payload %q: %w", ev.ID, raw, err)
			}
			out = append(out, seenEvent{ev.ID, ev.Task, p.M, p.N, p.J, now})
		}
		if len(evs) > 0 {
			continue
		}
		if finished && len(out) >= book.count() {
			return out, nil
		}
		select {
		case <-ctx.Done():
			return out, context.Cause(ctx)
		case <-book.done:
			finished = true
		case <-changed:
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// checkTail checks one tailer's events: each committed event once, ids
// growing, every task's transactions in commit order.
func checkTail(t *testing.T, who string, evs []seenEvent, book *tailBook) {
	t.Helper()
	if len(evs) != tailEvents {
		t.Errorf("%s saw %d events, want %d", who, len(evs), tailEvents)
	}
	once := map[string]bool{}
	last := map[core.TaskID][2]int{}
	var lags []time.Duration
	for i, ev := range evs {
		if i > 0 && ev.id <= evs[i-1].id {
			t.Fatalf("%s: id %d after id %d", who, ev.id, evs[i-1].id)
		}
		committed, ok := book.committed[ev.marker]
		if !ok || once[ev.marker] {
			t.Fatalf("%s: event %d (%q) was never committed or is seen twice", who, ev.id, ev.marker)
		}
		once[ev.marker] = true
		lags = append(lags, max(0, ev.at.Sub(committed)))
		if ev.task == "" {
			continue
		}
		prev := last[ev.task]
		next := ev.j == prev[1]+1 && ev.n == prev[0] || ev.j == 0 && ev.n == prev[0]+1
		if !next {
			t.Fatalf("%s: task %s event (n %d, j %d) after (n %d, j %d): not in commit order", who, ev.task, ev.n, ev.j, prev[0], prev[1])
		}
		last[ev.task] = [2]int{ev.n, ev.j}
	}
	t.Logf("%s: %d events; lag after the writer's commit returned: p50 %v, p99 %v", who, len(evs),
		percentile(lags, 0.50), percentile(lags, 0.99))
}

// checkLog checks that the run did insert events in one order and commit
// them in another (what a naive tail by insertion id would get wrong), and
// that no event was left unnumbered.
func checkLog(t *testing.T, url string) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var inversions, unnumbered int
	err = conn.QueryRow(t.Context(), `SELECT
		(SELECT count(*) FROM (SELECT id, max(id) OVER (ORDER BY pos ROWS UNBOUNDED PRECEDING) AS m FROM events WHERE pos IS NOT NULL) s WHERE id < m),
		(SELECT count(*) FROM events WHERE pos IS NULL)`).Scan(&inversions, &unnumbered)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d events committed after an event inserted later (a tail by insertion id could skip them)", inversions)
	if inversions == 0 {
		t.Error("every event committed in the order it was inserted: the test did not exercise out-of-order commits")
	}
	if unnumbered != 0 {
		t.Errorf("%d events have no position after every writer returned", unnumbered)
	}
}

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}
