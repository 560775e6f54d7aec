-- Named leases: one holder at a time per name, until expires_at (the one
-- server that runs a background job, the one process that syncs a board).
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    term       INTEGER NOT NULL DEFAULT 0
);
