-- marcus schema, version 1. Times are Unix nanoseconds, 0 when unset.
CREATE TABLE projects (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    planner     TEXT NOT NULL DEFAULT '',
    options     TEXT NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL
);

CREATE TABLE tasks (
    id                TEXT PRIMARY KEY,
    project_id        TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    seq               INTEGER NOT NULL,
    name              TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL CHECK (status IN ('todo','in_progress','blocked','done')),
    priority          INTEGER NOT NULL,
    labels            TEXT NOT NULL DEFAULT '[]',
    phase             INTEGER NOT NULL,
    estimate_minutes  INTEGER NOT NULL DEFAULT 0,
    acceptance        TEXT NOT NULL DEFAULT '[]',
    progress          INTEGER NOT NULL DEFAULT 0,
    holder            TEXT NOT NULL DEFAULT '',
    claimed_at        INTEGER NOT NULL DEFAULT 0,
    lease_expires_at  INTEGER NOT NULL DEFAULT 0,
    lease_grace       INTEGER NOT NULL DEFAULT 0,
    lease_epoch       INTEGER NOT NULL DEFAULT 0,
    lease_renewals    INTEGER NOT NULL DEFAULT 0,
    last_progress_at  INTEGER NOT NULL DEFAULT 0,
    last_message      TEXT NOT NULL DEFAULT '',
    handoff           TEXT NOT NULL DEFAULT '',
    silent_recoveries INTEGER NOT NULL DEFAULT 0,
    blocked_reason    TEXT NOT NULL DEFAULT '',
    unblocks          INTEGER NOT NULL DEFAULT 0,
    -- pending_deps counts hard dependencies not yet done; 0 means ready.
    pending_deps      INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    completed_at      INTEGER NOT NULL DEFAULT 0,
    -- An in-progress task always has a holder; nothing else enforces "one holder".
    CHECK (status <> 'in_progress' OR holder <> '')
);
CREATE INDEX tasks_ready ON tasks (project_id, status, pending_deps, priority DESC, unblocks DESC, phase, seq);
CREATE INDEX tasks_leases ON tasks (status, lease_expires_at);
CREATE INDEX tasks_order ON tasks (project_id, seq);

CREATE TABLE task_deps (
    task_id    TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    depends_on TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    hard       INTEGER NOT NULL,
    PRIMARY KEY (task_id, depends_on)
);
CREATE INDEX task_deps_reverse ON task_deps (depends_on, hard);

CREATE TABLE task_labels (
    project_id TEXT NOT NULL,
    label      TEXT NOT NULL,
    task_id    TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    PRIMARY KEY (project_id, label, task_id)
) WITHOUT ROWID;

CREATE TABLE agents (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL DEFAULT '',
    skills        TEXT NOT NULL DEFAULT '[]',
    project_id    TEXT NOT NULL REFERENCES projects(id),
    registered_at INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    current_task  TEXT NOT NULL DEFAULT '',
    report_times  TEXT NOT NULL DEFAULT '[]',
    tasks_done    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX agents_project ON agents (project_id);

CREATE TABLE artifacts (
    id          INTEGER PRIMARY KEY,
    task_id     TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    agent_id    TEXT NOT NULL DEFAULT '',
    filename    TEXT NOT NULL,
    type        TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    content     TEXT NOT NULL DEFAULT '',
    location    TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);
CREATE INDEX artifacts_task ON artifacts (task_id, id);

CREATE TABLE decisions (
    id         INTEGER PRIMARY KEY,
    task_id    TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    agent_id   TEXT NOT NULL DEFAULT '',
    text       TEXT NOT NULL,
    what       TEXT NOT NULL DEFAULT '',
    why        TEXT NOT NULL DEFAULT '',
    impact     TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX decisions_task ON decisions (task_id, id);

-- AUTOINCREMENT: event ids never repeat, even after the newest rows are
-- deleted, so a watcher tailing by id never misses or re-reads one.
CREATE TABLE events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         INTEGER NOT NULL,
    project_id TEXT NOT NULL DEFAULT '',
    kind       TEXT NOT NULL,
    task_id    TEXT NOT NULL DEFAULT '',
    agent_id   TEXT NOT NULL DEFAULT '',
    payload    TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_project ON events (project_id, id);

CREATE TABLE experiments (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    started_at INTEGER NOT NULL,
    ended_at   INTEGER NOT NULL DEFAULT 0,
    params     TEXT NOT NULL DEFAULT '{}'
);
