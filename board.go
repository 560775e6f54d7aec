package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"marcus/core"
)

func (a *app) boardCmd() *cobra.Command {
	var opts boardOptions
	var project string
	var asJSON, watch bool
	cmd := &cobra.Command{
		Use:   "board",
		Short: "Print a project's board: backlog, in progress, blocked, done",
		Long: `Print a plain-text snapshot of a project's board. With --watch it redraws
whenever the board changes (whichever process changed it) until interrupted.`,
		Example: `  marcus board
  marcus board --project recipe-app --watch
  marcus board --json | jq '.counts'`,
		Args: cobra.NoArgs,
		RunE: a.withStore(func(ctx context.Context, _ *cobra.Command, _ []string) error {
			if asJSON && watch {
				return core.Errorf(core.ErrInvalid, "--json and --watch do not go together: pick one")
			}
			show := func() (int64, error) {
				b, err := a.coord.Board(ctx, core.ProjectID(project))
				if err != nil {
					return 0, err
				}
				if asJSON {
					return b.LastEventID, writeJSON(a.out, boardJSON(b))
				}
				if watch && isTerminal(a.out) {
					fmt.Fprint(a.out, "\x1b[H\x1b[2J")
				}
				return b.LastEventID, renderBoard(a.out, b, opts)
			}
			last, err := show()
			if err != nil || !watch {
				return err
			}
			return a.watchBoard(ctx, last, show)
		}),
	}
	cmd.Flags().StringVarP(&project, "project", "p", "", "project id or name (default: the newest)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the snapshot as JSON")
	cmd.Flags().BoolVarP(&watch, "watch", "w", false, "redraw on every change until interrupted")
	cmd.Flags().BoolVar(&opts.all, "all", false, "list every task (default: at most 25 per column)")
	return cmd
}

// watchBoard redraws after each change until ctx ends (Ctrl-C).
func (a *app) watchBoard(ctx context.Context, last int64, show func() (int64, error)) error {
	for {
		next, err := a.coord.WaitForChange(ctx, last, 500*time.Millisecond)
		if errors.Is(err, context.Canceled) || ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return err
		}
		if last, err = show(); err != nil {
			return err
		}
		last = max(last, next)
	}
}

type boardOptions struct {
	all   bool
	limit int // cards per column when not all; default columnLimit
}

const columnLimit = 25

// renderBoard writes a plain-text board: a header, then one section per
// column, in the order work moves.
func renderBoard(w io.Writer, b core.Board, o boardOptions) error {
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
		limit, most := len(ts), o.limit
		if most <= 0 {
			most = columnLimit
		}
		if !o.all && limit > most {
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
	line := fmt.Sprintf("%s  %-40s %-6s %-9s", t.ID, truncate(t.Name, 40), t.Priority, t.Phase)
	switch t.Status {
	case core.StatusInProgress:
		left := t.Lease.ExpiresAt.Sub(now).Round(time.Second)
		line += fmt.Sprintf("  %s %s %3d%%  lease %s", t.Holder, bar(t.Progress, 100, 10), t.Progress, left)
	case core.StatusBlocked:
		line += "  " + truncate(t.BlockedReason, 60)
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

// bar draws a progress bar of width cells for n of total.
func bar(n, total, width int) string {
	filled := 0
	if total > 0 {
		filled = n * width / total
	}
	return "[" + strings.Repeat("#", filled) + strings.Repeat(".", width-filled) + "]"
}

// boardJSON is the --json shape: stable field names for scripts.
func boardJSON(b core.Board) map[string]any {
	counts := map[string]int{}
	for _, c := range boardColumns {
		counts[string(c.status)] = b.Counts[c.status]
	}
	return map[string]any{"project": b.Project, "counts": counts, "tasks": nonNilSlice(b.Tasks),
		"agents": nonNilSlice(b.Agents), "last_event_id": b.LastEventID, "at": b.At}
}
