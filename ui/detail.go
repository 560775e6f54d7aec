package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"marcus/core"
)

// detailKeys are the keys the task detail answers to.
type detailKeys struct {
	navKeys
	Back, Close, Artifact, Diff key.Binding
	ops                         opKeys
}

// detailView is one task in full over the tabs: its description, work,
// dependencies, decisions, artifacts and history, scrolled as one page.
type detailView struct {
	env  *env
	keys detailKeys
	snap *Snapshot
	w, h int
	done bool

	task   core.TaskID
	scroll int
	// shown is the artifact whose content shows inline, plus one (0: none).
	shown int
	md    mdCache
	// diff is the task's diff against the integration branch, once asked
	// for (d, under marcus run).
	diff *taskDiff
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

func newDetailView(e *env) detailView {
	k := Keys
	// q closes the detail rather than quitting (ctrl+c still quits).
	return detailView{env: e, keys: detailKeys{navKeys: newNavKeys(k), Back: k.Back, Close: key.NewBinding(key.WithKeys("q")),
		Artifact: k.Artifact, Diff: k.Diff, ops: newOpKeys(k)}}
}

// open shows task id from the top, nothing loaded yet.
func (d *detailView) open(id core.TaskID) {
	*d = detailView{env: d.env, keys: d.keys, snap: d.snap, w: d.w, h: d.h, task: id}
}

func (d *detailView) SetSize(w, h int) { d.w, d.h = w, h }

func (d *detailView) SetSnapshot(s *Snapshot) { d.snap = s }

func (d *detailView) Done() bool { return d.done }

func (d *detailView) Help() helpSet {
	var s helpSet
	s[helpMove] = d.keys.vertical()
	s[helpAct] = []key.Binding{d.keys.Back, d.keys.Artifact}
	if d.env.runner != nil {
		s[helpAct] = append(s[helpAct], d.keys.Diff)
	}
	s[helpTask] = d.keys.ops.all()
	return s
}

// shown is what the overlay shows: the loaded detail when it is the open
// task's, else the board's copy of the task (while the detail loads).
func (d *detailView) shownTask() (v *TaskDetail, t core.Task, ok bool) {
	if d.snap == nil {
		return nil, core.Task{}, false
	}
	if x := d.snap.Detail; x != nil && x.Task.ID == d.task {
		return x, x.Task, true
	}
	t, ok = d.snap.Task(d.task)
	return nil, t, ok
}

// Update scrolls, shows artifacts, acts on the task, or closes (esc, q).
func (d *detailView) Update(msg tea.Msg) tea.Cmd {
	if m, ok := msg.(diffMsg); ok {
		return d.onDiff(m)
	}
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	page := max(1, d.h-detailHeaderH)
	switch {
	case key.Matches(k, d.keys.Back), key.Matches(k, d.keys.Close):
		d.done = true
		return nil
	case key.Matches(k, d.keys.Up):
		d.scroll--
	case key.Matches(k, d.keys.Down):
		d.scroll++
	case key.Matches(k, d.keys.PageUp):
		d.scroll -= page
	case key.Matches(k, d.keys.PageDown):
		d.scroll += page
	case key.Matches(k, d.keys.Top):
		d.scroll = 0
	case key.Matches(k, d.keys.Bottom):
		d.scroll = 1 << 30
	case key.Matches(k, d.keys.Artifact):
		return d.cycleArtifact()
	case key.Matches(k, d.keys.Diff):
		return d.toggleDiff()
	default:
		if op := d.keys.ops.of(k); op != opNone {
			_, t, ok := d.shownTask()
			if !ok {
				return noteCmd("the task is not loaded", true)
			}
			return taskOpCmd(op, t)
		}
		return nil
	}
	d.clamp()
	return nil
}

// clamp keeps the scroll within the body at the current size.
func (d *detailView) clamp() {
	lines, _ := d.body(d.w)
	page := max(1, d.h-detailHeaderH)
	d.scroll = max(0, min(d.scroll, len(lines)-page))
}

// cycleArtifact shows the next artifact's content inline (after the last,
// none) and scrolls to it.
func (d *detailView) cycleArtifact() tea.Cmd {
	v, _, _ := d.shownTask()
	if v == nil || len(v.Artifacts) == 0 {
		return noteCmd("this task has no artifacts", true)
	}
	d.shown = (d.shown + 1) % (len(v.Artifacts) + 1)
	if _, at := d.body(d.w); at >= 0 {
		d.scroll = at
		d.clamp()
	}
	return nil
}

// View is the fixed header over a page of the body.
func (d *detailView) View() string {
	w, h := d.w, d.h
	v, t, ok := d.shownTask()
	if !ok {
		return d.env.st.Faint.Render(fit("task "+taskShortID(d.task)+" is no longer on the board · esc back", w))
	}
	lines := d.header(t, w)
	body, _ := d.body(w)
	if v == nil {
		body = []string{d.env.st.Faint.Render("loading…")}
	}
	page := max(0, h-len(lines))
	top := max(0, min(d.scroll, len(body)-page))
	for i := top; i < len(body) && i < top+page; i++ {
		lines = append(lines, fit(body[i], w))
	}
	return strings.Join(lines, "\n")
}

// detailHeader is the task's id, name and state in detailHeaderH lines.
func (d *detailView) header(t core.Task, w int) []string {
	now, st := d.env.now(), &d.env.st
	facts := []string{st.Status[t.Status].Render(strings.ReplaceAll(string(t.Status), "_", " ")),
		st.Priority[t.Priority].Render(t.Priority.String()), t.Phase.String()}
	if t.EstimateMinutes > 0 {
		facts = append(facts, "est "+minutesText(t.EstimateMinutes))
	}
	first := st.Faint.Render(taskShortID(t.ID)) + " " + st.Bold.Render(oneLine(t.Name)) + "  " +
		strings.Join(facts, st.Faint.Render(" · "))
	var second string
	switch t.Status {
	case core.StatusInProgress:
		second = oneLine(string(t.Holder)) + " " + bar(*st, t.Progress, 12) + fmt.Sprintf(" %d%%  ", t.Progress) +
			d.leaseText(t, now) + st.Faint.Render(fmt.Sprintf(" · epoch %d", t.Lease.Epoch))
		if at := t.Lease.LastProgressAt; at.After(t.Lease.ClaimedAt) {
			second += st.Faint.Render(" · reported " + sinceText(now, at))
		}
	case core.StatusBlocked:
		second = st.Status[core.StatusBlocked].Render("⚠ blocked: " + oneLine(t.BlockedReason))
	case core.StatusDone:
		second = st.Status[core.StatusDone].Render("✓ completed") + " by " + oneLine(string(t.Holder)) +
			st.Faint.Render(" · "+sinceText(now, t.CompletedAt))
	default:
		if n := d.snap.waitingOn(t); n > 0 {
			second = st.Faint.Render(fmt.Sprintf("waiting on %d unfinished dependencies", n))
		} else {
			second = st.OK.Render("ready") + st.Faint.Render(" for the next agent that asks")
		}
	}
	hint := st.Faint.Render("esc back · ↑↓ scroll · a artifacts · u b r + - act ")
	if d.env.runner != nil {
		hint = st.Faint.Render("esc back · ↑↓ scroll · a artifacts · d diff · u b r + - act ")
	}
	rule := hint + st.Faint.Render(strings.Repeat("─", max(0, w-ansi.StringWidth(ansi.Strip(hint)))))
	return []string{fit(first, w), fit(second, w), fit(rule, w)}
}

// leaseText is the lease's countdown: "2m14s left" or "expired".
func (d *detailView) leaseText(t core.Task, now time.Time) string {
	st := &d.env.st
	left := t.Lease.ExpiresAt.Sub(now)
	switch {
	case t.Lease.ExpiresAt.IsZero():
		return st.Faint.Render("no lease")
	case left <= 0 && left+t.Lease.Grace > 0:
		return st.Error.Render("lease expired") + st.Faint.Render(" · grace "+durationText(left+t.Lease.Grace)+" left")
	case left <= 0:
		return st.Error.Render("lease expired")
	}
	return st.Faint.Render("lease " + durationText(left) + " left")
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
