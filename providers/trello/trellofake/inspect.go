package trellofake

import (
	"encoding/json"
	"time"
)

// The inspectors return copies of the fake's state for assertions; changing
// them changes nothing.

// Board is a board as the fake holds it.
type Board struct {
	ID, Name, Desc, ShortLink string
	Closed                    bool
}

// List is a list.
type List struct {
	ID, IDBoard, Name string
	Closed            bool
	Pos               float64
}

// Label is a label; Color "" is no colour.
type Label struct {
	ID, IDBoard, Name, Color string
}

// CheckItem is a checklist item; State is "complete" or "incomplete".
type CheckItem struct {
	ID, Name, State string
	Pos             float64
}

// Checklist is a checklist with its items in order.
type Checklist struct {
	ID, Name string
	Pos      float64
	Items    []CheckItem
}

// Comment is a commentCard action on a card.
type Comment struct {
	ActionID, MemberID, Text string
	Date                     time.Time
}

// Attachment is a card attachment.
type Attachment struct {
	ID, Name, URL string
}

// Card is a card with its list's name, labels, checklists, comments (oldest
// first) and attachments.
type Card struct {
	ID, IDBoard, IDList, ListName, Name, Desc, ShortLink string
	IDShort                                              int
	Pos                                                  float64
	Closed                                               bool
	Due                                                  *time.Time
	Labels                                               []Label
	Checklists                                           []Checklist
	Comments                                             []Comment
	Attachments                                          []Attachment
}

// Action is an action as the fake recorded it. Data is as Trello sends it,
// decoded from JSON (numbers are float64).
type Action struct {
	ID, Type, MemberID string
	Date               time.Time
	Data               map[string]any
}

func snapBoard(b *board) Board {
	return Board{ID: b.id, Name: b.name, Desc: b.desc, ShortLink: b.shortLink, Closed: b.closed}
}

func snapList(l *list) List {
	return List{ID: l.id, IDBoard: l.idBoard, Name: l.name, Closed: l.closed, Pos: l.pos}
}

func snapLabel(l *label) Label {
	return Label{ID: l.id, IDBoard: l.idBoard, Name: l.name, Color: l.color}
}

func (st *state) snapCard(c *card) Card {
	out := Card{ID: c.id, IDBoard: c.idBoard, IDList: c.idList, ListName: st.lists[c.idList].name,
		Name: c.name, Desc: c.desc, ShortLink: c.shortLink, IDShort: c.idShort, Pos: c.pos, Closed: c.closed}
	if c.due != nil {
		d := *c.due
		out.Due = &d
	}
	for _, id := range c.idLabels {
		out.Labels = append(out.Labels, snapLabel(st.labels[id]))
	}
	for _, cl := range st.cardChecklists(c) {
		sc := Checklist{ID: cl.id, Name: cl.name, Pos: cl.pos}
		for _, it := range cl.items {
			sc.Items = append(sc.Items, CheckItem{ID: it.id, Name: it.name, State: it.state, Pos: it.pos})
		}
		out.Checklists = append(out.Checklists, sc)
	}
	for _, a := range st.actions {
		if a.idCard == c.id && a.typ == "commentCard" {
			text, _ := a.data["text"].(string)
			out.Comments = append(out.Comments, Comment{ActionID: a.id, MemberID: a.idMemberCreator, Text: text, Date: a.date})
		}
	}
	for _, a := range c.attachments {
		out.Attachments = append(out.Attachments, Attachment{ID: a.id, Name: a.name, URL: a.url})
	}
	return out
}

func snapAction(a *action) Action {
	out := Action{ID: a.id, Type: a.typ, MemberID: a.idMemberCreator, Date: a.date}
	b, _ := json.Marshal(a.data)
	_ = json.Unmarshal(b, &out.Data)
	return out
}

// Boards lists every board, oldest first.
func (s *Server) Boards() []Board {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Board
	for _, b := range s.sortedBoards() {
		out = append(out, snapBoard(b))
	}
	return out
}

// BoardByName finds the oldest board called name.
func (s *Server) BoardByName(name string) (Board, bool) {
	for _, b := range s.Boards() {
		if b.Name == name {
			return b, true
		}
	}
	return Board{}, false
}

// Lists lists a board's lists, archived ones included, by position.
func (s *Server) Lists(boardID string) []List {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []List
	for _, l := range s.st.boardLists(boardID) {
		out = append(out, snapList(l))
	}
	return out
}

// ListByName finds a list of the board by name, an open one first.
func (s *Server) ListByName(boardID, name string) (List, bool) {
	var found *List
	for _, l := range s.Lists(boardID) {
		if l.Name == name && (found == nil || found.Closed) {
			found = &l
		}
	}
	if found == nil {
		return List{}, false
	}
	return *found, true
}

// Labels lists a board's labels, oldest first.
func (s *Server) Labels(boardID string) []Label {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Label
	for _, l := range s.st.boardLabels(boardID) {
		out = append(out, snapLabel(l))
	}
	return out
}

// LabelByName finds the oldest label of the board called name.
func (s *Server) LabelByName(boardID, name string) (Label, bool) {
	for _, l := range s.Labels(boardID) {
		if l.Name == name {
			return l, true
		}
	}
	return Label{}, false
}

// Cards lists a board's cards, archived ones included, by list position
// and then card position.
func (s *Server) Cards(boardID string) []Card {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Card
	for _, c := range s.st.boardCards(boardID) {
		out = append(out, s.st.snapCard(c))
	}
	return out
}

// ListCards lists a list's cards, archived ones included, by position.
func (s *Server) ListCards(listID string) []Card {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Card
	for _, c := range s.st.listCards(listID) {
		out = append(out, s.st.snapCard(c))
	}
	return out
}

// Card finds a card by id.
func (s *Server) Card(id string) (Card, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.st.cards[id]
	if !ok {
		return Card{}, false
	}
	return s.st.snapCard(c), true
}

// CardByName finds a card of the board by name, an open one first.
func (s *Server) CardByName(boardID, name string) (Card, bool) {
	var found *Card
	for _, c := range s.Cards(boardID) {
		if c.Name == name && (found == nil || found.Closed) {
			found = &c
		}
	}
	if found == nil {
		return Card{}, false
	}
	return *found, true
}

// Actions lists a board's actions oldest first (Trello's feed is newest
// first).
func (s *Server) Actions(boardID string) []Action {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Action
	for _, a := range s.st.actions {
		if a.idBoard == boardID {
			out = append(out, snapAction(a))
		}
	}
	return out
}

// LastActionID is the id of a board's newest action, "" if none.
func (s *Server) LastActionID(boardID string) string {
	as := s.Actions(boardID)
	if len(as) == 0 {
		return ""
	}
	return as[len(as)-1].ID
}
