package core

import (
	"context"
	"fmt"
	"strings"
)

// A dump is a whole database in core's terms, so that it can be copied
// from one store to another (marcus db copy: SQLite to PostgreSQL and
// back) without either store knowing the other. It holds everything a
// store keeps, not only what the Coordinator reads back: events with their
// ids and payloads byte for byte, the highest event id ever given out,
// row ids, dependency order, experiments' poll counts, named leases.

// DumpTables are the tables of a dump, in the order a dump gives them:
// each refers only to tables before it.
var DumpTables = []string{"projects", "tasks", "task_deps", "agents", "artifacts", "decisions", "events",
	"experiments", "experiment_samples", "mirrors", "mirror_items", "llm_calls", "leases"}

// TableCounts counts rows by table (DumpTables' names).
type TableCounts map[string]int64

// MirrorItem is the remote item (a card) that stands for a task on a
// project's mirror.
type MirrorItem struct {
	Project ProjectID
	Kind    string
	Task    TaskID
	Remote  string
}

// DumpBatch is some rows of one table, in the source's order; exactly one
// field is set. Tasks carry their dependencies in the order they were
// added (the task_deps rows); an Event's Payload is the RawPayload stored;
// an Experiment's Polls and IdlePolls are its totals. EventHighWater, in a
// batch of its own after the events, is the highest event id the source
// ever gave out, which the copy keeps so that ids never repeat.
type DumpBatch struct {
	Projects       []Project
	Tasks          []Task
	Agents         []Agent
	Artifacts      []Artifact
	Decisions      []Decision
	Events         []Event
	EventHighWater int64
	Experiments    []Experiment
	Samples        []Sample
	Mirrors        []Mirror
	MirrorItems    []MirrorItem
	LLMCalls       []LLMCall
	Leases         []NamedLease
}

// Dumper is a store that can give its whole content.
type Dumper interface {
	// Dump reads the whole database on one consistent snapshot and passes
	// it to put in batches, table by table in DumpTables' order. It returns
	// the rows each table held in that snapshot. An error from put stops
	// the dump and is returned.
	Dump(ctx context.Context, put func(DumpBatch) error) (TableCounts, error)
}

// Loader is a store that can be filled from a dump.
type Loader interface {
	// Load fills the database, which must hold no marcus data (ErrConflict
	// otherwise, saying what it holds), in one transaction: fill calls put
	// with every batch, in DumpTables' order. Ids are kept as given. Then
	// verify hears each table's rows as the transaction sees them, before
	// the commit. When fill, verify or the commit fails nothing is kept.
	Load(ctx context.Context, fill func(put func(DumpBatch) error) error, verify func(TableCounts) error) error
	// Counts counts each table's rows.
	Counts(ctx context.Context) (TableCounts, error)
}

// CopyReport is what a copy moved: each table's rows in the source's
// snapshot and in the destination after the copy.
type CopyReport struct {
	Source, Dest TableCounts
}

// CopyStore copies the whole of src into dst, which must be empty, in one
// transaction on dst that commits only when every table of dst holds as
// many rows as src's snapshot did (a mismatch is ErrInternal naming the
// tables, and nothing is kept); the report's Dest counts are read again
// after the commit.
func CopyStore(ctx context.Context, src Dumper, dst Loader) (CopyReport, error) {
	var r CopyReport
	fill := func(put func(DumpBatch) error) error {
		var err error
		r.Source, err = src.Dump(ctx, put)
		return err
	}
	verify := func(got TableCounts) error {
		r.Dest = got
		if bad := r.Mismatches(); len(bad) > 0 {
			return Errorf(ErrInternal, "the copy does not match its source, so nothing was kept: %s", strings.Join(bad, ", "))
		}
		return nil
	}
	if err := dst.Load(ctx, fill, verify); err != nil {
		return r, err
	}
	var err error
	r.Dest, err = dst.Counts(ctx)
	if bad := r.Mismatches(); err == nil && len(bad) > 0 {
		err = Errorf(ErrInternal, "the copy changed after its commit (is another marcus writing to it?): %s", strings.Join(bad, ", "))
	}
	return r, err
}

// Mismatches names the tables whose counts differ.
func (r CopyReport) Mismatches() []string {
	var out []string
	for _, t := range DumpTables {
		if r.Source[t] != r.Dest[t] {
			out = append(out, fmt.Sprintf("%s: %d in the source, %d copied", t, r.Source[t], r.Dest[t]))
		}
	}
	return out
}

// Total is the number of rows of every table.
func (c TableCounts) Total() int64 {
	var n int64
	for _, v := range c {
		n += v
	}
	return n
}

// NotEmpty says what a database that a copy would fill holds already, as
// a refusal with advice: where names it, holds counts its rows (only the
// non-zero ones matter).
func NotEmpty(where string, holds TableCounts, advice string) error {
	var parts []string
	for _, t := range DumpTables {
		if holds[t] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", holds[t], strings.ReplaceAll(t, "_", " ")))
		}
	}
	return Errorf(ErrConflict, "cannot copy into %s: it is not empty (it holds %s), and a copy goes into an empty database only, so that nothing there is mixed with or lost to the copy; %s",
		where, strings.Join(parts, ", "), advice)
}

// DumpExperiments gives the experiments, then each one's samples, read
// through tx: every store dumps them the same way.
func DumpExperiments(tx ReadTx, put func(DumpBatch) error) error {
	es, err := tx.Experiments("")
	if err != nil || len(es) == 0 {
		return err
	}
	if err := put(DumpBatch{Experiments: es}); err != nil {
		return err
	}
	for _, e := range es {
		ss, err := tx.Samples(e.ID)
		if err != nil {
			return err
		}
		if len(ss) > 0 {
			if err := put(DumpBatch{Samples: ss}); err != nil {
				return err
			}
		}
	}
	return nil
}
