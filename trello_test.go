package main

import (
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"marcus/providers/trello/trellofake"
)

func TestTrelloCommands(t *testing.T) {
	fake := trellofake.New(t, trellofake.Options{})
	db := filepath.Join(t.TempDir(), "m.db")
	env := []string{"TRELLO_API_KEY=" + fake.Key(), "TRELLO_TOKEN=" + fake.Token(), "MARCUS_TRELLO_BASE_URL=" + fake.BaseURL()}
	if out, err := run(t, db, "", "new", "--from", "examples/todo-app.yaml"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var out syncBuffer
	if err := runEnvTo(t, context.Background(), &out, env, db, "", "trello", "link", "--new"); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	boards := fake.Boards()
	if len(boards) != 1 || len(fake.Cards(boards[0].ID)) == 0 {
		t.Fatalf("boards %+v", boards)
	}
	var status syncBuffer
	if err := runEnvTo(t, context.Background(), &status, env, db, "", "trello", "status"); err != nil || !strings.Contains(status.String(), boards[0].ID) {
		t.Errorf("status: %v\n%s", err, status.String())
	}
	var bad syncBuffer
	err := runEnvTo(t, context.Background(), &bad, nil, db, "", "trello", "sync", "--once")
	if err == nil || !strings.Contains(err.Error(), "TRELLO_API_KEY") {
		t.Errorf("sync without credentials: %v", err)
	}
	if err := runEnvTo(t, context.Background(), &bad, env, db, "", "trello", "link"); err == nil || !strings.Contains(err.Error(), "--new") {
		t.Errorf("link without a board: %v", err)
	}
}

// With Trello credentials the demo mirrors its project to a new board and
// keeps it in step while the agents work.
func TestDemoMirrorsToTrello(t *testing.T) {
	fake := trellofake.New(t, trellofake.Options{})
	env := []string{"TRELLO_API_KEY=" + fake.Key(), "TRELLO_TOKEN=" + fake.Token(), "MARCUS_TRELLO_BASE_URL=" + fake.BaseURL(),
		"MARCUS_TRELLO_INTERVAL=1s"}
	var out syncBuffer
	err := runEnvTo(t, context.Background(), &out, env, filepath.Join(t.TempDir(), "unused.db"), "", "demo", "--text",
		"--agents", "4", "--speed", "60000", "--tasks", "12", "--die", "0", "--block", "0", "--seed", "3")
	if err != nil {
		t.Fatalf("%v\n%s", err, tail(out.String()))
	}
	boards := fake.Boards()
	if len(boards) != 1 || len(fake.Cards(boards[0].ID)) != 12 {
		t.Fatalf("boards %+v with %d cards, want one board with the 12 tasks", boards, len(fake.Cards(boards[0].ID)))
	}
	done, _ := fake.ListByName(boards[0].ID, "Done")
	if n := len(fake.ListCards(done.ID)); n != 12 {
		t.Errorf("%d cards in Done when the demo ended with every task done: the last changes were not delivered", n)
	}
}

// `marcus trello sync --once`, run as its own process the way cron runs
// it, exits 0 through a blip of Trello (a 503, then a dropped connection)
// and delivers what waited; an outage longer than --retry-for fails with
// the error a sync without retrying gives.
func TestTrelloSyncOnceRidesThroughABlip(t *testing.T) {
	fake := trellofake.New(t, trellofake.Options{})
	dir := t.TempDir()
	db := filepath.Join(dir, "m.db")
	env := []string{"TRELLO_API_KEY=" + fake.Key(), "TRELLO_TOKEN=" + fake.Token(), "MARCUS_TRELLO_BASE_URL=" + fake.BaseURL()}
	if out, err := run(t, db, "", "new", "--from", "examples/todo-app.yaml"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var out syncBuffer
	if err := runEnvTo(t, context.Background(), &out, env, db, "", "trello", "link", "--new"); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	board := fake.Boards()[0].ID
	card := fake.Cards(board)[0]
	blocked, _ := fake.ListByName(board, "Blocked")
	if err := fake.MoveCardAs(fake.Person(), card.ID, blocked.ID); err != nil {
		t.Fatal(err)
	}
	sync := func(args ...string) (string, int) {
		cmd := exec.Command(os.Args[0], append([]string{"--db", db, "trello", "sync", "--once"}, args...)...)
		cmd.Env = append(os.Environ(), append(env, "MARCUS_TEST_AS_MAIN=1", "XDG_CONFIG_HOME="+dir,
			"MARCUS_LOG_FILE="+filepath.Join(dir, "marcus.log"))...)
		b, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatal(err)
		}
		return string(b), cmd.ProcessState.ExitCode()
	}

	fake.FailNext(1, http.StatusServiceUnavailable)
	fake.DropNext("PUT /1/cards/{id}", 1)
	got, code := sync()
	if code != 0 || !strings.Contains(got, board) {
		t.Fatalf("sync --once through a blip exited %d:\n%s", code, got)
	}
	if fake.Dropped() != 1 {
		t.Errorf("the dropped connection never happened (%d): the test proves less than it says", fake.Dropped())
	}
	var status syncBuffer
	if err := runEnvTo(t, context.Background(), &status, env, db, "", "trello", "status"); err != nil || strings.Contains(status.String(), "Trello") {
		t.Errorf("status after the blip (want no error shown): %v\n%s", err, status.String())
	}
	if c, _ := fake.Card(card.ID); c.ListName != "Blocked" || !strings.Contains(c.Desc, "blocked") {
		t.Errorf("the person's move was not applied: the card is in %q, %q", c.ListName, c.Desc)
	}

	fake.FailAll(http.StatusServiceUnavailable)
	once, code := sync("--retry-for", "0")
	if code != 1 || !strings.Contains(once, "Trello is failing (503)") {
		t.Fatalf("sync --once without retrying in an outage exited %d:\n%s", code, once)
	}
	long, code := sync("--retry-for", "1500ms")
	if code != 1 || !strings.Contains(long, "Trello is failing (503)") {
		t.Fatalf("sync --once through an outage longer than --retry-for exited %d:\n%s", code, long)
	}
	if got, _ := sync("--retry-for", "-1s"); !strings.Contains(got, "trello.retry_for") {
		t.Errorf("a negative --retry-for: %s", got)
	}
}
