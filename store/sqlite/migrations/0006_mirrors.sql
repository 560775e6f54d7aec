-- Board mirrors (Trello): one row per linked project. The outbox of a
-- mirror is the event log itself: every change appends its event in its own
-- transaction, and cursor is the last event the mirror has delivered, so
-- nothing bound for the board can be lost or reordered.
CREATE TABLE mirrors (
    project_id   TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    board_id     TEXT NOT NULL DEFAULT '',
    cursor       INTEGER NOT NULL DEFAULT 0,
    last_action  TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL DEFAULT '{}',
    last_sync_at INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (project_id, kind)
);

-- Which remote item (a card) stands for which task, so a re-sync never
-- duplicates one.
CREATE TABLE mirror_items (
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    task_id    TEXT NOT NULL,
    remote_id  TEXT NOT NULL,
    PRIMARY KEY (project_id, kind, task_id)
);
CREATE UNIQUE INDEX mirror_items_remote ON mirror_items (kind, remote_id);
