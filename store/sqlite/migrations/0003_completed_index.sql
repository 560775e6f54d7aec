-- The latest completions of a project set its pace, which retry advice uses.
CREATE INDEX tasks_completed ON tasks (project_id, completed_at);
