package ui

import (
	"fmt"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"marcus/core"
)

// activityKeys are the keys the feed answers to.
type activityKeys struct {
	navKeys
	Open, Back, Filter, Pause key.Binding
}

// activityView is the feed of the project's events: filtered, paused or
// scrolled back as the person likes.
type activityView struct {
	env  *env
	keys activityKeys
	snap *Snapshot
	w, h int

	// filtering is true while a filter is typed: every key comes here.
	filtering bool
	filter    string
	// frozen is the snapshot shown while paused; nil follows the store.
	frozen *Snapshot
	// anchor is the id of the newest event shown while scrolled up; 0
	// follows the tail.
	anchor int64

	cache feedCache
}

// feedCache holds what the feed derives from a snapshot's events: their
// plain lines (for the filter) and the indexes that pass the filter.
type feedCache struct {
	snap    *Snapshot
	filter  string
	lines   []string // lower-cased plain lines; nil until a filter needs them
	matches []int    // indexes of the events that pass; nil when no filter
	agents  map[core.AgentID]string
	agentW  int
}

func newActivityView(e *env) activityView {
	k := Keys
	return activityView{env: e, keys: activityKeys{navKeys: newNavKeys(k), Open: k.Open, Back: k.Back, Filter: k.Filter, Pause: k.Pause}}
}

func (v *activityView) SetSize(w, h int) { v.w, v.h = w, h }

func (v *activityView) SetSnapshot(s *Snapshot) { v.snap = s }

func (v *activityView) Typing() bool { return v.filtering }

func (v *activityView) Help() helpSet {
	var s helpSet
	s[helpMove] = v.keys.vertical()
	s[helpAct] = []key.Binding{v.keys.Filter, v.keys.Back, v.keys.Pause}
	return s
}

// feedSource is the snapshot the feed shows: the frozen one while paused.
func (v *activityView) feedSource() *Snapshot {
	if v.frozen != nil {
		return v.frozen
	}
	return v.snap
}

// feed prepares the cache for the current source and filter and returns
// how many events the feed lists.
func (v *activityView) feed() (*feedCache, int) {
	c := &v.cache
	src := v.feedSource()
	if c.snap != src {
		*c = feedCache{snap: src, agents: map[core.AgentID]string{}, agentW: 6}
		if src != nil {
			for _, a := range src.Board.Agents {
				name := oneLine(a.Name)
				c.agents[a.ID] = name
				c.agentW = max(c.agentW, min(lipgloss.Width(name), 14))
			}
		}
		c.filter = "\x00" // not a filter anyone types: forces the match below
	}
	if c.filter != v.filter {
		c.filter = v.filter
		c.matches = nil
		if strings.TrimSpace(v.filter) != "" && src != nil {
			c.matches = matchFeed(c, src.Events, parseFeedFilter(v.filter))
		}
	}
	if src == nil {
		return c, 0
	}
	if c.matches != nil || strings.TrimSpace(v.filter) != "" {
		return c, len(c.matches)
	}
	return c, len(src.Events)
}

// event is the i-th event the feed lists.
func (c *feedCache) event(i int) *core.Event {
	if c.matches != nil {
		return &c.snap.Events[c.matches[i]]
	}
	return &c.snap.Events[i]
}

// feedFilter is a parsed filter: words anywhere in the line, and
// agent:, task: and kind: restrictions.
type feedFilter struct {
	words, agents, tasks, kinds []string
}

func parseFeedFilter(s string) feedFilter {
	var f feedFilter
	for _, w := range strings.Fields(strings.ToLower(s)) {
		switch {
		case strings.HasPrefix(w, "agent:") && len(w) > 6:
			f.agents = append(f.agents, w[6:])
		case strings.HasPrefix(w, "task:") && len(w) > 5:
			f.tasks = append(f.tasks, strings.TrimPrefix(w[5:], "#"))
		case strings.HasPrefix(w, "kind:") && len(w) > 5:
			f.kinds = append(f.kinds, w[5:])
		default:
			f.words = append(f.words, w)
		}
	}
	return f
}

func matchFeed(c *feedCache, evs []core.Event, f feedFilter) []int {
	if c.lines == nil && len(f.words) > 0 {
		c.lines = make([]string, len(evs))
		for i := range evs {
			c.lines[i] = strings.ToLower(feedPlain(c, &evs[i]))
		}
	}
	out := []int{}
	for i := range evs {
		e := &evs[i]
		if anyMisses(f.agents, strings.ToLower(string(e.Agent)+" "+c.agents[e.Agent])) ||
			anyMisses(f.tasks, strings.ToLower(string(e.Task))) ||
			anyMisses(f.kinds, string(e.Kind)) ||
			(len(f.words) > 0 && !allIn(f.words, c.lines[i])) {
			continue
		}
		out = append(out, i)
	}
	return out
}

// anyMisses reports whether some wanted value is found in none of s (the
// restrictions of one kind are alternatives: agent:a agent:b is either).
func anyMisses(want []string, s string) bool {
	if len(want) == 0 {
		return false
	}
	for _, w := range want {
		if strings.Contains(s, w) {
			return false
		}
	}
	return true
}

func allIn(words []string, s string) bool {
	for _, w := range words {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}

// feedRows is how many event lines fit under the title (and the filter
// line, when there is one).
func (v *activityView) feedRows(h int) int {
	if v.filtering || v.filter != "" {
		h--
	}
	return max(1, h-1)
}

// feedEnd is one past the last event shown: the tail, or the anchor's
// line while scrolled up (never so high that the page is not full).
func (v *activityView) feedEnd(c *feedCache, n, rows int) int {
	a := v.anchor
	if a == 0 {
		return n
	}
	end := sort.Search(n, func(i int) bool { return c.event(i).ID > a })
	return max(end, min(n, rows))
}

// Update takes the keys while the feed has focus: all of them while a
// filter is typed.
func (v *activityView) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	if v.filtering {
		v.typeFilter(k)
		return nil
	}
	switch {
	case key.Matches(k, v.keys.Filter):
		v.filtering = true
	case key.Matches(k, v.keys.Back):
		v.filter = ""
	case key.Matches(k, v.keys.Pause):
		if v.frozen != nil {
			v.frozen = nil
		} else if v.snap != nil {
			v.frozen = v.snap
		}
	default:
		v.scroll(k)
	}
	return nil
}

// maxFeedFilter bounds the filter's length in bytes.
const maxFeedFilter = 200

// typeFilter edits the filter: enter keeps it, esc clears it, backspace
// takes back a character, and any other key with text types it.
func (v *activityView) typeFilter(k tea.KeyPressMsg) {
	switch {
	case key.Matches(k, v.keys.Open):
		v.filtering = false
	case key.Matches(k, v.keys.Back):
		v.filtering, v.filter = false, ""
	case k.Code == tea.KeyBackspace:
		if r := []rune(v.filter); len(r) > 0 {
			v.filter = string(r[:len(r)-1])
		}
	case k.Text != "" && k.Mod&^tea.ModShift == 0 && len(v.filter)+len(k.Text) <= maxFeedFilter:
		v.filter += k.Text
	}
}

func (v *activityView) scroll(k tea.KeyPressMsg) {
	c, n := v.feed()
	rows := v.feedRows(v.h)
	end := v.feedEnd(c, n, rows)
	first := min(rows, n) // the smallest end that fills a page
	switch {
	case key.Matches(k, v.keys.Up):
		end--
	case key.Matches(k, v.keys.Down):
		end++
	case key.Matches(k, v.keys.PageUp):
		end -= rows
	case key.Matches(k, v.keys.PageDown):
		end += rows
	case key.Matches(k, v.keys.Top):
		end = first
	case key.Matches(k, v.keys.Bottom):
		end = n
	default:
		return
	}
	end = max(first, end)
	if end >= n {
		v.anchor = 0
		return
	}
	v.anchor = c.event(end - 1).ID
}

// View is the title, the filter line when there is a filter, and a page
// of events ending at the tail or at the anchor.
func (v *activityView) View() string {
	w, h := v.w, v.h
	c, n := v.feed()
	rows := v.feedRows(h)
	end := v.feedEnd(c, n, rows)
	start := max(0, end-rows)
	lines := []string{fit(v.title(n), w)}
	if v.filtering || v.filter != "" {
		lines = append(lines, fit(v.filterLine(), w))
	}
	switch {
	case c.snap == nil || len(c.snap.Events) == 0:
		lines = append(lines, v.env.st.Faint.Render("No events yet."))
	case n == 0:
		lines = append(lines, v.env.st.Faint.Render("No event matches the filter (esc clears it)."))
	}
	for i := start; i < end; i++ {
		lines = append(lines, fit(v.line(c, c.event(i), w), w))
	}
	return strings.Join(lines, "\n")
}

func (v *activityView) title(n int) string {
	s, c := &v.env.st, &v.cache
	total := 0
	if c.snap != nil {
		total = len(c.snap.Events)
	}
	parts := []string{s.Bold.Render("Activity") + fmt.Sprintf(" %d events", total)}
	if c.matches != nil {
		parts = append(parts, fmt.Sprintf("%d match", n))
	}
	switch {
	case v.frozen != nil:
		parts = append(parts, s.Warn.Render(fmt.Sprintf("paused · %d new", v.newSinceFreeze())))
	case v.anchor != 0:
		parts = append(parts, s.Warn.Render("scrolled · G follows"))
	default:
		parts = append(parts, s.Faint.Render("following"))
	}
	return strings.Join(parts, " · ")
}

// newSinceFreeze counts the events that arrived after the feed paused.
func (v *activityView) newSinceFreeze() int {
	f, s := v.frozen, v.snap
	if f == nil || s == nil || len(s.Events) == 0 {
		return 0
	}
	var last int64
	if len(f.Events) > 0 {
		last = f.Events[len(f.Events)-1].ID
	}
	return len(s.Events) - sort.Search(len(s.Events), func(i int) bool { return s.Events[i].ID > last })
}

func (v *activityView) filterLine() string {
	s := &v.env.st
	if v.filtering {
		return s.Bold.Render("filter: ") + v.filter + "▌" + s.Faint.Render("  words · agent: · task: · kind:  enter keep · esc clear")
	}
	return s.Faint.Render("filter: ") + v.filter + s.Faint.Render("  (/ edit · esc clear)")
}

// feedLine is an event's line: time, agent and sentence, coloured by kind.
// Times are UTC, the store's zone, so every viewer reads the same.
func (v *activityView) line(c *feedCache, e *core.Event, w int) string {
	t := v.env.st.Faint.Render(e.At.UTC().Format("15:04:05"))
	s := v.style(e.Kind).Render(feedSentence(c, e))
	if w < 40 {
		return t + " " + s
	}
	return t + " " + pad(c.feedAgent(e), min(c.agentW, max(6, w/6))) + "  " + s
}

func (v *activityView) style(k core.EventKind) lipgloss.Style {
	st := &v.env.st
	switch k {
	case core.EventTaskClaimed:
		return st.Status[core.StatusInProgress]
	case core.EventTaskCompleted:
		return st.OK
	case core.EventTaskBlocked, core.EventBlockerReported, core.EventCircuitBroken, core.EventPlanningFailed:
		return st.Error
	case core.EventLeaseRecovered, core.EventTaskUnassigned:
		return st.Warn
	case core.EventProjectCreated, core.EventAgentRegistered, core.EventFeatureAdded:
		return st.Title
	case core.EventPlanning, core.EventPriorityChanged, core.EventArtifactLogged, core.EventDecisionLogged:
		return st.Faint
	}
	return lipgloss.NewStyle()
}
