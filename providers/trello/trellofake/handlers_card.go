package trellofake

import (
	"io"
	"net/url"
	"sort"
	"strconv"
)

var cardRoutes = []route{
	{"POST /1/cards", postCard},
	{"GET /1/cards/{id}", getCard},
	{"PUT /1/cards/{id}", putCard},
	{"DELETE /1/cards/{id}", deleteCard},
	{"GET /1/cards/{id}/actions", getCardActions},
	{"POST /1/cards/{id}/actions/comments", postComment},
	{"GET /1/cards/{id}/attachments", getAttachments},
	{"POST /1/cards/{id}/attachments", postAttachment},
	{"POST /1/cards/{id}/idLabels", postCardLabel},
	{"DELETE /1/cards/{id}/idLabels/{idLabel}", deleteCardLabel},
	{"GET /1/cards/{id}/checklists", getCardChecklists},
	{"POST /1/cards/{id}/checklists", postCardChecklist}, // adlio's CreateChecklist
	{"PUT /1/cards/{id}/checkItem/{idCheckItem}", putCheckItem},
}

var checklistRoutes = []route{
	{"POST /1/checklists", postChecklist},
	{"GET /1/checklists/{id}", getChecklist},
	{"POST /1/checklists/{id}/checkItems", postCheckItem},
}

// cardOpts are what a card query nests: checklists=all, attachments=true,
// actions=<filter> (with actions_limit, actions_since, actions_before),
// board=true, list=true.
type cardOpts struct {
	checklists, attachments, board, list bool
	actions                              *actionQuery
}

func parseCardOpts(p url.Values) (cardOpts, error) {
	o := cardOpts{
		checklists: p.Get("checklists") == "all", attachments: p.Get("attachments") == "true",
		board: p.Get("board") == "true", list: p.Get("list") == "true",
	}
	if f := p.Get("actions"); f != "" && f != "none" {
		q, err := parseActionQuery(p, "actions_", f, filterAll)
		if err != nil {
			return o, err
		}
		o.actions = &q
	}
	return o, nil
}

func (s *Server) renderCardWith(c *card, o cardOpts) cardJSON {
	out := s.st.renderCard(c)
	if o.checklists {
		cls := []checklistJSON{}
		for _, cl := range s.st.cardChecklists(c) {
			cls = append(cls, renderChecklist(cl))
		}
		out.Checklists = &cls
	}
	if o.attachments {
		as := renderAttachments(c)
		out.Attachments = &as
	}
	if o.actions != nil {
		as := s.st.renderActions(s.st.actionsWhere(*o.actions, func(a *action) bool { return a.idCard == c.id }))
		out.Actions = &as
	}
	if o.board {
		b := s.st.renderBoard(s.st.boards[c.idBoard])
		out.Board = &b
	}
	if o.list {
		l := renderList(s.st.lists[c.idList])
		out.List = &l
	}
	return out
}

func (s *Server) renderCards(cs []*card, o cardOpts) []cardJSON {
	out := make([]cardJSON, 0, len(cs))
	for _, c := range cs {
		out = append(out, s.renderCardWith(c, o))
	}
	return out
}

func renderAttachments(c *card) []attachmentJSON {
	out := []attachmentJSON{}
	for _, a := range c.attachments {
		out = append(out, renderAttachment(a))
	}
	return out
}

// keepCard applies Trello's card filters: visible (open cards on open
// lists), open, closed, all.
func (s *Server) keepCard(c *card, filter, field string) (bool, error) {
	switch filter {
	case "visible":
		return !c.closed && !s.st.lists[c.idList].closed, nil
	case "open":
		return !c.closed, nil
	case "closed":
		return c.closed, nil
	case "all":
		return true, nil
	}
	return false, badValue(field)
}

func (s *Server) filterCards(b *board, filter, field string) ([]*card, error) {
	return s.keepCards(s.st.boardCards(b.id), filter, field)
}

func (s *Server) filterListCards(idList, filter, field string) ([]*card, error) {
	return s.keepCards(s.st.listCards(idList), filter, field)
}

func (s *Server) keepCards(cs []*card, filter, field string) ([]*card, error) {
	out := []*card{}
	for _, c := range cs {
		ok, err := s.keepCard(c, filter, field)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// getBoardCards serves GET /1/boards/{id}/cards[/{filter}] with before, since
// (card ids) and limit, which adlio/trello's Board.GetCards pages with: it
// asks again with before=<earliest id> until an empty page comes back.
func getBoardCards(s *Server, c *call) (any, error) {
	b, err := s.st.board(c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	filter := pathOr(c, "filter", c.p.Get("filter"))
	if filter == "" {
		filter = "visible"
	}
	cs, err := s.filterCards(b, filter, "filter")
	if err != nil {
		return nil, err
	}
	if cs, err = pageCards(cs, c.p); err != nil {
		return nil, err
	}
	o, err := parseCardOpts(c.p)
	if err != nil {
		return nil, err
	}
	return s.renderCards(cs, o), nil
}

// pageCards keeps the cards with ids between since and before and, given a
// limit, the newest limit of them, in board order.
func pageCards(cs []*card, p url.Values) ([]*card, error) {
	before, since := p.Get("before"), p.Get("since")
	if (before != "" && !isID(before)) || (since != "" && !isID(since)) {
		return nil, &apiError{400, msgInvalidID}
	}
	var kept []*card
	for _, c := range cs {
		if (before == "" || c.id < before) && (since == "" || c.id > since) {
			kept = append(kept, c)
		}
	}
	if l := p.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 0 || n > maxActionLimit {
			return nil, badValue("limit")
		}
		kept = newest(kept, n)
	}
	if kept == nil {
		kept = []*card{}
	}
	return kept, nil
}

func newest(cs []*card, n int) []*card {
	if len(cs) <= n {
		return cs
	}
	byID := append([]*card(nil), cs...)
	sort.Slice(byID, func(i, j int) bool { return byID[i].id > byID[j].id })
	keep := map[string]bool{}
	for _, c := range byID[:n] {
		keep[c.id] = true
	}
	var out []*card
	for _, c := range cs {
		if keep[c.id] {
			out = append(out, c)
		}
	}
	return out
}

func getListCards(s *Server, c *call) (any, error) {
	l, err := lookup(s.st.lists, c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	filter := c.p.Get("filter")
	if filter == "" {
		filter = "open"
	}
	cs, err := s.filterListCards(l.id, filter, "filter")
	if err != nil {
		return nil, err
	}
	o, err := parseCardOpts(c.p)
	if err != nil {
		return nil, err
	}
	return s.renderCards(cs, o), nil
}

func specFrom(c *call, idList string) cardSpec {
	return cardSpec{idList: idList, name: c.p.Get("name"), desc: c.p.Get("desc"), pos: c.p.Get("pos"),
		due: c.p.Get("due"), idLabels: splitIDs(c.p.Get("idLabels"))}
}

func postCard(s *Server, c *call) (any, error) {
	cd, err := s.createCard(c.m, specFrom(c, c.p.Get("idList")))
	if err != nil {
		return nil, err
	}
	return s.st.renderCard(cd), nil
}

func postListCard(s *Server, c *call) (any, error) {
	if _, err := lookup(s.st.lists, c.r.PathValue("id")); err != nil {
		return nil, err
	}
	cd, err := s.createCard(c.m, specFrom(c, c.r.PathValue("id")))
	if err != nil {
		return nil, err
	}
	return s.st.renderCard(cd), nil
}

func getCard(s *Server, c *call) (any, error) {
	cd, err := s.st.card(c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	o, err := parseCardOpts(c.p)
	if err != nil {
		return nil, err
	}
	return s.renderCardWith(cd, o), nil
}

func patchFrom(c *call) (cardPatch, error) {
	p := cardPatch{name: c.opt("name"), desc: c.opt("desc"), idList: c.opt("idList"), pos: c.opt("pos"), due: c.opt("due")}
	if v := c.opt("closed"); v != nil {
		closed, err := parseBool("closed", *v)
		if err != nil {
			return p, err
		}
		p.closed = &closed
	}
	if v := c.opt("idLabels"); v != nil {
		ids := splitIDs(*v)
		p.idLabels = &ids
	}
	return p, nil
}

func putCard(s *Server, c *call) (any, error) {
	cd, err := s.st.card(c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	p, err := patchFrom(c)
	if err != nil {
		return nil, err
	}
	if err := s.updateCard(c.m, cd, p); err != nil {
		return nil, err
	}
	return s.st.renderCard(cd), nil
}

func deleteCard(s *Server, c *call) (any, error) {
	cd, err := s.st.card(c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	s.deleteCard(c.m, cd)
	return map[string]any{"limits": map[string]any{}}, nil
}

// getCardActions defaults to Trello's filter for card actions: comments
// and moves between lists only.
func getCardActions(s *Server, c *call) (any, error) {
	cd, err := s.st.card(c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	q, err := parseActionQuery(c.p, "", c.p.Get("filter"), defaultCardFilter)
	if err != nil {
		return nil, err
	}
	return s.st.renderActions(s.st.actionsWhere(q, func(a *action) bool { return a.idCard == cd.id })), nil
}

func postComment(s *Server, c *call) (any, error) {
	cd, err := s.st.card(c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	a, err := s.comment(c.m, cd, c.p.Get("text"))
	if err != nil {
		return nil, err
	}
	return s.st.renderAction(a), nil
}

func getAttachments(s *Server, c *call) (any, error) {
	cd, err := s.st.card(c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return renderAttachments(cd), nil
}

// postAttachment takes a url (and name), or an uploaded file as adlio's
// AddFileAttachment sends it.
func postAttachment(s *Server, c *call) (any, error) {
	cd, err := s.st.card(c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	a := &attachment{name: c.p.Get("name"), url: c.p.Get("url"), mimeType: c.p.Get("mimeType")}
	if mf := c.r.MultipartForm; mf != nil && len(mf.File["file"]) > 0 {
		fh := mf.File["file"][0]
		a.isUpload, a.bytes = true, int(fh.Size)
		if a.name == "" {
			a.name = fh.Filename
		}
		if f, err := fh.Open(); err == nil {
			_, _ = io.Copy(io.Discard, f)
			_ = f.Close()
		}
	}
	if a, err = s.attach(c.m, cd, a); err != nil {
		return nil, err
	}
	return renderAttachment(a), nil
}

func postCardLabel(s *Server, c *call) (any, error) {
	cd, err := s.st.card(c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if err := s.addLabelByID(c.m, cd, c.p.Get("value")); err != nil {
		return nil, err
	}
	return append([]string{}, cd.idLabels...), nil
}

func deleteCardLabel(s *Server, c *call) (any, error) {
	cd, err := s.st.card(c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if err := s.removeLabelByID(c.m, cd, c.r.PathValue("idLabel")); err != nil {
		return nil, err
	}
	return map[string]any{"_value": nil}, nil
}

func getCardChecklists(s *Server, c *call) (any, error) {
	cd, err := s.st.card(c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	out := []checklistJSON{}
	for _, cl := range s.st.cardChecklists(cd) {
		out = append(out, renderChecklist(cl))
	}
	return out, nil
}

func postCardChecklist(s *Server, c *call) (any, error) {
	cd, err := s.st.card(c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	cl, err := s.createChecklist(c.m, cd, c.p.Get("name"), c.p.Get("pos"))
	if err != nil {
		return nil, err
	}
	return renderChecklist(cl), nil
}

func postChecklist(s *Server, c *call) (any, error) {
	idCard := c.p.Get("idCard")
	if !isID(idCard) {
		return nil, badValue("idCard")
	}
	cd, err := s.st.card(idCard)
	if err != nil {
		return nil, err
	}
	cl, err := s.createChecklist(c.m, cd, c.p.Get("name"), c.p.Get("pos"))
	if err != nil {
		return nil, err
	}
	return renderChecklist(cl), nil
}

func getChecklist(s *Server, c *call) (any, error) {
	cl, err := lookup(s.st.checklists, c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return renderChecklist(cl), nil
}

func postCheckItem(s *Server, c *call) (any, error) {
	cl, err := lookup(s.st.checklists, c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	checked := false
	if v := c.p.Get("checked"); v != "" {
		if checked, err = parseBool("checked", v); err != nil {
			return nil, err
		}
	}
	it, err := s.createCheckItem(c.m, cl, c.p.Get("name"), c.p.Get("pos"), checked)
	if err != nil {
		return nil, err
	}
	return renderCheckItem(it), nil
}

func putCheckItem(s *Server, c *call) (any, error) {
	cd, err := s.st.card(c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	it, err := s.updateCheckItem(c.m, cd, c.r.PathValue("idCheckItem"), c.opt("state"), c.opt("name"))
	if err != nil {
		return nil, err
	}
	return renderCheckItem(it), nil
}
