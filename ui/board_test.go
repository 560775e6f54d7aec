package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"marcus/core"
)

// recipePlan is a realistic project: a dependency graph with labels,
// priorities and phases.
var recipePlan = core.Plan{Name: "recipe-app", Description: "A recipe sharing app", Tasks: []core.PlanTask{
	{Name: "Scaffold repo", Phase: "design", Priority: "high", EstimateMinutes: 20, Labels: []string{"setup"}},
	{Name: "Recipe model", After: []string{"Scaffold repo"}, Priority: "high", EstimateMinutes: 45, Labels: []string{"backend", "db"}},
	{Name: "Auth endpoints", After: []string{"Scaffold repo"}, Priority: "urgent", EstimateMinutes: 90, Labels: []string{"backend", "auth"},
		Description: "Issue **JWT** access tokens and refresh them.\n\n- `POST /login` returns a token pair\n- `POST /refresh` rotates the refresh token\n\nSee the [threat model](https://example.com/threats) first.",
		Acceptance:  []string{"login with a wrong password answers 401", "refresh tokens are single use"}},
	{Name: "Search API", After: []string{"Recipe model"}, Priority: "high", EstimateMinutes: 60, Labels: []string{"api", "search"}},
	{Name: "Email digest", Priority: "medium", EstimateMinutes: 30, Labels: []string{"email"}},
	{Name: "Recipe UI", After: []string{"Recipe model"}, Priority: "medium", EstimateMinutes: 120, Labels: []string{"frontend"}},
	{Name: "Image upload", Priority: "low", EstimateMinutes: 40, Labels: []string{"backend", "storage"}},
	{Name: "Integration tests", Phase: "test", After: []string{"Auth endpoints", "Search API"}, Priority: "medium", EstimateMinutes: 60},
	{Name: "Deploy pipeline", Phase: "integrate", After: []string{"Integration tests"}, Priority: "medium", EstimateMinutes: 45, Labels: []string{"ops"}},
	{Name: "API docs", Phase: "docs", After: []string{"Search API"}, SoftAfter: []string{"Auth endpoints"}, Priority: "low", EstimateMinutes: 30},
	{Name: "Rate limiting", Priority: "medium", EstimateMinutes: 30, Labels: []string{"backend"}},
}}

// fixture is a test env with the recipe project in a known state: two
// tasks done, two in progress (one after a recovery), one blocked, the rest
// in the backlog, a decision and an artifact on Auth endpoints.
type fixture struct {
	*testEnv
	proj core.Project
	ids  map[string]core.TaskID
}

func newFixture(t *testing.T, w, h int) *fixture {
	t.Helper()
	e := newTestEnv(t, w, h)
	proj, ids := e.importPlan(recipePlan)
	f := &fixture{testEnv: e, proj: proj, ids: ids}
	for _, a := range []core.AgentID{"agent-1", "agent-2", "agent-3"} {
		if _, err := e.coord.RegisterAgent(e.ctx(), core.RegisterRequest{ID: a, Project: proj.ID}); err != nil {
			t.Fatal(err)
		}
	}
	f.claim("agent-1", "Scaffold repo")
	f.report("agent-1", "Scaffold repo", core.StatusDone, 100, "repo ready")
	f.claim("agent-3", "Auth endpoints")
	f.report("agent-3", "Auth endpoints", core.StatusInProgress, 20, "started on JWT")
	f.claim("agent-1", "Recipe model")
	f.report("agent-1", "Recipe model", core.StatusDone, 100, "")
	e.clock.Advance(10 * time.Minute)
	if rec, err := e.coord.RecoverExpiredLeases(e.ctx()); err != nil || len(rec) != 1 {
		t.Fatalf("recovery: %v %v", rec, err)
	}
	f.claim("agent-2", "Auth endpoints")
	f.report("agent-2", "Auth endpoints", core.StatusInProgress, 55, "JWT issuing works, refresh next")
	f.claim("agent-1", "Search API")
	f.report("agent-1", "Search API", core.StatusInProgress, 80, "paging done")
	if _, err := e.coord.BlockTask(e.ctx(), ids["Email digest"], "needs SMTP credentials from ops"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.coord.LogDecision(e.ctx(), core.Decision{Task: ids["Auth endpoints"], Agent: "agent-2",
		Text: "I chose JWT because the API must stay stateless. This affects every handler."}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.coord.LogArtifact(e.ctx(), core.Artifact{Task: ids["Auth endpoints"], Agent: "agent-2", Filename: "docs/auth-api.md",
		Type: "specification", Description: "token endpoints", Content: "POST /login -> {access, refresh}\nPOST /refresh -> {access, refresh}"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.coord.LogArtifact(e.ctx(), core.Artifact{Task: ids["Auth endpoints"], Agent: "agent-2", Filename: "auth.go",
		Type: "code", Location: "internal/auth/auth.go"}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	e.sync()
	return f
}

func (f *fixture) claim(a core.AgentID, want string) {
	f.t.Helper()
	as, err := f.coord.RequestNextTask(f.ctx(), a)
	if err != nil || as.Task == nil || as.Task.Task.Name != want {
		f.t.Fatalf("%s claimed %+v (err %v), want %s", a, as.Task, err, want)
	}
	f.clock.Advance(30 * time.Second)
}

func (f *fixture) report(a core.AgentID, task string, st core.TaskStatus, pct int, msg string) {
	f.t.Helper()
	if _, err := f.coord.ReportProgress(f.ctx(), core.ProgressReport{Agent: a, Task: f.ids[task], Status: st, Progress: pct, Message: msg}); err != nil {
		f.t.Fatal(err)
	}
	f.clock.Advance(45 * time.Second)
}

// task reads a task from the store.
func (f *fixture) task(name string) core.Task {
	f.t.Helper()
	v, err := f.coord.TaskDetail(f.ctx(), f.ids[name])
	if err != nil {
		f.t.Fatal(err)
	}
	return v.Task
}

// selected is the name of the task under the board's cursor.
func (f *fixture) selected() string {
	t, _ := f.m.board.selected()
	return t.Name
}

// normalize replaces each task's random short id by one made of its
// sequence number, so goldens are stable.
func normalize(e *testEnv, s string) string {
	if e.m.snap == nil {
		return s
	}
	for _, t := range e.m.snap.Board.Tasks {
		s = strings.ReplaceAll(s, taskShortID(t.ID), fmt.Sprintf("#T%03d", t.Seq))
	}
	return s
}

// selectTask moves the cursor onto a task by name.
func (f *fixture) selectTask(name string) {
	f.t.Helper()
	c := f.m.board.columns()
	for col := range boardCols {
		for row := range c.cols[col] {
			if t, _ := c.task(col, row); t.Name == name {
				f.m.board.col, f.m.board.row[col] = col, row
				return
			}
		}
	}
	f.t.Fatalf("no card %q on the board", name)
}

func TestBoardGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}, {200, 60}} {
		f := newFixture(t, size[0], size[1])
		out := f.screen()
		golden(t, fmt.Sprintf("board_%dx%d", size[0], size[1]), normalize(f.testEnv, out))
		for _, want := range []string{"Backlog 6", "In Progress 2", "Blocked 1", "Done 2", "Auth endpo", "agent-2", "55%", "needs SMTP"} {
			if !strings.Contains(out, want) {
				t.Errorf("%dx%d: the board lacks %q:\n%s", size[0], size[1], want, out)
			}
		}
	}
}

func TestBoardCursorKeys(t *testing.T) {
	f := newFixture(t, 120, 40)
	b := &f.m.board
	if b.col != 0 || f.selected() != "Recipe UI" {
		t.Fatalf("start: column %d, card %q", b.col, f.selected())
	}
	first := f.selected()
	f.press("down")
	if b.row[0] != 1 || f.selected() == first {
		t.Errorf("down: row %d", b.row[0])
	}
	f.press("j", "j")
	if b.row[0] != 3 {
		t.Errorf("j j: row %d, want 3", b.row[0])
	}
	f.press("k")
	if b.row[0] != 2 {
		t.Errorf("k: row %d, want 2", b.row[0])
	}
	f.press("up", "up", "up")
	if b.row[0] != 0 {
		t.Errorf("up past the top: row %d", b.row[0])
	}
	f.press("G")
	if b.row[0] != 5 {
		t.Errorf("G: row %d, want 5 (six backlog cards)", b.row[0])
	}
	f.press("g")
	if b.row[0] != 0 {
		t.Errorf("g: row %d", b.row[0])
	}
	f.press("right")
	if b.col != 1 || f.selected() != "Auth endpoints" {
		t.Errorf("right: column %d card %q, want In Progress / Auth endpoints (urgent first)", b.col, f.selected())
	}
	f.press("l", "l")
	if b.col != 3 {
		t.Errorf("l l: column %d", b.col)
	}
	f.press("l")
	if b.col != 3 {
		t.Errorf("l past the last column: %d", b.col)
	}
	if f.selected() != "Recipe model" {
		t.Errorf("Done starts with the newest completion, got %q", f.selected())
	}
	f.press("h", "left")
	if b.col != 1 {
		t.Errorf("h left: column %d", b.col)
	}
	f.press("h", "h")
	if b.col != 0 || b.row[0] != 0 {
		t.Errorf("back to the backlog: column %d row %d", b.col, b.row[0])
	}
	// The selected card is drawn with the thick border.
	if out := f.screen(); !strings.Contains(out, "┏") {
		t.Errorf("no highlighted card:\n%s", out)
	}
}

func TestBoardScrollingManyCards(t *testing.T) {
	e := newTestEnv(t, 80, 24)
	var p core.Plan
	p.Name = "many"
	for i := range 60 {
		p.Tasks = append(p.Tasks, core.PlanTask{Name: fmt.Sprintf("task %02d", i)})
	}
	e.importPlan(p)
	e.sync()
	per := e.m.board.perCol()
	if per < 4 {
		t.Fatalf("80x24 shows %d cards per column, want at least 4", per)
	}
	visible := func(name string) bool {
		return strings.Contains(e.screen(), name+" ") || strings.Contains(e.screen(), name+"│")
	}
	if !visible("task 00") || visible(fmt.Sprintf("task %02d", per)) {
		t.Fatalf("first page:\n%s", e.screen())
	}
	for range per + 2 {
		e.press("down")
	}
	b := &e.m.board
	if b.row[0] != per+2 || b.top[0] != 3 {
		t.Errorf("after %d downs: row %d top %d, want row %d top 3", per+2, b.row[0], b.top[0], per+2)
	}
	if !visible(fmt.Sprintf("task %02d", per+2)) || visible("task 00") {
		t.Errorf("the cursor's card is not in view:\n%s", e.screen())
	}
	if out := e.screen(); !strings.Contains(out, "↑3") {
		t.Errorf("no scroll indicator:\n%s", out)
	}
	e.press("pgdown")
	if b.row[0] != 2*per+2 {
		t.Errorf("pgdown: row %d, want %d", b.row[0], 2*per+2)
	}
	e.press("pgup", "pgup", "pgup")
	if b.row[0] != 0 || b.top[0] != 0 {
		t.Errorf("pgup to the top: row %d top %d", b.row[0], b.top[0])
	}
	e.press("end")
	if b.row[0] != 59 || !visible("task 59") {
		t.Errorf("end: row %d\n%s", b.row[0], e.screen())
	}
	e.press("home")
	if b.row[0] != 0 || !visible("task 00") {
		t.Errorf("home: row %d", b.row[0])
	}
}

func TestBoardFilter(t *testing.T) {
	f := newFixture(t, 120, 40)
	b := &f.m.board
	f.press("/")
	if !b.filtering {
		t.Fatal("/ did not start the filter")
	}
	f.press("r", "e", "c", "i", "p", "e")
	if b.filter != "recipe" {
		t.Fatalf("typed %q", b.filter)
	}
	out := f.screen()
	if !strings.Contains(out, "/ recipe") || strings.Contains(out, "Auth endpoints") || !strings.Contains(out, "Recipe UI") {
		t.Errorf("filter recipe:\n%s", out)
	}
	if !strings.Contains(out, "Backlog 1/6") {
		t.Errorf("filtered counts:\n%s", out)
	}
	// Keys that are actions elsewhere are text here.
	f.press("space", "u", "backspace", "backspace")
	if b.filter != "recipe" || f.task("Auth endpoints").Status != core.StatusInProgress {
		t.Errorf("typing u/space: filter %q", b.filter)
	}
	f.press("enter")
	if b.filtering || b.filter != "recipe" {
		t.Errorf("enter: filtering %v filter %q", b.filtering, b.filter)
	}
	if out := f.screen(); !strings.Contains(out, "filter: recipe") {
		t.Errorf("kept filter line:\n%s", out)
	}
	// With the filter kept, keys act again: j moves.
	f.press("l", "l", "l")
	if f.selected() != "Recipe model" {
		t.Errorf("filtered Done column: %q", f.selected())
	}
	f.press("esc")
	if b.filter != "" || strings.Contains(f.screen(), "filter:") {
		t.Errorf("esc did not clear the filter: %q", b.filter)
	}
	// Labels, holders and short ids match too, case-insensitively.
	for q, want := range map[string]string{"AGENT-2": "Auth endpoints", "storage": "Image upload", taskShortID(f.ids["Deploy pipeline"]): "Deploy pipeline"} {
		f.press("/")
		for _, r := range q {
			f.press(string(r))
		}
		out := f.screen()
		if !strings.Contains(out, want) || !strings.Contains(out, "1 card matches") {
			t.Errorf("filter %q should show only %q:\n%s", q, want, out)
		}
		f.press("esc")
		if b.filtering || b.filter != "" {
			t.Errorf("esc while typing: filtering %v filter %q", b.filtering, b.filter)
		}
	}
	f.press("/", "z", "z", "z")
	if out := f.screen(); !strings.Contains(out, "no match") {
		t.Errorf("empty result:\n%s", out)
	}
	f.press("down", "enter")
	if b.filtering {
		t.Error("enter after an arrow did not leave typing")
	}
}

func TestBoardActions(t *testing.T) {
	f := newFixture(t, 120, 40)
	f.selectTask("Auth endpoints")
	f.press("u")
	if got := f.task("Auth endpoints"); got.Status != core.StatusTodo || got.Holder != "" {
		t.Errorf("u on an in-progress task: %s held by %q", got.Status, got.Holder)
	}
	if !strings.Contains(f.m.status, "back in the backlog") || f.m.statusErr {
		t.Errorf("status after u: %q", f.m.status)
	}
	f.sync()
	if f.m.board.col != 0 || f.selected() != "Auth endpoints" {
		t.Errorf("the cursor did not follow the unassigned task: column %d %q", f.m.board.col, f.selected())
	}
	f.press("b")
	if got := f.task("Auth endpoints"); got.Status != core.StatusBlocked || got.BlockedReason != blockReason {
		t.Errorf("b on a backlog task: %s %q", got.Status, got.BlockedReason)
	}
	f.sync()
	if f.m.board.col != 2 || f.selected() != "Auth endpoints" {
		t.Errorf("the cursor did not follow the blocked task: column %d %q", f.m.board.col, f.selected())
	}
	f.press("b")
	if !f.m.statusErr || !strings.Contains(f.m.status, "already blocked") {
		t.Errorf("b on a blocked task: %q", f.m.status)
	}
	f.press("r")
	if got := f.task("Auth endpoints"); got.Status != core.StatusTodo {
		t.Errorf("r on a blocked task: %s", got.Status)
	}
	f.sync()
	f.selectTask("Email digest")
	f.press("u")
	if got := f.task("Email digest"); got.Status != core.StatusTodo || got.BlockedReason != "" {
		t.Errorf("u on a blocked task: %s %q", got.Status, got.BlockedReason)
	}
	if !strings.Contains(f.m.status, "unblocked") {
		t.Errorf("status after unblocking: %q", f.m.status)
	}
	f.sync()

	f.selectTask("Image upload")
	f.press("+")
	if got := f.task("Image upload").Priority; got != core.PriorityMedium {
		t.Errorf("+ on low: %s", got)
	}
	f.sync()
	if f.selected() != "Image upload" {
		t.Errorf("the cursor lost the re-prioritised card: %q", f.selected())
	}
	f.press("-")
	f.sync()
	f.press("-")
	if !f.m.statusErr || !strings.Contains(f.m.status, "already low") || f.task("Image upload").Priority != core.PriorityLow {
		t.Errorf("- on low: %q, %s", f.m.status, f.task("Image upload").Priority)
	}
	f.selectTask("Auth endpoints")
	f.press("+")
	if !strings.Contains(f.m.status, "already urgent") {
		t.Errorf("+ on urgent: %q", f.m.status)
	}

	// Refusals never reach the store.
	before := f.task("Rate limiting")
	f.selectTask("Rate limiting")
	f.press("u")
	if !f.m.statusErr || !strings.Contains(f.m.status, "nothing to unassign") {
		t.Errorf("u on a backlog task: %q", f.m.status)
	}
	f.press("r")
	if !strings.Contains(f.m.status, "only a blocked task") {
		t.Errorf("r on a backlog task: %q", f.m.status)
	}
	if after := f.task("Rate limiting"); !after.UpdatedAt.Equal(before.UpdatedAt) || after.Status != before.Status {
		t.Errorf("a refused action changed the task: %+v", after)
	}
	f.selectTask("Scaffold repo")
	for _, k := range []string{"u", "b", "r", "+", "-"} {
		f.m.status = ""
		f.press(k)
		if !strings.Contains(f.m.status, "is done") {
			t.Errorf("%s on a done task: %q", k, f.m.status)
		}
	}
	if got := f.task("Scaffold repo"); got.Status != core.StatusDone || got.Priority != core.PriorityHigh {
		t.Errorf("the done task changed: %+v", got)
	}
}

func TestBoardOpenDetail(t *testing.T) {
	f := newFixture(t, 120, 40)
	f.selectTask("Search API")
	f.press("enter")
	if f.m.overlay != overlayDetail || f.m.detail.task != f.ids["Search API"] {
		t.Fatalf("enter: overlay %d task %s", f.m.overlay, f.m.detail.task)
	}
	if f.m.snap.Detail == nil || f.m.snap.Detail.Task.ID != f.ids["Search API"] {
		t.Fatal("the detail was not loaded")
	}
	f.press("esc")
	f.press("h", "h", "h", "l", "l", "down", "down", "down")
	f.press("enter") // the blocked column has one card: enter opens it
	if f.m.detail.task != f.ids["Email digest"] {
		t.Errorf("enter on the blocked column opened %s", f.m.detail.task)
	}
}

func TestClampBoardWhenTasksMove(t *testing.T) {
	f := newFixture(t, 120, 40)
	// The cursor on the last backlog card; an agent claims a card above it.
	f.press("G")
	last := f.selected()
	f.claim("agent-3", "Recipe UI")
	f.sync()
	if f.m.board.col != 0 || f.selected() != last {
		t.Errorf("a claim elsewhere moved the cursor: column %d %q, want %q", f.m.board.col, f.selected(), last)
	}
	// The selected card itself is claimed: the cursor stays in the
	// backlog (an agent's move does not drag it) on a valid row.
	f.press("g")
	top := f.selected()
	f.press("down")
	second := f.selected()
	f.press("up")
	if _, err := f.coord.BlockTask(f.ctx(), f.ids[top], "from another process"); err != nil {
		t.Fatal(err)
	}
	f.sync()
	if f.m.board.col != 0 || f.m.board.row[0] != 0 || f.selected() != second {
		t.Errorf("after the selected card left: column %d row %d %q, want %q", f.m.board.col, f.m.board.row[0], f.selected(), second)
	}
	// The last card of a column leaves: the row is clamped.
	f.press("l", "l", "G")
	if f.selected() != top || f.m.board.row[2] != 1 {
		t.Fatalf("blocked column: row %d %q, want %q last", f.m.board.row[2], f.selected(), top)
	}
	if _, err := f.coord.Unassign(f.ctx(), f.ids[top], "test"); err != nil {
		t.Fatal(err)
	}
	f.sync()
	if f.m.board.col != 2 || f.m.board.row[2] != 0 || f.selected() != "Email digest" {
		t.Errorf("blocked column: column %d row %d %q", f.m.board.col, f.m.board.row[2], f.selected())
	}
	if _, err := f.coord.Unassign(f.ctx(), f.ids["Email digest"], "test"); err != nil {
		t.Fatal(err)
	}
	f.sync()
	if f.m.board.row[2] != 0 || f.selected() != "" {
		t.Errorf("empty blocked column: row %d %q", f.m.board.row[2], f.selected())
	}
	if out := f.screen(); !strings.Contains(out, "no cards") {
		t.Errorf("empty column:\n%s", out)
	}
	f.press("enter", "u")
	if f.m.overlay != overlayNone || !strings.Contains(f.m.status, "no card") {
		t.Errorf("keys on an empty column: overlay %d status %q", f.m.overlay, f.m.status)
	}
}

func TestBoardNarrow(t *testing.T) {
	f := newFixture(t, 50, 20)
	out := f.screen()
	if !strings.Contains(out, "Backlog 6") || strings.Contains(out, "Done 2") && strings.Contains(out, "Recipe model") {
		t.Errorf("narrow board should show the backlog alone:\n%s", out)
	}
	f.press("right")
	if out := f.screen(); !strings.Contains(out, "Auth endpoints") || strings.Contains(out, "Rate limiting") {
		t.Errorf("narrow board, second column:\n%s", out)
	}
	golden(t, "board_narrow_50x20", normalize(f.testEnv, f.screen()))
}

// hardNames are task names that trip width arithmetic.
var hardNames = []string{
	"検索APIの実装とページング処理の追加", // wide CJK
	"Cafe\u0301 me\u0301nu with combining accents and more accents",
	"🚀 Launch 👩‍💻 pipeline with emoji 🎉🎉🎉 and ZWJ 👨‍👩‍👧",
	strings.Repeat("long-name-", 19),
	"tabs\tand\nnewlines in a name",
}

func TestBoardHardNames(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {20, 10}, {59, 12}, {200, 60}} {
		e := newTestEnv(t, size[0], size[1])
		p := core.Plan{Name: "宽字符 プロジェクト 🚀"}
		for i, n := range hardNames {
			p.Tasks = append(p.Tasks, core.PlanTask{Name: n, Labels: []string{"ラベル", "é"}, Description: n + "\n\n**" + n + "**",
				Acceptance: []string{n}, Priority: []string{"low", "high", "urgent", "medium", "low"}[i]})
		}
		_, ids := e.importPlan(p)
		if _, err := e.coord.RegisterAgent(e.ctx(), core.RegisterRequest{ID: "エージェント-1"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.coord.RequestNextTask(e.ctx(), "エージェント-1"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.coord.BlockTask(e.ctx(), ids[hardNames[3]], hardNames[2]); err != nil {
			t.Fatal(err)
		}
		e.sync()
		keys := []string{"down", "down", "right", "/", "é", "enter", "right", "right", "esc", "left", "enter", "down", "pgdown", "a", "a", "G", "esc"}
		for _, k := range keys {
			e.press(k)
			e.screen() // checks the frame
		}
	}
}

func TestBoardTwoThousandTasks(t *testing.T) {
	for i, size := range [][2]int{{80, 24}, {20, 10}, {200, 60}, {80, 24}, {20, 10}} {
		e := newTestEnv(t, size[0], size[1])
		if i >= 3 { // in color: styled borders and bars must not change widths
			e.m.env.st = newStyles(false)
		}
		e.m.applySnapshot(syntheticSnapshot(2000))
		out := e.screen()
		if size[0] >= 80 && !strings.Contains(out, "In Progress 300") {
			t.Errorf("%dx%d:\n%s", size[0], size[1], out)
		}
		for _, k := range []string{"G", "right", "pgdown", "pgdown", "/", "1", "7", "enter", "right", "g", "esc"} {
			e.press(k)
			e.screen()
		}
	}
}
