package trellofake_test

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/adlio/trello"

	"marcus/providers/trello/trellofake"
)

// newClient is adlio/trello pointed at the fake. Its own throttle (8
// requests/s) stays on: these tests see the client as marcus will.
func newClient(f *trellofake.Server, token string) *trello.Client {
	c := trello.NewClient(f.Key(), token)
	c.BaseURL = f.BaseURL()
	c.Client = &http.Client{Timeout: 5 * time.Second}
	return c
}

var hexID = regexp.MustCompile(`^[0-9a-f]{24}$`)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// mirror is what a first mirror creates: a board with four lists and a label.
type mirror struct {
	board  *trello.Board
	lists  map[string]*trello.List
	label  *trello.Label
	client *trello.Client
}

func newMirror(t *testing.T, f *trellofake.Server) mirror {
	t.Helper()
	c := newClient(f, f.Token())
	b := trello.NewBoard("marcus: demo")
	b.Desc = "mirrored by marcus"
	must(t, c.CreateBoard(&b, trello.Arguments{"defaultLists": "false"}))
	if !hexID.MatchString(b.ID) || b.Desc != "mirrored by marcus" {
		t.Fatalf("created board %+v", b)
	}
	m := mirror{board: &b, lists: map[string]*trello.List{}, client: c}
	for _, name := range []string{"Backlog", "In Progress", "Blocked", "Done"} {
		l, err := b.CreateList(name, trello.Arguments{"pos": "bottom"})
		must(t, err)
		m.lists[name] = l
	}
	m.label = &trello.Label{Name: "P1", Color: "red"}
	must(t, b.CreateLabel(m.label))
	return m
}

func TestMirrorWithTheRealClient(t *testing.T) {
	t.Parallel()
	f := trellofake.New(t, trellofake.Options{})
	me, err := newClient(f, f.Token()).GetMyMember(trello.Defaults())
	must(t, err)
	if me.ID != f.Me().ID || me.Username != f.Me().Username || me.FullName != f.Me().FullName {
		t.Fatalf("members/me = %+v, want %+v", me, f.Me())
	}
	m := newMirror(t, f)

	lists, err := m.board.GetLists()
	must(t, err)
	var names []string
	for _, l := range lists {
		names = append(names, l.Name)
	}
	if !slices.Equal(names, []string{"Backlog", "In Progress", "Blocked", "Done"}) {
		t.Fatalf("lists = %v (defaultLists=false must leave Trello's To Do/Doing/Done out)", names)
	}
	labels, err := m.board.GetLabels()
	must(t, err)
	if len(labels) != 7 || labels[6].Name != "P1" || labels[6].Color != "red" {
		t.Fatalf("labels = %+v, want Trello's 6 default labels and P1", labels)
	}

	card := &trello.Card{Name: "Task 1", Desc: "do it", IDList: m.lists["Backlog"].ID, IDLabels: []string{m.label.ID}}
	must(t, m.client.CreateCard(card, trello.Arguments{"pos": "bottom"}))
	if card.IDBoard != m.board.ID || card.IDShort != 1 || len(card.Labels) != 1 || card.Labels[0].Name != "P1" {
		t.Fatalf("created card %+v", card)
	}
	must(t, card.MoveToList(m.lists["In Progress"].ID))
	if card.IDList != m.lists["In Progress"].ID {
		t.Fatalf("moved card is in %s", card.IDList)
	}
	comment, err := card.AddComment("progress: 50%")
	must(t, err)
	if comment.Type != "commentCard" || comment.Data.Text != "progress: 50%" || comment.MemberCreator.ID != f.Me().ID {
		t.Fatalf("comment action %+v", comment)
	}

	addChecklistsAndLink(t, m, card)

	actions, err := m.board.GetActions(trello.Arguments{"limit": "1000"})
	must(t, err)
	wantTypes := []string{"addAttachmentToCard", "addChecklistToCard", "updateCheckItemStateOnCard",
		"createCheckItem", "addChecklistToCard", "commentCard", "updateCard", "createCard",
		"createLabel", "createList", "createList", "createList", "createList", "createBoard"}
	if ts := types(actions); !slices.Equal(ts, wantTypes) {
		t.Fatalf("board actions newest first = %v\nwant %v", ts, wantTypes)
	}
	move := actions[6]
	if move.Data.ListBefore.Name != "Backlog" || move.Data.ListAfter.Name != "In Progress" || move.Data.Card.ID != card.ID {
		t.Fatalf("move action data %+v", move.Data)
	}
	if muts := f.Mutations(); len(muts) != 14 || muts[0].Route != "POST /1/boards" ||
		muts[13].Route != "POST /1/cards/{id}/attachments" || muts[0].Params.Get("key") != "" {
		t.Fatalf("mutations %+v", muts)
	}
}

// addChecklistsAndLink adds two checklists (adlio's way and the raw way),
// ticks an item with the raw Put and attaches a link.
func addChecklistsAndLink(t *testing.T, m mirror, card *trello.Card) {
	t.Helper()
	cl, err := m.client.CreateChecklist(card, "Acceptance criteria")
	must(t, err)
	item, err := cl.CreateCheckItem("tests pass")
	must(t, err)
	if item.State != "incomplete" || !hexID.MatchString(item.ID) {
		t.Fatalf("check item %+v", item)
	}
	// adlio has no helper to tick an item: its raw Put does it.
	must(t, m.client.Put("cards/"+card.ID+"/checkItem/"+item.ID, trello.Arguments{"state": "complete"}, item))
	if item.State != "complete" {
		t.Fatalf("ticked item %+v", item)
	}
	var second trello.Checklist
	must(t, m.client.Post("checklists", trello.Arguments{"idCard": card.ID, "name": "Links"}, &second))
	must(t, card.AddURLAttachment(&trello.Attachment{Name: "Depends on Task 0", URL: "https://trello.com/c/abcdefgh"}))

	got, err := m.client.GetCard(card.ID, trello.Arguments{"checklists": "all", "attachments": "true"})
	must(t, err)
	if len(got.Checklists) != 2 || got.Checklists[0].CheckItems[0].State != "complete" ||
		len(got.Attachments) != 1 || got.Badges.Comments != 1 || got.Badges.CheckItemsChecked != 1 {
		t.Fatalf("card with checklists and attachments: %+v", got)
	}
}

func types(as trello.ActionCollection) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Type)
	}
	return out
}

// A poller reads the actions since the last one it saw; a person's edits
// come back attributed to the person.
func TestPollPersonActionsSinceAnID(t *testing.T) {
	t.Parallel()
	f := trellofake.New(t, trellofake.Options{})
	m := newMirror(t, f)
	card := &trello.Card{Name: "Task 1", IDList: m.lists["In Progress"].ID}
	must(t, m.client.CreateCard(card, trello.Arguments{"pos": "bottom"}))
	cl, err := m.client.CreateChecklist(card, "Acceptance criteria")
	must(t, err)
	item, err := cl.CreateCheckItem("tests pass")
	must(t, err)

	seen, err := m.board.GetActions(trello.Arguments{"limit": "1"})
	must(t, err)
	since := seen[0].ID

	p := f.Person()
	must(t, f.MoveCardAs(p, card.ID, m.lists["Done"].ID))
	must(t, f.RenameCardAs(p, card.ID, "Task 1 (renamed)"))
	must(t, f.SetDescAs(p, card.ID, "new description"))
	must(t, f.CheckItemAs(p, card.ID, item.ID, true))
	_, err = f.CommentAs(p, card.ID, "looks done to me")
	must(t, err)
	created, err := f.CreateCardAs(p, m.lists["Backlog"].ID, "Idea from a human", "")
	must(t, err)

	news, err := m.board.GetActions(trello.Arguments{"since": since})
	must(t, err)
	want := []string{"createCard", "commentCard", "updateCheckItemStateOnCard", "updateCard", "updateCard", "updateCard"}
	if ts := types(news); !slices.Equal(ts, want) {
		t.Fatalf("actions since %s = %v, want %v", since, ts, want)
	}
	for _, a := range news {
		if a.IDMemberCreator != p.ID || a.MemberCreator.Username != p.Username {
			t.Fatalf("action %s by %s (%+v), want the person", a.Type, a.IDMemberCreator, a.MemberCreator)
		}
	}
	if news[0].Data.Card.ID != created.ID || news[0].Data.List.Name != "Backlog" {
		t.Fatalf("createCard data %+v", news[0].Data)
	}
	if news[2].Data.CheckItem.State != "complete" || news[2].Data.CheckItem.ID != item.ID {
		t.Fatalf("check item action data %+v", news[2].Data.CheckItem)
	}
	if news[4].Data.Old.Name != "Task 1" || news[4].Data.Card.Name != "Task 1 (renamed)" {
		t.Fatalf("rename action data old=%+v card=%+v", news[4].Data.Old, news[4].Data.Card)
	}
	if news[5].Data.ListAfter.ID != m.lists["Done"].ID || news[5].Data.ListBefore.ID != m.lists["In Progress"].ID {
		t.Fatalf("move action data %+v", news[5].Data)
	}

	checkDescChangeRaw(t, m, since)

	fc, ok := f.CardByName(m.board.ID, "Task 1 (renamed)")
	if !ok || fc.ListName != "Done" || fc.Desc != "new description" || fc.Checklists[0].Items[0].State != "complete" ||
		len(fc.Comments) != 1 || fc.Comments[0].MemberID != p.ID {
		t.Fatalf("fake's card %+v", fc)
	}
}

// checkDescChangeRaw reads the description change with a raw Get: adlio's
// ActionDataCard has no desc field, so Board.GetActions drops it.
func checkDescChangeRaw(t *testing.T, m mirror, since string) {
	t.Helper()
	var raw []struct {
		Data struct {
			Card map[string]any `json:"card"`
			Old  map[string]any `json:"old"`
		} `json:"data"`
	}
	must(t, m.client.Get("boards/"+m.board.ID+"/actions", trello.Arguments{"filter": "updateCard:desc", "since": since}, &raw))
	if len(raw) != 1 || raw[0].Data.Old["desc"] != "" || raw[0].Data.Card["desc"] != "new description" {
		t.Fatalf("updateCard:desc actions %+v", raw)
	}
}

// Requests with the person's token act as the person.
func TestPersonToken(t *testing.T) {
	t.Parallel()
	f := trellofake.New(t, trellofake.Options{})
	m := newMirror(t, f)
	pc := newClient(f, f.PersonToken())
	card := &trello.Card{Name: "From a human", IDList: m.lists["Backlog"].ID}
	must(t, pc.CreateCard(card, trello.Arguments{"pos": "top"}))
	as, err := m.board.GetActions(trello.Arguments{"limit": "1"})
	must(t, err)
	if as[0].Type != "createCard" || as[0].IDMemberCreator != f.Person().ID {
		t.Fatalf("newest action %s by %s, want createCard by the person", as[0].Type, as[0].IDMemberCreator)
	}
}

// Board.GetCards pages with before=<earliest id> until a page is empty:
// the fake must end the loop.
func TestBoardCardsPaging(t *testing.T) {
	t.Parallel()
	f := trellofake.New(t, trellofake.Options{})
	m := newMirror(t, f)
	for _, name := range []string{"a", "b", "c"} {
		_, err := f.CreateCardAs(f.Me(), m.lists["Backlog"].ID, name, "")
		must(t, err)
	}
	f.ResetCounts()
	cards, err := m.board.GetCards(trello.Arguments{"limit": "2"})
	must(t, err)
	if len(cards) != 3 {
		t.Fatalf("GetCards = %d cards, want 3", len(cards))
	}
	if n := f.Count("GET /1/boards/{id}/cards"); n != 3 {
		t.Fatalf("GetCards made %d requests, want 3 (two pages and an empty one)", n)
	}
	label := trello.Label{}
	must(t, cards[0].AddIDLabel(m.label.ID))
	must(t, cards[0].RemoveIDLabel(m.label.ID, &label))
	if fc, _ := f.Card(cards[0].ID); len(fc.Labels) != 0 {
		t.Fatalf("labels after add and remove: %+v", fc.Labels)
	}
}

// adlio's AddFileAttachment posts a multipart body.
func TestFileAttachment(t *testing.T) {
	t.Parallel()
	f := trellofake.New(t, trellofake.Options{})
	b, err := f.CreateBoardAs(f.Me(), "files", true)
	must(t, err)
	todo, _ := f.ListByName(b.ID, "To Do")
	fc, err := f.CreateCardAs(f.Me(), todo.ID, "with a file", "")
	must(t, err)
	c := newClient(f, f.Token())
	card, err := c.GetCard(fc.ID)
	must(t, err)
	a := &trello.Attachment{Name: "report.txt"}
	must(t, card.AddFileAttachment(a, "report.txt", strings.NewReader("hello")))
	if a.ID == "" || !a.IsUpload || a.Name != "report.txt" {
		t.Fatalf("uploaded attachment %+v", a)
	}
	if got, _ := f.Card(fc.ID); len(got.Attachments) != 1 {
		t.Fatalf("attachments %+v", got.Attachments)
	}
}
