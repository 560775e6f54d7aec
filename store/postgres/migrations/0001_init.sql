-- marcus schema for PostgreSQL, version 1: the SQLite schema (through its
-- migration 8) in PostgreSQL's terms. Times are Unix nanoseconds (bigint),
-- 0 when unset, as in SQLite, so that a copy between the two stores is exact
-- (timestamptz keeps microseconds). JSON columns are jsonb.

CREATE TABLE projects (
    id          text PRIMARY KEY,
    name        text NOT NULL,
    description text NOT NULL DEFAULT '',
    planner     text NOT NULL DEFAULT '',
    options     jsonb NOT NULL DEFAULT '{}',
    created_at  bigint NOT NULL,
    -- insertion order, the tie-break SQLite's rowid gives
    ord         bigint GENERATED ALWAYS AS IDENTITY
);

CREATE TABLE tasks (
    id                text PRIMARY KEY,
    project_id        text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    seq               integer NOT NULL,
    name              text NOT NULL,
    description       text NOT NULL DEFAULT '',
    status            text NOT NULL CHECK (status IN ('todo','in_progress','blocked','done')),
    priority          integer NOT NULL,
    labels            jsonb NOT NULL DEFAULT '[]',
    phase             integer NOT NULL,
    estimate_minutes  integer NOT NULL DEFAULT 0,
    acceptance        jsonb NOT NULL DEFAULT '[]',
    progress          integer NOT NULL DEFAULT 0,
    holder            text NOT NULL DEFAULT '',
    claimed_at        bigint NOT NULL DEFAULT 0,
    lease_expires_at  bigint NOT NULL DEFAULT 0,
    lease_grace       bigint NOT NULL DEFAULT 0,
    lease_epoch       bigint NOT NULL DEFAULT 0,
    lease_renewals    integer NOT NULL DEFAULT 0,
    last_progress_at  bigint NOT NULL DEFAULT 0,
    last_message      text NOT NULL DEFAULT '',
    handoff           jsonb,
    silent_recoveries integer NOT NULL DEFAULT 0,
    blocked_reason    text NOT NULL DEFAULT '',
    unblocks          integer NOT NULL DEFAULT 0,
    -- pending_deps counts hard dependencies not yet done; 0 means ready.
    pending_deps      integer NOT NULL DEFAULT 0,
    created_at        bigint NOT NULL,
    updated_at        bigint NOT NULL,
    completed_at      bigint NOT NULL DEFAULT 0,
    -- An in-progress task always has a holder; the claim's row lock and
    -- write conflicts enforce "one holder".
    CHECK (status <> 'in_progress' OR holder <> '')
);
-- Only ready tasks, in the claim's order: a claim reads the head of it.
CREATE INDEX tasks_ready ON tasks (project_id, priority DESC, unblocks DESC, phase, seq)
    WHERE status = 'todo' AND pending_deps = 0;
CREATE INDEX tasks_order ON tasks (project_id, seq);
CREATE INDEX tasks_status ON tasks (project_id, status);
CREATE INDEX tasks_leases ON tasks (lease_expires_at) WHERE status = 'in_progress';
CREATE INDEX tasks_completed ON tasks (project_id, completed_at) WHERE status = 'done';

CREATE TABLE task_deps (
    task_id    text NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    depends_on text NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    hard       boolean NOT NULL,
    ord        bigint GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (task_id, depends_on)
);
CREATE INDEX task_deps_reverse ON task_deps (depends_on, hard);

-- Labels lower-cased, for matching in any case (tasks.labels keeps them as
-- written).
CREATE TABLE task_labels (
    project_id text NOT NULL,
    label      text NOT NULL,
    task_id    text NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    PRIMARY KEY (project_id, label, task_id)
);

CREATE TABLE agents (
    id            text PRIMARY KEY,
    name          text NOT NULL,
    role          text NOT NULL DEFAULT '',
    skills        jsonb NOT NULL DEFAULT '[]',
    project_id    text NOT NULL REFERENCES projects(id),
    registered_at bigint NOT NULL,
    last_seen_at  bigint NOT NULL,
    current_task  text NOT NULL DEFAULT '',
    report_times  jsonb NOT NULL DEFAULT '[]',
    tasks_done    integer NOT NULL DEFAULT 0
);
CREATE INDEX agents_project ON agents (project_id);

CREATE TABLE artifacts (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id     text NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    agent_id    text NOT NULL DEFAULT '',
    filename    text NOT NULL,
    type        text NOT NULL DEFAULT '',
    description text NOT NULL DEFAULT '',
    content     text NOT NULL DEFAULT '',
    location    text NOT NULL DEFAULT '',
    created_at  bigint NOT NULL
);
CREATE INDEX artifacts_task ON artifacts (task_id, id);

CREATE TABLE decisions (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id    text NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    agent_id   text NOT NULL DEFAULT '',
    text       text NOT NULL,
    what       text NOT NULL DEFAULT '',
    why        text NOT NULL DEFAULT '',
    impact     text NOT NULL DEFAULT '',
    created_at bigint NOT NULL
);
CREATE INDEX decisions_task ON decisions (task_id, id);

-- The event log. id is the order of insertion, which is not the order of
-- commit; pos is the event's place in commit order, assigned after commit
-- by the sequencer (see the package documentation), and is what readers
-- know as the event's id. Rows without a pos are invisible to readers.
CREATE TABLE events (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pos        bigint UNIQUE,
    at         bigint NOT NULL,
    project_id text NOT NULL DEFAULT '',
    kind       text NOT NULL,
    task_id    text NOT NULL DEFAULT '',
    agent_id   text NOT NULL DEFAULT '',
    -- json, not jsonb: a payload reads back as it was written, byte for
    -- byte (a later release's payloads pass through an older one intact)
    payload    json NOT NULL DEFAULT '{}'
);
CREATE INDEX events_unsequenced ON events (id) WHERE pos IS NULL;
CREATE INDEX events_project ON events (project_id, pos);
CREATE INDEX events_task ON events (task_id, pos) WHERE task_id <> '';

-- The last position handed out: positions never repeat, even if the newest
-- events were deleted.
CREATE TABLE event_positions (
    one  boolean PRIMARY KEY DEFAULT true CHECK (one),
    last bigint NOT NULL
);
INSERT INTO event_positions (last) VALUES (0);

-- Rows that writers whose checks read a set of rows (project names,
-- experiment names, a project's running experiment) also write, so that two
-- such writers conflict instead of both passing their checks.
CREATE TABLE guards (
    name    text PRIMARY KEY,
    touches bigint NOT NULL DEFAULT 0
);
INSERT INTO guards (name) VALUES ('projects'), ('experiments');

CREATE TABLE llm_calls (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at            bigint NOT NULL,
    project_id    text NOT NULL DEFAULT '',
    project_name  text NOT NULL DEFAULT '',
    provider      text NOT NULL,
    model         text NOT NULL DEFAULT '',
    operation     text NOT NULL,
    input_tokens  bigint NOT NULL DEFAULT 0,
    output_tokens bigint NOT NULL DEFAULT 0,
    latency       bigint NOT NULL DEFAULT 0,
    cost_usd      double precision NOT NULL DEFAULT 0,
    outcome       text NOT NULL,
    error         text NOT NULL DEFAULT ''
);
CREATE INDEX llm_calls_project ON llm_calls (project_id, id);

CREATE TABLE mirrors (
    project_id   text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    kind         text NOT NULL,
    board_id     text NOT NULL DEFAULT '',
    cursor       bigint NOT NULL DEFAULT 0,
    last_action  text NOT NULL DEFAULT '',
    state        jsonb NOT NULL DEFAULT '{}',
    last_sync_at bigint NOT NULL DEFAULT 0,
    last_error   text NOT NULL DEFAULT '',
    PRIMARY KEY (project_id, kind)
);

CREATE TABLE mirror_items (
    project_id text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    kind       text NOT NULL,
    task_id    text NOT NULL,
    remote_id  text NOT NULL,
    PRIMARY KEY (project_id, kind, task_id)
);
CREATE UNIQUE INDEX mirror_items_remote ON mirror_items (kind, remote_id);

CREATE TABLE experiments (
    id         text PRIMARY KEY,
    name       text NOT NULL,
    project_id text NOT NULL REFERENCES projects(id),
    started_at bigint NOT NULL,
    ended_at   bigint NOT NULL DEFAULT 0,
    params     jsonb NOT NULL DEFAULT '{}',
    tags       jsonb NOT NULL DEFAULT '[]',
    -- polls counted before the experiment_polls shards (a copied database)
    polls      integer NOT NULL DEFAULT 0,
    idle_polls integer NOT NULL DEFAULT 0,
    ended_by   text NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX experiments_name ON experiments (name);
CREATE INDEX experiments_running ON experiments (project_id, ended_at);

-- request_next_task calls counted while an experiment runs, spread over a
-- few rows: every agent's request adds one, and one row for all of them
-- would make concurrent requests conflict with one another.
CREATE TABLE experiment_polls (
    experiment_id text NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
    shard         integer NOT NULL,
    polls         integer NOT NULL DEFAULT 0,
    idle_polls    integer NOT NULL DEFAULT 0,
    PRIMARY KEY (experiment_id, shard)
);

CREATE TABLE experiment_samples (
    experiment_id text NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
    at            bigint NOT NULL,
    backlog       integer NOT NULL,
    ready         integer NOT NULL,
    in_progress   integer NOT NULL,
    blocked       integer NOT NULL,
    done          integer NOT NULL,
    agents        integer NOT NULL,
    working       integer NOT NULL,
    PRIMARY KEY (experiment_id, at)
);

-- Named leases: one holder at a time per name, until expires_at (the one
-- server that runs a background job, the one process that syncs a board).
CREATE TABLE leases (
    name       text PRIMARY KEY,
    holder     text NOT NULL,
    expires_at bigint NOT NULL,
    term       bigint NOT NULL DEFAULT 0
);

-- The claim's candidates when some could not be locked at once (see
-- ClaimableTasks): up to n ready tasks of project p, best first, each
-- locked for the calling transaction, one at a time in a subtransaction. A
-- task another transaction has locked (a claim in flight) is skipped, and
-- so is a task changed since the calling transaction's snapshot (claimed by
-- a transaction that committed since): under REPEATABLE READ locking it
-- fails, and the failure stays inside this function instead of aborting
-- the caller. At most 32, so that PostgreSQL's cache of a transaction's
-- subtransactions (64) never overflows.
CREATE FUNCTION claimable_tasks(p text, n integer) RETURNS SETOF tasks
LANGUAGE plpgsql AS $$
DECLARE
    cand tasks;
    got integer := 0;
BEGIN
    FOR cand IN SELECT * FROM tasks WHERE project_id = p AND status = 'todo' AND pending_deps = 0
                ORDER BY priority DESC, unblocks DESC, phase, seq LOOP
        EXIT WHEN got >= least(n, 32);
        BEGIN
            PERFORM 1 FROM tasks WHERE id = cand.id FOR NO KEY UPDATE SKIP LOCKED;
            IF FOUND THEN
                got := got + 1;
                RETURN NEXT cand;
            END IF;
        EXCEPTION WHEN serialization_failure THEN
            NULL;
        END;
    END LOOP;
END $$;

-- Numbers the committed events that have no position yet, in the order of
-- their ids, after the last position handed out, and returns how many (at
-- most batch). One caller at a time, across servers: the advisory lock
-- lock_key is held to the end of the caller's transaction, which must be
-- its own (READ COMMITTED), so that the numbering statement's snapshot,
-- taken after the lock, holds every earlier numbering. With wait false it
-- returns -1 at once when another caller holds the lock. When it numbered
-- some and notify is set, it notifies channel with sender, at its commit.
CREATE FUNCTION sequence_events(lock_key bigint, wait boolean, batch integer, channel text, notify boolean, sender text)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    n integer;
BEGIN
    IF wait THEN
        PERFORM pg_advisory_xact_lock(lock_key);
    ELSIF NOT pg_try_advisory_xact_lock(lock_key) THEN
        RETURN -1;
    END IF;
    WITH next AS (
        SELECT id, row_number() OVER (ORDER BY id) AS k FROM events WHERE pos IS NULL ORDER BY id LIMIT batch),
    counted AS (SELECT count(*) AS c FROM next),
    base AS (
        UPDATE event_positions SET last = last + counted.c FROM counted WHERE counted.c > 0
        RETURNING last - counted.c AS b),
    numbered AS (
        UPDATE events e SET pos = base.b + next.k FROM next, base WHERE e.id = next.id RETURNING e.pos)
    SELECT count(*) INTO n FROM numbered;
    IF n > 0 AND notify THEN
        PERFORM pg_notify(channel, sender);
    END IF;
    RETURN n;
END $$;
