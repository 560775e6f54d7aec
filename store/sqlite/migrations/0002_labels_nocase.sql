-- Labels are matched case-insensitively: task_labels holds them lower-cased
-- (the tasks table keeps them as written).
CREATE TABLE task_labels_new (
    project_id TEXT NOT NULL,
    label      TEXT NOT NULL,
    task_id    TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    PRIMARY KEY (project_id, label, task_id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO task_labels_new SELECT project_id, lower(label), task_id FROM task_labels;
DROP TABLE task_labels;
ALTER TABLE task_labels_new RENAME TO task_labels;
