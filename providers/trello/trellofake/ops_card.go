package trellofake

import (
	"strings"
	"time"
)

// cardSpec is what POST /1/cards takes.
type cardSpec struct {
	idList, name, desc, pos, due string
	idLabels                     []string
}

func (s *Server) createCard(m Member, spec cardSpec) (*card, error) {
	if !isID(spec.idList) {
		return nil, badValue("idList")
	}
	l, err := lookup(s.st.lists, spec.idList)
	if err != nil {
		return nil, err
	}
	if err := s.checkLabels(l.idBoard, spec.idLabels); err != nil {
		return nil, err
	}
	due, err := parseDue(spec.due)
	if err != nil {
		return nil, err
	}
	pos, err := placePos(spec.pos, cardPositions(s.st.listCards(l.id), ""))
	if err != nil {
		return nil, err
	}
	b := s.st.boards[l.idBoard]
	b.cardSeq++
	now := s.now()
	c := &card{id: s.st.newID(now), idBoard: b.id, idList: l.id, name: spec.name, desc: spec.desc,
		shortLink: newShortLink(), idShort: b.cardSeq, pos: pos, due: due,
		idLabels: append([]string{}, spec.idLabels...), lastActivity: now}
	s.st.cards[c.id] = c
	s.record(m, "createCard", b, map[string]any{"card": cardRef(c), "list": listRef(l)}, c, l)
	return c, nil
}

func (s *Server) checkLabels(idBoard string, ids []string) error {
	for _, id := range ids {
		l, ok := s.st.labels[id]
		if !ok || l.idBoard != idBoard {
			return badValue("idLabels")
		}
	}
	return nil
}

// cardPatch is what PUT /1/cards/{id} takes; nil fields are left alone.
type cardPatch struct {
	name, desc, idList, pos, due *string
	closed                       *bool
	idLabels                     *[]string
}

// resolved is a cardPatch checked against the state, ready to apply.
type resolved struct {
	to     *list
	pos    float64
	due    *time.Time
	labels []string
}

func (s *Server) resolve(c *card, p cardPatch) (resolved, error) {
	r := resolved{to: s.st.lists[c.idList]}
	if p.idList != nil {
		l, err := lookup(s.st.lists, *p.idList)
		if err != nil || l.idBoard != c.idBoard {
			return r, badValue("idList")
		}
		r.to = l
	}
	var err error
	if p.pos != nil {
		if r.pos, err = placePos(*p.pos, cardPositions(s.st.listCards(r.to.id), c.id)); err != nil {
			return r, err
		}
	}
	if p.due != nil {
		if r.due, err = parseDue(*p.due); err != nil {
			return r, err
		}
	}
	if p.idLabels != nil {
		if err := s.checkLabels(c.idBoard, *p.idLabels); err != nil {
			return r, err
		}
		r.labels = *p.idLabels
	}
	return r, nil
}

// updateCard checks the whole patch, then applies it field by field,
// recording one updateCard action per changed field as Trello does.
func (s *Server) updateCard(m Member, c *card, p cardPatch) error {
	if p.name != nil && strings.TrimSpace(*p.name) == "" {
		return badValue("name")
	}
	r, err := s.resolve(c, p)
	if err != nil {
		return err
	}
	if p.name != nil && *p.name != c.name {
		old := c.name
		c.name = *p.name
		s.cardChanged(m, c, "name", old, nil)
	}
	if p.desc != nil && *p.desc != c.desc {
		old := c.desc
		c.desc = *p.desc
		s.cardChanged(m, c, "desc", old, c.desc)
	}
	if p.due != nil && !sameTime(r.due, c.due) {
		old := fmtTimePtr(c.due)
		c.due = r.due
		s.cardChanged(m, c, "due", old, fmtTimePtr(c.due))
	}
	if p.closed != nil && *p.closed != c.closed {
		c.closed = *p.closed
		s.cardChanged(m, c, "closed", !c.closed, c.closed)
	}
	s.moveCard(m, c, r.to, p.pos != nil, r.pos)
	if p.idLabels != nil {
		s.setLabels(m, c, r.labels)
	}
	return nil
}

// cardChanged records an updateCard action for one field: data.card carries
// the new value (unless v is nil: the name is in the ref already), data.old
// the old one.
func (s *Server) cardChanged(m Member, c *card, field string, old, v any) {
	ref := cardRef(c)
	if v != nil {
		ref = with(ref, field, v)
	}
	data := map[string]any{"card": ref, "old": map[string]any{field: old}, "list": listRef(s.st.lists[c.idList])}
	s.record(m, "updateCard", s.st.boards[c.idBoard], data, c, s.st.lists[c.idList])
}

// moveCard puts c in list to, at pos when setPos. A move between lists is
// one updateCard action with data.old.idList, listBefore and listAfter.
func (s *Server) moveCard(m Member, c *card, to *list, setPos bool, pos float64) {
	if to.id == c.idList {
		if setPos && pos != c.pos {
			old := c.pos
			c.pos = pos
			s.cardChanged(m, c, "pos", old, c.pos)
		}
		return
	}
	from := s.st.lists[c.idList]
	c.idList = to.id
	if setPos {
		c.pos = pos
	}
	data := map[string]any{
		"card": with(cardRef(c), "idList", to.id), "old": map[string]any{"idList": from.id},
		"listBefore": listRef(from), "listAfter": listRef(to),
	}
	s.record(m, "updateCard", s.st.boards[c.idBoard], data, c, from, to)
}

// setLabels makes c's labels ids, recording addLabelToCard and
// removeLabelFromCard for the difference.
func (s *Server) setLabels(m Member, c *card, ids []string) {
	for _, id := range ids {
		if !contains(c.idLabels, id) {
			s.addLabel(m, c, s.st.labels[id])
		}
	}
	for _, id := range append([]string(nil), c.idLabels...) {
		if !contains(ids, id) {
			s.removeLabel(m, c, s.st.labels[id])
		}
	}
}

func (s *Server) addLabel(m Member, c *card, l *label) {
	c.idLabels = append(c.idLabels, l.id)
	data := map[string]any{"label": labelRef(l), "text": l.name, "value": l.id}
	s.record(m, "addLabelToCard", s.st.boards[c.idBoard], data, c)
}

func (s *Server) removeLabel(m Member, c *card, l *label) {
	c.idLabels = remove(c.idLabels, l.id)
	data := map[string]any{"label": labelRef(l), "text": l.name, "value": l.id}
	s.record(m, "removeLabelFromCard", s.st.boards[c.idBoard], data, c)
}

func (s *Server) addLabelByID(m Member, c *card, id string) error {
	l, ok := s.st.labels[id]
	if !isID(id) || !ok || l.idBoard != c.idBoard {
		return badValue("value")
	}
	if contains(c.idLabels, id) {
		return &apiError{400, "that label is already on the card"}
	}
	s.addLabel(m, c, l)
	return nil
}

func (s *Server) removeLabelByID(m Member, c *card, id string) error {
	if !contains(c.idLabels, id) {
		return errNotFound()
	}
	s.removeLabel(m, c, s.st.labels[id])
	return nil
}

func (s *Server) deleteCard(m Member, c *card) {
	l := s.st.lists[c.idList]
	data := map[string]any{"card": map[string]any{"id": c.id, "idShort": c.idShort, "shortLink": c.shortLink},
		"list": listRef(l)}
	s.record(m, "deleteCard", s.st.boards[c.idBoard], data, c, l)
	s.dropCard(c)
	delete(s.st.cards, c.id)
}

// dropCard forgets c's checklists.
func (s *Server) dropCard(c *card) {
	for _, id := range c.idChecklists {
		for _, it := range s.st.checklists[id].items {
			delete(s.st.checkItems, it.id)
		}
		delete(s.st.checklists, id)
	}
}

func (s *Server) comment(m Member, c *card, text string) (*action, error) {
	if strings.TrimSpace(text) == "" {
		return nil, badValue("text")
	}
	l := s.st.lists[c.idList]
	data := map[string]any{"text": text, "textData": map[string]any{"emoji": map[string]any{}}, "list": listRef(l)}
	return s.record(m, "commentCard", s.st.boards[c.idBoard], data, c, l), nil
}

func (s *Server) attach(m Member, c *card, a *attachment) (*attachment, error) {
	if a.url == "" && !a.isUpload {
		return nil, badValue("url")
	}
	if a.name == "" {
		a.name = a.url
	}
	now := s.now()
	a.id, a.idMember, a.date = s.st.newID(now), m.ID, now
	a.pos = float64(posStep * (len(c.attachments) + 1))
	if a.isUpload {
		a.url = "https://trello.com/1/cards/" + c.id + "/attachments/" + a.id + "/download/" + a.name
	}
	c.attachments = append(c.attachments, a)
	data := map[string]any{"attachment": map[string]any{"id": a.id, "name": a.name, "url": a.url}}
	s.record(m, "addAttachmentToCard", s.st.boards[c.idBoard], data, c)
	return a, nil
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}
