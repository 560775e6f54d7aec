// Command marcus coordinates AI coding agents through a shared kanban board.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"syscall"

	"charm.land/fang/v2"
	"github.com/spf13/cobra"

	"marcus/core"
)

// Set by the release build (see .goreleaser.yaml).
var (
	version = ""
	commit  = ""
	date    = ""
)

func main() {
	root := newRootCmd(os.Stdout, os.Stderr, os.Environ())
	v, c, _ := buildInfo()
	err := fang.Execute(context.Background(), root,
		fang.WithVersion(v), fang.WithCommit(c),
		fang.WithNotifySignal(os.Interrupt, syscall.SIGTERM))
	if err != nil {
		os.Exit(exitCode(err))
	}
}

// exitCode maps an error to the process exit status: 2 for bad input, 3
// when the store is busy or damaged, 1 otherwise.
func exitCode(err error) int {
	switch core.CodeOf(err) {
	case core.ErrInvalid, core.ErrNotFound, core.ErrConflict:
		return 2
	case core.ErrUnavailable, core.ErrCorrupt:
		return 3
	}
	return 1
}

// app is what every command shares: where it writes, its environment and
// the loaded configuration. What a command runs on is wired per command
// (see wired).
type app struct {
	out, errOut io.Writer
	env         []string
	cfgPath     string
	dbFlag      string
	cfg         *loadedConfig
}

func newRootCmd(out, errOut io.Writer, env []string) *cobra.Command {
	a := &app{out: out, errOut: errOut, env: env}
	root := &cobra.Command{
		Use:   "marcus",
		Short: "Coordinate AI coding agents through a shared kanban board",
		Long: `marcus plans what you want built into a dependency graph of tasks on a board.
Any number of agents speaking MCP pull tasks, report progress and pass context
through the board; claims are atomic across processes and nothing acknowledged
is lost on a crash.`,
		Example: `  marcus                      # the dashboard, serving MCP at 127.0.0.1:4298
  marcus demo                 # synthetic agents work a sample project
  marcus new "a todo app with login and reminders"
  marcus board --watch`,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error { return a.loadConfig(cmd) },
		Args:              cobra.NoArgs,
		RunE:              a.rootRun,
	}
	root.SetOut(out)
	root.SetErr(errOut)
	root.PersistentFlags().StringVar(&a.dbFlag, "db", "", "database file (default: the user data directory; env MARCUS_DB)")
	root.PersistentFlags().StringVar(&a.cfgPath, "config", "", "config file (default: the user config directory; env MARCUS_CONFIG)")
	root.AddCommand(a.versionCmd(), a.newCmd(), a.boardCmd(), a.projectsCmd(), a.configCmd(),
		a.serveCmd(), a.mcpCmd(), a.agentsCmd(), a.demoCmd(), a.costsCmd(), a.featureCmd(), a.dashCmd(), a.trelloCmd(), a.experimentCmd(),
		a.runCmd())
	return root
}

func (a *app) loadConfig(cmd *cobra.Command) error {
	path := a.cfgPath
	if path == "" {
		path = lookupEnv(a.env, "MARCUS_CONFIG")
	}
	cfg, err := loadConfig(path, a.env)
	if err != nil {
		return core.Wrap(core.ErrInvalid, err, "configuration")
	}
	if cmd.Flags().Changed("db") {
		if err := cfg.applyFlag("db", a.dbFlag); err != nil {
			return core.Wrap(core.ErrInvalid, err, "--db")
		}
	}
	a.cfg = cfg
	return nil
}

func lookupEnv(env []string, name string) string {
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == name {
			return v
		}
	}
	return ""
}

func versionString() string {
	v, c, d := buildInfo()
	return strings.TrimSpace(fmt.Sprintf("%s %s %s", v, shortCommit(c), d))
}

// buildInfo is the version, commit and date injected by the release build,
// falling back to what the Go toolchain recorded.
func buildInfo() (v, c, d string) {
	v, c, d = version, commit, date
	if info, ok := debug.ReadBuildInfo(); ok {
		if v == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			switch {
			case s.Key == "vcs.revision" && c == "":
				c = s.Value
			case s.Key == "vcs.time" && d == "":
				d = s.Value
			}
		}
	}
	if v == "" {
		v = "dev"
	}
	return v, c, d
}

func shortCommit(c string) string {
	if len(c) > 12 {
		return c[:12]
	}
	return c
}
