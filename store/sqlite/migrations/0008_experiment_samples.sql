-- The board sampled at a fixed interval while an experiment runs: what
-- the events alone do not say (how many tasks were ready, how many agents
-- sat idle).
CREATE TABLE experiment_samples (
    experiment_id TEXT NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
    at            INTEGER NOT NULL,
    backlog       INTEGER NOT NULL,
    ready         INTEGER NOT NULL,
    in_progress   INTEGER NOT NULL,
    blocked       INTEGER NOT NULL,
    done          INTEGER NOT NULL,
    agents        INTEGER NOT NULL,
    working       INTEGER NOT NULL,
    PRIMARY KEY (experiment_id, at)
) WITHOUT ROWID;
