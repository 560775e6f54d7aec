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

// activityState is the feed's filter, pause and scroll.
type activityState struct {
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

// feedSource is the snapshot the feed shows: the frozen one while paused.
func (m *Model) feedSource() *Snapshot {
	if m.activity.frozen != nil {
		return m.activity.frozen
	}
	return m.snap
}

// feed prepares the cache for the current source and filter and returns
// how many events the feed lists.
func (m *Model) feed() (*feedCache, int) {
	st := &m.activity
	c := &st.cache
	src := m.feedSource()
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
	if c.filter != st.filter {
		c.filter = st.filter
		c.matches = nil
		if strings.TrimSpace(st.filter) != "" && src != nil {
			c.matches = m.matchFeed(c, src.Events, parseFeedFilter(st.filter))
		}
	}
	if src == nil {
		return c, 0
	}
	if c.matches != nil || strings.TrimSpace(st.filter) != "" {
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

func (m *Model) matchFeed(c *feedCache, evs []core.Event, f feedFilter) []int {
	if c.lines == nil && len(f.words) > 0 {
		c.lines = make([]string, len(evs))
		for i := range evs {
			c.lines[i] = strings.ToLower(m.feedPlain(c, &evs[i]))
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
func (m *Model) feedRows(h int) int {
	if m.activity.filtering || m.activity.filter != "" {
		h--
	}
	return max(1, h-1)
}

// feedEnd is one past the last event shown: the tail, or the anchor's
// line while scrolled up (never so high that the page is not full).
func (m *Model) feedEnd(c *feedCache, n, rows int) int {
	a := m.activity.anchor
	if a == 0 {
		return n
	}
	end := sort.Search(n, func(i int) bool { return c.event(i).ID > a })
	return max(end, min(n, rows))
}

func (m *Model) updateActivity(k tea.KeyPressMsg) tea.Cmd {
	st := &m.activity
	if st.filtering {
		m.typeFilter(k)
		return nil
	}
	switch {
	case key.Matches(k, m.keys.Filter):
		st.filtering = true
		return nil
	case key.Matches(k, m.keys.Back):
		st.filter = ""
		return nil
	case key.Matches(k, m.keys.Pause):
		if st.frozen != nil {
			st.frozen = nil
		} else if m.snap != nil {
			st.frozen = m.snap
		}
		return nil
	}
	m.scrollFeed(k)
	return nil
}

// maxFeedFilter bounds the filter's length in bytes.
const maxFeedFilter = 200

// typeFilter edits the filter: enter keeps it, esc clears it, backspace
// takes back a character, and any other key with text types it.
func (m *Model) typeFilter(k tea.KeyPressMsg) {
	st := &m.activity
	switch {
	case key.Matches(k, m.keys.Open):
		st.filtering = false
	case key.Matches(k, m.keys.Back):
		st.filtering, st.filter = false, ""
	case k.Code == tea.KeyBackspace:
		if r := []rune(st.filter); len(r) > 0 {
			st.filter = string(r[:len(r)-1])
		}
	case k.Text != "" && k.Mod&^tea.ModShift == 0 && len(st.filter)+len(k.Text) <= maxFeedFilter:
		st.filter += k.Text
	}
}

func (m *Model) scrollFeed(k tea.KeyPressMsg) {
	st := &m.activity
	c, n := m.feed()
	rows := m.feedRows(m.height - 3)
	end := m.feedEnd(c, n, rows)
	first := min(rows, n) // the smallest end that fills a page
	switch {
	case key.Matches(k, m.keys.Up):
		end--
	case key.Matches(k, m.keys.Down):
		end++
	case key.Matches(k, m.keys.PageUp):
		end -= rows
	case key.Matches(k, m.keys.PageDown):
		end += rows
	case key.Matches(k, m.keys.Top):
		end = first
	case key.Matches(k, m.keys.Bottom):
		end = n
	default:
		return
	}
	end = max(first, end)
	if end >= n {
		st.anchor = 0
		return
	}
	st.anchor = c.event(end - 1).ID
}

func (m *Model) viewActivity(w, h int) string {
	st := &m.activity
	c, n := m.feed()
	rows := m.feedRows(h)
	end := m.feedEnd(c, n, rows)
	start := max(0, end-rows)
	lines := []string{fit(m.feedTitle(n), w)}
	if st.filtering || st.filter != "" {
		lines = append(lines, fit(m.feedFilterLine(), w))
	}
	switch {
	case c.snap == nil || len(c.snap.Events) == 0:
		lines = append(lines, m.st.Faint.Render("No events yet."))
	case n == 0:
		lines = append(lines, m.st.Faint.Render("No event matches the filter (esc clears it)."))
	}
	for i := start; i < end; i++ {
		lines = append(lines, fit(m.feedLine(c, c.event(i), w), w))
	}
	return strings.Join(lines, "\n")
}

func (m *Model) feedTitle(n int) string {
	st := &m.activity
	c := &st.cache
	total := 0
	if c.snap != nil {
		total = len(c.snap.Events)
	}
	parts := []string{m.st.Bold.Render("Activity") + fmt.Sprintf(" %d events", total)}
	if c.matches != nil {
		parts = append(parts, fmt.Sprintf("%d match", n))
	}
	switch {
	case st.frozen != nil:
		parts = append(parts, m.st.Warn.Render(fmt.Sprintf("paused · %d new", m.newSinceFreeze())))
	case st.anchor != 0:
		parts = append(parts, m.st.Warn.Render("scrolled · G follows"))
	default:
		parts = append(parts, m.st.Faint.Render("following"))
	}
	return strings.Join(parts, " · ")
}

// newSinceFreeze counts the events that arrived after the feed paused.
func (m *Model) newSinceFreeze() int {
	f, s := m.activity.frozen, m.snap
	if f == nil || s == nil || len(s.Events) == 0 {
		return 0
	}
	var last int64
	if len(f.Events) > 0 {
		last = f.Events[len(f.Events)-1].ID
	}
	return len(s.Events) - sort.Search(len(s.Events), func(i int) bool { return s.Events[i].ID > last })
}

func (m *Model) feedFilterLine() string {
	st := &m.activity
	if st.filtering {
		return m.st.Bold.Render("filter: ") + st.filter + "▌" + m.st.Faint.Render("  words · agent: · task: · kind:  enter keep · esc clear")
	}
	return m.st.Faint.Render("filter: ") + st.filter + m.st.Faint.Render("  (/ edit · esc clear)")
}

// feedAgent is the name in the agent column: the agent that acted, or
// "marcus" for what the system or a person did.
func (c *feedCache) feedAgent(e *core.Event) string {
	if !e.AgentActed() {
		return "marcus"
	}
	if name, ok := c.agents[e.Agent]; ok {
		return name
	}
	return string(e.Agent)
}

// feedPlain is an event's line without styles, as the filter reads it.
func (m *Model) feedPlain(c *feedCache, e *core.Event) string {
	return e.At.UTC().Format("15:04:05") + " " + c.feedAgent(e) + "  " + m.feedSentence(c, e)
}

// feedLine is an event's line: time, agent and sentence, coloured by kind.
// Times are UTC, the store's zone, so every viewer reads the same.
func (m *Model) feedLine(c *feedCache, e *core.Event, w int) string {
	t := m.st.Faint.Render(e.At.UTC().Format("15:04:05"))
	s := m.feedStyle(e.Kind).Render(m.feedSentence(c, e))
	if w < 40 {
		return t + " " + s
	}
	return t + " " + pad(c.feedAgent(e), min(c.agentW, max(6, w/6))) + "  " + s
}

func (m *Model) feedStyle(k core.EventKind) lipgloss.Style {
	switch k {
	case core.EventTaskClaimed:
		return m.st.Status[core.StatusInProgress]
	case core.EventTaskCompleted:
		return m.st.OK
	case core.EventTaskBlocked, core.EventBlockerReported, core.EventCircuitBroken, core.EventPlanningFailed:
		return m.st.Error
	case core.EventLeaseRecovered, core.EventTaskUnassigned:
		return m.st.Warn
	case core.EventProjectCreated, core.EventAgentRegistered, core.EventFeatureAdded:
		return m.st.Title
	case core.EventPlanning, core.EventPriorityChanged, core.EventArtifactLogged, core.EventDecisionLogged:
		return m.st.Faint
	}
	return lipgloss.NewStyle()
}

// feedSentence says what an event means, in a person's words.
func (m *Model) feedSentence(c *feedCache, e *core.Event) string {
	if s, ok := planSentence(e); ok {
		return s
	}
	if s, ok := m.workSentence(c, e); ok {
		return s
	}
	if s, ok := troubleSentence(c, e); ok {
		return s
	}
	s := strings.ReplaceAll(string(e.Kind), "_", " ")
	if e.Task != "" {
		s += " " + m.feedTask(c, e)
	}
	return s
}

// planSentence tells of projects, planning and agents joining.
func planSentence(e *core.Event) (string, bool) {
	switch p := e.Payload.(type) {
	case core.ProjectCreated:
		s := fmt.Sprintf("created project %q with %d tasks", oneLine(p.Name), p.Tasks)
		if p.Planner != "" {
			s += " (" + p.Planner + " planner)"
		}
		return s, true
	case core.PlanningProgress:
		s := "planning " + oneLine(p.Name) + ": " + p.Stage
		if p.Total > 0 {
			s += fmt.Sprintf(" %d/%d", p.Done, p.Total)
		}
		if p.Feature != "" {
			s += " " + oneLine(p.Feature)
		}
		return s, true
	case core.PlanningFailed:
		return fmt.Sprintf("planning %q failed: %s", oneLine(p.Name), oneLine(p.Error)), true
	case core.FeatureAdded:
		return fmt.Sprintf("added feature %q (%d tasks)", oneLine(p.Description), len(p.Tasks)), true
	case core.AgentRegistered:
		s := "registered"
		if p.Role != "" {
			s += " as " + oneLine(p.Role)
		}
		names := make([]string, 0, len(p.Skills))
		for _, v := range p.Skills {
			names = append(names, oneLine(v))
		}
		if len(names) > 0 {
			s += " (" + strings.Join(names, ", ") + ")"
		}
		return s, true
	}
	return "", false
}

// workSentence tells of work on a task going as it should.
func (m *Model) workSentence(c *feedCache, e *core.Event) (string, bool) {
	tag := taskShortID(e.Task)
	quoted := func(msg string) string {
		if msg = oneLine(msg); msg != "" {
			return ": \"" + msg + "\""
		}
		return ""
	}
	switch p := e.Payload.(type) {
	case core.TaskClaimed:
		if p.Recovered {
			return "claimed " + m.feedTask(c, e) + " (handoff from its last holder)", true
		}
		return "claimed " + m.feedTask(c, e), true
	case core.TaskProgress:
		return fmt.Sprintf("%d%% on %s", p.Progress, tag) + quoted(p.Message), true
	case core.TaskCompleted:
		return "completed " + m.feedTask(c, e) + quoted(p.Message), true
	case core.DecisionLogged:
		return "decided on " + tag + quoted(p.Decision), true
	case core.ArtifactLogged:
		s := "logged " + oneLine(p.Filename)
		if p.Type != "" {
			s += " (" + oneLine(p.Type) + ")"
		}
		return s + " on " + tag, true
	case core.PriorityChanged:
		return fmt.Sprintf("priority of %s: %s → %s", m.feedTask(c, e), p.From, p.To), true
	}
	return "", false
}

// troubleSentence tells of blockers, recoveries and tasks taken back.
func troubleSentence(c *feedCache, e *core.Event) (string, bool) {
	tag := taskShortID(e.Task)
	switch p := e.Payload.(type) {
	case core.TaskBlocked:
		if p.By != core.ByPerson {
			return "blocked " + tag + ": " + oneLine(p.Why()), true
		}
		s := "a person blocked " + tag + ": " + oneLine(p.Reason)
		if e.Agent != "" {
			s += " (taken from " + c.name(e.Agent) + ")"
		}
		return s, true
	case core.BlockerReported:
		s := fmt.Sprintf("%s blocker on %s: %s", orText(p.Severity, "a"), tag, oneLine(p.Description))
		if p.Parks() {
			s += " · task parked"
		}
		return s, true
	case core.TaskUnassigned:
		s := "unassigned " + tag
		if e.Agent != "" {
			s += " from " + c.name(e.Agent)
		}
		s += " → backlog"
		if r := oneLine(p.Reason); r != "" {
			s += ": " + r
		}
		return s, true
	case core.LeaseRecovery:
		return recoverySentence(c, e, p, tag), true
	}
	return "", false
}

// recoverySentence tells of a lease taken back, or of the circuit breaker.
func recoverySentence(c *feedCache, e *core.Event, p core.LeaseRecovery, tag string) string {
	if e.Kind == core.EventCircuitBroken {
		return fmt.Sprintf("circuit breaker: %s blocked after %d silent recoveries (last holder %s)", tag, p.SilentRecoveries, c.name(e.Agent))
	}
	s := "recovered " + tag + " from " + c.name(e.Agent)
	if _, silence, ok := strings.Cut(p.Reason, "silent for "); ok {
		s += " (silent " + oneLine(silence) + ")"
	}
	if p.Progress > 0 {
		return s + fmt.Sprintf(" → backlog, handoff kept at %d%%", p.Progress)
	}
	return s + " → backlog, handoff kept"
}

// feedTask is a task's short id and, when known, its name.
func (m *Model) feedTask(c *feedCache, e *core.Event) string {
	if e.Task == "" {
		return ""
	}
	name := payloadTaskName(e.Payload)
	if t, ok := c.snap.Task(e.Task); ok {
		name = t.Name
	}
	if name == "" {
		return taskShortID(e.Task)
	}
	return taskShortID(e.Task) + " " + oneLine(name)
}

// payloadTaskName is the task name an event's payload carries, if any.
func payloadTaskName(p core.Payload) string {
	switch p := p.(type) {
	case core.TaskClaimed:
		return p.Name
	case core.TaskAdded:
		return p.Name
	case core.TaskEdited:
		return p.Name
	}
	return ""
}

func (c *feedCache) name(id core.AgentID) string {
	if n, ok := c.agents[id]; ok {
		return n
	}
	return string(id)
}

func orText(s, alt string) string {
	if s != "" {
		return s
	}
	return alt
}
