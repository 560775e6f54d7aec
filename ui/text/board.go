package text

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"marcus/core"
)

// BoardOptions say how much of a board to print.
type BoardOptions struct {
	All   bool // every card, however many
	Limit int  // cards per column when not All; default ColumnLimit
}

// ColumnLimit is how many cards a column shows by default.
const ColumnLimit = 25

// Board writes a plain-text board: a header, then one section per column,
// in the order work moves.
func Board(w io.Writer, b core.Board, o BoardOptions) error {
	var sb strings.Builder
	total := len(b.Tasks)
	finished := b.Counts[core.StatusDone]
	fmt.Fprintf(&sb, "%s  %s %d/%d done  %d agents\n", b.Project.Name, bar(finished, total, 20), finished, total, len(b.Agents))
	cols := columns(b.Tasks)
	done := map[core.TaskID]bool{}
	for _, t := range cols[core.StatusDone] {
		done[t.ID] = true
	}
	for _, c := range boardColumns {
		ts := cols[c.status]
		fmt.Fprintf(&sb, "\n%s (%d)\n", c.title, len(ts))
		limit, most := len(ts), o.Limit
		if most <= 0 {
			most = ColumnLimit
		}
		if !o.All && limit > most {
			limit = most
		}
		for _, t := range ts[:limit] {
			sb.WriteString("  " + cardLine(t, b.At, done) + "\n")
		}
		if limit < len(ts) {
			fmt.Fprintf(&sb, "  … and %d more (--all lists them)\n", len(ts)-limit)
		}
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

var boardColumns = []struct {
	status core.TaskStatus
	title  string
}{
	{core.StatusTodo, "Backlog"},
	{core.StatusInProgress, "In Progress"},
	{core.StatusBlocked, "Blocked"},
	{core.StatusDone, "Done"},
}

// columns groups tasks by status; done tasks newest first, so the latest
// work shows when the column is cut.
func columns(ts []core.Task) map[core.TaskStatus][]core.Task {
	out := map[core.TaskStatus][]core.Task{}
	for _, t := range ts {
		out[t.Status] = append(out[t.Status], t)
	}
	done := out[core.StatusDone]
	sort.SliceStable(done, func(i, j int) bool { return done[i].CompletedAt.After(done[j].CompletedAt) })
	return out
}

func cardLine(t core.Task, now time.Time, done map[core.TaskID]bool) string {
	line := fmt.Sprintf("%s  %-40s %-6s %-9s", t.ID, Truncate(t.Name, 40), t.Priority, t.Phase)
	switch t.Status {
	case core.StatusInProgress:
		left := t.Lease.ExpiresAt.Sub(now).Round(time.Second)
		line += fmt.Sprintf("  %s %s %3d%%  lease %s", t.Holder, bar(t.Progress, 100, 10), t.Progress, left)
	case core.StatusBlocked:
		line += "  " + Truncate(t.BlockedReason, 60)
	case core.StatusDone:
		line += "  " + string(t.Holder)
	case core.StatusTodo:
		if n := waitingOn(t, done); n > 0 {
			line += fmt.Sprintf("  waits on %d", n)
		} else {
			line += "  ready"
		}
		if t.Handoff != nil {
			line += " (recovered from " + string(t.Handoff.PreviousHolder) + ")"
		}
	}
	return strings.TrimRight(line, " ")
}

// waitingOn counts t's hard dependencies not yet done.
func waitingOn(t core.Task, done map[core.TaskID]bool) int {
	n := 0
	for _, id := range t.HardDependencies() {
		if !done[id] {
			n++
		}
	}
	return n
}

// BoardJSON is the board's --json shape: stable field names for scripts.
func BoardJSON(b core.Board) map[string]any {
	counts := map[string]int{}
	for _, c := range boardColumns {
		counts[string(c.status)] = b.Counts[c.status]
	}
	return map[string]any{"project": b.Project, "counts": counts, "tasks": nonNil(b.Tasks),
		"agents": nonNil(b.Agents), "last_event_id": b.LastEventID, "at": b.At}
}
