package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"time"

	"marcus/core"
	"marcus/providers/mcp"
	"marcus/providers/trello"
)

// The background loops a run starts under its supervisor. vital: the run
// cannot go on without the loop, so its end ends the run (headless
// commands); otherwise a failure is logged and reported, and the run goes
// on (the dashboard shows it in its footer).

// serveMCP starts what a serving process runs: the MCP server over HTTP,
// then, once it listens, the lease monitor, the experiment collector and
// the board syncers. It returns the address the server listens on.
func (d *deps) serveMCP(ctx context.Context, vital bool) (net.Addr, error) {
	d.tuneGC()
	if err := mcp.CheckBind(d.cfg.MCP.Addr, d.cfg.MCP.Token); err != nil {
		return nil, err
	}
	bound, err := d.listen(vital)
	if err != nil {
		return nil, err
	}
	d.startMonitors(vital)
	if err := d.startSyncers(ctx, ""); err != nil {
		slog.Warn("trello sync not started", "error", err)
	}
	return bound, nil
}

// listen starts the MCP server over HTTP and returns once it listens, or
// with the error that stopped it.
func (d *deps) listen(vital bool) (net.Addr, error) {
	ready := make(chan net.Addr, 1)
	serve := func(ctx context.Context) error {
		slog.Info("serving MCP", "addr", d.cfg.MCP.Addr, "db", d.cfg.DB)
		return mcp.Serve(ctx, d.cfg.MCP.Addr, mcp.HTTPHandler(d.coord, d.mcp), func(b net.Addr) { ready <- b })
	}
	start := d.sup.Go
	if vital {
		start = d.sup.GoVital
	}
	j := start(stageIntake, "the MCP server", serve)
	select {
	case b := <-ready:
		return b, nil
	case <-j.Done():
		if err := j.Err(); err != nil {
			return nil, err
		}
		return nil, errors.New("the MCP server stopped at once")
	case <-time.After(10 * time.Second):
		return nil, core.Errorf(core.ErrUnavailable, "the MCP server did not start within 10 s")
	}
}

// serveStdio serves MCP over standard input and output, with the lease
// monitor and the experiment collector; the run ends when the agent
// closes its end.
func (d *deps) serveStdio() {
	tuneGC()
	d.startMonitors(true)
	slog.Info("serving MCP on stdio", "db", d.cfg.DB)
	d.sup.GoVital(stageIntake, "the MCP server (stdio)", func(ctx context.Context) error {
		return mcp.ServeStdio(ctx, d.coord, d.mcp)
	})
}

// startMonitors starts the lease monitor and the experiment collector.
func (d *deps) startMonitors(vital bool) {
	start := d.sup.Go
	if vital {
		start = d.sup.GoVital
	}
	start(stageBoard, "the lease monitor", func(ctx context.Context) error {
		d.coord.RunLeaseMonitor(ctx, d.cfg.Lease.MonitorInterval, func(err error) {
			slog.Warn("lease monitor pass failed", "error", err)
		})
		return nil
	})
	start(stageBoard, "the experiment collector", func(ctx context.Context) error {
		d.coord.RunExperimentCollector(ctx, d.sampleInterval, func(err error) {
			slog.Warn("experiment sample failed", "error", err)
		})
		return nil
	})
}

// startSyncers keeps every linked project (or one) in step with Trello
// until the run stops, picking up projects linked meanwhile; it does
// nothing when no credentials are set and no project is named.
func (d *deps) startSyncers(ctx context.Context, project string) error {
	if d.cfg.Trello.APIKey == "" && d.cfg.Trello.Token == "" && project == "" {
		return nil
	}
	client, err := d.trelloClient()
	if err != nil {
		return err
	}
	ms, err := d.mirrorsOf(ctx, project)
	if err != nil {
		return err
	}
	var only core.ProjectID
	if project != "" {
		only = ms[0].Project
	}
	sup := trello.NewSupervisor(d.coord, client, only, d.cfg.Trello.Interval, func(p core.ProjectID, err error) {
		slog.Warn("trello sync failed; changes wait and are retried", "project", p, "error", err)
	})
	d.sup.Go(stageMirror, "the Trello sync", func(ctx context.Context) error {
		sup.Run(ctx)
		return nil
	})
	return nil
}
