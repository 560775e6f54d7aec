package main

import (
	"context"
	"errors"
	"fmt"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"

	"marcus/core"
	runctl "marcus/core/run"
	"marcus/ui"
)

// dashOptions say how the dashboard runs.
type dashOptions struct {
	project core.ProjectID
	serve   bool   // serve MCP over HTTP in this process
	mcpAddr string // where this process already serves MCP
	title   string // tags the header ("demo")
	status  string // the first footer line
	// background runs beside the dashboard (the demo's swarm) as a loop of
	// the run, named backgroundName; its message, when not empty, goes to
	// the footer when it ends.
	background     func(ctx context.Context) (string, error)
	backgroundName string
	// runner is marcus run's spawn controller, shown in the Agents view.
	runner runctl.Live
}

func (a *app) dashCmd() *cobra.Command {
	var project string
	cmd := &cobra.Command{
		Use:   "dash",
		Short: "Open the dashboard only, watching a database other processes serve",
		Long: `Open the terminal dashboard on the database without serving MCP: use it
beside a headless marcus serve, or while agents run their own stdio marcus
mcp processes. Changes by any process show within half a second.
(marcus with no command opens the dashboard and serves MCP too.)`,
		Example: `  marcus dash
  marcus dash --db /srv/marcus/boards.db --project todo-app`,
		Args: cobra.NoArgs,
		RunE: a.wired(interactive, func(ctx context.Context, d *deps, _ *cobra.Command, _ []string) error {
			return a.runDashboard(ctx, d, dashOptions{project: core.ProjectID(project)})
		}),
	}
	cmd.Flags().StringVarP(&project, "project", "p", "", "project id or name to show first (default: the newest)")
	return cmd
}

// rootRun is marcus with no command: the dashboard, serving MCP.
func (a *app) rootRun(cmd *cobra.Command, _ []string) error {
	return a.wired(interactive, func(ctx context.Context, d *deps, _ *cobra.Command, _ []string) error {
		return a.runDashboard(ctx, d, dashOptions{serve: true})
	})(cmd, nil)
}

// interactive tunes a run a person watches.
func interactive(_ *cobra.Command, s *runSettings) error {
	s.interactive = true
	return nil
}

// runDashboard runs the dashboard until the person quits. With serve, the
// MCP server and the lease monitor run in the same process; when the
// address is taken (another marcus serves this machine's agents), the
// dashboard still opens and says so. A background loop that fails is
// reported in the footer.
func (a *app) runDashboard(ctx context.Context, d *deps, o dashOptions) error {
	if !isTerminal(a.out) {
		return core.Errorf(core.ErrInvalid, "the dashboard needs a terminal; for scripts use marcus board --watch, marcus serve or marcus projects")
	}
	addr := o.mcpAddr
	if o.serve {
		bound, err := d.serveMCP(ctx, false)
		switch {
		case err == nil:
			addr = bound.String()
		case isAddrInUse(err):
			o.status = fmt.Sprintf("%s is taken (another marcus serve?): agents should connect there; this dashboard only watches", d.cfg.MCP.Addr)
		default:
			return err
		}
	}
	m := ui.New(ui.Options{Coord: d.coord, Project: o.project, MCPAddr: addr, Planner: d.planner, Plans: d.plans,
		Planners: d.plannerChoices(), Concurrency: d.cfg.LLM.Concurrency, Title: o.title, Status: o.status, Runner: o.runner})
	defer m.Close()
	// 20 frames a second is smooth for a board and keeps an idle dashboard
	// cheap: the renderer wakes on every frame, changed or not.
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithOutput(a.out), tea.WithFPS(20))
	d.sup.ReportTo(func(name string, err error) { p.Send(ui.StatusMsg(failureStatus(name, err))) })
	defer d.sup.ReportTo(nil)
	if o.background != nil {
		bg := d.sup.Go(stageIntake, o.backgroundName, func(ctx context.Context) error {
			msg, err := o.background(ctx)
			if msg != "" && ctx.Err() == nil {
				p.Send(ui.StatusMsg(msg))
			}
			return err
		})
		defer bg.Stop() // the work is the dashboard's: it ends when the person quits
	}
	_, err := p.Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil // interrupted: a clean exit
	}
	return err
}

func isAddrInUse(err error) bool {
	return errors.Is(err, errAddrInUse)
}
