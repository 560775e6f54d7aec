-- A progress report renews its task's lease, and an index on the lease's
-- expiry made every report's update of the row write every index of the
-- table again. The lease monitor finds tasks in progress by status alone
-- (they are few: at most one an agent); with no index on a column a report
-- changes, a report's update stays in the row's page (a HOT update), where
-- the free space kept below makes room for it. An agent's row, rewritten at
-- every report and claim, gets the same room.
DROP INDEX tasks_leases;
CREATE INDEX tasks_in_progress ON tasks (id) WHERE status = 'in_progress';
ALTER TABLE tasks SET (fillfactor = 80);
ALTER TABLE agents SET (fillfactor = 50);
