// Package postgres is marcus's store on PostgreSQL (15 or later), for
// several marcus servers sharing one database. It passes the same
// conformance suite (store/storetest) as the embedded SQLite store.
//
// # Writers at once, equivalent to one at a time
//
// core's rules are written read-then-write inside Store.Update, whose
// contract is that each transaction's outcome is that of running alone.
// SQLite gets that with one writer. Here writers run at once, and each
// Update is a REPEATABLE READ transaction (snapshot isolation): fn reads
// one snapshot, and the server aborts a transaction that writes a row
// another transaction changed after that snapshot (first updater wins,
// SQLSTATE 40001). Such an abort, a deadlock (40P01) and a unique key that
// another writer took first (23505) make Update roll back and run fn again
// on a fresh snapshot, after a random pause below a bound that doubles with
// each attempt (1 ms to 100 ms). The first error of any statement decides
// the transaction's fate, so a conflict that fn swallowed is retried too,
// never reported as a commit. Writers lock rows in one order (a task
// before its holder, a completion's dependents by id), because a deadlock
// is only broken after the server's deadlock_timeout (a second by
// default).
//
// SERIALIZABLE would detect every anomaly by itself, but its predicate
// locks on the range of ready tasks make any two concurrent claims look
// dangerous to each other: claims would abort one another and in effect run
// one at a time. Snapshot isolation instead admits one anomaly, write skew:
// two concurrent transactions each read something the other writes and
// write different rows (Fekete et al., "Making Snapshot Isolation
// Serializable", 2005). It cannot happen when every decision rests on rows
// its writer also writes: the two writers then conflict, and one runs
// again. This store makes that hold for core's rules by writing ("touching")
// the rows a decision reads:
//
//   - A claim reads and writes the task (status, holder, lease epoch, count
//     of unfinished hard dependencies) and the agent (its current task).
//     Progress, completion, blockers, recovery, unassigning and a person's
//     actions read and write the task and its holder.
//   - Readiness is a count kept on the dependent's own row: a completion
//     writes every hard dependent (the count goes down), and a new
//     dependency (InsertTasks, AddDependencies) writes the task it depends
//     on, so a completion and a new dependant of it never both miss each
//     other.
//   - Names: InsertProject writes the guard row "projects" (core checked
//     that no project has the name by reading them all); InsertExperiment
//     writes "experiments" (a free name, one running experiment per
//     project); InsertTasks writes its project's row (free task names and
//     places on the board).
//   - Upserts (agents, mirrors, mirror items, named leases) conflict by
//     themselves: under REPEATABLE READ, ON CONFLICT DO UPDATE on a row
//     newer than the snapshot aborts, and a plain insert's unique violation
//     is retried.
//   - What reads without writing anything contested (the experiment
//     collector's counts, auto-ending an experiment) is serializable before
//     the writers it overlaps.
//
// guards_test.go races each of these on three pools; each test fails when
// its touch is removed.
//
// Claims do not queue for the best task. The claim asks for candidates
// (core.Tx.ClaimableTasks), which one statement locks in a savepoint with
// FOR NO KEY UPDATE SKIP LOCKED: a task another claim has locked is
// skipped. A task claimed by a transaction that committed after this one's
// snapshot cannot be locked under REPEATABLE READ, and makes the statement
// fail; the savepoint is then undone and a second statement locks only
// tasks whose row no transaction has locked or updated since it was
// written (xmax = 0), which cannot fail so. Only when none is left does the
// schema's function claimable_tasks lock the others one by one, catching
// each failure in a subtransaction. Either way the claim takes the next
// task instead of starting over. The lease epoch in the task row is the
// fencing token: a claim increments it, and a report carrying an older
// epoch is refused in a transaction that writes the same row.
//
// fn may run more than once, so core's Update closures set their results
// afresh on every run (see core.Store.Update).
//
// # An exact event tail
//
// Watchers (the dashboard, board mirrors, experiment reports) tail events
// by id. Identity values are drawn when a row is inserted, and the
// transactions that insert them commit later, in any order: a reader that
// has seen id 12 may miss id 11 if it commits afterwards. Bounding reads by
// the oldest transaction in flight (its xmin) does not repair that: an
// in-flight transaction may hold a smaller id than an event already
// returned, and must then be waited for, which a snapshot alone cannot say.
//
// Here an event's id is its place in a commit-ordered log instead. Writers
// insert events with no position (events.pos is NULL); readers see only
// events that have one, and know an event by it (pos AS id). Positions are
// handed out by passes of the schema's function sequence_events, each in
// a transaction of its own: a pass takes an advisory lock (one pass at a
// time across all servers, held until its commit), then, in a statement
// whose READ COMMITTED snapshot is taken after the lock and so holds every
// earlier pass, numbers every committed event without a position, in id
// order, after the last position handed out (event_positions.last), and
// commits. An urgent writer (core.Urgent: a claim) sends its events, its
// COMMIT and a pass that gives up at once if another holds the lock in one
// round trip; when it gave up, and for every other writer, the writer asks
// this process's sequencer for a pass and waits for it (requests that
// arrive during a pass share the next one, so under load one pass numbers
// the events of many commits: a pass per commit was a quarter of the
// server's work). Either way Update returns after its events are numbered,
// so its caller reads them (unless the caller gives up while it waits: a
// later pass numbers them).
// Why the tail is exact:
//
//   - Passes commit one after the other, and each numbers after the last
//     position the previous one committed, so positions grow from pass to
//     pass, and each event is numbered once.
//   - A pass's positions become visible together, at its commit. So when a
//     reader sees position P, every smaller position is visible already,
//     and no event can later receive a smaller one: reading "id > last"
//     never skips an event.
//   - If transaction A committed before transaction B began, A's events
//     come first: a pass that sees B's commit sees A's, and within one pass
//     B's insertion ids, drawn after A's commit, are larger. Two
//     transactions that write a common row are always so (the later one's
//     snapshot must postdate the earlier's commit, or it would have been
//     aborted), so the events of a task, written by transactions that write
//     the task, are in commit order. Transactions that overlap and share no
//     row may be numbered in either order, as either serial order is
//     possible.
//
// No commit waits for another: a pass comes after the commits it numbers,
// a writer's own pass never waits for the lock, and the passes are short
// and number the events of every commit before them. A writer that dies
// between its commit and its pass leaves events without a position; any
// server's sequencer numbers them within Options.SequenceInterval (one
// second by default), and Open numbers them at once. tail_test.go proves
// the tail under 16 writers on 3 pools and checks that events were indeed
// committed out of insertion order.
//
// # Change signals
//
// Changed closes after this handle's commits (after their events are
// numbered) and, as a hint, when another server's sequencer notifies: a
// pass that numbered events sends NOTIFY in its own transaction (whose
// commits the sequencing lock serialises anyway, so no writer's commit
// waits on the notification queue), and each handle listens on a
// connection of its own. A lost notification costs latency, never an
// event: watchers also poll LastEventID (core.Coordinator.WaitForChange),
// and Options.NoNotify turns notifications off altogether.
//
// # Schema
//
// marcus keeps its tables in the first schema of the URL's search_path
// (public unless the URL says search_path=NAME), so several marcus
// instances, or marcus and other programs, can share one database; lock
// keys and the notification channel derive from the schema's name. Times
// are Unix nanoseconds in bigint columns, as in SQLite, so a copy between
// the two stores is exact. Migrations are embedded, numbered, and applied
// in one transaction under an advisory lock, so that servers starting
// together migrate once; the table marcus_schema records them and marks
// the schema as marcus's. A schema holding other tables is refused
// untouched, and so is one migrated by a newer marcus.
//
// Each Store uses its pool (Options.MaxConns, else the URL's
// pool_max_conns, else four connections for each core the process may
// use, between 4 and 16) plus two connections of its own: the
// sequencer's and the listener's. Transactions queue for the pool's
// connections in a gate that serves urgent ones first (core.Urgent: a
// request for work) and keeps a quarter of the connections for them.
//
// Every statement is a round trip, and on a busy machine each one waits
// for a turn on the cores, so a transaction sends as few as it can: BEGIN
// goes with its first statement; Agent reads ahead, in the same round
// trip, what its callers read next (the agent's project and task, and for
// an urgent call the best ready task and the last event), which serves
// them until the transaction sends anything else; a write that answers
// only success or failure (PutAgent, and UpdateTask of a task the
// transaction read as not done) waits to go with the next statement or the
// COMMIT, and its failure fails the transaction all the same; a task's
// context is read in batches (core.ContextReader), the first three steps
// up its ancestors with the rest of its first batch; and a read returns
// without waiting for its ROLLBACK. A progress report takes two round
// trips; a claim five, the read before it included (the agent is read
// with the lock: core.ForAgent), unless its numbering finds a pass
// running and waits for the next; a task's context two when its ancestors
// are within three steps.
package postgres
