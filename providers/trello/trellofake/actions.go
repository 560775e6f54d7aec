package trellofake

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Refs are the small objects Trello nests in an action's data.

func boardRef(b *board) map[string]any {
	return map[string]any{"id": b.id, "name": b.name, "shortLink": b.shortLink}
}

func listRef(l *list) map[string]any { return map[string]any{"id": l.id, "name": l.name} }

func cardRef(c *card) map[string]any {
	return map[string]any{"id": c.id, "name": c.name, "idShort": c.idShort, "shortLink": c.shortLink}
}

func labelRef(l *label) map[string]any {
	return map[string]any{"id": l.id, "name": l.name, "color": nullable(l.color)}
}

func checklistRef(cl *checklist) map[string]any { return map[string]any{"id": cl.id, "name": cl.name} }

func checkItemRef(it *checkItem) map[string]any {
	return map[string]any{"id": it.id, "name": it.name, "state": it.state, "textData": map[string]any{"emoji": map[string]any{}}}
}

// with returns a copy of ref with one more field.
func with(ref map[string]any, key string, v any) map[string]any {
	out := make(map[string]any, len(ref)+1)
	for k, x := range ref {
		out[k] = x
	}
	out[key] = v
	return out
}

// record appends an action by m on board b. data gets the board ref, and the
// card ref when c is given and data has none; lists are the lists the action
// concerns (for GET /1/lists/{id}/actions).
func (s *Server) record(m Member, typ string, b *board, data map[string]any, c *card, lists ...*list) *action {
	now := s.now()
	data["board"] = boardRef(b)
	a := &action{id: s.st.newID(now), typ: typ, idMemberCreator: m.ID, date: now, idBoard: b.id, data: data}
	if c != nil {
		a.idCard = c.id
		if _, ok := data["card"]; !ok {
			data["card"] = cardRef(c)
		}
		c.lastActivity = now
	}
	for _, l := range lists {
		a.idLists = append(a.idLists, l.id)
	}
	b.lastActivity = now
	s.st.actions = append(s.st.actions, a)
	return a
}

// Default action filters, as Trello documents them.
const (
	filterAll         = "all"
	defaultCardFilter = "commentCard,updateCard:idList"
	maxActionLimit    = 1000
	defaultLimit      = 50
)

// actionQuery is Trello's filter, since, before and limit on action lists.
type actionQuery struct {
	filter        []string
	since, before bound
	limit         int
}

// bound is an action id or a date.
type bound struct {
	id string
	t  time.Time
}

func (b bound) set() bool { return b.id != "" || !b.t.IsZero() }

func (b bound) after(a *action) bool { // a is newer than b
	if b.id != "" {
		return a.id > b.id
	}
	return a.date.After(b.t)
}

func parseBound(field, s string) (bound, error) {
	switch {
	case s == "" || s == "null" || s == "lastView":
		return bound{}, nil
	case isID(s):
		return bound{id: s}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return bound{}, badValue(field)
	}
	return bound{t: t}, nil
}

// parseActionQuery reads the action query from p, with prefix before each
// name ("actions_" when actions are nested in a board or card).
func parseActionQuery(p url.Values, prefix, filter, defFilter string) (actionQuery, error) {
	if filter == "" {
		filter = defFilter
	}
	q := actionQuery{filter: strings.Split(filter, ","), limit: defaultLimit}
	var err error
	if q.since, err = parseBound("since", p.Get(prefix+"since")); err != nil {
		return q, err
	}
	if q.before, err = parseBound("before", p.Get(prefix+"before")); err != nil {
		return q, err
	}
	if l := p.Get(prefix + "limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 0 || n > maxActionLimit {
			return q, badValue("limit")
		}
		q.limit = n
	}
	return q, nil
}

// matches applies the filter: "all", a type, or "type:field" (an update of
// that field, as its data.old shows).
func (q actionQuery) matches(a *action) bool {
	for _, f := range q.filter {
		f = strings.TrimSpace(f)
		typ, field, hasField := strings.Cut(f, ":")
		switch {
		case f == filterAll:
			return true
		case typ != a.typ:
		case !hasField:
			return true
		default:
			if old, ok := a.data["old"].(map[string]any); ok {
				if _, ok := old[field]; ok {
					return true
				}
			}
		}
	}
	return false
}

// actionsWhere lists the actions keep accepts that pass q, newest first.
func (st *state) actionsWhere(q actionQuery, keep func(*action) bool) []*action {
	var out []*action
	for i := len(st.actions) - 1; i >= 0 && len(out) < q.limit; i-- {
		a := st.actions[i]
		if q.before.set() && !q.before.newerThan(a) {
			continue
		}
		if q.since.set() && !q.since.after(a) {
			continue
		}
		if keep(a) && q.matches(a) {
			out = append(out, a)
		}
	}
	return out
}

func (b bound) newerThan(a *action) bool { // b is newer than a
	if b.id != "" {
		return a.id < b.id
	}
	return a.date.Before(b.t)
}
