package ui

import (
	"fmt"
	"time"

	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"marcus/core"
)

// fit cuts s to at most w cells, adding "…" when it cut; it never returns
// a line wider than w, whatever the characters (wide, combining, styled).
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if lipgloss.Width(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// pad fits s to w cells and fills the rest with spaces.
func pad(s string, w int) string {
	s = fit(s, w)
	if n := w - lipgloss.Width(s); n > 0 {
		s += strings.Repeat(" ", n)
	}
	return s
}

// oneLine turns text into one line: newlines and runs of space become one
// space.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// frame cuts or fills text to exactly h lines of at most w cells.
func frame(text string, w, h int) string {
	if h <= 0 {
		return ""
	}
	lines := strings.Split(text, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		lines[i] = fit(l, w)
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// bar draws a progress bar of w cells for pct percent.
func bar(st Styles, pct, w int) string {
	if w <= 0 {
		return ""
	}
	pct = max(0, min(100, pct))
	full := pct * w / 100
	return st.BarFull.Render(strings.Repeat("█", full)) + st.BarEmpty.Render(strings.Repeat("░", w-full))
}

// taskShortID is the id a person reads: "#" and its last four characters.
func taskShortID(id core.TaskID) string {
	s := string(id)
	if i := strings.LastIndexByte(s, '-'); i >= 0 {
		s = s[i+1:]
	}
	if r := []rune(s); len(r) > 4 {
		s = string(r[len(r)-4:])
	}
	return "#" + s
}

// ago says how long ago something was, d before now: "12s ago", "3m
// ago", "5h ago", "3d ago". Every view says it this way.
func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", max(0, int(d.Seconds())))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	}
	return fmt.Sprintf("%dd ago", int(d.Hours())/24)
}
