package core

import (
	"context"
	"time"
)

// Mirror is a project's link to an outside board (Trello) kept in step
// with it. The store stays the system of record: the mirror delivers the
// project's events after Cursor to the board, in order, and applies the
// board's actions after LastAction through the Coordinator.
type Mirror struct {
	Project ProjectID `json:"project_id"`
	Kind    string    `json:"kind"`
	Board   string    `json:"board_id"`
	// Cursor is the last event delivered to the board.
	Cursor int64 `json:"cursor"`
	// LastAction is the last board action applied here.
	LastAction string `json:"last_action,omitempty"`
	// State holds the provider's ids (lists, labels, its own member).
	State      map[string]string `json:"state,omitempty"`
	LastSyncAt time.Time         `json:"last_sync_at,omitzero"`
	LastError  string            `json:"last_error,omitempty"`
}

// MirrorStatus is a mirror with how far behind it is.
type MirrorStatus struct {
	Mirror
	ProjectName string `json:"project_name"`
	// Pending counts the project's events not yet delivered.
	Pending int `json:"pending"`
}

// LinkMirror links a project to a board (or updates the link). Linking a
// project anew starts its mirror from the beginning of its history.
func (c *Coordinator) LinkMirror(ctx context.Context, m Mirror) (Mirror, error) {
	if m.Kind == "" {
		return Mirror{}, Errorf(ErrInvalid, "a mirror needs a kind (trello)")
	}
	in := m
	err := c.store.Update(ctx, func(tx Tx) error {
		m = in // fn may run again: each run starts from the request
		p, err := FindProject(tx, m.Project)
		if err != nil {
			return err
		}
		m.Project = p.ID
		old, err := tx.Mirror(p.ID, m.Kind)
		switch {
		case err == nil && old.Board == m.Board:
			m.Cursor, m.LastAction = old.Cursor, old.LastAction
			if m.State == nil {
				m.State = old.State
			}
		case err == nil:
			// Another board: the old board's cards stand for nothing here.
			if err := tx.DeleteMirrorItems(p.ID, m.Kind, ""); err != nil {
				return err
			}
		case CodeOf(err) != ErrNotFound:
			return err
		}
		return tx.PutMirror(m)
	})
	return m, err
}

// ClaimMirror makes owner the one process that syncs a mirror, for ttl
// (a ttl of 0 gives the mirror up): it succeeds when nobody owns it, the
// owner's claim ran out, or owner already holds it. Two processes on one
// database never sync one board at once, which would deliver its events
// twice. The claim is the named lease MirrorLease(p, kind).
func (c *Coordinator) ClaimMirror(ctx context.Context, p ProjectID, kind, owner string, ttl time.Duration) (bool, error) {
	if err := checkLease(MirrorLease(p, kind), owner); err != nil {
		return false, err
	}
	ok := false
	err := c.store.Update(ctx, func(tx Tx) error {
		if _, err := tx.Mirror(p, kind); err != nil {
			return err
		}
		var err error
		_, ok, err = c.acquire(tx, MirrorLease(p, kind), owner, max(ttl, 0))
		return err
	})
	return ok, err
}

// MirrorLease names the lease of a project's mirror of a kind.
func MirrorLease(p ProjectID, kind string) string { return "mirror/" + kind + "/" + string(p) }

// SaveMirror records a mirror's progress: what it delivered, what it
// applied, its provider ids, when it last succeeded and its last error.
func (c *Coordinator) SaveMirror(ctx context.Context, m Mirror) error {
	return c.store.Update(ctx, func(tx Tx) error {
		if err := c.checkFence(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.Mirror(m.Project, m.Kind); err != nil {
			return err
		}
		return tx.PutMirror(m)
	})
}

// Mirrors lists the mirrors of every project with their backlog.
func (c *Coordinator) Mirrors(ctx context.Context, kind string) ([]MirrorStatus, error) {
	var out []MirrorStatus
	err := c.store.View(ctx, func(tx ReadTx) error {
		ms, err := tx.Mirrors(kind)
		if err != nil {
			return err
		}
		for _, m := range ms {
			p, err := tx.Project(m.Project)
			if err != nil {
				return err
			}
			n, err := tx.CountEvents(m.Project, m.Cursor)
			if err != nil {
				return err
			}
			out = append(out, MirrorStatus{Mirror: m, ProjectName: p.Name, Pending: n})
		}
		return nil
	})
	return out, err
}

// Mirror returns a project's mirror of a kind (ErrNotFound when the
// project has none).
func (c *Coordinator) Mirror(ctx context.Context, p ProjectID, kind string) (Mirror, error) {
	var m Mirror
	err := c.store.View(ctx, func(tx ReadTx) (err error) {
		m, err = tx.Mirror(p, kind)
		return err
	})
	return m, err
}

// MirrorItems returns the remote ids of a mirror's tasks.
func (c *Coordinator) MirrorItems(ctx context.Context, p ProjectID, kind string) (map[TaskID]string, error) {
	var out map[TaskID]string
	err := c.store.View(ctx, func(tx ReadTx) error {
		var err error
		out, err = tx.MirrorItems(p, kind)
		return err
	})
	return out, err
}

// ForgetMirrorItem forgets a task's remote item (a card a person deleted):
// the next push makes a new one.
func (c *Coordinator) ForgetMirrorItem(ctx context.Context, p ProjectID, kind string, task TaskID) error {
	return c.store.Update(ctx, func(tx Tx) error { return tx.DeleteMirrorItems(p, kind, task) })
}

// SetMirrorItem records that a remote item stands for a task.
func (c *Coordinator) SetMirrorItem(ctx context.Context, p ProjectID, kind string, task TaskID, remote string) error {
	return c.store.Update(ctx, func(tx Tx) error { return tx.PutMirrorItem(p, kind, task, remote) })
}

// BoardSync keeps one project and an outside board in step. Providers
// (Trello) implement it; commands and servers drive it.
type BoardSync interface {
	// Link links the project to a board (an existing one, or a new one
	// when board is "").
	Link(ctx context.Context, board string) (Mirror, error)
	// Push delivers the project's events after the mirror's cursor.
	Push(ctx context.Context) error
	// Pull applies people's changes made on the board since the last one.
	Pull(ctx context.Context) error
	// Run pushes and pulls every interval until ctx ends.
	Run(ctx context.Context, interval time.Duration, onErr func(error))
}
