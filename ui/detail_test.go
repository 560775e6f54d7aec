package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"marcus/core"
)

// openDetailOf opens a task's detail from the board.
func (f *fixture) openDetailOf(name string) {
	f.t.Helper()
	f.selectTask(name)
	f.press("enter")
	if f.m.overlay != overlayDetail || f.m.snap.Detail == nil || f.m.snap.Detail.Task.ID != f.ids[name] {
		f.t.Fatalf("the detail of %s did not open", name)
	}
}

func TestDetailGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}, {200, 60}} {
		f := newFixture(t, size[0], size[1])
		f.openDetailOf("Auth endpoints")
		out := f.screen()
		golden(t, fmt.Sprintf("detail_%dx%d", size[0], size[1]), normalize(f.testEnv, out))
		for _, want := range []string{"Auth endpoints", "in progress", "urgent", "agent-2", "55%", "epoch 2", "left", "Description", "JWT"} {
			if !strings.Contains(out, want) {
				t.Errorf("%dx%d: the detail lacks %q:\n%s", size[0], size[1], want, out)
			}
		}
		// The whole body, scrolled through, has every section.
		var all strings.Builder
		for range 30 {
			all.WriteString(f.screen())
			f.press("pgdown")
		}
		for _, want := range []string{"Acceptance criteria", "☐ login with a wrong password answers 401", "Depends on", "Scaffold repo  done",
			"Needed by", "Integration tests", "API docs", "(soft)", "Handoff", "from agent-3 at 20%", "lease expired", `"started on JWT"`,
			"Decisions", "• JWT", "why: the API must stay stateless", "impact: every handler", "Artifacts", "[specification] docs/auth-api.md",
			"History", "claimed by agent-2", "agent-2 55% \"JWT issuing works", "recovered from agent-3", "claimed by agent-3 (lease epoch 1)"} {
			if !strings.Contains(all.String(), want) {
				t.Errorf("%dx%d: the detail lacks %q", size[0], size[1], want)
			}
		}
	}
}

func TestDetailGoldenBlocked(t *testing.T) {
	f := newFixture(t, 80, 24)
	f.openDetailOf("Email digest")
	golden(t, "detail_blocked_80x24", normalize(f.testEnv, f.screen()))
}

func TestDetailScrollKeys(t *testing.T) {
	f := newFixture(t, 80, 24)
	f.openDetailOf("Auth endpoints")
	d := &f.m.detail
	lines, _ := f.m.detail.body(80)
	page := 24 - 3 - detailHeaderH
	maxScroll := len(lines) - page
	if maxScroll < 10 {
		t.Fatalf("the body has %d lines; the test needs more than a page", len(lines))
	}
	f.press("down", "j", "j")
	if d.scroll != 3 {
		t.Errorf("down j j: scroll %d", d.scroll)
	}
	f.press("k")
	if d.scroll != 2 {
		t.Errorf("k: scroll %d", d.scroll)
	}
	f.press("pgdown")
	if d.scroll != min(2+page, maxScroll) {
		t.Errorf("pgdown: scroll %d, want %d", d.scroll, min(2+page, maxScroll))
	}
	f.press("G")
	if d.scroll != maxScroll {
		t.Errorf("G: scroll %d, want %d", d.scroll, maxScroll)
	}
	if out := f.screen(); !strings.Contains(out, "claimed by agent-3") {
		t.Errorf("the bottom shows the oldest history:\n%s", out)
	}
	f.press("down")
	if d.scroll != maxScroll {
		t.Errorf("down past the bottom: scroll %d", d.scroll)
	}
	f.press("pgup")
	if d.scroll != maxScroll-page {
		t.Errorf("pgup: scroll %d", d.scroll)
	}
	f.press("g")
	if d.scroll != 0 {
		t.Errorf("g: scroll %d", d.scroll)
	}
	f.press("up")
	if d.scroll != 0 {
		t.Errorf("up past the top: scroll %d", d.scroll)
	}
	f.press("esc")
	if f.m.overlay != overlayNone {
		t.Error("esc did not close the detail")
	}
	f.press("enter")
	f.press("q")
	if f.m.overlay != overlayNone || f.m.ctx.Err() != nil {
		t.Error("q should close the detail, not quit")
	}
}

func TestDetailArtifacts(t *testing.T) {
	f := newFixture(t, 120, 40)
	f.openDetailOf("Auth endpoints")
	d := &f.m.detail
	if out := f.screen(); strings.Contains(out, "│ POST /login") {
		t.Errorf("artifact content shown before a:\n%s", out)
	}
	f.press("a")
	out := f.screen()
	if d.shown != 1 || !strings.Contains(out, "│ POST /login -> {access, refresh}") || !strings.Contains(out, "▸ [specification] docs/auth-api.md") {
		t.Errorf("a: shown %d\n%s", d.shown, out)
	}
	golden(t, "detail_artifact_120x40", normalize(f.testEnv, out))
	f.press("a")
	if out := f.screen(); d.shown != 2 || !strings.Contains(out, "location: internal/auth/auth.go") || strings.Contains(out, "│ POST /login") {
		t.Errorf("a a: shown %d\n%s", d.shown, out)
	}
	f.press("a")
	if d.shown != 0 {
		t.Errorf("a a a: shown %d, want none", d.shown)
	}
	f.press("esc")
	f.openDetailOf("Recipe UI")
	f.press("a")
	if !strings.Contains(f.m.status, "no artifacts") {
		t.Errorf("a without artifacts: %q", f.m.status)
	}
}

func TestDetailActions(t *testing.T) {
	f := newFixture(t, 120, 40)
	f.openDetailOf("Search API")
	f.press("-")
	if got := f.task("Search API").Priority; got != core.PriorityMedium {
		t.Errorf("- in the detail: %s", got)
	}
	f.sync()
	f.press("+", "+")
	f.sync()
	if got := f.task("Search API").Priority; got != core.PriorityHigh {
		t.Errorf("+ + without a reload between: %s (each press acts on the loaded priority)", got)
	}
	f.press("+")
	if got := f.task("Search API").Priority; got != core.PriorityUrgent {
		t.Errorf("+: %s", got)
	}
	f.press("r")
	if !strings.Contains(f.m.status, "only a blocked task") {
		t.Errorf("r on an in-progress task: %q", f.m.status)
	}
	f.press("b")
	if got := f.task("Search API"); got.Status != core.StatusBlocked || got.Handoff == nil || got.Handoff.PreviousHolder != "agent-1" {
		t.Errorf("b in the detail: %+v", got)
	}
	f.sync()
	if out := f.screen(); !strings.Contains(out, "blocked: "+blockReason) {
		t.Errorf("the detail does not show the block:\n%s", out)
	}
	f.press("u")
	if got := f.task("Search API"); got.Status != core.StatusTodo {
		t.Errorf("u in the detail: %s", got.Status)
	}
	f.sync()
	f.press("u")
	if !strings.Contains(f.m.status, "nothing to unassign") {
		t.Errorf("u on a backlog task: %q", f.m.status)
	}
	if f.m.overlay != overlayDetail {
		t.Error("an action closed the detail")
	}
}

func TestDetailLeaseCountdown(t *testing.T) {
	f := newFixture(t, 120, 40)
	f.openDetailOf("Auth endpoints")
	exp := f.task("Auth endpoints").Lease.ExpiresAt
	left := exp.Sub(f.clock.Now())
	if out := f.screen(); !strings.Contains(out, "lease "+durationText(left)+" left") {
		t.Errorf("countdown %s:\n%s", durationText(left), out)
	}
	f.clock.Advance(left - 75*time.Second)
	if out := f.screen(); !strings.Contains(out, "lease 1m15s left") {
		t.Errorf("countdown after the clock moved:\n%s", out)
	}
	f.clock.Advance(2 * time.Minute)
	if out := f.screen(); !strings.Contains(out, "lease expired · grace 15s left") {
		t.Errorf("an expired lease in its grace:\n%s", out)
	}
	f.clock.Advance(time.Minute)
	if out := f.screen(); !strings.Contains(out, "lease expired ·") || strings.Contains(out, "grace") {
		t.Errorf("an expired lease past its grace:\n%s", out)
	}
}

func TestDetailLoadingAndVanished(t *testing.T) {
	f := newFixture(t, 80, 24)
	f.selectTask("Recipe UI")
	// Open without running the load: the header shows from the board.
	_, open := f.m.Update(keyMsg("enter"))
	f.m.Update(open()) // the board's request to open the detail; its load is not run
	if out := f.screen(); !strings.Contains(out, "Recipe UI") || !strings.Contains(out, "loading") {
		t.Errorf("detail while loading:\n%s", out)
	}
	f.m.loading = false
	f.m.detail.task = "t-gone0000"
	f.sync()
	if out := f.screen(); !strings.Contains(out, "no longer on the board") {
		t.Errorf("vanished task:\n%s", out)
	}
	f.press("u")
	if !strings.Contains(f.m.status, "not loaded") {
		t.Errorf("action on a vanished task: %q", f.m.status)
	}
	f.press("esc")
	if f.m.overlay != overlayNone {
		t.Error("esc did not close")
	}
}

func TestDetailMarkdownCache(t *testing.T) {
	f := newFixture(t, 120, 40)
	f.openDetailOf("Auth endpoints")
	f.screen()
	first := f.m.detail.md.lines
	if len(first) == 0 || !strings.Contains(strings.Join(first, "\n"), "POST /login") {
		t.Fatalf("markdown: %q", first)
	}
	f.screen()
	if &f.m.detail.md.lines[0] != &first[0] {
		t.Error("the description was rendered again for the same task and width")
	}
	for _, l := range first {
		if strings.Contains(l, "**") || strings.Contains(l, "\x1b[3") {
			t.Errorf("markdown left raw or colored: %q", l)
		}
	}
}

func TestDetailInColor(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {20, 10}} {
		f := newFixture(t, size[0], size[1])
		f.m.env.noColor, f.m.env.st = false, newStyles(false)
		f.m.board.frames = nil
		f.screen()
		f.openDetailOf("Auth endpoints")
		out := f.screen() // checks the frame
		if size[0] >= 80 && !strings.Contains(out, "JWT") {
			t.Errorf("colored detail:\n%s", out)
		}
		if !strings.Contains(f.m.Render(), "\x1b[") {
			t.Error("no color in a colored detail")
		}
		for range 10 {
			f.press("pgdown")
			f.screen()
		}
		f.press("a")
		f.screen()
	}
}
