package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"

	"marcus/core"
	"marcus/ui"
)

// dashOptions say how the dashboard runs.
type dashOptions struct {
	project core.ProjectID
	serve   bool   // serve MCP over HTTP in this process
	mcpAddr string // where this process already serves MCP
	title   string // tags the header ("demo")
	status  string // the first footer line
	// background runs beside the dashboard (the demo's swarm); its
	// message, when not empty, goes to the footer when it ends.
	background func(ctx context.Context) string
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
		RunE: a.withStore(func(ctx context.Context, _ *cobra.Command, _ []string) error {
			return a.runDashboard(ctx, dashOptions{project: core.ProjectID(project)})
		}),
	}
	cmd.Flags().StringVarP(&project, "project", "p", "", "project id or name to show first (default: the newest)")
	return cmd
}

// rootRun is marcus with no command: the dashboard, serving MCP.
func (a *app) rootRun(cmd *cobra.Command, _ []string) error {
	return a.withStore(func(ctx context.Context, _ *cobra.Command, _ []string) error {
		return a.runDashboard(ctx, dashOptions{serve: true})
	})(cmd, nil)
}

// runDashboard runs the dashboard until the person quits. With serve, the
// MCP server and the lease monitor run in the same process; when the
// address is taken (another marcus serves this machine's agents), the
// dashboard still opens and says so.
func (a *app) runDashboard(ctx context.Context, o dashOptions) error {
	if !isTerminal(a.out) {
		return core.Errorf(core.ErrInvalid, "the dashboard needs a terminal; for scripts use marcus board --watch, marcus serve or marcus projects")
	}
	a.interactive = true
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	addr := o.mcpAddr
	if o.serve {
		bound, err := a.startServer(ctx, &wg)
		switch {
		case err == nil:
			addr = bound.String()
		case isAddrInUse(err):
			o.status = fmt.Sprintf("%s is taken (another marcus serve?): agents should connect there; this dashboard only watches", a.cfg.MCP.Addr)
		default:
			return err
		}
	}
	m := ui.New(ui.Options{Coord: a.coord, Project: o.project, MCPAddr: addr, Planner: a.planner, Plans: a.plans,
		Planners: a.plannerNames(), Concurrency: a.cfg.LLM.Concurrency, Title: o.title, Status: o.status})
	defer m.Close()
	// 20 frames a second is smooth for a board and keeps an idle dashboard
	// cheap: the renderer wakes on every frame, changed or not.
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithOutput(a.out), tea.WithFPS(20))
	if o.background != nil {
		wg.Go(func() {
			// A panic here must not take the terminal down unrestored.
			defer func() {
				if r := recover(); r != nil {
					slog.Error("background work panicked", "panic", r, "stack", string(debug.Stack()))
					p.Send(ui.StatusMsg(fmt.Sprintf("background work stopped after an internal error (logged): %v", r)))
				}
			}()
			if msg := o.background(ctx); msg != "" && ctx.Err() == nil {
				p.Send(ui.StatusMsg(msg))
			}
		})
	}
	_, err := p.Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil // interrupted: a clean exit
	}
	return err
}

// startServer serves MCP over HTTP in the background and returns once it
// listens (or failed to).
func (a *app) startServer(ctx context.Context, wg *sync.WaitGroup) (net.Addr, error) {
	ready := make(chan net.Addr, 1)
	errc := make(chan error, 1)
	wg.Go(func() {
		errc <- a.serveHTTP(ctx, func(b net.Addr) { ready <- b })
	})
	select {
	case b := <-ready:
		return b, nil
	case err := <-errc:
		if err == nil {
			err = errors.New("the MCP server stopped at once")
		}
		return nil, err
	case <-time.After(10 * time.Second):
		return nil, core.Errorf(core.ErrUnavailable, "the MCP server did not start within 10 s")
	}
}

func isAddrInUse(err error) bool {
	return errors.Is(err, errAddrInUse)
}

// plannerNames lists the planners the new project form offers: the
// configured one first, then the others that are configured enough to run.
func (a *app) plannerNames() []string {
	names := []string{strings.ToLower(a.cfg.LLM.Provider)}
	for _, n := range []string{"offline", "anthropic", "openai"} {
		if n == names[0] {
			continue
		}
		if _, err := a.planner(n); err == nil {
			names = append(names, n)
		}
	}
	return names
}
