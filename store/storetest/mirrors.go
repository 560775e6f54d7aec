package storetest

import (
	"testing"
	"time"

	"marcus/core"
)

func testMirrors(t *testing.T, h Harness) {
	t.Run("LinkProgressAndPending", func(t *testing.T) { mirrorsLink(t, h) })
	t.Run("ItemsNeverDuplicate", func(t *testing.T) { mirrorsItems(t, h) })
	t.Run("OneOwner", func(t *testing.T) { mirrorsOwner(t, h) })
}

func mirrorsLink(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("a"), pt("b")))
	if _, err := e.c.LinkMirror(t.Context(), core.Mirror{Project: "p", Kind: ""}); core.CodeOf(err) != core.ErrInvalid {
		t.Errorf("a mirror without a kind: err = %v", err)
	}
	m, err := e.c.LinkMirror(t.Context(), core.Mirror{Project: "P", Kind: "trello", Board: "B1", State: map[string]string{"list:todo": "L1"}})
	if err != nil {
		t.Fatal(err)
	}
	if m.Project != b.project.ID {
		t.Errorf("linked %s, want the project named P", m.Project)
	}
	ms, err := e.c.Mirrors(t.Context(), "trello")
	if err != nil || len(ms) != 1 || ms[0].Pending != 1 || ms[0].ProjectName != "P" {
		t.Fatalf("mirrors %+v, %v; want one with the project_created event pending", ms, err)
	}
	e.register(b, "x")
	e.claim(b, "x", "a")
	ms, _ = e.c.Mirrors(t.Context(), "trello")
	last := e.lastEventID()
	if ms[0].Pending != 3 {
		t.Errorf("pending %d after registering and claiming, want 3", ms[0].Pending)
	}
	m.Cursor, m.LastAction, m.LastSyncAt, m.LastError = last, "A9", Start.Add(time.Minute), "429: slow down"
	if err := e.c.SaveMirror(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	if h.Reopen != nil {
		e.reopen()
	}
	ms, _ = e.c.Mirrors(t.Context(), "trello")
	got := ms[0]
	if got.Pending != 0 || got.Cursor != last || got.LastAction != "A9" || got.LastError != "429: slow down" ||
		!got.LastSyncAt.Equal(Start.Add(time.Minute)) || got.State["list:todo"] != "L1" {
		t.Errorf("mirror after save (and restart) %+v", got)
	}
	// Linking the same board again keeps the progress; another board starts over.
	again, _ := e.c.LinkMirror(t.Context(), core.Mirror{Project: b.project.ID, Kind: "trello", Board: "B1"})
	if again.Cursor != last || again.State["list:todo"] != "L1" {
		t.Errorf("relinking the same board lost its progress: %+v", again)
	}
	other, _ := e.c.LinkMirror(t.Context(), core.Mirror{Project: b.project.ID, Kind: "trello", Board: "B2"})
	if other.Cursor != 0 {
		t.Errorf("a new board starts at %d, want 0", other.Cursor)
	}
	if err := e.c.SaveMirror(t.Context(), core.Mirror{Project: b.project.ID, Kind: "jira"}); core.CodeOf(err) != core.ErrNotFound {
		t.Errorf("saving an unlinked mirror: err = %v", err)
	}
	if one, err := e.c.Mirror(t.Context(), b.project.ID, "trello"); err != nil || one.Board != "B2" || one.Cursor != 0 {
		t.Errorf("the project's trello mirror = %+v, %v; want board B2 from the start", one, err)
	}
	if _, err := e.c.Mirror(t.Context(), b.project.ID, "jira"); core.CodeOf(err) != core.ErrNotFound {
		t.Errorf("an unlinked mirror: err = %v", err)
	}
}

func mirrorsItems(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("a"), pt("b")))
	set := func(task core.TaskID, remote string) {
		t.Helper()
		if err := e.c.SetMirrorItem(t.Context(), b.project.ID, "trello", task, remote); err != nil {
			t.Fatal(err)
		}
	}
	set(b.id("a"), "C1")
	set(b.id("b"), "C2")
	set(b.id("a"), "C1") // again: still one
	set(b.id("b"), "C1") // the card now stands for b only
	items, err := e.c.MirrorItems(t.Context(), b.project.ID, "trello")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[b.id("b")] != "C1" {
		t.Errorf("items %v, want only b -> C1", items)
	}
}

func mirrorsOwner(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("a")))
	if _, err := e.c.LinkMirror(t.Context(), core.Mirror{Project: b.project.ID, Kind: "trello", Board: "B"}); err != nil {
		t.Fatal(err)
	}
	claim := func(owner string) bool {
		t.Helper()
		ok, err := e.c.ClaimMirror(t.Context(), b.project.ID, "trello", owner, 30*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !claim("a") {
		t.Fatal("the first owner could not claim")
	}
	if !claim("a") {
		t.Fatal("the owner could not renew its claim")
	}
	if claim("b") {
		t.Fatal("a second owner claimed a mirror that is owned")
	}
	e.clock.Advance(31 * time.Second)
	if !claim("b") || claim("a") {
		t.Error("ownership did not pass on after the claim ran out")
	}
	if _, err := e.c.ClaimMirror(t.Context(), b.project.ID, "jira", "a", time.Second); core.CodeOf(err) != core.ErrNotFound {
		t.Errorf("an unlinked mirror: err = %v", err)
	}
}
