package trellofake

import "strings"

// Check item states.
const (
	stateComplete   = "complete"
	stateIncomplete = "incomplete"
)

func (s *Server) createChecklist(m Member, c *card, name, pos string) (*checklist, error) {
	if name == "" {
		name = "Checklist"
	}
	p, err := placePos(pos, s.checklistPositions(c))
	if err != nil {
		return nil, err
	}
	cl := &checklist{id: s.st.newID(s.now()), idBoard: c.idBoard, idCard: c.id, name: name, pos: p}
	s.st.checklists[cl.id] = cl
	c.idChecklists = append(c.idChecklists, cl.id)
	s.record(m, "addChecklistToCard", s.st.boards[c.idBoard], map[string]any{"checklist": checklistRef(cl)}, c)
	return cl, nil
}

func (s *Server) checklistPositions(c *card) []float64 {
	var out []float64
	for _, cl := range s.st.cardChecklists(c) {
		out = append(out, cl.pos)
	}
	return out
}

func (s *Server) createCheckItem(m Member, cl *checklist, name, pos string, checked bool) (*checkItem, error) {
	if strings.TrimSpace(name) == "" {
		return nil, badValue("name")
	}
	var existing []float64
	for _, it := range cl.items {
		existing = append(existing, it.pos)
	}
	p, err := placePos(pos, existing)
	if err != nil {
		return nil, err
	}
	it := &checkItem{id: s.st.newID(s.now()), idChecklist: cl.id, name: name, state: stateIncomplete, pos: p}
	if checked {
		it.state = stateComplete
	}
	cl.items = append(cl.items, it)
	sortItems(cl)
	s.st.checkItems[it.id] = it
	c := s.st.cards[cl.idCard]
	data := map[string]any{"checkItem": checkItemRef(it), "checklist": checklistRef(cl)}
	s.record(m, "createCheckItem", s.st.boards[c.idBoard], data, c)
	return it, nil
}

func sortItems(cl *checklist) {
	items := cl.items
	for i := 1; i < len(items); i++ {
		for j := i; j > 0 && lessPos(items[j].pos, items[j-1].pos, items[j].id, items[j-1].id); j-- {
			items[j], items[j-1] = items[j-1], items[j]
		}
	}
}

// parseState reads a check item state; Trello takes true and false too.
func parseState(s string) (string, error) {
	switch s {
	case stateComplete, "true":
		return stateComplete, nil
	case stateIncomplete, "false":
		return stateIncomplete, nil
	}
	return "", badValue("state")
}

// updateCheckItem is PUT /1/cards/{idCard}/checkItem/{idCheckItem}: the item
// must be on one of c's checklists.
func (s *Server) updateCheckItem(m Member, c *card, id string, state, name *string) (*checkItem, error) {
	it, err := lookup(s.st.checkItems, id)
	if err != nil {
		return nil, err
	}
	cl := s.st.checklists[it.idChecklist]
	if cl.idCard != c.id {
		return nil, errNotFound()
	}
	newState := it.state
	if state != nil {
		if newState, err = parseState(*state); err != nil {
			return nil, err
		}
	}
	if name != nil && strings.TrimSpace(*name) == "" {
		return nil, badValue("name")
	}
	b := s.st.boards[c.idBoard]
	if name != nil && *name != it.name {
		old := it.name
		it.name = *name
		data := map[string]any{"checkItem": checkItemRef(it), "checklist": checklistRef(cl), "old": map[string]any{"name": old}}
		s.record(m, "updateCheckItem", b, data, c)
	}
	if newState != it.state {
		it.state = newState
		data := map[string]any{"checkItem": checkItemRef(it), "checklist": checklistRef(cl)}
		s.record(m, "updateCheckItemStateOnCard", b, data, c)
	}
	return it, nil
}
