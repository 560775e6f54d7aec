package ui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/glamour/v2"
	gansi "charm.land/glamour/v2/ansi"
	"charm.land/glamour/v2/styles"
	"github.com/charmbracelet/x/ansi"

	"marcus/core"
)

// detailState is the task detail's task, scroll and shown artifact.
type detailState struct {
	task   core.TaskID
	scroll int
	// shown is the artifact whose content shows inline, plus one (0: none).
	shown int
	md    mdCache
}

// mdCache is a description rendered as markdown, for one task, width and
// text: glamour is far too slow to run every frame.
type mdCache struct {
	key   string
	lines []string
}

// detailHeaderH is the lines of the detail's fixed header.
const detailHeaderH = 3

// maxArtifactLines bounds the lines of an artifact shown inline.
const maxArtifactLines = 200

// detailView is what the overlay shows: the loaded detail when it is the
// open task's, else the board's copy of the task (while the detail loads).
func (m *Model) detailView() (v *TaskDetail, t core.Task, ok bool) {
	if m.snap == nil {
		return nil, core.Task{}, false
	}
	if d := m.snap.Detail; d != nil && d.Task.ID == m.detail.task {
		return d, d.Task, true
	}
	t, ok = m.snap.Task(m.detail.task)
	return nil, t, ok
}

func (m *Model) updateDetail(k tea.KeyPressMsg) tea.Cmd {
	d := &m.detail
	page := max(1, m.height-3-detailHeaderH)
	switch {
	case key.Matches(k, m.keys.Back):
		m.closeOverlay()
		return nil
	case key.Matches(k, m.keys.Up):
		d.scroll--
	case key.Matches(k, m.keys.Down):
		d.scroll++
	case key.Matches(k, m.keys.PageUp):
		d.scroll -= page
	case key.Matches(k, m.keys.PageDown):
		d.scroll += page
	case key.Matches(k, m.keys.Top):
		d.scroll = 0
	case key.Matches(k, m.keys.Bottom):
		d.scroll = 1 << 30
	case key.Matches(k, m.keys.Artifact):
		m.cycleArtifact()
	default:
		if op := m.taskOpOf(k); op != opNone {
			_, t, ok := m.detailView()
			if !ok {
				m.setStatus("the task is not loaded", true)
				return nil
			}
			return m.runTaskOp(op, t)
		}
		return nil
	}
	m.clampDetail()
	return nil
}

// clampDetail keeps the scroll within the body at the current size.
func (m *Model) clampDetail() {
	lines, _ := m.detailBody(m.width)
	page := max(1, m.height-3-detailHeaderH)
	m.detail.scroll = max(0, min(m.detail.scroll, len(lines)-page))
}

// cycleArtifact shows the next artifact's content inline (after the last,
// none) and scrolls to it.
func (m *Model) cycleArtifact() {
	v, _, _ := m.detailView()
	if v == nil || len(v.Artifacts) == 0 {
		m.setStatus("this task has no artifacts", true)
		return
	}
	m.detail.shown = (m.detail.shown + 1) % (len(v.Artifacts) + 1)
	if _, at := m.detailBody(m.width); at >= 0 {
		m.detail.scroll = at
		m.clampDetail()
	}
}

func (m *Model) viewDetail(w, h int) string {
	v, t, ok := m.detailView()
	if !ok {
		return m.st.Faint.Render(fit("task "+taskShortID(m.detail.task)+" is no longer on the board · esc back", w))
	}
	lines := m.detailHeader(t, w)
	body, _ := m.detailBody(w)
	if v == nil {
		body = []string{m.st.Faint.Render("loading…")}
	}
	page := max(0, h-len(lines))
	top := max(0, min(m.detail.scroll, len(body)-page))
	for i := top; i < len(body) && i < top+page; i++ {
		lines = append(lines, fit(body[i], w))
	}
	return strings.Join(lines, "\n")
}

// detailHeader is the task's id, name and state in detailHeaderH lines.
func (m *Model) detailHeader(t core.Task, w int) []string {
	now := m.o.Now()
	facts := []string{m.st.Status[t.Status].Render(strings.ReplaceAll(string(t.Status), "_", " ")),
		m.st.Priority[t.Priority].Render(t.Priority.String()), t.Phase.String()}
	if t.EstimateMinutes > 0 {
		facts = append(facts, "est "+minutesText(t.EstimateMinutes))
	}
	first := m.st.Faint.Render(taskShortID(t.ID)) + " " + m.st.Bold.Render(oneLine(t.Name)) + "  " +
		strings.Join(facts, m.st.Faint.Render(" · "))
	var second string
	switch t.Status {
	case core.StatusInProgress:
		second = oneLine(string(t.Holder)) + " " + bar(m.st, t.Progress, 12) + fmt.Sprintf(" %d%%  ", t.Progress) +
			m.leaseText(t, now) + m.st.Faint.Render(fmt.Sprintf(" · epoch %d", t.Lease.Epoch))
		if at := t.Lease.LastProgressAt; at.After(t.Lease.ClaimedAt) {
			second += m.st.Faint.Render(" · reported " + sinceText(now, at))
		}
	case core.StatusBlocked:
		second = m.st.Status[core.StatusBlocked].Render("⚠ blocked: " + oneLine(t.BlockedReason))
	case core.StatusDone:
		second = m.st.Status[core.StatusDone].Render("✓ completed") + " by " + oneLine(string(t.Holder)) +
			m.st.Faint.Render(" · "+sinceText(now, t.CompletedAt))
	default:
		if n := m.waitingOn(t); n > 0 {
			second = m.st.Faint.Render(fmt.Sprintf("waiting on %d unfinished dependencies", n))
		} else {
			second = m.st.OK.Render("ready") + m.st.Faint.Render(" for the next agent that asks")
		}
	}
	hint := m.st.Faint.Render("esc back · ↑↓ scroll · a artifacts · u b r + - act ")
	rule := hint + m.st.Faint.Render(strings.Repeat("─", max(0, w-ansi.StringWidth(ansi.Strip(hint)))))
	return []string{fit(first, w), fit(second, w), fit(rule, w)}
}

// leaseText is the lease's countdown: "2m14s left" or "expired".
func (m *Model) leaseText(t core.Task, now time.Time) string {
	left := t.Lease.ExpiresAt.Sub(now)
	switch {
	case t.Lease.ExpiresAt.IsZero():
		return m.st.Faint.Render("no lease")
	case left <= 0 && left+t.Lease.Grace > 0:
		return m.st.Error.Render("lease expired") + m.st.Faint.Render(" · grace "+durationText(left+t.Lease.Grace)+" left")
	case left <= 0:
		return m.st.Error.Render("lease expired")
	}
	return m.st.Faint.Render("lease " + durationText(left) + " left")
}

// detailBody is the scrolling part of the detail, w cells wide, and the
// line where the artifacts start (-1 when there are none).
func (m *Model) detailBody(w int) (lines []string, artifactsAt int) {
	v, _, _ := m.detailView()
	if v == nil {
		return nil, -1
	}
	t, now := v.Task, m.o.Now()
	// section adds a titled block; an empty one is left out.
	section := func(title string, body []string) {
		if len(body) == 0 {
			return
		}
		if len(lines) > 0 {
			lines = append(lines, "")
		}
		lines = append(append(lines, m.st.Bold.Render(title)), body...)
	}
	if strings.TrimSpace(t.Description) != "" {
		section("Description", m.markdown(t, w))
	}
	if t.LastMessage != "" {
		section("Last message", wrapIndent(`"`+t.LastMessage+`"`, w, "  "))
	}
	section("Acceptance criteria", m.acceptanceLines(t, w))
	section("Depends on", m.depLines(t, v.Deps, false))
	section("Needed by", m.depLines(t, v.Dependents, true))
	if t.Handoff != nil {
		section("Handoff", m.handoffLines(*t.Handoff, w, now))
	}
	var ls []string
	for _, d := range v.Decisions {
		ls = append(ls, m.decisionLines(d, w, now)...)
	}
	section("Decisions", ls)
	artifactsAt, ls = len(lines)+1, nil
	if len(lines) == 0 {
		artifactsAt = 0
	}
	for i, a := range v.Artifacts {
		ls = append(ls, m.artifactLines(a, i+1 == m.detail.shown, w, now)...)
	}
	if len(ls) == 0 {
		artifactsAt = -1
	}
	section("Artifacts", ls)
	ls = nil
	for i := len(v.History) - 1; i >= 0; i-- {
		ls = append(ls, m.historyLine(v.History[i], now))
	}
	section("History", ls)
	return lines, artifactsAt
}

func (m *Model) acceptanceLines(t core.Task, w int) []string {
	box := "☐ "
	if t.Status == core.StatusDone {
		box = "☑ "
	}
	var out []string
	for _, a := range t.Acceptance {
		out = append(out, wrapIndent(box+oneLine(a), w, "  ")...)
	}
	return out
}

// depLines lists t's dependencies (or its dependents) with their status,
// marking the soft links.
func (m *Model) depLines(t core.Task, related []core.Task, dependents bool) []string {
	var out []string
	for _, d := range related {
		soft := slices.Contains(t.Dependencies, core.Dependency{Task: d.ID, Soft: true})
		if dependents {
			// The store lists dependents without their dependencies; the
			// board has them.
			full, _ := m.snap.Task(d.ID)
			soft = slices.Contains(full.Dependencies, core.Dependency{Task: t.ID, Soft: true})
		}
		out = append(out, m.relatedLine(d, soft))
	}
	return out
}

func (m *Model) relatedLine(d core.Task, soft bool) string {
	line := "  " + m.st.Faint.Render(taskShortID(d.ID)) + " " + oneLine(d.Name) + "  " +
		m.st.Status[d.Status].Render(strings.ReplaceAll(string(d.Status), "_", " "))
	if soft {
		line += m.st.Faint.Render(" (soft)")
	}
	return line
}

func (m *Model) handoffLines(h core.Handoff, w int, now time.Time) []string {
	out := []string{"  from " + oneLine(string(h.PreviousHolder)) + fmt.Sprintf(" at %d%%", h.Progress) +
		m.st.Faint.Render(" · "+sinceText(now, h.RecoveredAt))}
	out = append(out, wrapIndent("reason: "+oneLine(h.Reason), w, "  ")...)
	if h.Message != "" {
		out = append(out, wrapIndent(`last message: "`+oneLine(h.Message)+`"`, w, "  ")...)
	}
	return out
}

func (m *Model) decisionLines(d core.Decision, w int, now time.Time) []string {
	var out []string
	if d.Why == "" {
		out = wrapIndent("• "+oneLine(detailOr(d.What, d.Text)), w, "  ")
	} else {
		out = wrapIndent("• "+oneLine(d.What), w, "  ")
		out = append(out, wrapIndent("why: "+oneLine(d.Why), w, "    ")...)
		if d.Impact != "" {
			out = append(out, wrapIndent("impact: "+oneLine(d.Impact), w, "    ")...)
		}
	}
	return append(out, "    "+m.st.Faint.Render(oneLine(string(d.Agent))+" · "+sinceText(now, d.CreatedAt)))
}

func (m *Model) artifactLines(a core.Artifact, shown bool, w int, now time.Time) []string {
	mark := "  ▹ "
	if shown {
		mark = "  ▸ "
	}
	line := mark + m.st.Faint.Render("["+oneLine(detailOr(a.Type, "file"))+"] ") + m.st.Bold.Render(oneLine(a.Filename))
	if a.Description != "" {
		line += m.st.Faint.Render(" — " + oneLine(a.Description))
	}
	out := []string{line}
	if !shown {
		return out
	}
	if a.Content == "" {
		return append(out, wrapIndent("location: "+oneLine(a.Location), w, "    ")...)
	}
	rest, n := a.Content, 0
	for rest != "" && n < maxArtifactLines {
		var l string
		l, rest, _ = strings.Cut(rest, "\n")
		out = append(out, "    │ "+strings.ReplaceAll(strings.TrimRight(l, "\r"), "\t", "    "))
		n++
	}
	if rest != "" {
		out = append(out, m.st.Faint.Render(fmt.Sprintf("    │ … %d more lines", strings.Count(rest, "\n")+1)))
	}
	return out
}

// historyLine is one event of the task, newest first, with its age.
func (m *Model) historyLine(e core.Event, now time.Time) string {
	what := historyText(e)
	return "  " + m.st.Faint.Render(fmt.Sprintf("%-8s", sinceText(now, e.At))) + " " + what
}

// historyText says what an event did to the task.
func historyText(e core.Event) string {
	who := oneLine(string(e.Agent))
	switch p := e.Payload.(type) {
	case core.TaskClaimed:
		return fmt.Sprintf("claimed by %s (lease epoch %d)", who, p.Epoch)
	case core.TaskProgress:
		what := fmt.Sprintf("%s %d%%", who, p.Progress)
		if msg := oneLine(p.Message); msg != "" {
			what += ` "` + msg + `"`
		}
		return what
	case core.TaskCompleted:
		return "completed by " + who
	case core.TaskBlocked:
		return "blocked: " + oneLine(p.Why())
	case core.BlockerReported:
		return fmt.Sprintf("%s reported a %s blocker: %s", who, oneLine(p.Severity), oneLine(p.Description))
	case core.LeaseRecovery:
		if e.Kind == core.EventCircuitBroken {
			return "circuit breaker blocked it: " + oneLine(p.Reason)
		}
		return "recovered from " + who + ": " + oneLine(p.Reason)
	case core.TaskUnassigned:
		what := "unassigned"
		if who != "" {
			what += " from " + who
		}
		if r := oneLine(p.Reason); r != "" {
			what += ": " + r
		}
		return what
	case core.ArtifactLogged:
		return "artifact " + oneLine(p.Filename)
	case core.DecisionLogged:
		return "decision: " + oneLine(p.Decision)
	case core.PriorityChanged:
		return "priority " + p.From.String() + " → " + p.To.String()
	}
	return strings.ReplaceAll(string(e.Kind), "_", " ")
}

// markdown renders the description with glamour, cached per task, width
// and text; plain wrapped text when glamour fails.
func (m *Model) markdown(t core.Task, w int) []string {
	key := string(t.ID) + "\x00" + strconv.Itoa(w) + "\x00" + t.Description
	if m.detail.md.key == key {
		return m.detail.md.lines
	}
	lines, err := renderMarkdown(t.Description, w, m.o.NoColor)
	if err != nil {
		lines = wrapIndent(t.Description, w, "  ")
	}
	m.detail.md = mdCache{key: key, lines: lines}
	return lines
}

func renderMarkdown(text string, w int, noColor bool) (lines []string, err error) {
	defer func() {
		// A renderer bug must cost the formatting, not the dashboard.
		if r := recover(); r != nil {
			lines, err = nil, fmt.Errorf("markdown: %v", r)
		}
	}()
	style := glamour.WithStandardStyle(styles.DarkStyle)
	if noColor {
		style = glamour.WithStyles(plainMarkdownStyle())
	}
	r, err := glamour.NewTermRenderer(style, glamour.WithWordWrap(max(10, w)))
	if err != nil {
		return nil, err
	}
	out, err := r.Render(text)
	if err != nil {
		return nil, err
	}
	lines = strings.Split(out, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	for len(lines) > 0 && strings.TrimSpace(ansi.Strip(lines[0])) == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && strings.TrimSpace(ansi.Strip(lines[len(lines)-1])) == "" {
		lines = lines[:len(lines)-1]
	}
	return lines, nil
}

// plainMarkdownStyle is glamour's dark style without a color: headings,
// emphasis and lists keep their shape, and the text reads on any terminal.
func plainMarkdownStyle() gansi.StyleConfig {
	bold, italic, margin := true, true, uint(2)
	quote := "│ "
	indent := uint(1)
	return gansi.StyleConfig{
		Document:       gansi.StyleBlock{StylePrimitive: gansi.StylePrimitive{BlockPrefix: "\n", BlockSuffix: "\n"}, Margin: &margin},
		BlockQuote:     gansi.StyleBlock{Indent: &indent, IndentToken: &quote},
		List:           gansi.StyleList{LevelIndent: 2},
		Heading:        gansi.StyleBlock{StylePrimitive: gansi.StylePrimitive{BlockSuffix: "\n", Bold: &bold}},
		H1:             gansi.StyleBlock{StylePrimitive: gansi.StylePrimitive{Prefix: "# "}},
		H2:             gansi.StyleBlock{StylePrimitive: gansi.StylePrimitive{Prefix: "## "}},
		H3:             gansi.StyleBlock{StylePrimitive: gansi.StylePrimitive{Prefix: "### "}},
		H4:             gansi.StyleBlock{StylePrimitive: gansi.StylePrimitive{Prefix: "#### "}},
		H5:             gansi.StyleBlock{StylePrimitive: gansi.StylePrimitive{Prefix: "##### "}},
		H6:             gansi.StyleBlock{StylePrimitive: gansi.StylePrimitive{Prefix: "###### "}},
		Emph:           gansi.StylePrimitive{Italic: &italic},
		Strong:         gansi.StylePrimitive{Bold: &bold},
		HorizontalRule: gansi.StylePrimitive{Format: "\n--------\n"},
		Item:           gansi.StylePrimitive{BlockPrefix: "• "},
		Enumeration:    gansi.StylePrimitive{BlockPrefix: ". "},
		Task:           gansi.StyleTask{Ticked: "[✓] ", Unticked: "[ ] "},
		LinkText:       gansi.StylePrimitive{Bold: &bold},
		ImageText:      gansi.StylePrimitive{Format: "Image: {{.text}} →"},
		CodeBlock:      gansi.StyleCodeBlock{StyleBlock: gansi.StyleBlock{Margin: &margin}},
		Table:          gansi.StyleTable{},
	}
}

// wrapIndent wraps text to w cells, each line starting with indent.
func wrapIndent(text string, w int, indent string) []string {
	width := max(1, w-len(indent))
	var out []string
	for _, para := range strings.Split(strings.TrimSpace(text), "\n") {
		for _, l := range strings.Split(ansi.Wrap(strings.TrimRight(para, " \r"), width, ""), "\n") {
			out = append(out, indent+l)
		}
	}
	return out
}

// detailOr is s, or alt when s is blank.
func detailOr(s, alt string) string {
	if strings.TrimSpace(s) == "" {
		return alt
	}
	return s
}

// durationText is a short duration: "45s", "2m14s", "1h02m".
func durationText(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// minutesText is an estimate: "45m", "2h", "1h30m".
func minutesText(n int) string {
	switch {
	case n < 60:
		return fmt.Sprintf("%dm", n)
	case n%60 == 0:
		return fmt.Sprintf("%dh", n/60)
	}
	return fmt.Sprintf("%dh%02dm", n/60, n%60)
}
