-- A task's history, for the dashboard's detail view.
CREATE INDEX events_task ON events (task_id, id) WHERE task_id <> '';
