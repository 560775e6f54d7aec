package core

import (
	"context"
	"time"
)

// Store is the system of record. Every implementation passes the
// conformance suite in store/storetest.
//
// Errors: implementations return *Error values: ErrNotFound for a missing
// row, ErrUnavailable when the database is locked or out of space, ErrCorrupt
// for a damaged file, ErrInternal otherwise; a refusal the contract names
// carries its Reason. They never return a driver error unclassified.
type Store interface {
	// View runs fn on a consistent read-only snapshot.
	View(ctx context.Context, fn func(ReadTx) error) error
	// Update runs fn in one write transaction whose outcome is that of
	// running alone: no other writer's change, in this process or in
	// others, lands between what fn reads and its commit. A store may get
	// that by running one writer at a time (SQLite) or by running writers
	// at once and detecting conflicts (PostgreSQL).
	//
	// fn may run more than once: a store that detects a conflict rolls the
	// transaction back and runs fn again on fresh data. So fn must have no
	// effect outside the transaction except to set the caller's results,
	// and it sets them afresh on every run (reset what it appends to, and
	// derive values from what the caller passed in, not from what an
	// earlier run changed). When fn returns an error nothing it did is
	// kept. Events appended in fn reach watchers only after the commit, and
	// are readable through this handle by the time Update returns.
	//
	// A write whose ctx is marked Urgent (a claim: an idle agent waits on
	// it) may be run ahead of writes already waiting, and a View so marked
	// may use connections kept for such calls; nothing else about them
	// changes.
	Update(ctx context.Context, fn func(Tx) error) error
	// Changed returns a channel that is closed at the next commit made
	// through this handle; a store that hears of other processes' commits
	// (PostgreSQL's notifications) may close it for those too, as a hint.
	// Writes by other processes are always seen by polling LastEventID.
	Changed() <-chan struct{}
	Close() error
}

// ReadTx reads inside a transaction.
type ReadTx interface {
	Projects() ([]Project, error)
	Project(id ProjectID) (Project, error)
	// Tasks lists a project's tasks with their dependencies, in plan order.
	Tasks(project ProjectID) ([]Task, error)
	Task(id TaskID) (Task, error)
	// TasksByID, Dependents and TasksWithLabel list the tasks around one
	// task, for its context; to keep a claim cheap they may leave the listed
	// tasks' own Dependencies unset.
	//
	// TasksByID lists the tasks with the given ids that exist, in plan order.
	TasksByID(ids []TaskID) ([]Task, error)
	// Dependents lists the tasks that depend on id, hard or soft.
	Dependents(id TaskID) ([]Task, error)
	// Ancestors lists the tasks id waits for, directly or through other
	// tasks, over hard and soft dependencies alike: each task once, at its
	// fewest dependency steps from id (1: a direct dependency), none more
	// than depth steps away; nearest first, then in plan order; at most
	// limit of them; their own Dependencies may be left unset. A task that
	// does not exist has none. A claim reads it (or ContextReader's
	// ContextTasks, which stands for it), inside its write, so its
	// cost must follow the bound, not the size of the graph: stores walk
	// with WalkAncestors.
	Ancestors(id TaskID, depth, limit int) ([]Task, error)
	// TasksByStatus lists a project's tasks in one status, in plan order;
	// their dependencies may be left unset (the retry advice reads it on
	// every idle request).
	TasksByStatus(project ProjectID, status TaskStatus) ([]Task, error)
	// TasksWithLabel lists a project's tasks that carry a label, matched
	// case-insensitively.
	TasksWithLabel(project ProjectID, label string) ([]Task, error)
	// ReadyTasks lists up to limit todo tasks whose hard dependencies are
	// all done, best first by priority, then tasks unblocked, then phase,
	// then plan order.
	ReadyTasks(project ProjectID, limit int) ([]Task, error)
	// RecentlyCompleted lists up to limit of a project's done tasks, the
	// latest completed first (their dependencies may be left unset).
	RecentlyCompleted(project ProjectID, limit int) ([]Task, error)
	// TaskCounts counts a project's tasks by status.
	TaskCounts(project ProjectID) (map[TaskStatus]int, error)
	// ExpiredLeases lists in-progress tasks of every project whose lease and
	// grace ended before now.
	ExpiredLeases(now time.Time) ([]Task, error)
	Agent(id AgentID) (Agent, error)
	// Agents lists the agents registered on a project ("" for all).
	Agents(project ProjectID) ([]Agent, error)
	// Artifacts and Decisions list what was logged on the given tasks,
	// oldest first.
	Artifacts(tasks []TaskID) ([]Artifact, error)
	Decisions(tasks []TaskID) ([]Decision, error)
	// Events lists up to limit events with id > after, oldest first;
	// project "" means all projects. Event ids grow in commit order and an
	// event becomes readable only after every event with a smaller id: a
	// reader that has seen id N never later finds a new event below N, so
	// tailing by id misses nothing.
	Events(project ProjectID, after int64, limit int) ([]Event, error)
	// LastEventID is the id of the newest readable event (0 for none).
	LastEventID() (int64, error)
	// LatestEvents lists a project's newest limit events ("" for all
	// projects), oldest first: the tail of a feed.
	LatestEvents(project ProjectID, limit int) ([]Event, error)
	// TaskEvents lists a task's newest limit events, oldest first. It
	// includes events committed but not yet given an id (a store that
	// numbers events after the commit does so an instant later), last and
	// with id 0: a transaction sees a task's events as it sees its row.
	TaskEvents(task TaskID, limit int) ([]Event, error)
	// CountEvents counts a project's events with id > after.
	CountEvents(project ProjectID, after int64) (int, error)
	// Mirror returns a project's mirror of a kind; Mirrors lists every
	// mirror of a kind ("" for all).
	Mirror(project ProjectID, kind string) (Mirror, error)
	Mirrors(kind string) ([]Mirror, error)
	// Experiment finds an experiment by id or name; Experiments lists a
	// project's ("" for all), oldest first; RunningExperiment is a
	// project's running one (ErrNotFound when none).
	Experiment(ref string) (Experiment, error)
	Experiments(project ProjectID) ([]Experiment, error)
	RunningExperiment(project ProjectID) (Experiment, error)
	// Samples lists an experiment's board samples, oldest first.
	Samples(id ExperimentID) ([]Sample, error)
	// MirrorItems maps a mirror's tasks to their remote ids.
	MirrorItems(project ProjectID, kind string) (map[TaskID]string, error)
	// LLMCalls lists the recorded model calls of a project ("" for all),
	// oldest first.
	LLMCalls(project ProjectID) ([]LLMCall, error)
	// NamedLease returns the named lease (ErrNotFound when it was never
	// taken).
	NamedLease(name string) (NamedLease, error)
}

// Tx reads and writes inside a write transaction.
type Tx interface {
	ReadTx
	// ClaimableTasks is ReadyTasks for a claim made in this transaction:
	// the store may lock the listed tasks until the commit and leave out
	// tasks that another transaction has locked (a claim in flight), so
	// that concurrent claims take different tasks. It may list fewer than
	// limit, or none, while other claims are in flight.
	ClaimableTasks(project ProjectID, limit int) ([]Task, error)
	InsertProject(p Project) error
	// InsertTasks adds tasks with their dependencies. A dependency may name
	// a task inserted in the same call or one already stored.
	InsertTasks(ts []Task) error
	// UpdateTask writes a task's mutable fields (everything but id, project,
	// seq, dependencies and created_at). When the status becomes done, the
	// task's dependents stop waiting for it.
	UpdateTask(t Task) error
	// PutAgent inserts or replaces an agent.
	PutAgent(a Agent) error
	InsertArtifact(a Artifact) (int64, error)
	InsertDecision(d Decision) (int64, error)
	// AppendEvent adds an event and returns its id, or 0 when the store
	// numbers events after the commit (PostgreSQL): the id is then known
	// to readers only.
	AppendEvent(e Event) (int64, error)
	// AddDependencies makes an existing task that is not done also wait for
	// deps (tasks that exist); a dependency it already has keeps its
	// kind unless the new one is hard. Its count of unfinished hard
	// dependencies is brought up to date. A done task is refused
	// (ErrConflict, ReasonAlreadyDone).
	AddDependencies(task TaskID, deps []Dependency) error
	// InsertLLMCalls records model calls; their ids are assigned.
	InsertLLMCalls(calls []LLMCall) error
	// InsertExperiment starts an experiment; its name is unique (a taken
	// one is refused: ErrConflict, ReasonNameTaken).
	InsertExperiment(e Experiment) error
	// EndExperiment ends a running experiment (an ended one is refused:
	// ErrConflict, ReasonExperimentEnded).
	EndExperiment(id ExperimentID, at time.Time, by string) error
	// InsertSample records a board sample of a running experiment.
	InsertSample(s Sample) error
	// CountPoll counts a request_next_task call on a project with a
	// running experiment (idle: it got no task).
	CountPoll(project ProjectID, idle bool) error
	// PutMirror inserts or replaces a project's mirror.
	PutMirror(m Mirror) error
	// PutMirrorItem records (or replaces) the remote id of a task; a remote
	// id stands for one task only.
	PutMirrorItem(project ProjectID, kind string, task TaskID, remote string) error
	// DeleteMirrorItems forgets a task's remote item ("" for every task's).
	DeleteMirrorItems(project ProjectID, kind string, task TaskID) error
	// PutNamedLease inserts or replaces a named lease.
	PutNamedLease(l NamedLease) error
}

type urgentKey struct{}

// Urgent marks ctx for a call an idle agent waits on: a claim, and the
// read before it that answers when there is nothing to claim. Agents with
// work report progress often, and under load their reports queue for the
// writer (or, on PostgreSQL, for a connection); a store runs an urgent
// write ahead of that queue, so that putting an agent to work never waits
// behind the reports of agents that have some. It never changes what the
// write does or when it is visible.
func Urgent(ctx context.Context) context.Context {
	return context.WithValue(ctx, urgentKey{}, true)
}

// IsUrgent tells whether ctx was marked by Urgent.
func IsUrgent(ctx context.Context) bool {
	v, _ := ctx.Value(urgentKey{}).(bool)
	return v
}

type agentKey struct{}

// ForAgent marks ctx for a transaction that reads agent id: a store that
// pays a round trip per read may read the agent's row ahead, with the
// transaction's first statement. A claim locks its candidates first, so
// that its snapshot is as young as can be when it locks, and reads the
// agent next: the hint lets both go in one round trip. It never changes
// what a read returns.
func ForAgent(ctx context.Context, id AgentID) context.Context {
	return context.WithValue(ctx, agentKey{}, id)
}

// AgentOf returns the agent ctx was marked for by ForAgent, if any.
func AgentOf(ctx context.Context) (AgentID, bool) {
	id, ok := ctx.Value(agentKey{}).(AgentID)
	return id, ok
}
