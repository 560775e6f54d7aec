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

// experimentsView charts the project's run and lists its recorded
// experiments: a pan through time and a scroll.
type experimentsView struct {
	env  *env
	keys navKeys
	snap *Snapshot
	w, h int

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

func newExperimentsView(e *env) experimentsView {
	return experimentsView{env: e, keys: newNavKeys(Keys)}
}

func (v *experimentsView) SetSize(w, h int) { v.w, v.h = w, h }

func (v *experimentsView) SetSnapshot(s *Snapshot) { v.snap = s }

func (v *experimentsView) Help() helpSet {
	var s helpSet
	s[helpMove] = v.keys.all()
	return s
}

// Update pans the charts through time (←→, g, G) and scrolls the page.
func (v *experimentsView) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	n := 0
	if v.snap != nil {
		n = len(v.snap.Metrics.Buckets)
	}
	switch {
	case key.Matches(k, v.keys.Left):
		v.pan++
	case key.Matches(k, v.keys.Right):
		v.pan--
	case key.Matches(k, v.keys.Top):
		v.pan = n
	case key.Matches(k, v.keys.Bottom):
		v.pan = 0
	case key.Matches(k, v.keys.Up):
		v.scroll--
	case key.Matches(k, v.keys.Down):
		v.scroll++
	case key.Matches(k, v.keys.PageUp):
		v.scroll -= max(1, v.h)
	case key.Matches(k, v.keys.PageDown):
		v.scroll += max(1, v.h)
	default:
		return nil
	}
	// pan is clamped against the chart width when drawn; here only against
	// the data, so that keys keep working before the first frame.
	v.pan = max(0, min(v.pan, n))
	v.scroll = max(0, v.scroll)
	return nil
}

// View is a page of the run: charts, totals, recorded experiments.
func (v *experimentsView) View() string {
	w, h := v.w, v.h
	lines := v.lines(w, h)
	v.scroll = max(0, min(v.scroll, len(lines)-h))
	return strings.Join(lines[v.scroll:], "\n")
}

// experimentLines is the whole page: the run's charts, its totals and the
// runs section.
func (v *experimentsView) lines(w, h int) []string {
	s, st := v.snap, &v.env.st
	ms := s.Metrics
	lines := []string{fit(st.Bold.Render("Run")+" "+st.Header.Render(oneLine(s.Board.Project.Name))+v.runClock(), w)}
	if ms.Start.IsZero() {
		lines = append(lines, "", fit("No agent has worked on this project yet: the run starts when the first agent registers.", w))
	} else {
		lines = append(lines, "")
		lines = append(lines, v.charts(w, h)...)
	}
	if reps := s.Experiments; len(reps) > 0 && reps[len(reps)-1].Experiment.Running {
		// A recorded run: its report, as marcus experiment report gives it,
		// refreshed live.
		live := reps[len(reps)-1]
		lines = append(lines, "", st.Bold.Render("Experiment "+oneLine(live.Experiment.Name)+" (live)"))
		for _, l := range strings.Split(live.Summary, "\n") {
			lines = append(lines, "  "+l)
		}
	}
	lines = append(lines, "", st.Bold.Render("Totals"))
	lines = append(lines, flow(v.totals(), w, "  ")...)
	lines = append(lines, "", st.Bold.Render("Runs"))
	lines = append(lines, flow(v.runSummary(), w, "  ")...)
	lines = append(lines, v.recordedRuns(w)...)
	for i, l := range lines {
		lines[i] = fit(l, w)
	}
	return lines
}

func (v *experimentsView) runClock() string {
	ms := v.snap.Metrics
	if ms.Start.IsZero() {
		return ""
	}
	return v.env.st.Faint.Render(fmt.Sprintf(" · started %s UTC · elapsed %s · buckets of %s",
		ms.Start.UTC().Format("15:04:05"), fmtDur(ms.Elapsed), bucketText(ms.BucketWidth)))
}

// charts draws the run's series as sparklines over the same buckets, as
// tall as the body allows, with a time axis under them.
func (v *experimentsView) charts(w, h int) []string {
	ms, sty := v.snap.Metrics, &v.env.st
	bs := ms.Buckets
	ss := []series{
		{label: "done/" + bucketText(ms.BucketWidth), style: sty.OK},
		{label: "active agents", style: sty.Status[core.StatusInProgress]},
		{label: "utilisation", scale: 100, unit: "%", style: sty.Title},
		{label: "blocked", style: sty.Error},
		{label: "recoveries", style: sty.Warn},
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
	v.pan = max(0, min(v.pan, len(bs)-sw))
	end := len(bs) - v.pan
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
			out = append(out, pad(label, labelW)+" "+s.style.Render(pad(line, sw))+" "+sty.Faint.Render(stats))
		}
	}
	axis := v.timeAxis(bs, start, end, cell, sw)
	return append(out, strings.Repeat(" ", labelW+1)+sty.Faint.Render(axis))
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
func (v *experimentsView) timeAxis(bs []MetricsBucket, start, end, cell, w int) string {
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
	if st := v.pan; st > 0 {
		s += fmt.Sprintf("  (%s back · G latest)", bucketText(time.Duration(st)*v.snap.Metrics.BucketWidth))
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
func (v *experimentsView) totals() []string {
	s := v.snap
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
func (v *experimentsView) runSummary() []string {
	ms := v.snap.Metrics
	median := "—"
	if ms.Timed > 0 {
		median = fmtDur(ms.MedianTask)
	}
	return []string{"▸ current: " + oneLine(v.snap.Board.Project.Name), fmt.Sprintf("%d/%d done", ms.Done, ms.Total),
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
func (v *experimentsView) recordedRuns(w int) []string {
	reps, st := v.snap.Experiments, &v.env.st
	if len(reps) == 0 {
		var out []string
		for _, l := range wrapWords("No experiment recorded on this project: start one with marcus experiment run, or an agent's start_experiment.", w-2) {
			out = append(out, "  "+st.Faint.Render(l))
		}
		return out
	}
	out := []string{"", st.Bold.Render("Experiments")}
	row := func(cols ...string) string {
		widths := []int{18, 10, 8, 6, 9, 11, 9, 8, 8}
		var b strings.Builder
		for i, c := range cols {
			b.WriteString(pad(c, widths[i]))
			b.WriteString(" ")
		}
		return "  " + strings.TrimRight(b.String(), " ")
	}
	out = append(out, st.Faint.Render(row("name", "state", "wall", "agents", "util.", "par./plan", "tasks/min", "idle", "recov.")))
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
		out = append(out, "", st.Bold.Render(fmt.Sprintf("%s vs %s", oneLine(b.Experiment.Name), oneLine(a.Experiment.Name))),
			fmt.Sprintf("  wall %s · utilisation %s · throughput %s · mean parallelism %s",
				ratio(a.Metrics.WallSeconds, b.Metrics.WallSeconds), ratio(a.Metrics.Utilisation, b.Metrics.Utilisation),
				ratio(a.Metrics.Throughput, b.Metrics.Throughput), ratio(a.Metrics.MeanParallelism, b.Metrics.MeanParallelism)))
	}
	if last := reps[len(reps)-1]; !last.Experiment.Running {
		out = append(out, "", st.Bold.Render("Report: "+oneLine(last.Experiment.Name)))
		for _, l := range strings.Split(last.Summary, "\n") {
			out = append(out, "  "+l)
		}
	}
	return out
}
