package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"marcus/core"
	"marcus/providers/trello"
	"marcus/ui/text"
)

func (a *app) trelloCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "trello",
		Short: "Mirror projects to Trello boards, both ways",
		Long: `Keep a Trello board in step with a project: cards for tasks in Backlog, In
Progress, Blocked and Done; progress, decisions and blockers as comments;
people's moves, new cards and renames applied back through marcus's rules.
Credentials: TRELLO_API_KEY and TRELLO_TOKEN (or trello.api_key and
trello.token). See docs/trello.md.`,
	}
	status := &cobra.Command{
		Use:   "status",
		Short: "Show every linked board: pending changes, last sync, last error",
		Args:  cobra.NoArgs,
		RunE: a.wired(nil, func(ctx context.Context, d *deps, _ *cobra.Command, _ []string) error {
			return a.printTrelloStatus(ctx, d)
		}),
	}
	cmd.AddCommand(a.trelloLinkCmd(), a.trelloSyncCmd(), status)
	return cmd
}

func (a *app) trelloLinkCmd() *cobra.Command {
	var project, board string
	var newBoard bool
	link := &cobra.Command{
		Use:   "link --project P (--new | --board BOARD_ID)",
		Short: "Link a project to a new Trello board or adopt an existing one",
		Args:  cobra.NoArgs,
		RunE: a.wired(nil, func(ctx context.Context, d *deps, _ *cobra.Command, _ []string) error {
			if newBoard == (board != "") {
				return core.Errorf(core.ErrInvalid, "say which board: --new to create one, or --board BOARD_ID to adopt an existing one")
			}
			client, err := d.trelloClient()
			if err != nil {
				return err
			}
			s := trello.NewSyncer(d.coord, client, core.ProjectID(project))
			m, err := s.Link(ctx, board)
			if err != nil {
				return err
			}
			err = s.Sync(ctx)
			s.Release(ctx)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(a.out, "linked project %s to Trello board %s and mirrored it; it stays in step inside marcus, marcus serve and marcus trello sync\n", m.Project, m.Board)
			return err
		}),
	}
	link.Flags().StringVarP(&project, "project", "p", "", "project id or name (default: the newest)")
	link.Flags().StringVar(&board, "board", "", "an existing board's id to adopt")
	link.Flags().BoolVar(&newBoard, "new", false, "create a new board named after the project")
	return link
}

func (a *app) trelloSyncCmd() *cobra.Command {
	var once bool
	var project string
	tune := func(cmd *cobra.Command, s *runSettings) error {
		if !once {
			return nil
		}
		return s.applyFlags(cmd, map[string]string{"retry-for": "trello.retry_for"})
	}
	syncCmd := &cobra.Command{
		Use:   "sync [--project P] [--once [--retry-for D]]",
		Short: "Sync linked projects with Trello (continuously, or once)",
		Long: `Sync linked projects with Trello: continuously until Ctrl-C, or one round
with --once (for cron). A round rides through Trello's passing failures (5xx,
429, no answer), trying again with backoff for --retry-for (trello.retry_for,
default 1m) before it fails; refused credentials (401) and other 4xx fail at
once. Nothing is delivered twice.`,
		Args: cobra.NoArgs,
		RunE: a.wired(tune, func(ctx context.Context, d *deps, _ *cobra.Command, _ []string) error {
			if once {
				return a.syncOnce(ctx, d, project)
			}
			if err := d.startSyncers(ctx, project); err != nil {
				return err
			}
			fmt.Fprintln(a.out, "syncing with Trello; Ctrl-C stops")
			<-ctx.Done()
			return nil
		}),
	}
	syncCmd.Flags().StringVarP(&project, "project", "p", "", "only this project (default: every linked one)")
	syncCmd.Flags().BoolVar(&once, "once", false, "sync once and exit")
	syncCmd.Flags().Duration("retry-for", trello.DefaultRetryFor, "with --once: how long to keep trying through Trello's passing failures (0: fail at the first)")
	return syncCmd
}

// syncOnce syncs every linked project (or one) once, riding through
// Trello's passing failures for trello.retry_for in all, then prints the
// boards' status.
func (a *app) syncOnce(ctx context.Context, d *deps, project string) error {
	client, err := d.trelloClient()
	if err != nil {
		return err
	}
	ms, err := d.mirrorsOf(ctx, project)
	if err != nil {
		return err
	}
	giveUp := time.Now().Add(d.cfg.Trello.RetryFor)
	for _, m := range ms {
		s := trello.NewSyncer(d.coord, client, m.Project)
		err := s.SyncRetrying(ctx, trello.Retry{For: max(0, time.Until(giveUp)), OnRetry: func(err error, wait time.Duration) {
			slog.Warn("trello sync failed; trying again", "project", m.Project, "in", wait, "error", err)
		}})
		s.Release(ctx)
		if err != nil {
			return err
		}
	}
	return a.printTrelloStatus(ctx, d)
}

// mirrorsOf lists the Trello links of every project, or of the one named
// (an error saying how to link it when it has none).
func (d *deps) mirrorsOf(ctx context.Context, project string) ([]core.MirrorStatus, error) {
	ms, err := d.coord.Mirrors(ctx, trello.Kind)
	if err != nil || project == "" {
		return ms, err
	}
	p, err := d.coord.ResolveProject(ctx, core.ProjectID(project))
	if err != nil {
		return nil, err
	}
	var out []core.MirrorStatus
	for _, m := range ms {
		if m.Project == p.ID {
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		return nil, core.Errorf(core.ErrNotFound, "project %s is not linked to Trello: marcus trello link --project %s --new", p.ID, p.ID)
	}
	return out, nil
}

func (a *app) printTrelloStatus(ctx context.Context, d *deps) error {
	ms, err := d.coord.Mirrors(ctx, trello.Kind)
	if err != nil {
		return err
	}
	return text.Mirrors(a.out, ms)
}
