package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"marcus/core"
	"marcus/ui/text"
)

func (a *app) boardCmd() *cobra.Command {
	var opts text.BoardOptions
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
		RunE: a.wired(nil, func(ctx context.Context, d *deps, _ *cobra.Command, _ []string) error {
			if asJSON && watch {
				return core.Errorf(core.ErrInvalid, "--json and --watch do not go together: pick one")
			}
			show := func() (int64, error) {
				b, err := d.coord.Board(ctx, core.ProjectID(project))
				if err != nil {
					return 0, err
				}
				if asJSON {
					return b.LastEventID, text.JSON(a.out, text.BoardJSON(b))
				}
				if watch && isTerminal(a.out) {
					fmt.Fprint(a.out, "\x1b[H\x1b[2J")
				}
				return b.LastEventID, text.Board(a.out, b, opts)
			}
			last, err := show()
			if err != nil || !watch {
				return err
			}
			return watchBoard(ctx, d.coord, last, show)
		}),
	}
	cmd.Flags().StringVarP(&project, "project", "p", "", "project id or name (default: the newest)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the snapshot as JSON")
	cmd.Flags().BoolVarP(&watch, "watch", "w", false, "redraw on every change until interrupted")
	cmd.Flags().BoolVar(&opts.All, "all", false, "list every task (default: at most 25 per column)")
	return cmd
}

// watchBoard redraws after each change until ctx ends (Ctrl-C).
func watchBoard(ctx context.Context, c *core.Coordinator, last int64, show func() (int64, error)) error {
	for {
		next, err := c.WaitForChange(ctx, last, 500*time.Millisecond)
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
