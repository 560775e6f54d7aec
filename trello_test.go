package main

import (
	"context"
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
