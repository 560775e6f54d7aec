package main

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"marcus/core"
	"marcus/ui/text"
)

func (a *app) dbCmd() *cobra.Command {
	db := &cobra.Command{
		Use:   "db",
		Short: "Work on whole databases: copy one into another (SQLite and PostgreSQL)",
		Args:  cobra.NoArgs,
	}
	db.AddCommand(a.dbCopyCmd())
	return db
}

func (a *app) dbCopyCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "copy SRC DST",
		Short: "Copy a whole database into an empty one: a SQLite file to PostgreSQL, or back",
		Long: `Copy everything a marcus database holds (projects, tasks, agents, artifacts,
decisions, the event log with its ids, experiments, board mirrors, model
calls and costs, leases) from SRC into DST, each a SQLite file or a
postgres:// URL. DST must be empty: a new file, or an empty PostgreSQL
database or schema. The copy is one transaction on DST that commits only
when every table holds as many rows as SRC did; the counts are printed.
Stop every marcus process that writes to SRC first: the copy reads SRC as it
was when it began.`,
		Example: `  marcus db copy ~/.local/share/marcus/marcus.db postgres://marcus:SECRET@db:5432/marcus
  marcus db copy postgres://marcus:SECRET@db:5432/marcus ./backup.db`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := a.copyDB(cmd.Context(), args[0], args[1])
			if err != nil {
				return err
			}
			if asJSON {
				return text.JSON(a.out, r)
			}
			return text.Copied(a.out, r)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the counts as JSON")
	return cmd
}

// copyDB copies the database src names into the one dst names. A SQLite
// file the copy created is removed again when the copy fails, so a retry
// finds no half-made file in its way.
func (a *app) copyDB(ctx context.Context, src, dst string) (text.CopyResult, error) {
	r := text.CopyResult{From: describeDB(src), To: describeDB(dst)}
	if err := checkCopy(src, dst); err != nil {
		return r, err
	}
	created := !isPostgres(dst) && !exists(dst)
	err := a.copyStores(ctx, src, dst, &r)
	if err != nil && created {
		for _, f := range []string{dst, dst + "-wal", dst + "-shm"} {
			_ = os.Remove(f)
		}
	}
	return r, err
}

func (a *app) copyStores(ctx context.Context, src, dst string, r *text.CopyResult) error {
	from, err := a.openDB(ctx, src)
	if err != nil {
		return core.Wrap(core.CodeOf(err), err, "the source, %s", r.From)
	}
	defer from.Close()
	to, err := a.openDB(ctx, dst)
	if err != nil {
		return core.Wrap(core.CodeOf(err), err, "the destination, %s", r.To)
	}
	dumper, ok := from.(core.Dumper)
	loader, ok2 := to.(core.Loader)
	if !ok || !ok2 {
		to.Close()
		return core.Errorf(core.ErrInvalid, "these stores cannot be copied into each other")
	}
	rep, err := core.CopyStore(ctx, dumper, loader)
	r.Source, r.Copied = rep.Source, rep.Dest
	return errors.Join(err, to.Close())
}

// checkCopy refuses what cannot be a copy before anything is opened: a
// source file that does not exist (opening it would create an empty one),
// and a source that is its destination.
func checkCopy(src, dst string) error {
	if !isPostgres(src) && !exists(src) {
		return core.Errorf(core.ErrNotFound, "there is no database file at %s: name the file to copy (marcus config shows the db in use)", src)
	}
	if src == dst || (!isPostgres(src) && !isPostgres(dst) && samePath(src, dst)) {
		return core.Errorf(core.ErrInvalid, "the source and the destination are the same database: name an empty one to copy into")
	}
	return nil
}

// openDB opens the database db names with this run's settings.
func (a *app) openDB(ctx context.Context, db string) (core.Store, error) {
	cfg := a.cfg.Config
	cfg.DB = db
	return openStore(ctx, cfg)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, fs.ErrNotExist)
}

func samePath(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}
