-- Experiments: tags, and the request_next_task calls made while one runs
-- (how many found no task: the idle-poll ratio). Everything else about a
-- run is derived from the event log.
ALTER TABLE experiments ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE experiments ADD COLUMN polls INTEGER NOT NULL DEFAULT 0;
ALTER TABLE experiments ADD COLUMN idle_polls INTEGER NOT NULL DEFAULT 0;
ALTER TABLE experiments ADD COLUMN ended_by TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX experiments_name ON experiments (name);
CREATE INDEX experiments_running ON experiments (project_id, ended_at);
