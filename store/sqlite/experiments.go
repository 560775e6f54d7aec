package sqlite

import (
	"database/sql"
	"errors"
	"time"

	"marcus/core"
)

const experimentCols = `id, name, project_id, started_at, ended_at, params, tags, polls, idle_polls, ended_by`

func scanExperiment(r interface{ Scan(...any) error }) (core.Experiment, error) {
	var e core.Experiment
	var started, ended int64
	var params, tags string
	err := r.Scan(&e.ID, &e.Name, &e.Project, &started, &ended, &params, &tags, &e.Polls, &e.IdlePolls, &e.EndedBy)
	e.StartedAt, e.EndedAt = fromNanos(started), fromNanos(ended)
	e.Params, e.Tags = fromJSON[map[string]string](params), fromJSON[[]string](tags)
	return e, err
}

func (t *txn) Experiment(ref string) (core.Experiment, error) {
	e, err := scanExperiment(t.queryRow(`SELECT `+experimentCols+` FROM experiments WHERE id = ? OR name = ? COLLATE NOCASE
		ORDER BY id = ? DESC LIMIT 1`, ref, ref, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return core.Experiment{}, core.Errorf(core.ErrNotFound, "no experiment %q: list them with marcus experiment list", ref)
	}
	return e, t.s.translate(err, "read experiment")
}

func (t *txn) Experiments(p core.ProjectID) ([]core.Experiment, error) {
	scan := func(r *sql.Rows) (core.Experiment, error) { return scanExperiment(r) }
	if p == "" {
		return collect(t, "list experiments", scan, `SELECT `+experimentCols+` FROM experiments ORDER BY started_at, id`)
	}
	return collect(t, "list experiments", scan, `SELECT `+experimentCols+` FROM experiments WHERE project_id = ? ORDER BY started_at, id`, p)
}

func (t *txn) RunningExperiment(p core.ProjectID) (core.Experiment, error) {
	e, err := scanExperiment(t.queryRow(`SELECT `+experimentCols+` FROM experiments WHERE project_id = ? AND ended_at = 0
		ORDER BY started_at DESC LIMIT 1`, p))
	if errors.Is(err, sql.ErrNoRows) {
		return core.Experiment{}, core.Errorf(core.ErrNotFound, "project %s has no running experiment", p)
	}
	return e, t.s.translate(err, "read experiment")
}

func (t *txn) InsertExperiment(e core.Experiment) error {
	var n int
	if err := t.queryRow(`SELECT count(*) FROM experiments WHERE name = ? COLLATE NOCASE`, e.Name).Scan(&n); err != nil {
		return t.s.translate(err, "read experiments")
	}
	if n > 0 {
		return core.Refusef(core.ErrConflict, core.ReasonNameTaken, "an experiment named %q exists: choose another name", e.Name)
	}
	_, err := t.exec("start experiment", `INSERT INTO experiments (`+experimentCols+`) VALUES (?,?,?,?,?,?,?,?,?,?)`,
		e.ID, e.Name, e.Project, nanos(e.StartedAt), nanos(e.EndedAt), toJSON(e.Params), toJSON(nonNil(e.Tags)), e.Polls, e.IdlePolls, e.EndedBy)
	return err
}

func (t *txn) EndExperiment(id core.ExperimentID, at time.Time, by string) error {
	res, err := t.exec("end experiment", `UPDATE experiments SET ended_at = ?, ended_by = ? WHERE id = ? AND ended_at = 0`, nanos(at), by, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return core.Refusef(core.ErrConflict, core.ReasonExperimentEnded, "experiment %s is not running", id)
	}
	return nil
}

func (t *txn) CountPoll(p core.ProjectID, idle bool) error {
	_, err := t.exec("count poll", `UPDATE experiments SET polls = polls + 1, idle_polls = idle_polls + ? WHERE project_id = ? AND ended_at = 0`, idle, p)
	return err
}

func (t *txn) InsertSample(s core.Sample) error {
	_, err := t.exec("record sample", `INSERT OR REPLACE INTO experiment_samples (experiment_id, at, backlog, ready, in_progress,
		blocked, done, agents, working) VALUES (?,?,?,?,?,?,?,?,?)`, s.Experiment, nanos(s.At), s.Backlog, s.Ready, s.InProgress,
		s.Blocked, s.Done, s.Agents, s.Working)
	return err
}

func (t *txn) Samples(id core.ExperimentID) ([]core.Sample, error) {
	return collect(t, "list samples", func(r *sql.Rows) (core.Sample, error) {
		var s core.Sample
		var at int64
		err := r.Scan(&s.Experiment, &at, &s.Backlog, &s.Ready, &s.InProgress, &s.Blocked, &s.Done, &s.Agents, &s.Working)
		s.At = fromNanos(at)
		return s, err
	}, `SELECT experiment_id, at, backlog, ready, in_progress, blocked, done, agents, working FROM experiment_samples
		WHERE experiment_id = ? ORDER BY at`, id)
}
