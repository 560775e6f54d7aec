package trello_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"marcus/core"
	"marcus/providers/trello"
	"marcus/providers/trello/trellofake"
	"marcus/store/sqlite"
	"marcus/store/storetest"
)

type rig struct {
	t      testing.TB
	store  *sqlite.Store
	coord  *core.Coordinator
	fake   *trellofake.Server
	sync   *trello.Syncer
	client *trello.Client
	proj   core.Project
	ids    map[string]core.TaskID
	clock  *storetest.Clock
}

func newRig(t testing.TB, plan core.Plan) *rig {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "m.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	clock := storetest.NewClock(time.Now().UTC().Truncate(time.Second))
	c := core.NewCoordinator(s, core.WithClock(clock.Now))
	p, tasks, err := c.ImportPlan(t.Context(), plan)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]core.TaskID{}
	for _, x := range tasks {
		ids[x.Name] = x.ID
	}
	fake := trellofake.New(t, trellofake.Options{})
	client, err := trello.New(trello.Config{Key: fake.Key(), Token: fake.Token(), BaseURL: fake.BaseURL(), Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return &rig{t: t, store: s, coord: c, fake: fake, client: client, proj: p, ids: ids, clock: clock, sync: trello.NewSyncer(c, client, p.ID)}
}

func shop() core.Plan {
	return core.Plan{Name: "Shop", Tasks: []core.PlanTask{
		{Name: "Scaffold", Phase: "design", Priority: "high", Labels: []string{"foundation"}, Acceptance: []string{"repo builds", "CI runs"}},
		{Name: "Cart", After: []string{"Scaffold"}},
		{Name: "Checkout", After: []string{"Cart"}, Description: "Pay by card."},
		{Name: "Docs", Phase: "docs", After: []string{"Checkout"}},
	}}
}

func (r *rig) link() core.Mirror {
	r.t.Helper()
	m, err := r.sync.Link(r.t.Context(), "")
	if err != nil {
		r.t.Fatal(err)
	}
	return m
}

func (r *rig) push() {
	r.t.Helper()
	if err := r.sync.Push(r.t.Context()); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) pull() {
	r.t.Helper()
	if err := r.sync.Pull(r.t.Context()); err != nil {
		r.t.Fatal(err)
	}
}

// matches fails unless every task has exactly one card, in the list of its
// status, named like it.
func (r *rig) matches(board string) {
	r.t.Helper()
	b, err := r.coord.Board(r.t.Context(), r.proj.ID)
	if err != nil {
		r.t.Fatal(err)
	}
	want := map[core.TaskStatus]string{core.StatusTodo: "Backlog", core.StatusInProgress: "In Progress",
		core.StatusBlocked: "Blocked", core.StatusDone: "Done"}
	cards := r.fake.Cards(board)
	if len(cards) != len(b.Tasks) {
		r.t.Errorf("%d cards for %d tasks", len(cards), len(b.Tasks))
	}
	for _, task := range b.Tasks {
		n := 0
		for _, c := range cards {
			if strings.Contains(c.Desc, "marcus "+string(task.ID)) {
				n++
				if c.ListName != want[task.Status] || c.Name != task.Name {
					r.t.Errorf("card %q is in %q, task %q is %s", c.Name, c.ListName, task.Name, task.Status)
				}
			}
		}
		if n != 1 {
			r.t.Errorf("task %q has %d cards", task.Name, n)
		}
	}
}

func (r *rig) agent(id core.AgentID) {
	r.t.Helper()
	if _, err := r.coord.RegisterAgent(r.t.Context(), core.RegisterRequest{ID: id, Project: r.proj.ID}); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) claim(id core.AgentID) core.Task {
	r.t.Helper()
	as, err := r.coord.RequestNextTask(r.t.Context(), id)
	if err != nil || as.Task == nil {
		r.t.Fatalf("claim: %+v, %v", as, err)
	}
	return as.Task.Task
}

func (r *rig) report(id core.AgentID, task core.TaskID, st core.TaskStatus, pct int, msg string) error {
	_, err := r.coord.ReportProgress(r.t.Context(), core.ProgressReport{Agent: id, Task: task, Status: st, Progress: pct, Message: msg})
	return err
}

func TestFirstMirror(t *testing.T) {
	r := newRig(t, shop())
	m := r.link()
	for _, name := range []string{"Backlog", "In Progress", "Blocked", "Done"} {
		if _, ok := r.fake.ListByName(m.Board, name); !ok {
			t.Errorf("no list %q", name)
		}
	}
	if _, ok := r.fake.LabelByName(m.Board, "priority: high"); !ok {
		t.Error("no priority label")
	}
	r.push()
	r.matches(m.Board)
	scaffold, _ := r.fake.CardByName(m.Board, "Scaffold")
	if len(scaffold.Checklists) != 1 || len(scaffold.Checklists[0].Items) != 2 {
		t.Errorf("acceptance checklist %+v", scaffold.Checklists)
	}
	if !strings.Contains(labelNames(scaffold), "priority: high") || !strings.Contains(labelNames(scaffold), "phase: design") {
		t.Errorf("labels %s", labelNames(scaffold))
	}
	checkout, _ := r.fake.CardByName(m.Board, "Checkout")
	if !strings.HasPrefix(checkout.Desc, "Pay by card.") || !strings.Contains(checkout.Desc, "waits for: [Cart](https://trello.com/c/") {
		t.Errorf("desc %q", checkout.Desc)
	}
	// A second push of an unchanged project sends nothing.
	before := r.fake.Requests()
	r.push()
	if n := r.fake.Requests() - before; n != 0 {
		t.Errorf("an idle push sent %d requests", n)
	}
}

func labelNames(c trellofake.Card) string {
	var out []string
	for _, l := range c.Labels {
		out = append(out, l.Name)
	}
	return strings.Join(out, ",")
}

func TestAgentChangesReachTheBoard(t *testing.T) {
	r := newRig(t, shop())
	m := r.link()
	r.push()
	r.agent("a1")
	task := r.claim("a1")
	before := r.fake.Requests()
	r.push()
	if n := r.fake.Requests() - before; n > 2 {
		t.Errorf("a claim cost %d requests, want at most 2", n)
	}
	r.matches(m.Board)
	if err := r.report("a1", task.ID, core.StatusInProgress, 50, "half way"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.coord.LogDecision(t.Context(), core.Decision{Agent: "a1", Task: task.ID, Text: "I chose Go because it is fast. This affects everything."}); err != nil {
		t.Fatal(err)
	}
	if err := r.report("a1", task.ID, core.StatusDone, 100, "done"); err != nil {
		t.Fatal(err)
	}
	before = r.fake.Requests()
	r.push()
	// progress comment, decision comment, completion (move) + its comment-free update.
	if n := r.fake.Requests() - before; n > 4 {
		t.Errorf("progress, a decision and completion cost %d requests", n)
	}
	r.matches(m.Board)
	card, _ := r.fake.CardByName(m.Board, "Scaffold")
	texts := commentTexts(card)
	if !strings.Contains(texts, "50%: half way") || !strings.Contains(texts, "Decision (a1)") {
		t.Errorf("comments %q", texts)
	}
}

func commentTexts(c trellofake.Card) string {
	var out []string
	for _, cm := range c.Comments {
		out = append(out, cm.Text)
	}
	return strings.Join(out, " | ")
}

func TestPeoplesChangesComeBack(t *testing.T) {
	r := newRig(t, shop())
	m := r.link()
	r.push()
	person := r.fake.Person()
	list := func(name string) string {
		l, _ := r.fake.ListByName(m.Board, name)
		return l.ID
	}
	card := func(name string) string {
		c, _ := r.fake.CardByName(m.Board, name)
		return c.ID
	}
	r.agent("a1")
	held := r.claim("a1") // Scaffold
	r.push()

	// The person finishes the scaffold for the agent, renames Cart,
	// drags Checkout to In Progress (refused: only agents start work),
	// adds a card, and ticks an acceptance item.
	must(t, r.fake.MoveCardAs(person, card("Scaffold"), list("Done")))
	must(t, r.fake.RenameCardAs(person, card("Cart"), "Shopping cart"))
	must(t, r.fake.MoveCardAs(person, card("Checkout"), list("In Progress")))
	_, err := r.fake.CreateCardAs(person, list("Backlog"), "Gift cards", "Sell gift cards too.")
	must(t, err)
	sc, _ := r.fake.CardByName(m.Board, "Scaffold")
	must(t, r.fake.CheckItemAs(person, sc.ID, sc.Checklists[0].Items[0].ID, true))
	r.pull()

	b, _ := r.coord.Board(t.Context(), r.proj.ID)
	byName := map[string]core.Task{}
	for _, x := range b.Tasks {
		byName[x.Name] = x
	}
	if byName["Scaffold"].Status != core.StatusDone {
		t.Errorf("Scaffold is %s after a person moved it to Done", byName["Scaffold"].Status)
	}
	if err := r.report("a1", held.ID, core.StatusInProgress, 80, "still going"); err == nil {
		t.Error("the agent could still report on a task a person completed")
	}
	if _, ok := byName["Shopping cart"]; !ok {
		t.Error("the rename did not reach the task")
	}
	if byName["Checkout"].Status != core.StatusTodo {
		t.Errorf("Checkout is %s: dragging to In Progress must not start it", byName["Checkout"].Status)
	}
	gift, ok := byName["Gift cards"]
	if !ok || gift.Description != "Sell gift cards too." {
		t.Errorf("the new card did not become a task: %+v", gift)
	}
	evs, _ := r.coord.Events(t.Context(), r.proj.ID, 0, 1000)
	notes := 0
	for _, e := range evs {
		if e.Kind == core.EventTaskNote {
			notes++
		}
	}
	if notes != 1 {
		t.Errorf("%d notes for one ticked item", notes)
	}
	// The board is put right (Checkout back in the Backlog) and, pushed,
	// matches the store; pulling again applies nothing twice.
	r.push()
	r.matches(m.Board)
	before := len(evs)
	r.pull()
	evs, _ = r.coord.Events(t.Context(), r.proj.ID, 0, 1000)
	if len(evs) != before {
		t.Errorf("a second pull applied %d changes again", len(evs)-before)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Trello goes down in the middle of an agent run; marcus keeps working,
// and once Trello is back the board matches the store exactly.
func TestOutageThenCatchUp(t *testing.T) {
	r := newRig(t, shop())
	m := r.link()
	r.push()
	r.agent("a1")
	r.fake.FailAll(http.StatusServiceUnavailable)
	for range 3 {
		task := r.claim("a1")
		must(t, r.report("a1", task.ID, core.StatusInProgress, 50, "working"))
		must(t, r.report("a1", task.ID, core.StatusDone, 100, "done"))
		err := r.sync.Push(t.Context())
		if ok, _ := trello.Retryable(err); err == nil || !ok {
			t.Fatalf("push during the outage: %v, want a retryable error", err)
		}
	}
	st, _ := r.coord.Mirrors(t.Context(), trello.Kind)
	if len(st) != 1 || st[0].Pending == 0 || !strings.Contains(st[0].LastError, "503") {
		t.Errorf("status during the outage %+v", st)
	}
	r.fake.FailAll(0)
	r.push()
	r.matches(m.Board)
	st, _ = r.coord.Mirrors(t.Context(), trello.Kind)
	if st[0].Pending != 0 || st[0].LastError != "" {
		t.Errorf("status after catching up %+v", st[0])
	}
}

// marcus dies with a full outbox, part way through a push, after Trello
// made a card but before marcus recorded it: a new process resumes, and no
// card is made twice.
func TestCrashMidPushNeverDuplicates(t *testing.T) {
	plan := core.Plan{Name: "Big"}
	for i := range 12 {
		plan.Tasks = append(plan.Tasks, core.PlanTask{Name: fmt.Sprintf("task %02d", i)})
	}
	r := newRig(t, plan)
	m := r.link()
	dying := &dieAfter{n: 6}
	client, err := trello.New(trello.Config{Key: r.fake.Key(), Token: r.fake.Token(), BaseURL: r.fake.BaseURL(),
		HTTPClient: &http.Client{Transport: dying}})
	must(t, err)
	if err := trello.NewSyncer(r.coord, client, r.proj.ID).Push(t.Context()); err == nil {
		t.Fatal("the dying push succeeded")
	}
	if n := len(r.fake.Cards(m.Board)); n == 0 || n >= 12 {
		t.Fatalf("%d cards after the crash, want some", n)
	}
	// A new process: a fresh client and syncer on the same database.
	fresh, err := trello.New(trello.Config{Key: r.fake.Key(), Token: r.fake.Token(), BaseURL: r.fake.BaseURL()})
	must(t, err)
	must(t, trello.NewSyncer(r.coord, fresh, r.proj.ID).Push(t.Context()))
	r.matches(m.Board)
}

// dieAfter lets n requests through; the next reaches Trello, and the answer
// is lost, as when the process dies at that moment.
type dieAfter struct{ n int }

func (d *dieAfter) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if d.n--; d.n < 0 && err == nil {
		resp.Body.Close()
		return nil, fmt.Errorf("killed")
	}
	return resp, err
}

// A person and an agent change the same task at once: the store's rules
// decide, and the card shows what they decided.
func TestPersonAndAgentConflict(t *testing.T) {
	r := newRig(t, shop())
	m := r.link()
	r.push()
	r.agent("a1")
	task := r.claim("a1")
	r.push()
	c, _ := r.fake.CardByName(m.Board, "Scaffold")
	backlog, _ := r.fake.ListByName(m.Board, "Backlog")
	must(t, r.fake.MoveCardAs(r.fake.Person(), c.ID, backlog.ID))  // the person takes it back…
	must(t, r.report("a1", task.ID, core.StatusDone, 100, "done")) // …as the agent finishes it
	r.pull()                                                       // the person's move: the task is done, so it cannot go back
	r.push()
	r.matches(m.Board)
	if got, _ := r.coord.TaskDetail(t.Context(), task.ID); got.Task.Status != core.StatusDone {
		t.Errorf("task is %s, want done (the agent finished first)", got.Task.Status)
	}
}

func TestCredentialsAndRateLimits(t *testing.T) {
	if _, err := trello.New(trello.Config{Token: "x"}); err == nil || !strings.Contains(err.Error(), "TRELLO_API_KEY") {
		t.Errorf("no key: %v", err)
	}
	if _, err := trello.New(trello.Config{Key: "x"}); err == nil || !strings.Contains(err.Error(), "TRELLO_TOKEN") {
		t.Errorf("no token: %v", err)
	}
	r := newRig(t, shop())
	r.link()
	r.fake.Revoke()
	err := r.sync.Push(t.Context())
	if err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "TRELLO_TOKEN") {
		t.Errorf("revoked: %v", err)
	}
	r.fake.Restore()
	r.fake.RateLimit(1, 10*time.Second)
	err = r.sync.Push(t.Context())
	ok, after := trello.Retryable(err)
	if !ok || after <= 0 {
		t.Errorf("rate limited: %v (retry %v after %s), want Retry-After honoured", err, ok, after)
	}
}

// Every kind of agent-side change reaches the board: a high blocker, an
// unassignment, a lease recovery and an artifact.
func TestEveryOutboundKind(t *testing.T) {
	r := newRig(t, core.Plan{Name: "Kinds", Tasks: []core.PlanTask{{Name: "a"}, {Name: "b"}, {Name: "c"}}})
	m := r.link()
	r.push()
	for _, id := range []core.AgentID{"x", "y", "z"} {
		r.agent(id)
	}
	a, b, c := r.claim("x"), r.claim("y"), r.claim("z")
	if _, err := r.coord.LogArtifact(t.Context(), core.Artifact{Task: a.ID, Agent: "x", Filename: "api.yaml", Type: "api", Content: "openapi: 3"}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.coord.ReportBlocker(t.Context(), core.BlockerReport{Agent: "x", Task: a.ID, Description: "no credentials", Severity: "high"}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.coord.Unassign(t.Context(), b.ID, "reshuffle"); err != nil {
		t.Fatal(err)
	}
	r.clock.Advance(time.Hour) // z went silent
	if rs, err := r.coord.RecoverExpiredLeases(t.Context()); err != nil || len(rs) != 1 || rs[0].Task.ID != c.ID {
		t.Fatalf("recovery: %+v, %v", rs, err)
	}
	r.push()
	r.matches(m.Board)
	ca, _ := r.fake.CardByName(m.Board, "a")
	if txt := commentTexts(ca); !strings.Contains(txt, "Artifact (x): api.yaml (api)") || !strings.Contains(txt, "Blocker from x (high): no credentials") {
		t.Errorf("comments on a: %q", txt)
	}
	if !strings.Contains(ca.Desc, "blocked: no credentials") {
		t.Errorf("a's card does not say why it is blocked: %q", ca.Desc)
	}
	cc, _ := r.fake.CardByName(m.Board, "c")
	if txt := commentTexts(cc); !strings.Contains(txt, "Recovered from z") {
		t.Errorf("comments on c: %q", txt)
	}
}

// People block a card, take an in-progress one back and edit a
// description; each reaches the task.
func TestEveryInboundKind(t *testing.T) {
	r := newRig(t, core.Plan{Name: "Kinds", Tasks: []core.PlanTask{{Name: "a"}, {Name: "b"}, {Name: "c", Description: "old words"}}})
	m := r.link()
	r.push()
	r.agent("x")
	held := r.claim("x")
	r.push()
	person := r.fake.Person()
	list := func(name string) string { l, _ := r.fake.ListByName(m.Board, name); return l.ID }
	card := func(name string) trellofake.Card { c, _ := r.fake.CardByName(m.Board, name); return c }
	must(t, r.fake.MoveCardAs(person, card(held.Name).ID, list("Backlog")))
	must(t, r.fake.MoveCardAs(person, card("b").ID, list("Blocked")))
	cc := card("c")
	must(t, r.fake.SetDescAs(person, cc.ID, strings.Replace(cc.Desc, "old words", "new words from Trello", 1)))
	r.pull()
	get := func(id core.TaskID) core.Task { v, _ := r.coord.TaskDetail(t.Context(), id); return v.Task }
	if got := get(held.ID); got.Status != core.StatusTodo || got.Handoff == nil {
		t.Errorf("the held task is %s (handoff %v) after a person moved it back", got.Status, got.Handoff)
	}
	if a, _ := r.coord.AgentStatus(t.Context(), "x"); a.Task != nil {
		t.Error("the agent still holds the task a person took back")
	}
	if got := get(r.ids["b"]); got.Status != core.StatusBlocked {
		t.Errorf("b is %s after a person moved it to Blocked", got.Status)
	}
	if got := get(r.ids["c"]); got.Description != "new words from Trello" {
		t.Errorf("c's description is %q", got.Description)
	}
	r.push()
	r.matches(m.Board)
}

// Trello rate limits the sync loop mid-run: it waits as told and catches up.
func TestRunThroughRateLimits(t *testing.T) {
	r := newRig(t, core.Plan{Name: "Limited", Tasks: []core.PlanTask{{Name: "a"}, {Name: "b"}, {Name: "c"}, {Name: "d"}}})
	m := r.link()
	r.fake.RateLimit(3, 2*time.Second)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	var errs []error
	go func() {
		defer close(done)
		r.sync.Run(ctx, 100*time.Millisecond, func(err error) { errs = append(errs, err) })
	}()
	r.agent("x")
	for range 2 {
		task := r.claim("x")
		must(t, r.report("x", task.ID, core.StatusDone, 100, "done"))
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		st, _ := r.coord.Mirrors(t.Context(), trello.Kind)
		if len(st) == 1 && st[0].Pending == 0 && st[0].LastError == "" && len(r.fake.Cards(m.Board)) == 4 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	cancel()
	<-done
	r.matches(m.Board)
	limited := false
	for _, err := range errs {
		if ok, after := trello.Retryable(err); ok && after > 0 {
			limited = true
		}
	}
	if !limited {
		t.Errorf("the loop never met the rate limit (errors %v): the test proves nothing", errs)
	}
}

// A push that dies after delivering comments (the process killed) does not
// deliver them again: the cursor was stored after each one. Only the
// delivery in flight when it died (Trello took it, the answer was lost) may
// arrive twice.
func TestCrashAfterDeliveryDoesNotRepeat(t *testing.T) {
	r := newRig(t, shop())
	m := r.link()
	r.push()
	r.agent("a1")
	task := r.claim("a1")
	for i := 1; i <= 3; i++ {
		must(t, r.report("a1", task.ID, core.StatusInProgress, i*20, fmt.Sprintf("step %d", i)))
	}
	dying := &dieAfter{n: 3} // the move and two of the comments (and the cursor after each) get through
	client, err := trello.New(trello.Config{Key: r.fake.Key(), Token: r.fake.Token(), BaseURL: r.fake.BaseURL(),
		HTTPClient: &http.Client{Transport: dying}})
	must(t, err)
	_ = trello.NewSyncer(r.coord, client, r.proj.ID).Push(t.Context())
	r.push() // a new process
	card, _ := r.fake.CardByName(m.Board, task.Name)
	repeats := 0
	for i := 1; i <= 3; i++ {
		n := strings.Count(commentTexts(card), fmt.Sprintf("step %d", i))
		if n == 0 {
			t.Errorf("comment %d never delivered", i)
		}
		repeats += max(0, n-1)
	}
	if repeats > 1 {
		t.Errorf("%d comments delivered twice after the crash, want at most the one in flight", repeats)
	}
}

// A card a person deletes is made again; the events after it still flow.
func TestDeletedCardIsMadeAgain(t *testing.T) {
	r := newRig(t, shop())
	m := r.link()
	r.push()
	c, _ := r.fake.CardByName(m.Board, "Scaffold")
	must(t, r.fake.DeleteCardAs(r.fake.Person(), c.ID))
	r.agent("a1")
	task := r.claim("a1") // Scaffold: its card is gone
	must(t, r.report("a1", task.ID, core.StatusInProgress, 10, "on it"))
	r.push() // the update meets a 404: skipped, the mapping forgotten
	r.push() // the card is made again
	r.matches(m.Board)
}

// Adopting a board does not replay its history: cards people made before
// the link are not tasks; only new cards in the Backlog become tasks.
func TestAdoptedBoardHistoryIsNotReplayed(t *testing.T) {
	r := newRig(t, shop())
	person := r.fake.Person()
	b, err := r.fake.CreateBoardAs(person, "Team board", false)
	must(t, err)
	todo, err := r.fake.CreateListAs(person, b.ID, "To Do")
	must(t, err)
	doing, err := r.fake.CreateListAs(person, b.ID, "Doing")
	must(t, err)
	_, err = r.fake.CreateCardAs(person, todo.ID, "An old idea", "")
	must(t, err)
	m, err := r.sync.Link(t.Context(), b.ID)
	must(t, err)
	if m.State["list:todo"] != todo.ID || m.State["list:in_progress"] != doing.ID {
		t.Errorf("existing lists not adopted: %v", m.State)
	}
	r.push()
	r.pull()
	_, err = r.fake.CreateCardAs(person, doing.ID, "Not a task", "")
	must(t, err)
	_, err = r.fake.CreateCardAs(person, todo.ID, "A new task", "")
	must(t, err)
	r.pull()
	bd, _ := r.coord.Board(t.Context(), r.proj.ID)
	var names []string
	for _, x := range bd.Tasks {
		names = append(names, x.Name)
	}
	got := strings.Join(names, ",")
	if strings.Contains(got, "An old idea") || strings.Contains(got, "Not a task") || !strings.Contains(got, "A new task") {
		t.Errorf("tasks after adopting: %s", got)
	}
}

// Linking another board starts it from scratch: every task gets a card there.
func TestRelinkToAnotherBoard(t *testing.T) {
	r := newRig(t, shop())
	first := r.link()
	r.push()
	second, err := r.sync.Link(t.Context(), "")
	must(t, err)
	if second.Board == first.Board {
		t.Fatal("the same board again")
	}
	r.push()
	r.matches(second.Board)
}

// The key and token never appear in an error, a log or the database.
func TestSecretsStayOutOfErrors(t *testing.T) {
	client, err := trello.New(trello.Config{Key: "KEY123", Token: "TOKEN456", BaseURL: "http://127.0.0.1:1/1", Timeout: time.Second})
	must(t, err)
	_, err = client.Me(t.Context())
	if err == nil || strings.Contains(err.Error(), "KEY123") || strings.Contains(err.Error(), "TOKEN456") {
		t.Errorf("err = %v", err)
	}
	if ok, _ := trello.Retryable(err); !ok {
		t.Errorf("no answer should be retryable: %v", err)
	}
}

// Progress and priority changes keep the card current.
func TestCardStaysCurrent(t *testing.T) {
	r := newRig(t, shop())
	m := r.link()
	r.push()
	r.agent("a1")
	task := r.claim("a1")
	must(t, r.report("a1", task.ID, core.StatusInProgress, 60, "most of it"))
	if _, err := r.coord.SetPriority(t.Context(), r.ids["Docs"], core.PriorityUrgent); err != nil {
		t.Fatal(err)
	}
	r.push()
	c, _ := r.fake.CardByName(m.Board, task.Name)
	if !strings.Contains(c.Desc, "a1 · 60%") {
		t.Errorf("card desc %q does not show 60%%", c.Desc)
	}
	d, _ := r.fake.CardByName(m.Board, "Docs")
	if !strings.Contains(labelNames(d), "priority: urgent") || strings.Contains(labelNames(d), "priority: medium") {
		t.Errorf("Docs labels %s", labelNames(d))
	}
}

// Two processes on one database never sync one board at once: the second
// stands by until the first lets go.
func TestOneSyncerPerBoard(t *testing.T) {
	r := newRig(t, shop())
	m := r.link()
	other := trello.NewSyncer(r.coord, r.client, r.proj.ID)
	must(t, r.sync.Sync(t.Context()))
	if err := other.Sync(t.Context()); !errors.Is(err, trello.ErrOwned) {
		t.Fatalf("a second syncer ran beside the first: %v", err)
	}
	r.sync.Release(t.Context())
	must(t, other.Sync(t.Context()))
	r.matches(m.Board)
}
