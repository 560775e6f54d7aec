package trellofake

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"
)

// apiError is an answer Trello gives as a plain-text error body.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return fmt.Sprintf("trellofake: %d %s", e.status, e.msg) }

// Trello's wording for the errors the fake gives.
const (
	msgNotFound     = "The requested resource was not found."
	msgInvalidID    = "invalid id"
	msgInvalidKey   = "invalid key"
	msgInvalidToken = "invalid token"
)

func errNotFound() error { return &apiError{404, msgNotFound} }

func badValue(field string) error { return &apiError{400, "invalid value for " + field} }

// posStep is the gap Trello leaves between positions it chooses itself.
const posStep = 16384

type board struct {
	id, name, desc, shortLink, idMemberCreator string
	closed                                     bool
	lastActivity                               time.Time
	cardSeq                                    int
}

type list struct {
	id, idBoard, name string
	closed            bool
	pos               float64
}

type label struct {
	id, idBoard, name string
	color             string // "" is Trello's null: a label without a colour
}

type card struct {
	id, idBoard, idList, name, desc, shortLink string
	idShort                                    int
	pos                                        float64
	closed                                     bool
	due                                        *time.Time
	idLabels                                   []string
	idChecklists                               []string
	attachments                                []*attachment
	lastActivity                               time.Time
}

type attachment struct {
	id, name, url, idMember, mimeType string
	bytes                             int
	isUpload                          bool
	date                              time.Time
	pos                               float64
}

type checklist struct {
	id, idBoard, idCard, name string
	pos                       float64
	items                     []*checkItem
}

type checkItem struct {
	id, idChecklist, name, state string
	pos                          float64
}

type action struct {
	id, typ, idMemberCreator string
	date                     time.Time
	idBoard, idCard          string
	idLists                  []string
	data                     map[string]any // never changed once recorded
}

// state is everything the fake Trello holds; Server.mu guards it.
type state struct {
	boards     map[string]*board
	lists      map[string]*list
	labels     map[string]*label
	cards      map[string]*card
	checklists map[string]*checklist
	checkItems map[string]*checkItem
	actions    []*action // oldest first; ids ascend
	members    map[string]Member

	machine string // middle of every id, random per fake
	lastTS  int64
	seq     uint32
}

func newState(members ...Member) *state {
	st := &state{
		boards:     map[string]*board{},
		lists:      map[string]*list{},
		labels:     map[string]*label{},
		cards:      map[string]*card{},
		checklists: map[string]*checklist{},
		checkItems: map[string]*checkItem{},
		members:    map[string]Member{},
		machine:    fmt.Sprintf("%010x", rand.Uint64()&0xffffffffff),
	}
	for _, m := range members {
		st.members[m.ID] = m
	}
	return st
}

// newID makes a 24-hex id like Trello's (a MongoDB ObjectId): a Unix
// timestamp, then bytes fixed per fake, then a counter. Ids made by one fake
// sort in the order they were made, as adlio/trello's paging and Trello's
// since/before rely on.
func (st *state) newID(now time.Time) string {
	ts := now.Unix()
	if ts < st.lastTS {
		ts = st.lastTS
	}
	st.lastTS = ts
	st.seq++
	return fmt.Sprintf("%08x%s%06x", uint32(ts), st.machine, st.seq&0xffffff)
}

const shortLinkChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func newShortLink() string {
	var b strings.Builder
	for range 8 {
		b.WriteByte(shortLinkChars[rand.IntN(len(shortLinkChars))])
	}
	return b.String()
}

func isID(s string) bool {
	if len(s) != 24 {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdef", r) {
			return false
		}
	}
	return true
}

// lookup finds an entity by id: a malformed id is Trello's 400 "invalid id",
// an unknown one its 404.
func lookup[T any](m map[string]*T, id string) (*T, error) {
	if !isID(id) {
		return nil, &apiError{400, msgInvalidID}
	}
	v, ok := m[id]
	if !ok {
		return nil, errNotFound()
	}
	return v, nil
}

// board and card also answer to their shortLink, as Trello's do.
func (st *state) board(ref string) (*board, error) {
	if len(ref) == 8 {
		for _, b := range st.boards {
			if b.shortLink == ref {
				return b, nil
			}
		}
		return nil, errNotFound()
	}
	return lookup(st.boards, ref)
}

func (st *state) card(ref string) (*card, error) {
	if len(ref) == 8 {
		for _, c := range st.cards {
			if c.shortLink == ref {
				return c, nil
			}
		}
		return nil, errNotFound()
	}
	return lookup(st.cards, ref)
}

// placePos turns Trello's pos argument ("top", "bottom" or a number) into a
// position among the existing ones. Empty means bottom.
func placePos(spec string, existing []float64) (float64, error) {
	lo, hi := math.Inf(1), 0.0
	for _, p := range existing {
		lo, hi = math.Min(lo, p), math.Max(hi, p)
	}
	switch spec {
	case "", "bottom":
		return hi + posStep, nil
	case "top":
		if len(existing) == 0 {
			return posStep, nil
		}
		return lo / 2, nil
	}
	f, err := strconv.ParseFloat(spec, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, badValue("pos")
	}
	return f, nil
}

func parseBool(field, s string) (bool, error) {
	switch s {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, badValue(field)
}

// parseDue reads a due date; "" and "null" clear it.
func parseDue(s string) (*time.Time, error) {
	if s == "" || s == "null" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil, badValue("due")
	}
	t = t.UTC()
	return &t, nil
}

// splitIDs reads a comma-separated id list; "" is the empty list.
func splitIDs(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func (st *state) boardLists(idBoard string) []*list {
	var out []*list
	for _, l := range st.lists {
		if l.idBoard == idBoard {
			out = append(out, l)
		}
	}
	sort.Slice(out, func(i, j int) bool { return lessPos(out[i].pos, out[j].pos, out[i].id, out[j].id) })
	return out
}

func (st *state) listCards(idList string) []*card {
	var out []*card
	for _, c := range st.cards {
		if c.idList == idList {
			out = append(out, c)
		}
	}
	sortCards(out)
	return out
}

// boardCards is every card of a board, by list position, then card position.
func (st *state) boardCards(idBoard string) []*card {
	var out []*card
	for _, l := range st.boardLists(idBoard) {
		out = append(out, st.listCards(l.id)...)
	}
	return out
}

func (st *state) boardLabels(idBoard string) []*label {
	var out []*label
	for _, l := range st.labels {
		if l.idBoard == idBoard {
			out = append(out, l)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

func (st *state) cardChecklists(c *card) []*checklist {
	out := make([]*checklist, 0, len(c.idChecklists))
	for _, id := range c.idChecklists {
		out = append(out, st.checklists[id])
	}
	sort.Slice(out, func(i, j int) bool { return lessPos(out[i].pos, out[j].pos, out[i].id, out[j].id) })
	return out
}

func sortCards(cs []*card) {
	sort.Slice(cs, func(i, j int) bool { return lessPos(cs[i].pos, cs[j].pos, cs[i].id, cs[j].id) })
}

func lessPos(a, b float64, ida, idb string) bool {
	if a != b {
		return a < b
	}
	return ida < idb
}

func listPositions(ls []*list, except string) []float64 {
	var out []float64
	for _, l := range ls {
		if l.id != except {
			out = append(out, l.pos)
		}
	}
	return out
}

func cardPositions(cs []*card, except string) []float64 {
	var out []float64
	for _, c := range cs {
		if c.id != except {
			out = append(out, c.pos)
		}
	}
	return out
}

func slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
