package main

import (
	"context"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"marcus/core"
	"marcus/core/plan"
	"marcus/providers/mcp"
	"marcus/providers/trello"
	"marcus/store/sqlite"
)

// runSettings are what a command decides before anything is built: its own
// copy of the loaded configuration, with its flags applied, and what the
// run needs beyond the configuration.
type runSettings struct {
	cfg *loadedConfig
	// interactive: a person watches this process (the dashboard, the
	// demo), so memory matters more than peak throughput.
	interactive bool
	// sampleInterval is how often running experiments are sampled (0:
	// core.DefaultSampleInterval).
	sampleInterval time.Duration
}

// settings copies the loaded configuration for one command to adjust.
func (a *app) settings() runSettings {
	c := *a.cfg
	c.Sources = maps.Clone(a.cfg.Sources)
	return runSettings{cfg: &c}
}

// applyFlags copies changed flags into the settings' configuration, so
// flags win over file and environment as everywhere else.
func (s *runSettings) applyFlags(cmd *cobra.Command, keys map[string]string) error {
	for flag, key := range keys {
		if cmd.Flags().Changed(flag) {
			if err := s.cfg.applyFlag(key, cmd.Flags().Lookup(flag).Value.String()); err != nil {
				return core.Wrap(core.ErrInvalid, err, "--%s", flag)
			}
		}
	}
	return nil
}

// deps is everything a run uses, built once by wire and never replaced
// while it runs, and the supervisor of the run's background loops.
type deps struct {
	cfg            Config
	interactive    bool
	sampleInterval time.Duration

	log      *os.File
	store    core.Store
	coord    *core.Coordinator
	plans    *plan.Service
	planners map[string]built
	// trello is the Trello client, or nil with trelloErr saying which
	// credential is missing.
	trello    *trello.Client
	trelloErr error
	mcp       mcp.Options
	sup       *supervisor
}

// built is a planner, or why it cannot run here.
type built struct {
	planner core.Planner
	err     error
}

// plannerNames are the planners marcus has, in the order the form offers
// the unconfigured ones.
var plannerNames = []string{"offline", "anthropic", "openai"}

// wire builds a run's dependencies from its settings: the log, the store,
// the coordinator with its lease policy, the planning service, every
// planner, the Trello client and the MCP handler's options.
func wire(ctx context.Context, s runSettings) (*deps, error) {
	cfg := s.cfg.Config
	log, err := openLog(cfg.Log)
	if err != nil {
		return nil, err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		log.Close()
		return nil, err
	}
	d := &deps{cfg: cfg, interactive: s.interactive, sampleInterval: s.sampleInterval, log: log, store: st,
		coord: core.NewCoordinator(st, core.WithLeasePolicy(core.DefaultLeasePolicy.Scaled(cfg.Lease.Scale))),
		plans: plan.New(st), planners: map[string]built{}}
	for _, name := range plannerNames {
		p, err := plannerFor(cfg.LLM, name)
		d.planners[name] = built{p, err}
	}
	d.trello, d.trelloErr = trello.New(trello.Config{Key: cfg.Trello.APIKey, Token: cfg.Trello.Token, BaseURL: cfg.Trello.BaseURL})
	d.mcp = mcp.Options{Token: cfg.MCP.Token, Logger: slog.Default(), Version: versionString(),
		Planner: d.planner, Plans: d.plans, PlanConcurrency: cfg.LLM.Concurrency, ArtifactDir: artifactDir(cfg)}
	return d, nil
}

// openStore opens the database the db setting names. It is the one place
// that knows the store's kind: the PostgreSQL store adds its URLs here.
func openStore(ctx context.Context, cfg Config) (core.Store, error) {
	switch {
	default:
		return sqlite.Open(ctx, cfg.DB, sqlite.Options{BusyTimeout: cfg.SQLite.BusyTimeout, Synchronous: cfg.SQLite.Synchronous})
	}
}

// artifactDir is where log_artifact writes files that name no root: beside
// the database.
func artifactDir(cfg Config) string {
	return filepath.Join(filepath.Dir(cfg.DB), "artifacts")
}

// openLog routes logs to the log file: the terminal belongs to the
// dashboard, standard output to the stdio MCP server.
func openLog(c LogConfig) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(c.File), 0o700); err != nil {
		return nil, core.Wrap(core.ErrUnavailable, err, "cannot create the log folder; set log.file to a writable path")
	}
	f, err := os.OpenFile(c.File, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, core.Wrap(core.ErrUnavailable, err, "cannot open the log file; set log.file to a writable path")
	}
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Level)) // validated with the config
	slog.SetDefault(slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: level})))
	return f, nil
}

// close closes the store, then the log file.
func (d *deps) close() error {
	return joinErrs(d.store.Close(), d.log.Close())
}

// planner returns the planner named, or the configured one for "". A
// provider that lacks a setting is an error naming it; there is no
// fallback to another provider.
func (d *deps) planner(name string) (core.Planner, error) {
	provider := strings.ToLower(strings.TrimSpace(name))
	if provider == "" {
		provider = strings.ToLower(strings.TrimSpace(d.cfg.LLM.Provider))
	}
	if b, ok := d.planners[provider]; ok {
		return b.planner, b.err
	}
	return plannerFor(d.cfg.LLM, provider) // an unknown name: its error lists the known ones
}

// plannerChoices lists the planners the new project form offers: the
// configured one first, then the others that are configured enough to run.
func (d *deps) plannerChoices() []string {
	names := []string{strings.ToLower(d.cfg.LLM.Provider)}
	for _, n := range plannerNames {
		if n == names[0] {
			continue
		}
		if _, err := d.planner(n); err == nil {
			names = append(names, n)
		}
	}
	return names
}

// trelloClient is the Trello client, or the error naming the missing
// credential.
func (d *deps) trelloClient() (*trello.Client, error) {
	return d.trello, d.trelloErr
}

// tuneGC tunes the collector for a server, unless a person watches this
// process (see tuneGC).
func (d *deps) tuneGC() {
	if d.interactive {
		return // a person's process: the default collector keeps it small
	}
	tuneGC()
}

// body is a command's work once its run is wired; ctx is the run's one
// cancellation (d.sup.Context()).
type body func(ctx context.Context, d *deps, cmd *cobra.Command, args []string) error

// wired makes a command's RunE: settle the settings (tune may be nil),
// wire once, run the body, then stop the loops in order and close what
// wire opened. The command's error comes first, then the loops' and the
// closing's.
func (a *app) wired(tune func(*cobra.Command, *runSettings) error, fn body) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		s := a.settings()
		if tune != nil {
			if err := tune(cmd, &s); err != nil {
				return err
			}
		}
		d, err := wire(cmd.Context(), s)
		if err != nil {
			return err
		}
		d.sup = newSupervisor(cmd.Context())
		d.sup.AtStop(d.close)
		err = fn(d.sup.Context(), d, cmd, args)
		return joinErrs(append([]error{err}, d.sup.stop()...)...)
	}
}
