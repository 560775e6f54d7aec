-- Every call marcus makes to a model, for `marcus costs`. project_id has no
-- foreign key: a creation that failed keeps its calls under the id its
-- project would have had, with project_name to say which request it was.
CREATE TABLE llm_calls (
    id            INTEGER PRIMARY KEY,
    at            INTEGER NOT NULL,
    project_id    TEXT NOT NULL DEFAULT '',
    project_name  TEXT NOT NULL DEFAULT '',
    provider      TEXT NOT NULL,
    model         TEXT NOT NULL DEFAULT '',
    operation     TEXT NOT NULL,
    input_tokens  INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    latency       INTEGER NOT NULL DEFAULT 0,
    cost_usd      REAL NOT NULL DEFAULT 0,
    outcome       TEXT NOT NULL,
    error         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX llm_calls_project ON llm_calls (project_id, id);
