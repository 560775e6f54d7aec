package postgres

import (
	"errors"
	"math/rand/v2"
	"time"

	"marcus/core"

	"github.com/jackc/pgx/v5"
)

// An experiment's polls are its own column (polls counted elsewhere, by a
// copied database) plus its shards in experiment_polls.
const experimentCols = `e.id, e.name, e.project_id, e.started_at, e.ended_at, e.params, e.tags,
	e.polls + coalesce((SELECT sum(p.polls) FROM experiment_polls p WHERE p.experiment_id = e.id), 0),
	e.idle_polls + coalesce((SELECT sum(p.idle_polls) FROM experiment_polls p WHERE p.experiment_id = e.id), 0),
	e.ended_by`

// pollShards is how many rows share an experiment's poll count.
const pollShards = 16

func scanExperiment(r pgx.Row) (core.Experiment, error) {
	var e core.Experiment
	var id, project string
	var started, ended int64
	var params, tags []byte
	err := r.Scan(&id, &e.Name, &project, &started, &ended, &params, &tags, &e.Polls, &e.IdlePolls, &e.EndedBy)
	e.ID, e.Project = core.ExperimentID(id), core.ProjectID(project)
	e.StartedAt, e.EndedAt = fromNanos(started), fromNanos(ended)
	e.Params, e.Tags = fromJSON[map[string]string](params), fromJSON[[]string](tags)
	return e, err
}

func scanExperimentRows(r pgx.Rows) (core.Experiment, error) { return scanExperiment(r) }

// one reads the first experiment a query finds; none is ErrNoRows.
func (t *txn) oneExperiment(q string, args ...any) (core.Experiment, error) {
	es, err := collect(t, "read experiment", scanExperimentRows, q, args...)
	if err != nil {
		return core.Experiment{}, err
	}
	if len(es) == 0 {
		return core.Experiment{}, pgx.ErrNoRows
	}
	return es[0], nil
}

func (t *txn) Experiment(ref string) (core.Experiment, error) {
	e, err := t.oneExperiment(`SELECT `+experimentCols+` FROM experiments e WHERE e.id = $1 OR lower(e.name) = lower($1)
		ORDER BY e.id = $1 DESC LIMIT 1`, ref)
	if errors.Is(err, pgx.ErrNoRows) {
		return core.Experiment{}, core.Errorf(core.ErrNotFound, "no experiment %q: list them with marcus experiment list", ref)
	}
	return e, err
}

func (t *txn) Experiments(p core.ProjectID) ([]core.Experiment, error) {
	if p == "" {
		return collect(t, "list experiments", scanExperimentRows, `SELECT `+experimentCols+` FROM experiments e ORDER BY e.started_at, e.id`)
	}
	return collect(t, "list experiments", scanExperimentRows, `SELECT `+experimentCols+` FROM experiments e WHERE e.project_id = $1
		ORDER BY e.started_at, e.id`, string(p))
}

func (t *txn) RunningExperiment(p core.ProjectID) (core.Experiment, error) {
	e, err := t.oneExperiment(`SELECT `+experimentCols+` FROM experiments e WHERE e.project_id = $1 AND e.ended_at = 0
		ORDER BY e.started_at DESC LIMIT 1`, string(p))
	if errors.Is(err, pgx.ErrNoRows) {
		return core.Experiment{}, core.Errorf(core.ErrNotFound, "project %s has no running experiment", p)
	}
	return e, err
}

// InsertExperiment starts an experiment. It touches the experiments guard:
// core checked on its snapshot that the name is free and that the project
// runs no other experiment, and two starts that both passed must not both
// commit.
func (t *txn) InsertExperiment(e core.Experiment) error {
	if err := t.touchGuard("experiments"); err != nil {
		return err
	}
	var n int
	if err := t.scalar("read experiments", `SELECT count(*) FROM experiments WHERE lower(name) = lower($1)`, []any{e.Name}, &n); err != nil {
		return err
	}
	if n > 0 {
		return core.Refusef(core.ErrConflict, core.ReasonNameTaken, "an experiment named %q exists: choose another name", e.Name)
	}
	_, err := t.exec("start experiment", `INSERT INTO experiments (id, name, project_id, started_at, ended_at, params, tags,
		polls, idle_polls, ended_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		string(e.ID), e.Name, string(e.Project), nanos(e.StartedAt), nanos(e.EndedAt), toJSON(e.Params), toJSON(nonNil(e.Tags)),
		e.Polls, e.IdlePolls, e.EndedBy)
	return err
}

func (t *txn) EndExperiment(id core.ExperimentID, at time.Time, by string) error {
	tag, err := t.exec("end experiment", `UPDATE experiments SET ended_at = $1, ended_by = $2 WHERE id = $3 AND ended_at = 0`,
		nanos(at), by, string(id))
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return core.Refusef(core.ErrConflict, core.ReasonExperimentEnded, "experiment %s is not running", id)
	}
	return nil
}

// CountPoll adds a poll to one of the running experiment's shards, chosen
// at random, so that agents polling at once rarely write the same row.
func (t *txn) CountPoll(p core.ProjectID, idle bool) error {
	idles := 0
	if idle {
		idles = 1
	}
	_, err := t.exec("count poll", `INSERT INTO experiment_polls (experiment_id, shard, polls, idle_polls)
		SELECT id, $2, 1, $3 FROM experiments WHERE project_id = $1 AND ended_at = 0
		ON CONFLICT (experiment_id, shard) DO UPDATE SET polls = experiment_polls.polls + 1,
		idle_polls = experiment_polls.idle_polls + excluded.idle_polls`, string(p), rand.IntN(pollShards), idles)
	return err
}

func (t *txn) InsertSample(s core.Sample) error {
	_, err := t.exec("record sample", `INSERT INTO experiment_samples (experiment_id, at, backlog, ready, in_progress,
		blocked, done, agents, working) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (experiment_id, at) DO UPDATE SET backlog = excluded.backlog, ready = excluded.ready,
		in_progress = excluded.in_progress, blocked = excluded.blocked, done = excluded.done, agents = excluded.agents,
		working = excluded.working`, string(s.Experiment), nanos(s.At), s.Backlog, s.Ready, s.InProgress, s.Blocked, s.Done,
		s.Agents, s.Working)
	return err
}

func (t *txn) Samples(id core.ExperimentID) ([]core.Sample, error) {
	return collect(t, "list samples", func(r pgx.Rows) (core.Sample, error) {
		var s core.Sample
		var exp string
		var at int64
		err := r.Scan(&exp, &at, &s.Backlog, &s.Ready, &s.InProgress, &s.Blocked, &s.Done, &s.Agents, &s.Working)
		s.Experiment, s.At = core.ExperimentID(exp), fromNanos(at)
		return s, err
	}, `SELECT experiment_id, at, backlog, ready, in_progress, blocked, done, agents, working FROM experiment_samples
		WHERE experiment_id = $1 ORDER BY at`, string(id))
}
