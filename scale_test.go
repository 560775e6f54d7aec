package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"marcus/core"
	"marcus/providers/swarm"
	"marcus/store/postgres"
	"marcus/store/postgres/pgtest"
)

// Several `marcus serve` processes on one database, as an operator runs
// them behind a load balancer. The servers are real processes (this test
// binary standing in for marcus, see TestMain), so a kill -9 is a real
// crash: no deferred function, no release of a lease, connections cut.

// scaleLeaderTTL is the leader lease of the servers in these tests: short,
// so that a takeover comes soon, yet three renewals (one every third)
// outlast a loaded machine's pauses.
const scaleLeaderTTL = 3 * time.Second

// server is one `marcus serve` child process.
type server struct {
	name string
	cmd  *exec.Cmd
	url  string        // its MCP endpoint
	done chan struct{} // closed once the process has exited
}

var servingLine = regexp.MustCompile(`serving MCP at (http://\S+)`)

// startServer starts `marcus serve` on db, listening on a free port of
// 127.0.0.1, and returns once it serves. env adds settings; the process is
// killed when the test ends.
func startServer(tb testing.TB, name, db string, env ...string) *server {
	tb.Helper()
	dir := tb.TempDir()
	cmd := exec.Command(os.Args[0], "serve", "--db", db, "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), append([]string{"MARCUS_TEST_AS_MAIN=1", "XDG_CONFIG_HOME=" + dir,
		"MARCUS_LOG_FILE=" + filepath.Join(dir, "marcus.log")}, env...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &syncWriter{w: &stderr}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	s := &server{name: name, cmd: cmd, done: make(chan struct{})}
	urls := make(chan string, 1)
	go s.read(out, urls)
	go func() { _ = cmd.Wait(); close(s.done) }()
	tb.Cleanup(func() { s.kill(); <-s.done })
	select {
	case s.url = <-urls:
		return s
	case <-s.done:
		tb.Fatalf("%s exited before serving: %s", name, stderr.String())
	case <-time.After(2 * time.Minute):
		tb.Fatalf("%s did not serve within 2 minutes: %s", name, stderr.String())
	}
	return nil
}

// read passes on the endpoint the server announces and drains the rest.
func (s *server) read(out io.Reader, urls chan<- string) {
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if m := servingLine.FindStringSubmatch(sc.Text()); m != nil {
			select {
			case urls <- m[1]:
			default:
			}
		}
	}
}

// kill ends the process at once, as a crash would (SIGKILL).
func (s *server) kill() { _ = s.cmd.Process.Signal(syscall.SIGKILL) }

// holds says whether this server is a lease's holder: a server's holder
// name carries its process id (see leaderName).
func (s *server) holds(l core.NamedLease) bool {
	return strings.Contains(l.Holder, fmt.Sprintf("/%d/", s.cmd.Process.Pid))
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(p)
}

// scaleEnv is the servers' settings for the tests: leases a fiftieth of
// Marcus's (3.6 s to the first report, 4.8 s after it, plus their grace),
// a lease monitor that looks five times a second, short leader leases.
func scaleEnv() []string {
	return []string{"MARCUS_LEASE_SCALE=0.02", "MARCUS_LEASE_MONITOR_INTERVAL=200ms",
		"MARCUS_LEASE_LEADER_TTL=" + scaleLeaderTTL.String()}
}

// acked records what servers acknowledged to agents: claims, progress
// reports and completions, by agent and task.
type acked struct {
	mu     sync.Mutex
	claims map[string]bool // agent + " " + task
	// progress holds agent + " " + task + " " + percent.
	progress  map[string]bool
	completed map[string]bool
	done      int
	held      map[string]string // agent -> the task it holds now
}

func newAcked() *acked {
	return &acked{claims: map[string]bool{}, progress: map[string]bool{}, completed: map[string]bool{}, held: map[string]string{}}
}

func (a *acked) record(e swarm.Event) {
	a.mu.Lock()
	defer a.mu.Unlock()
	key := e.Agent + " " + e.Task
	switch e.Kind {
	case "claimed":
		a.claims[key], a.held[e.Agent] = true, e.Task
	case "progress":
		a.progress[key+" "+e.Detail] = true
	case "completed":
		a.completed[key] = true
		a.done++
		delete(a.held, e.Agent)
	}
}

func (a *acked) completions() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.done
}

// heldBy lists the tasks that agents whose id starts with prefix hold.
func (a *acked) heldBy(prefix string) map[core.TaskID]bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := map[core.TaskID]bool{}
	for agent, task := range a.held {
		if strings.HasPrefix(agent, prefix) {
			out[core.TaskID(task)] = true
		}
	}
	return out
}

// missing lists every acknowledged report the events do not hold.
func (a *acked) missing(evs []core.Event) []string {
	seen := map[string]bool{}
	for _, ev := range evs {
		key := string(ev.Agent) + " " + string(ev.Task)
		switch p := ev.Payload.(type) {
		case core.TaskClaimed:
			seen["claimed "+key] = true
		case core.TaskProgress:
			seen[fmt.Sprintf("progress %s %d", key, p.Progress)] = true
		}
		if ev.Kind == core.EventTaskCompleted {
			seen["completed "+key] = true
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for _, group := range []struct {
		kind string
		keys map[string]bool
	}{{"claimed", a.claims}, {"progress", a.progress}, {"completed", a.completed}} {
		for k := range group.keys {
			if !seen[group.kind+" "+k] {
				out = append(out, group.kind+" "+k)
			}
		}
	}
	return out
}

// openShared opens the test's own handle on the servers' database.
func openShared(tb testing.TB, url string) (*postgres.Store, *core.Coordinator) {
	tb.Helper()
	s, err := postgres.Open(context.Background(), url, postgres.Options{MaxConns: 4})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s, core.NewCoordinator(s)
}

// leaseOf reads a named lease ("" holder when nobody ever took it).
func leaseOf(ctx context.Context, s core.Store, name string) (core.NamedLease, error) {
	var l core.NamedLease
	err := s.View(ctx, func(tx core.ReadTx) error {
		var err error
		l, err = tx.NamedLease(name)
		if core.CodeOf(err) == core.ErrNotFound {
			err = nil
		}
		return err
	})
	return l, err
}

// leaderOf waits until one of servers holds the named lease and returns
// it.
func leaderOf(tb testing.TB, s core.Store, name string, servers []*server, within time.Duration) (*server, core.NamedLease) {
	tb.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		l, err := leaseOf(context.Background(), s, name)
		if err != nil {
			tb.Fatal(err)
		}
		for _, sv := range servers {
			if sv.holds(l) && time.Now().Before(l.ExpiresAt) {
				return sv, l
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	tb.Fatalf("no server led %s within %s", name, within)
	return nil, core.NamedLease{}
}

// TestThreeServersOnePostgres drives a 500-task project with 64 agents
// spread over three `marcus serve` processes on one PostgreSQL database
// and kills one server (kill -9) a third of the way through. It proves:
// every task done once, no double claim, no claim before its hard
// dependencies were done (the event log's history); every report a server
// acknowledged, the dead one's included, is in the database; the tasks the
// dead server's agents held were recovered and finished by the others'
// agents; the leader jobs it led moved to a living server; the experiment
// running on the project was sampled and ended by the survivors.
func TestThreeServersOnePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three marcus servers")
	}
	url := pgtest.URL(t)
	st, c := openShared(t, url)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	proj, _, err := c.ImportPlan(ctx, layered("scale-out", 500, 50))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.StartExperiment(ctx, core.ExperimentRequest{Name: "three servers", Project: proj.ID}); err != nil {
		t.Fatal(err)
	}
	var servers []*server
	for i := range 3 {
		servers = append(servers, startServer(t, fmt.Sprintf("server-%d", i+1), url, scaleEnv()...))
	}
	leaderOf(t, st, core.LeaseMonitorJob, servers, time.Minute) // the servers are up and leading
	run := &scaleRun{t: t, store: st, proj: proj.ID, servers: servers, acks: newAcked()}
	run.drive(ctx)
	run.check(ctx, c)
}
