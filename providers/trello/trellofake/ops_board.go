package trellofake

import "strings"

// The ops change state and record actions as Trello would. Both the HTTP
// handlers and the *As methods use them; the caller holds Server.mu.

// Trello's default lists and label colours for a new board.
var (
	defaultListNames   = []string{"To Do", "Doing", "Done"}
	defaultLabelColors = []string{"green", "yellow", "orange", "red", "purple", "blue"}
)

func (s *Server) createBoard(m Member, name, desc string, defaultLists, defaultLabels bool) (*board, error) {
	if strings.TrimSpace(name) == "" {
		return nil, badValue("name")
	}
	now := s.now()
	b := &board{id: s.st.newID(now), name: name, desc: desc, shortLink: newShortLink(),
		idMemberCreator: m.ID, lastActivity: now}
	s.st.boards[b.id] = b
	s.record(m, "createBoard", b, map[string]any{}, nil)
	if defaultLabels {
		for _, c := range defaultLabelColors {
			l := &label{id: s.st.newID(now), idBoard: b.id, color: c}
			s.st.labels[l.id] = l
		}
	}
	if defaultLists {
		for i, n := range defaultListNames {
			l := &list{id: s.st.newID(now), idBoard: b.id, name: n, pos: float64(posStep * (i + 1))}
			s.st.lists[l.id] = l
		}
	}
	return b, nil
}

type boardPatch struct {
	name, desc *string
	closed     *bool
}

func (s *Server) updateBoard(m Member, b *board, p boardPatch) error {
	if p.name != nil && strings.TrimSpace(*p.name) == "" {
		return badValue("name")
	}
	if p.name != nil && *p.name != b.name {
		old := b.name
		b.name = *p.name
		s.record(m, "updateBoard", b, map[string]any{"old": map[string]any{"name": old}}, nil)
	}
	if p.desc != nil && *p.desc != b.desc {
		old := b.desc
		b.desc = *p.desc
		s.record(m, "updateBoard", b, map[string]any{"old": map[string]any{"desc": old}}, nil)
	}
	if p.closed != nil && *p.closed != b.closed {
		b.closed = *p.closed
		s.record(m, "updateBoard", b, map[string]any{"old": map[string]any{"closed": !b.closed}}, nil)
	}
	return nil
}

// deleteBoard removes a board and everything on it, its actions included.
func (s *Server) deleteBoard(b *board) {
	st := s.st
	for id, c := range st.cards {
		if c.idBoard == b.id {
			s.dropCard(c)
			delete(st.cards, id)
		}
	}
	for id, l := range st.lists {
		if l.idBoard == b.id {
			delete(st.lists, id)
		}
	}
	for id, l := range st.labels {
		if l.idBoard == b.id {
			delete(st.labels, id)
		}
	}
	kept := st.actions[:0]
	for _, a := range st.actions {
		if a.idBoard != b.id {
			kept = append(kept, a)
		}
	}
	st.actions = kept
	delete(st.boards, b.id)
}

func (s *Server) createList(m Member, b *board, name, pos string) (*list, error) {
	if strings.TrimSpace(name) == "" {
		return nil, badValue("name")
	}
	p, err := placePos(pos, listPositions(s.st.boardLists(b.id), ""))
	if err != nil {
		return nil, err
	}
	l := &list{id: s.st.newID(s.now()), idBoard: b.id, name: name, pos: p}
	s.st.lists[l.id] = l
	s.record(m, "createList", b, map[string]any{"list": listRef(l)}, nil, l)
	return l, nil
}

type listPatch struct {
	name, pos *string
	closed    *bool
}

func (s *Server) updateList(m Member, l *list, p listPatch) error {
	if p.name != nil && strings.TrimSpace(*p.name) == "" {
		return badValue("name")
	}
	var pos float64
	if p.pos != nil {
		others := listPositions(s.st.boardLists(l.idBoard), l.id)
		var err error
		if pos, err = placePos(*p.pos, others); err != nil {
			return err
		}
	}
	b := s.st.boards[l.idBoard]
	if p.name != nil && *p.name != l.name {
		old := l.name
		l.name = *p.name
		s.record(m, "updateList", b, map[string]any{"list": listRef(l), "old": map[string]any{"name": old}}, nil, l)
	}
	if p.closed != nil && *p.closed != l.closed {
		l.closed = *p.closed
		data := map[string]any{"list": with(listRef(l), "closed", l.closed), "old": map[string]any{"closed": !l.closed}}
		s.record(m, "updateList", b, data, nil, l)
	}
	if p.pos != nil && pos != l.pos {
		old := l.pos
		l.pos = pos
		data := map[string]any{"list": with(listRef(l), "pos", l.pos), "old": map[string]any{"pos": old}}
		s.record(m, "updateList", b, data, nil, l)
	}
	return nil
}

// validColor accepts Trello's label colours, their _light and _dark
// variants, and "" or "null" for no colour.
func validColor(c string) (string, error) {
	if c == "" || c == "null" {
		return "", nil
	}
	base := strings.TrimSuffix(strings.TrimSuffix(c, "_dark"), "_light")
	for _, k := range labelColors {
		if k == base {
			return c, nil
		}
	}
	return "", badValue("color")
}

func (s *Server) createLabel(m Member, b *board, name, color string) (*label, error) {
	color, err := validColor(color)
	if err != nil {
		return nil, err
	}
	l := &label{id: s.st.newID(s.now()), idBoard: b.id, name: name, color: color}
	s.st.labels[l.id] = l
	s.record(m, "createLabel", b, map[string]any{"label": labelRef(l)}, nil)
	return l, nil
}

func (s *Server) updateLabel(m Member, l *label, name, color *string) error {
	var c string
	if color != nil {
		var err error
		if c, err = validColor(*color); err != nil {
			return err
		}
	}
	b := s.st.boards[l.idBoard]
	if name != nil && *name != l.name {
		old := l.name
		l.name = *name
		s.record(m, "updateLabel", b, map[string]any{"label": labelRef(l), "old": map[string]any{"name": old}}, nil)
	}
	if color != nil && c != l.color {
		old := l.color
		l.color = c
		s.record(m, "updateLabel", b, map[string]any{"label": labelRef(l), "old": map[string]any{"color": nullable(old)}}, nil)
	}
	return nil
}

func (s *Server) deleteLabel(m Member, l *label) {
	for _, c := range s.st.cards {
		c.idLabels = remove(c.idLabels, l.id)
	}
	delete(s.st.labels, l.id)
	s.record(m, "deleteLabel", s.st.boards[l.idBoard], map[string]any{"label": map[string]any{"id": l.id}}, nil)
}

func remove(ids []string, id string) []string {
	out := ids[:0:0]
	for _, x := range ids {
		if x != id {
			out = append(out, x)
		}
	}
	return out
}
