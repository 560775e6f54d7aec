package trellofake

import (
	"net/url"
	"sort"
)

var memberRoutes = []route{
	{"GET /1/members/me", getMember},
	{"GET /1/members/{id}", getMember},
	{"GET /1/members/me/boards", getMemberBoards},
	{"GET /1/members/{id}/boards", getMemberBoards},
}

var boardRoutes = []route{
	{"POST /1/boards", postBoard},
	{"GET /1/boards/{id}", getBoard},
	{"PUT /1/boards/{id}", putBoard},
	{"DELETE /1/boards/{id}", deleteBoard},
	{"GET /1/boards/{id}/lists", getBoardLists},
	{"GET /1/boards/{id}/lists/{filter}", getBoardLists},
	{"POST /1/boards/{id}/lists", postBoardList},
	{"GET /1/boards/{id}/labels", getBoardLabels},
	{"POST /1/boards/{id}/labels", postBoardLabel},
	{"POST /1/boards/{id}/labels/{$}", postBoardLabel}, // adlio's CreateLabel adds the slash
	{"GET /1/boards/{id}/cards", getBoardCards},
	{"GET /1/boards/{id}/cards/{filter}", getBoardCards},
	{"GET /1/boards/{id}/actions", getBoardActions},
	{"GET /1/boards/{id}/members", getBoardMembers},
	{"GET /1/boards/{id}/checklists", getBoardChecklists},
}

var listRoutes = []route{
	{"POST /1/lists", postList},
	{"GET /1/lists/{id}", getList},
	{"PUT /1/lists/{id}", putList},
	{"GET /1/lists/{id}/cards", getListCards},
	{"POST /1/lists/{id}/cards", postListCard},
	{"GET /1/lists/{id}/actions", getListActions},
}

var labelRoutes = []route{
	{"POST /1/labels", postLabel},
	{"GET /1/labels/{id}", getLabel},
	{"PUT /1/labels/{id}", putLabel},
	{"DELETE /1/labels/{id}", deleteLabel},
}

func (s *Server) member(ref string, me Member) (Member, error) {
	if ref == "me" {
		return me, nil
	}
	for _, m := range s.st.members {
		if m.ID == ref || m.Username == ref {
			return m, nil
		}
	}
	return Member{}, errNotFound()
}

func getMember(s *Server, c *call) (any, error) {
	m, err := s.member(pathOr(c, "id", "me"), c.m)
	if err != nil {
		return nil, err
	}
	out := meJSON{memberJSON: renderMember(m), URL: "https://trello.com/" + m.Username,
		IDBoards: []string{}, IDOrganizations: []string{}}
	for _, b := range s.sortedBoards() {
		out.IDBoards = append(out.IDBoards, b.id)
	}
	return out, nil
}

func pathOr(c *call, name, def string) string {
	if v := c.r.PathValue(name); v != "" {
		return v
	}
	return def
}

func (s *Server) sortedBoards() []*board {
	out := make([]*board, 0, len(s.st.boards))
	for _, b := range s.st.boards {
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

func getMemberBoards(s *Server, c *call) (any, error) {
	if _, err := s.member(pathOr(c, "id", "me"), c.m); err != nil {
		return nil, err
	}
	filter := c.p.Get("filter")
	out := []boardJSON{}
	for _, b := range s.sortedBoards() {
		if (filter == "open" && b.closed) || (filter == "closed" && !b.closed) {
			continue
		}
		bj, err := s.boardWith(b, c.p)
		if err != nil {
			return nil, err
		}
		out = append(out, bj)
	}
	return out, nil
}

func postBoard(s *Server, c *call) (any, error) {
	lists, labels := c.p.Get("defaultLists") != "false", c.p.Get("defaultLabels") != "false"
	b, err := s.createBoard(c.m, c.p.Get("name"), c.p.Get("desc"), lists, labels)
	if err != nil {
		return nil, err
	}
	return s.st.renderBoard(b), nil
}

func getBoard(s *Server, c *call) (any, error) {
	b, err := s.st.board(c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return s.boardWith(b, c.p)
}

// boardWith renders b with what the query nests: lists, cards, labels,
// checklists and actions.
func (s *Server) boardWith(b *board, p url.Values) (boardJSON, error) {
	out := s.st.renderBoard(b)
	if f := p.Get("lists"); f != "" && f != "none" {
		ls, err := s.filterLists(b, f, "lists")
		if err != nil {
			return out, err
		}
		out.Lists = &ls
	}
	if f := p.Get("cards"); f != "" && f != "none" {
		cs, err := s.filterCards(b, f, "cards")
		if err != nil {
			return out, err
		}
		rendered := s.renderCards(cs, cardOpts{})
		out.Cards = &rendered
	}
	if f := p.Get("labels"); f != "" && f != "none" {
		ls := s.renderLabels(b)
		out.Labels = &ls
	}
	if p.Get("checklists") == "all" {
		cls := s.boardChecklists(b)
		out.Checklists = &cls
	}
	if f := p.Get("actions"); f != "" && f != "none" {
		q, err := parseActionQuery(p, "actions_", f, filterAll)
		if err != nil {
			return out, err
		}
		as := s.st.renderActions(s.st.actionsWhere(q, func(a *action) bool { return a.idBoard == b.id }))
		out.Actions = &as
	}
	return out, nil
}

func (s *Server) filterLists(b *board, filter, field string) ([]listJSON, error) {
	out := []listJSON{}
	for _, l := range s.st.boardLists(b.id) {
		switch filter {
		case "open":
			if l.closed {
				continue
			}
		case "closed":
			if !l.closed {
				continue
			}
		case "all":
		default:
			return nil, badValue(field)
		}
		out = append(out, renderList(l))
	}
	return out, nil
}

func putBoard(s *Server, c *call) (any, error) {
	b, err := s.st.board(c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	p := boardPatch{name: c.opt("name"), desc: c.opt("desc")}
	if v := c.opt("closed"); v != nil {
		closed, err := parseBool("closed", *v)
		if err != nil {
			return nil, err
		}
		p.closed = &closed
	}
	if err := s.updateBoard(c.m, b, p); err != nil {
		return nil, err
	}
	return s.st.renderBoard(b), nil
}

func deleteBoard(s *Server, c *call) (any, error) {
	b, err := s.st.board(c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	s.deleteBoard(b)
	return map[string]any{"_value": nil}, nil
}

func getBoardLists(s *Server, c *call) (any, error) {
	b, err := s.st.board(c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	filter := pathOr(c, "filter", c.p.Get("filter"))
	if filter == "" {
		filter = "open"
	}
	ls, err := s.filterLists(b, filter, "filter")
	if err != nil {
		return nil, err
	}
	if f := c.p.Get("cards"); f != "" && f != "none" {
		for i := range ls {
			cs, err := s.filterListCards(ls[i].ID, f, "cards")
			if err != nil {
				return nil, err
			}
			rendered := s.renderCards(cs, cardOpts{})
			ls[i].Cards = &rendered
		}
	}
	return ls, nil
}

func postBoardList(s *Server, c *call) (any, error) {
	b, err := s.st.board(c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	l, err := s.createList(c.m, b, c.p.Get("name"), c.p.Get("pos"))
	if err != nil {
		return nil, err
	}
	return renderList(l), nil
}

func (s *Server) renderLabels(b *board) []labelJSON {
	out := []labelJSON{}
	for _, l := range s.st.boardLabels(b.id) {
		out = append(out, s.st.renderLabel(l))
	}
	return out
}

func getBoardLabels(s *Server, c *call) (any, error) {
	b, err := s.st.board(c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return s.renderLabels(b), nil
}

func postBoardLabel(s *Server, c *call) (any, error) {
	b, err := s.st.board(c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	l, err := s.createLabel(c.m, b, c.p.Get("name"), c.p.Get("color"))
	if err != nil {
		return nil, err
	}
	return s.st.renderLabel(l), nil
}

func getBoardActions(s *Server, c *call) (any, error) {
	b, err := s.st.board(c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	q, err := parseActionQuery(c.p, "", c.p.Get("filter"), filterAll)
	if err != nil {
		return nil, err
	}
	return s.st.renderActions(s.st.actionsWhere(q, func(a *action) bool { return a.idBoard == b.id })), nil
}

func getBoardMembers(s *Server, c *call) (any, error) {
	if _, err := s.st.board(c.r.PathValue("id")); err != nil {
		return nil, err
	}
	return []memberJSON{renderMember(s.opts.Me), renderMember(s.opts.Person)}, nil
}

func (s *Server) boardChecklists(b *board) []checklistJSON {
	out := []checklistJSON{}
	for _, c := range s.st.boardCards(b.id) {
		for _, cl := range s.st.cardChecklists(c) {
			out = append(out, renderChecklist(cl))
		}
	}
	return out
}

func getBoardChecklists(s *Server, c *call) (any, error) {
	b, err := s.st.board(c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return s.boardChecklists(b), nil
}

func postList(s *Server, c *call) (any, error) {
	idBoard := c.p.Get("idBoard")
	if !isID(idBoard) {
		return nil, badValue("idBoard")
	}
	b, err := s.st.board(idBoard)
	if err != nil {
		return nil, err
	}
	l, err := s.createList(c.m, b, c.p.Get("name"), c.p.Get("pos"))
	if err != nil {
		return nil, err
	}
	return renderList(l), nil
}

func getList(s *Server, c *call) (any, error) {
	l, err := lookup(s.st.lists, c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	out := renderList(l)
	if f := c.p.Get("cards"); f != "" && f != "none" {
		cs, err := s.filterListCards(l.id, f, "cards")
		if err != nil {
			return nil, err
		}
		rendered := s.renderCards(cs, cardOpts{})
		out.Cards = &rendered
	}
	return out, nil
}

func putList(s *Server, c *call) (any, error) {
	l, err := lookup(s.st.lists, c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	p := listPatch{name: c.opt("name"), pos: c.opt("pos")}
	if v := c.opt("closed"); v != nil {
		closed, err := parseBool("closed", *v)
		if err != nil {
			return nil, err
		}
		p.closed = &closed
	}
	if err := s.updateList(c.m, l, p); err != nil {
		return nil, err
	}
	return renderList(l), nil
}

func getListActions(s *Server, c *call) (any, error) {
	l, err := lookup(s.st.lists, c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	q, err := parseActionQuery(c.p, "", c.p.Get("filter"), filterAll)
	if err != nil {
		return nil, err
	}
	return s.st.renderActions(s.st.actionsWhere(q, func(a *action) bool { return contains(a.idLists, l.id) })), nil
}

func postLabel(s *Server, c *call) (any, error) {
	idBoard := c.p.Get("idBoard")
	if !isID(idBoard) {
		return nil, badValue("idBoard")
	}
	b, err := s.st.board(idBoard)
	if err != nil {
		return nil, err
	}
	l, err := s.createLabel(c.m, b, c.p.Get("name"), c.p.Get("color"))
	if err != nil {
		return nil, err
	}
	return s.st.renderLabel(l), nil
}

func getLabel(s *Server, c *call) (any, error) {
	l, err := lookup(s.st.labels, c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return s.st.renderLabel(l), nil
}

func putLabel(s *Server, c *call) (any, error) {
	l, err := lookup(s.st.labels, c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if err := s.updateLabel(c.m, l, c.opt("name"), c.opt("color")); err != nil {
		return nil, err
	}
	return s.st.renderLabel(l), nil
}

func deleteLabel(s *Server, c *call) (any, error) {
	l, err := lookup(s.st.labels, c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	s.deleteLabel(c.m, l)
	return struct{}{}, nil
}
