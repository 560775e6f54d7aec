package trellofake_test

import (
	"slices"
	"testing"

	"github.com/adlio/trello"

	"marcus/providers/trello/trellofake"
)

// A dropped connection reaches the client as an error with no answer and
// changes nothing; a lost answer changes the board all the same.
func TestDroppedConnectionsAndLostAnswers(t *testing.T) {
	t.Parallel()
	f := trellofake.New(t, trellofake.Options{})
	c := newClient(f, f.Token())
	b := trello.NewBoard("drops")
	must(t, c.CreateBoard(&b))
	lists, err := b.GetLists(trello.Defaults())
	must(t, err)
	if len(lists) == 0 {
		t.Fatal("a new board has no lists")
	}
	card := &trello.Card{Name: "first", IDList: lists[0].ID}
	must(t, c.CreateCard(card, trello.Defaults()))

	const comments = "POST /1/cards/{id}/actions/comments"
	f.DropNext(comments, 1)
	if _, err := card.AddComment("dropped", trello.Defaults()); err == nil {
		t.Fatal("a dropped comment succeeded")
	}
	f.LoseAnswerNext(comments, 1)
	if _, err := card.AddComment("lost answer", trello.Defaults()); err == nil {
		t.Fatal("a comment whose answer was lost succeeded")
	}
	_, err = card.AddComment("answered", trello.Defaults())
	must(t, err)

	got, _ := f.Card(card.ID)
	var texts []string
	for _, cm := range got.Comments {
		texts = append(texts, cm.Text)
	}
	if len(texts) != 2 || !slices.Contains(texts, "lost answer") || !slices.Contains(texts, "answered") {
		t.Errorf("comments %q: want the lost answer's and the answered one, not the dropped one", texts)
	}
	if n := f.Dropped(); n != 2 {
		t.Errorf("Dropped = %d, want 2", n)
	}
	// A switch for one route leaves the others alone, and GETs are never
	// answered-then-dropped.
	f.LoseAnswerNext("", 1)
	if _, err := c.GetCard(card.ID, trello.Defaults()); err != nil {
		t.Errorf("a GET under LoseAnswerNext: %v", err)
	}
	f.LoseAnswerNext("", 0)
}
