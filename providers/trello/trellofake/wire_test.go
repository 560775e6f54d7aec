package trellofake_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"marcus/providers/trello/trellofake"
)

// raw sends one request without adlio/trello (and its throttle).
func raw(t *testing.T, f *trellofake.Server, method, path string, params url.Values) (int, string) {
	t.Helper()
	if params == nil {
		params = url.Values{}
	}
	params.Set("key", f.Key())
	params.Set("token", f.Token())
	req, err := http.NewRequest(method, f.BaseURL()+path+"?"+params.Encode(), nil)
	must(t, err)
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	must(t, err)
	return resp.StatusCode, string(b)
}

func rawJSON(t *testing.T, f *trellofake.Server, method, path string, params url.Values, v any) {
	t.Helper()
	status, body := raw(t, f, method, path, params)
	if status != http.StatusOK {
		t.Fatalf("%s %s: %d %s", method, path, status, body)
	}
	must(t, json.Unmarshal([]byte(body), v))
}

func TestErrorsLikeTrello(t *testing.T) {
	t.Parallel()
	f := trellofake.New(t, trellofake.Options{})
	b, err := f.CreateBoardAs(f.Me(), "errors", true)
	must(t, err)
	todo, _ := f.ListByName(b.ID, "To Do")
	c, err := f.CreateCardAs(f.Me(), todo.ID, "card", "")
	must(t, err)
	cases := []struct {
		method, path string
		params       url.Values
		status       int
		body         string
	}{
		{"GET", "/cards/not-an-id", nil, 400, "invalid id"},
		{"GET", "/cards/5f00000000000000000000ff", nil, 404, "The requested resource was not found."},
		{"GET", "/nothing/here", nil, 404, "Cannot GET /1/nothing/here"},
		{"POST", "/cards", url.Values{"name": {"x"}}, 400, "invalid value for idList"},
		{"POST", "/boards", url.Values{"name": {""}}, 400, "invalid value for name"},
		{"PUT", "/cards/" + c.ID, url.Values{"closed": {"maybe"}}, 400, "invalid value for closed"},
		{"PUT", "/cards/" + c.ID, url.Values{"pos": {"middle"}}, 400, "invalid value for pos"},
		{"POST", "/labels", url.Values{"idBoard": {b.ID}, "color": {"mauve"}}, 400, "invalid value for color"},
		{"GET", "/boards/" + b.ID + "/actions", url.Values{"limit": {"1001"}}, 400, "invalid value for limit"},
	}
	for _, tc := range cases {
		status, body := raw(t, f, tc.method, tc.path, tc.params)
		if status != tc.status || body != tc.body {
			t.Errorf("%s %s %v = %d %q, want %d %q", tc.method, tc.path, tc.params, status, body, tc.status, tc.body)
		}
	}
	if n := len(f.Mutations()); n != 0 {
		t.Fatalf("rejected requests logged %d mutations", n)
	}
}

func TestNewBoardDefaults(t *testing.T) {
	t.Parallel()
	f := trellofake.New(t, trellofake.Options{})
	var b map[string]any
	rawJSON(t, f, "POST", "/boards", url.Values{"name": {"Fresh"}}, &b)
	var lists []struct{ Name string }
	rawJSON(t, f, "GET", "/boards/"+b["id"].(string)+"/lists", nil, &lists)
	if len(lists) != 3 || lists[0].Name != "To Do" || lists[2].Name != "Done" {
		t.Fatalf("Trello creates To Do, Doing, Done unless defaultLists=false: %+v", lists)
	}
	if len(f.Labels(b["id"].(string))) != 6 {
		t.Fatalf("labels %+v, want Trello's six default ones", f.Labels(b["id"].(string)))
	}
	names, ok := b["labelNames"].(map[string]any)
	if !ok || len(names) != 10 || b["prefs"] == nil || !strings.HasPrefix(b["url"].(string), "https://trello.com/b/") {
		t.Fatalf("board JSON %v", b)
	}
	var boards []map[string]any
	rawJSON(t, f, "GET", "/members/me/boards", url.Values{"filter": {"open"}}, &boards)
	if len(boards) != 1 || boards[0]["name"] != "Fresh" {
		t.Fatalf("members/me/boards %v", boards)
	}
}

var trelloDate = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

func TestJSONShapes(t *testing.T) {
	t.Parallel()
	f := trellofake.New(t, trellofake.Options{})
	b, err := f.CreateBoardAs(f.Me(), "shapes", true)
	must(t, err)
	todo, _ := f.ListByName(b.ID, "To Do")
	c, err := f.CreateCardAs(f.Person(), todo.ID, "Shape", "desc")
	must(t, err)
	_, err = f.CommentAs(f.Person(), c.ID, "hi")
	must(t, err)

	var card map[string]any
	rawJSON(t, f, "GET", "/cards/"+c.ID, url.Values{"checklists": {"all"}, "actions": {"commentCard"}}, &card)
	for _, k := range []string{"id", "badges", "checkItemStates", "closed", "dateLastActivity", "desc", "due",
		"idBoard", "idChecklists", "idList", "idMembers", "idShort", "idLabels", "labels", "name", "pos",
		"shortLink", "shortUrl", "url", "checklists", "actions"} {
		if _, ok := card[k]; !ok {
			t.Errorf("card JSON lacks %q: %v", k, card)
		}
	}
	if card["due"] != nil || !trelloDate.MatchString(card["dateLastActivity"].(string)) {
		t.Errorf("card due %v, dateLastActivity %v", card["due"], card["dateLastActivity"])
	}

	var board struct {
		Lists, Cards, Labels, Checklists []map[string]any
		Actions                          []struct {
			ID, IDMemberCreator, Type, Date string
			Data                            map[string]any
			MemberCreator                   map[string]any
		}
	}
	q := url.Values{"lists": {"open"}, "cards": {"open"}, "labels": {"all"}, "checklists": {"all"}, "actions": {"all"}}
	rawJSON(t, f, "GET", "/boards/"+b.ID, q, &board)
	if len(board.Lists) != 3 || len(board.Cards) != 1 || len(board.Labels) != 6 || board.Checklists == nil {
		t.Fatalf("nested board: %d lists, %d cards, %d labels, checklists %v",
			len(board.Lists), len(board.Cards), len(board.Labels), board.Checklists)
	}
	a := board.Actions[0]
	if a.Type != "commentCard" || a.IDMemberCreator != f.Person().ID || !trelloDate.MatchString(a.Date) ||
		field(a.Data, "card", "id") != c.ID || field(a.Data, "board", "id") != b.ID ||
		field(a.Data, "list", "name") != "To Do" || a.Data["text"] != "hi" ||
		a.MemberCreator["username"] != f.Person().Username {
		t.Fatalf("newest action %+v", a)
	}
}

func field(data map[string]any, obj, key string) any {
	m, _ := data[obj].(map[string]any)
	return m[key]
}

func TestActionQueries(t *testing.T) {
	t.Parallel()
	f := trellofake.New(t, trellofake.Options{})
	b, err := f.CreateBoardAs(f.Me(), "actions", true)
	must(t, err)
	todo, _ := f.ListByName(b.ID, "To Do")
	done, _ := f.ListByName(b.ID, "Done")
	c, err := f.CreateCardAs(f.Me(), todo.ID, "A", "")
	must(t, err)
	must(t, f.RenameCardAs(f.Person(), c.ID, "B"))
	must(t, f.MoveCardAs(f.Person(), c.ID, done.ID))
	_, err = f.CommentAs(f.Me(), c.ID, "note")
	must(t, err)
	all := f.Actions(b.ID) // createBoard, createCard, updateCard name, updateCard idList, commentCard

	type act struct{ ID, Type string }
	get := func(path string, q url.Values) []string {
		var as []act
		rawJSON(t, f, "GET", path, q, &as)
		var out []string
		for _, a := range as {
			out = append(out, a.Type+"@"+a.ID[18:])
		}
		return out
	}
	tag := func(i int) string { return all[i].Type + "@" + all[i].ID[18:] }
	path := "/boards/" + b.ID + "/actions"
	checks := []struct {
		name string
		got  []string
		want []string
	}{
		{"limit newest first", get(path, url.Values{"limit": {"2"}}), []string{tag(4), tag(3)}},
		{"since id", get(path, url.Values{"since": {all[2].ID}}), []string{tag(4), tag(3)}},
		{"before id", get(path, url.Values{"before": {all[2].ID}}), []string{tag(1), tag(0)}},
		{"type:field filter", get(path, url.Values{"filter": {"updateCard:idList,createCard"}}), []string{tag(3), tag(1)}},
		{"card default filter", get("/cards/"+c.ID+"/actions", nil), []string{tag(4), tag(3)}},
		{"list actions", get("/lists/"+done.ID+"/actions", nil), []string{tag(4), tag(3)}},
	}
	for _, ch := range checks {
		if strings.Join(ch.got, " ") != strings.Join(ch.want, " ") {
			t.Errorf("%s: got %v, want %v", ch.name, ch.got, ch.want)
		}
	}
	since := url.Values{"since": {all[3].Date.Add(-1).Format("2006-01-02T15:04:05.000Z07:00")}, "filter": {"commentCard"}}
	if got := get(path, since); len(got) != 1 {
		t.Errorf("since a date: %v", got)
	}

	var deleted map[string]any
	rawJSON(t, f, "DELETE", "/cards/"+c.ID, nil, &deleted)
	if _, ok := deleted["limits"]; !ok {
		t.Errorf("DELETE card answered %v", deleted)
	}
	if status, _ := raw(t, f, "GET", "/cards/"+c.ID+"/actions", nil); status != 404 {
		t.Errorf("actions of a deleted card: %d", status)
	}
	if as := f.Actions(b.ID); as[len(as)-1].Type != "deleteCard" {
		t.Errorf("last action %+v, want deleteCard", as[len(as)-1])
	}
}

// Each changed field is its own action, as in Trello's feed.
func TestUpdatesRecordActions(t *testing.T) {
	t.Parallel()
	f := trellofake.New(t, trellofake.Options{})
	b, err := f.CreateBoardAs(f.Me(), "updates", true)
	must(t, err)
	todo, _ := f.ListByName(b.ID, "To Do")
	c, err := f.CreateCardAs(f.Me(), todo.ID, "card", "")
	must(t, err)
	var lb struct{ ID string }
	rawJSON(t, f, "POST", "/labels", url.Values{"idBoard": {b.ID}, "name": {"P2"}, "color": {"orange"}}, &lb)
	start := len(f.Actions(b.ID))

	var out map[string]any
	rawJSON(t, f, "PUT", "/cards/"+c.ID, url.Values{"name": {"card 2"}, "desc": {"d"}, "closed": {"true"},
		"idLabels": {lb.ID}, "due": {"2030-01-02T03:04:05Z"}}, &out)
	rawJSON(t, f, "PUT", "/labels/"+lb.ID, url.Values{"name": {"P3"}, "color": {"sky"}}, &out)
	rawJSON(t, f, "PUT", "/lists/"+todo.ID, url.Values{"name": {"Backlog"}, "closed": {"true"}, "pos": {"bottom"}}, &out)
	rawJSON(t, f, "PUT", "/boards/"+b.ID, url.Values{"name": {"renamed"}, "closed": {"true"}}, &out)
	rawJSON(t, f, "DELETE", "/labels/"+lb.ID, nil, &out)

	var got []string
	for _, a := range f.Actions(b.ID)[start:] {
		old, _ := a.Data["old"].(map[string]any)
		for k := range old {
			got = append(got, a.Type+":"+k)
		}
		if old == nil {
			got = append(got, a.Type)
		}
	}
	want := []string{"updateCard:name", "updateCard:desc", "updateCard:due", "updateCard:closed", "addLabelToCard",
		"updateLabel:name", "updateLabel:color", "updateList:name", "updateList:closed", "updateList:pos",
		"updateBoard:name", "updateBoard:closed", "deleteLabel"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("actions\n got %v\nwant %v", got, want)
	}
	fc, _ := f.Card(c.ID)
	if len(fc.Labels) != 0 || !fc.Closed || fc.Due == nil || fc.ListName != "Backlog" {
		t.Fatalf("card after updates %+v", fc)
	}
	muts := f.Mutations()
	if len(muts) != 6 || muts[1].Route != "PUT /1/cards/{id}" || muts[1].Params.Get("idLabels") != lb.ID ||
		muts[1].Member != f.Me().ID {
		t.Fatalf("mutations %+v", muts)
	}
}
