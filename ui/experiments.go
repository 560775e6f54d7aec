package ui

import (
	"fmt"
	"math"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"marcus/core"
)

// experimentsState is the experiments view's pan through time and scroll.
type experimentsState struct {
	// pan is how many buckets back from the newest the charts end.
	pan int
	// scroll is the first line shown when the page is taller than the body.
	scroll int
}

// series is one chart of the run.
type series struct {
	label string
	vals  []float64
	scale float64 // the value a full bar stands for; 0 scales to the max
	unit  string  // appended to values ("%")
	style lipgloss.Style
}

func (m *Model) updateExperiments(k tea.KeyPressMsg) tea.Cmd {
	st := &m.exper
	n := 0
	if m.snap != nil {
		n = len(m.snap.Metrics.Buckets)
	}
	switch {
	case key.Matches(k, m.keys.Left):
		st.pan++
	case key.Matches(k, m.keys.Right):
		st.pan--
	case key.Matches(k, m.keys.Top):
		st.pan = n
	case key.Matches(k, m.keys.Bottom):
		st.pan = 0
	case key.Matches(k, m.keys.Up):
		st.scroll--
	case key.Matches(k, m.keys.Down):
		st.scroll++
	case key.Matches(k, m.keys.PageUp):
		st.scroll -= max(1, m.height-3)
	case key.Matches(k, m.keys.PageDown):
		st.scroll += max(1, m.height-3)
	default:
		return nil
	}
	// pan is clamped against the chart width when drawn; here only against
	// the data, so that keys keep working before the first frame.
	st.pan = max(0, min(st.pan, n))
	st.scroll = max(0, st.scroll)
	return nil
}

func (m *Model) viewExperiments(w, h int) string {
	st := &m.exper
	lines := m.experimentLines(w, h)
	st.scroll = max(0, min(st.scroll, len(lines)-h))
	return strings.Join(lines[st.scroll:], "\n")
}

// experimentLines is the whole page: the run's charts, its totals and the
// runs section.
func (m *Model) experimentLines(w, h int) []string {
	s := m.snap
	ms := s.Metrics
	lines := []string{fit(m.st.Bold.Render("Run")+" "+m.st.Header.Render(oneLine(s.Board.Project.Name))+m.runClock(), w)}
	if ms.Start.IsZero() {
		lines = append(lines, "", fit("No agent has worked on this project yet: the run starts when the first agent registers.", w))
	} else {
		lines = append(lines, "")
		lines = append(lines, m.charts(w, h)...)
	}
	if reps := s.Experiments; len(reps) > 0 && reps[len(reps)-1].Experiment.Running {
		// A recorded run: its report, as marcus experiment report gives it,
		// refreshed live.
		live := reps[len(reps)-1]
		lines = append(lines, "", m.st.Bold.Render("Experiment "+oneLine(live.Experiment.Name)+" (live)"))
		for _, l := range strings.Split(live.Summary, "\n") {
			lines = append(lines, "  "+l)
		}
	}
	lines = append(lines, "", m.st.Bold.Render("Totals"))
	lines = append(lines, flow(m.totals(), w, "  ")...)
	lines = append(lines, "", m.st.Bold.Render("Runs"))
	lines = append(lines, flow(m.runSummary(), w, "  ")...)
	lines = append(lines, m.recordedRuns(w)...)
	for i, l := range lines {
		lines[i] = fit(l, w)
	}
	return lines
}

func (m *Model) runClock() string {
	ms := m.snap.Metrics
	if ms.Start.IsZero() {
		return ""
	}
	return m.st.Faint.Render(fmt.Sprintf(" · started %s UTC · elapsed %s · buckets of %s",
		ms.Start.UTC().Format("15:04:05"), fmtDur(ms.Elapsed), bucketText(ms.BucketWidth)))
}

// charts draws the run's series as sparklines over the same buckets, as
// tall as the body allows, with a time axis under them.
func (m *Model) charts(w, h int) []string {
	ms := m.snap.Metrics
	bs := ms.Buckets
	ss := []series{
		{label: "done/" + bucketText(ms.BucketWidth), style: m.st.OK},
		{label: "active agents", style: m.st.Status[core.StatusInProgress]},
		{label: "utilisation", scale: 100, unit: "%", style: m.st.Title},
		{label: "blocked", style: m.st.Error},
		{label: "recoveries", style: m.st.Warn},
	}
	for _, b := range bs {
		ss[0].vals = append(ss[0].vals, float64(b.Done))
		ss[1].vals = append(ss[1].vals, float64(b.Active))
		ss[2].vals = append(ss[2].vals, math.Round(b.Utilisation*100))
		ss[3].vals = append(ss[3].vals, float64(b.Blocked))
		ss[4].vals = append(ss[4].vals, float64(b.Recoveries))
	}
	const labelW = 14
	statsW := 28
	sw := w - labelW - 1 - statsW - 1
	if sw < 12 {
		statsW, sw = 0, w-labelW-1
	}
	sw = max(1, sw)
	// Each chart is rows tall; the rest of the page takes about 12 lines.
	rows := max(1, min(4, (h-12)/len(ss)))
	st := &m.exper
	st.pan = max(0, min(st.pan, len(bs)-sw))
	end := len(bs) - st.pan
	start := max(0, end-sw)
	// A short run is drawn wider, up to 4 cells a bucket.
	cell := max(1, min(4, sw/max(1, end-start)))
	var out []string
	for _, s := range ss {
		vis := s.vals[start:end]
		spark := sparkRows(vis, s.scale, rows)
		for r, line := range spark {
			line = stretch(line, cell)
			label := ""
			stats := ""
			if r == 0 {
				label = s.label
				if statsW > 0 {
					stats = seriesStats(vis, s.unit)
				}
			}
			out = append(out, pad(label, labelW)+" "+s.style.Render(pad(line, sw))+" "+m.st.Faint.Render(stats))
		}
	}
	axis := m.timeAxis(bs, start, end, cell, sw)
	return append(out, strings.Repeat(" ", labelW+1)+m.st.Faint.Render(axis))
}

// stretch repeats each rune of s n times.
func stretch(s string, n int) string {
	if n <= 1 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		for range n {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// timeAxis marks the first and last bucket shown under the charts.
func (m *Model) timeAxis(bs []MetricsBucket, start, end, cell, w int) string {
	if start >= end {
		return ""
	}
	from := bs[start].Start.UTC().Format("15:04")
	to := bs[end-1].Start.UTC().Format("15:04")
	n := (end - start) * cell
	line := []rune(strings.Repeat("─", n))
	if n < w {
		line = append(line, []rune(strings.Repeat(" ", w-n))...)
	}
	s := string(line)
	if n >= len(from)+len(to)+2 {
		s = from + string(line[len(from):n-len(to)]) + to
	} else if n >= len(to) {
		s = string(line[:n-len(to)]) + to
	}
	if st := m.exper.pan; st > 0 {
		s += fmt.Sprintf("  (%s back · G latest)", bucketText(time.Duration(st)*m.snap.Metrics.BucketWidth))
	}
	return s
}

// bucketText is a bucket's width: "1m", "4m", "2h", or fmtDur's form.
func bucketText(d time.Duration) string {
	switch {
	case d > 0 && d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d > 0 && d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return fmtDur(d)
}

// seriesStats is the last, lowest and highest value shown.
func seriesStats(vals []float64, unit string) string {
	if len(vals) == 0 {
		return ""
	}
	lo, hi := vals[0], vals[0]
	for _, v := range vals {
		lo, hi = min(lo, v), max(hi, v)
	}
	f := func(v float64) string { return fmt.Sprintf("%g%s", v, unit) }
	return fmt.Sprintf("now %s  min %s  max %s", f(vals[len(vals)-1]), f(lo), f(hi))
}

var sparkLevels = []rune(" ▁▂▃▄▅▆▇█")

// sparkRows draws vals as bars rows tall, top row first. A bar of scale
// (or of the largest value, when scale is 0) fills every row; zero is
// blank and any positive value shows at least one eighth.
func sparkRows(vals []float64, scale float64, rows int) []string {
	if scale <= 0 {
		for _, v := range vals {
			scale = max(scale, v)
		}
	}
	levels := make([]int, len(vals))
	for i, v := range vals {
		if v > 0 && scale > 0 {
			levels[i] = max(1, min(rows*8, int(math.Round(v/scale*float64(rows*8)))))
		}
	}
	out := make([]string, rows)
	for r := range rows {
		base := (rows - 1 - r) * 8
		var b strings.Builder
		for _, lv := range levels {
			b.WriteRune(sparkLevels[max(0, min(8, lv-base))])
		}
		out[r] = b.String()
	}
	return out
}

// totals are the run's numbers, one item each.
func (m *Model) totals() []string {
	s := m.snap
	ms := s.Metrics
	pct := 0
	if ms.Total > 0 {
		pct = ms.Done * 100 / ms.Total
	}
	median := "—"
	if ms.Timed > 0 {
		median = fmt.Sprintf("%s over %d tasks", fmtDur(ms.MedianTask), ms.Timed)
	}
	c := s.Costs
	return []string{
		fmt.Sprintf("done %d/%d (%d%%)", ms.Done, ms.Total, pct),
		fmt.Sprintf("throughput %.2f/min", ms.PerMinute),
		"elapsed " + fmtDur(ms.Elapsed),
		"median task " + median,
		fmt.Sprintf("claims %d", ms.Claims),
		fmt.Sprintf("recoveries %d (%d circuit breaks)", ms.Recoveries, ms.CircuitBreaks),
		fmt.Sprintf("blockers %d (%d blocked now)", ms.Blockers, ms.Blocked),
		fmt.Sprintf("agents %d registered, %d holding a task", ms.Agents, ms.Holding),
		fmt.Sprintf("LLM cost $%.4f · %s tokens in %d calls", c.CostUSD, thousands(c.TotalTokens), c.Calls),
	}
}

// runSummary is the current run as the runs table will list each run.
func (m *Model) runSummary() []string {
	ms := m.snap.Metrics
	median := "—"
	if ms.Timed > 0 {
		median = fmtDur(ms.MedianTask)
	}
	return []string{"▸ current: " + oneLine(m.snap.Board.Project.Name), fmt.Sprintf("%d/%d done", ms.Done, ms.Total),
		fmtDur(ms.Elapsed), fmt.Sprintf("%.2f/min", ms.PerMinute), "median " + median, fmt.Sprintf("%d recovered", ms.Recoveries)}
}

// wrapWords breaks text into lines of at most w cells at spaces.
func wrapWords(text string, w int) []string {
	var out []string
	line := ""
	for _, word := range strings.Fields(text) {
		if line != "" && lipgloss.Width(line)+1+lipgloss.Width(word) > w {
			out = append(out, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}

// flow lays items out on lines of at most w cells, separated by "  ·  ",
// each line indented.
func flow(items []string, w int, indent string) []string {
	var out []string
	line := ""
	for _, it := range items {
		switch {
		case line == "":
			line = indent + it
		case lipgloss.Width(line)+5+lipgloss.Width(it) <= w:
			line += "  ·  " + it
		default:
			out = append(out, line)
			line = indent + it
		}
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}

// thousands writes n with thin separators: 12,345.
func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// recordedRuns lists the project's recorded experiments with the metrics
// of their reports, and the last two side by side.
func (m *Model) recordedRuns(w int) []string {
	reps := m.snap.Experiments
	if len(reps) == 0 {
		var out []string
		for _, l := range wrapWords("No experiment recorded on this project: start one with marcus experiment run, or an agent's start_experiment.", w-2) {
			out = append(out, "  "+m.st.Faint.Render(l))
		}
		return out
	}
	out := []string{"", m.st.Bold.Render("Experiments")}
	row := func(cols ...string) string {
		widths := []int{18, 10, 8, 6, 9, 11, 9, 8, 8}
		var b strings.Builder
		for i, c := range cols {
			b.WriteString(pad(c, widths[i]))
			b.WriteString(" ")
		}
		return "  " + strings.TrimRight(b.String(), " ")
	}
	out = append(out, m.st.Faint.Render(row("name", "state", "wall", "agents", "util.", "par./plan", "tasks/min", "idle", "recov.")))
	for _, r := range reps {
		x, mt := r.Experiment, r.Metrics
		state := "running"
		if !x.Running {
			state = "ended"
		}
		out = append(out, row(oneLine(x.Name), state, fmtDur(time.Duration(mt.WallSeconds*float64(time.Second))),
			fmt.Sprint(mt.Agents), fmt.Sprintf("%.0f%%", 100*mt.Utilisation),
			fmt.Sprintf("%.1f/%d", mt.MeanParallelism, mt.PlannedPeak), fmt.Sprintf("%.2f", mt.Throughput),
			fmt.Sprintf("%.0f%%", 100*mt.IdlePollRatio), fmt.Sprint(mt.Recoveries)))
	}
	if len(reps) >= 2 {
		a, b := reps[len(reps)-2], reps[len(reps)-1]
		ratio := func(x, y float64) string {
			if x == 0 {
				return "—"
			}
			return fmt.Sprintf("%.2f×", y/x)
		}
		out = append(out, "", m.st.Bold.Render(fmt.Sprintf("%s vs %s", oneLine(b.Experiment.Name), oneLine(a.Experiment.Name))),
			fmt.Sprintf("  wall %s · utilisation %s · throughput %s · mean parallelism %s",
				ratio(a.Metrics.WallSeconds, b.Metrics.WallSeconds), ratio(a.Metrics.Utilisation, b.Metrics.Utilisation),
				ratio(a.Metrics.Throughput, b.Metrics.Throughput), ratio(a.Metrics.MeanParallelism, b.Metrics.MeanParallelism)))
	}
	if last := reps[len(reps)-1]; !last.Experiment.Running {
		out = append(out, "", m.st.Bold.Render("Report: "+oneLine(last.Experiment.Name)))
		for _, l := range strings.Split(last.Summary, "\n") {
			out = append(out, "  "+l)
		}
	}
	return out
}
