package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"marcus/core"
	"marcus/providers/trello"
)

// trelloClient builds the Trello client from the configuration.
func (a *app) trelloClient() (*trello.Client, error) {
	c := a.cfg.Trello
	return trello.New(trello.Config{Key: c.APIKey, Token: c.Token, BaseURL: c.BaseURL})
}

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
	var project, board string
	var newBoard bool
	link := &cobra.Command{
		Use:   "link --project P (--new | --board BOARD_ID)",
		Short: "Link a project to a new Trello board or adopt an existing one",
		Args:  cobra.NoArgs,
		RunE: a.withStore(func(ctx context.Context, _ *cobra.Command, _ []string) error {
			if newBoard == (board != "") {
				return core.Errorf(core.ErrInvalid, "say which board: --new to create one, or --board BOARD_ID to adopt an existing one")
			}
			client, err := a.trelloClient()
			if err != nil {
				return err
			}
			s := trello.NewSyncer(a.coord, client, core.ProjectID(project))
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

	var once bool
	var syncProject string
	syncCmd := &cobra.Command{
		Use:   "sync [--project P] [--once [--retry-for D]]",
		Short: "Sync linked projects with Trello (continuously, or once)",
		Long: `Sync linked projects with Trello: continuously until Ctrl-C, or one round
with --once (for cron). A round rides through Trello's passing failures (5xx,
429, no answer), trying again with backoff for --retry-for (trello.retry_for,
default 1m) before it fails; refused credentials (401) and other 4xx fail at
once. Nothing is delivered twice.`,
		Args: cobra.NoArgs,
		RunE: a.withStore(func(ctx context.Context, cmd *cobra.Command, _ []string) error {
			if once {
				if err := a.flagsToConfig(cmd, map[string]string{"retry-for": "trello.retry_for"}); err != nil {
					return err
				}
				return a.syncOnce(ctx, syncProject)
			}
			wait, err := a.runTrello(ctx, syncProject)
			if err != nil {
				return err
			}
			fmt.Fprintln(a.out, "syncing with Trello; Ctrl-C stops")
			<-ctx.Done()
			wait()
			return nil
		}),
	}
	syncCmd.Flags().StringVarP(&syncProject, "project", "p", "", "only this project (default: every linked one)")
	syncCmd.Flags().BoolVar(&once, "once", false, "sync once and exit")
	syncCmd.Flags().Duration("retry-for", trello.DefaultRetryFor, "with --once: how long to keep trying through Trello's passing failures (0: fail at the first)")

	status := &cobra.Command{
		Use:   "status",
		Short: "Show every linked board: pending changes, last sync, last error",
		Args:  cobra.NoArgs,
		RunE: a.withStore(func(ctx context.Context, _ *cobra.Command, _ []string) error {
			return a.printTrelloStatus(ctx)
		}),
	}
	cmd.AddCommand(link, syncCmd, status)
	return cmd
}

// syncOnce syncs every linked project (or one) once, riding through
// Trello's passing failures for trello.retry_for in all, then prints the
// boards' status.
func (a *app) syncOnce(ctx context.Context, project string) error {
	client, err := a.trelloClient()
	if err != nil {
		return err
	}
	ms, err := a.mirrorsOf(ctx, project)
	if err != nil {
		return err
	}
	giveUp := time.Now().Add(a.cfg.Trello.RetryFor)
	for _, m := range ms {
		s := trello.NewSyncer(a.coord, client, m.Project)
		err := s.SyncRetrying(ctx, trello.Retry{For: max(0, time.Until(giveUp)), OnRetry: func(err error, wait time.Duration) {
			slog.Warn("trello sync failed; trying again", "project", m.Project, "in", wait, "error", err)
		}})
		s.Release(ctx)
		if err != nil {
			return err
		}
	}
	return a.printTrelloStatus(ctx)
}

func (a *app) mirrorsOf(ctx context.Context, project string) ([]core.MirrorStatus, error) {
	ms, err := a.coord.Mirrors(ctx, trello.Kind)
	if err != nil || project == "" {
		return ms, err
	}
	p, err := a.coord.ResolveProject(ctx, core.ProjectID(project))
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

func (a *app) printTrelloStatus(ctx context.Context) error {
	ms, err := a.coord.Mirrors(ctx, trello.Kind)
	if err != nil {
		return err
	}
	if len(ms) == 0 {
		_, err := fmt.Fprintln(a.out, "no project is linked to Trello: marcus trello link --project P --new")
		return err
	}
	tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROJECT\tBOARD\tPENDING\tLAST SYNC\tLAST ERROR")
	for _, m := range ms {
		last := "never"
		if !m.LastSyncAt.IsZero() {
			last = m.LastSyncAt.Local().Format("2006-01-02 15:04:05")
		}
		fmt.Fprintf(tw, "%s (%s)\t%s\t%d\t%s\t%s\n", m.ProjectName, m.Project, m.Board, m.Pending, last, truncate(m.LastError, 80))
	}
	return tw.Flush()
}

// runTrello syncs every linked project (or one) in the background until
// ctx ends, and picks up projects linked meanwhile; it does nothing when no
// credentials are set and no project is named. The returned wait blocks
// until the loops have stopped.
func (a *app) runTrello(ctx context.Context, project string) (wait func(), err error) {
	var wg sync.WaitGroup
	if a.cfg.Trello.APIKey == "" && a.cfg.Trello.Token == "" && project == "" {
		return wg.Wait, nil
	}
	client, err := a.trelloClient()
	if err != nil {
		return wg.Wait, err
	}
	ms, err := a.mirrorsOf(ctx, project)
	if err != nil {
		return wg.Wait, err
	}
	var only core.ProjectID
	if project != "" {
		only = ms[0].Project
	}
	sup := trello.NewSupervisor(a.coord, client, only, a.cfg.Trello.Interval, func(p core.ProjectID, err error) {
		slog.Warn("trello sync failed; changes wait and are retried", "project", p, "error", err)
	})
	wg.Go(func() { sup.Run(ctx) })
	return wg.Wait, nil
}
