// Package text renders what marcus's commands print: the board, tables of
// projects, costs, experiments and Trello links, experiment reports and
// comparisons, planning progress and results, the synthetic agents'
// summary, the demo's frame. It writes what it is given and reads nothing,
// so a command's output can be checked without a database, and it imports
// only core and core's packages, like the dashboard.
package text

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// JSON writes v as indented JSON, the --json shape of every command.
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// nonNil makes a nil slice an empty one, so JSON says [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Truncate joins s's whitespace into single spaces and cuts it to n
// characters, ending with "…" when it cut.
func Truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// HumanMinutes writes minutes as "45m", "2h" or "12h30m".
func HumanMinutes(m int) string {
	switch {
	case m < 60:
		return fmt.Sprintf("%dm", m)
	case m%60 == 0:
		return fmt.Sprintf("%dh", m/60)
	}
	return fmt.Sprintf("%dh%02dm", m/60, m%60)
}

// bar draws a progress bar of width cells for n of total.
func bar(n, total, width int) string {
	filled := 0
	if total > 0 {
		filled = n * width / total
	}
	return "[" + strings.Repeat("#", filled) + strings.Repeat(".", width-filled) + "]"
}

func seconds(s float64) string {
	return (time.Duration(s * float64(time.Second))).Round(100 * time.Millisecond).String()
}
