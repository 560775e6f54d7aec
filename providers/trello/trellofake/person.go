package trellofake

import "errors"

// The *As methods change the board as member m would through Trello's UI:
// directly on the fake's state, recording the same actions, attributed to
// m. They ignore the switches (latency, failures, Hang, Revoke) and are not
// counted as requests. Errors are the ones the API would answer.

// act runs op under the state lock as m, making m known to the fake.
func (s *Server) act(m Member, op func() error) error {
	if m.ID == "" {
		return errors.New("trellofake: member without an id")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.st.members[m.ID]; !ok {
		s.st.members[m.ID] = m
	}
	return op()
}

// CreateBoardAs creates a board, with Trello's default labels and, when
// defaultLists, its default lists To Do, Doing and Done.
func (s *Server) CreateBoardAs(m Member, name string, defaultLists bool) (Board, error) {
	var out Board
	err := s.act(m, func() error {
		b, err := s.createBoard(m, name, "", defaultLists, true)
		if err == nil {
			out = snapBoard(b)
		}
		return err
	})
	return out, err
}

// CreateListAs adds a list at the bottom of a board.
func (s *Server) CreateListAs(m Member, boardID, name string) (List, error) {
	var out List
	err := s.act(m, func() error {
		b, err := s.st.board(boardID)
		if err != nil {
			return err
		}
		l, err := s.createList(m, b, name, "bottom")
		if err == nil {
			out = snapList(l)
		}
		return err
	})
	return out, err
}

// CreateCardAs adds a card at the bottom of a list.
func (s *Server) CreateCardAs(m Member, listID, name, desc string) (Card, error) {
	var out Card
	err := s.act(m, func() error {
		c, err := s.createCard(m, cardSpec{idList: listID, name: name, desc: desc, pos: "bottom"})
		if err == nil {
			out = s.st.snapCard(c)
		}
		return err
	})
	return out, err
}

// patchAs applies a card patch as m.
func (s *Server) patchAs(m Member, cardID string, p cardPatch) error {
	return s.act(m, func() error {
		c, err := s.st.card(cardID)
		if err != nil {
			return err
		}
		return s.updateCard(m, c, p)
	})
}

// MoveCardAs moves a card to the bottom of a list of the same board.
func (s *Server) MoveCardAs(m Member, cardID, listID string) error {
	bottom := "bottom"
	return s.patchAs(m, cardID, cardPatch{idList: &listID, pos: &bottom})
}

// RenameCardAs renames a card.
func (s *Server) RenameCardAs(m Member, cardID, name string) error {
	return s.patchAs(m, cardID, cardPatch{name: &name})
}

// SetDescAs sets a card's description.
func (s *Server) SetDescAs(m Member, cardID, desc string) error {
	return s.patchAs(m, cardID, cardPatch{desc: &desc})
}

// ArchiveCardAs archives (closes) a card.
func (s *Server) ArchiveCardAs(m Member, cardID string) error {
	closed := true
	return s.patchAs(m, cardID, cardPatch{closed: &closed})
}

// DeleteCardAs deletes a card.
func (s *Server) DeleteCardAs(m Member, cardID string) error {
	return s.act(m, func() error {
		c, err := s.st.card(cardID)
		if err != nil {
			return err
		}
		s.deleteCard(m, c)
		return nil
	})
}

// CommentAs comments on a card and returns the commentCard action's id.
func (s *Server) CommentAs(m Member, cardID, text string) (string, error) {
	var id string
	err := s.act(m, func() error {
		c, err := s.st.card(cardID)
		if err != nil {
			return err
		}
		a, err := s.comment(m, c, text)
		if err == nil {
			id = a.id
		}
		return err
	})
	return id, err
}

// CheckItemAs ticks (complete) or unticks a check item on a card.
func (s *Server) CheckItemAs(m Member, cardID, checkItemID string, complete bool) error {
	state := stateIncomplete
	if complete {
		state = stateComplete
	}
	return s.act(m, func() error {
		c, err := s.st.card(cardID)
		if err != nil {
			return err
		}
		_, err = s.updateCheckItem(m, c, checkItemID, &state, nil)
		return err
	})
}

// AddLabelAs puts a label of the card's board on the card.
func (s *Server) AddLabelAs(m Member, cardID, labelID string) error {
	return s.act(m, func() error {
		c, err := s.st.card(cardID)
		if err != nil {
			return err
		}
		return s.addLabelByID(m, c, labelID)
	})
}

// RemoveLabelAs takes a label off a card.
func (s *Server) RemoveLabelAs(m Member, cardID, labelID string) error {
	return s.act(m, func() error {
		c, err := s.st.card(cardID)
		if err != nil {
			return err
		}
		return s.removeLabelByID(m, c, labelID)
	})
}
