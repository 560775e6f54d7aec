package core

import (
	"context"
	"strings"
	"time"
)

// NamedLease is a renewable right that one holder has until it expires: a
// background job that must run on one server at a time (the lease monitor,
// a board's sync) is run by the holder of its lease. Servers compare
// expiries on their own clocks, which must agree to well within the
// lease's length.
type NamedLease struct {
	Name      string    `json:"name"`
	Holder    string    `json:"holder"`
	ExpiresAt time.Time `json:"expires_at"`
	// Term grows each time the lease passes to another holder: a fencing
	// token for the holder's work.
	Term int64 `json:"term"`
}

// AcquireLease makes holder the holder of the named lease for ttl. It
// succeeds when nobody holds the lease, when its holder's time ran out, or
// when holder holds it already (a renewal). It returns the lease as it
// stands after the call.
func (c *Coordinator) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (NamedLease, bool, error) {
	if err := checkLease(name, holder); err != nil {
		return NamedLease{}, false, err
	}
	if ttl <= 0 {
		return NamedLease{}, false, Errorf(ErrInvalid, "a lease needs a positive length, not %v", ttl)
	}
	var out NamedLease
	var ok bool
	err := c.store.Update(ctx, func(tx Tx) (err error) {
		out, ok, err = c.acquire(tx, name, holder, ttl)
		return err
	})
	return out, ok, err
}

// ReleaseLease ends holder's lease at once, so that another may take it
// without waiting for it to run out. A lease that holder no longer holds is
// left as it is.
func (c *Coordinator) ReleaseLease(ctx context.Context, name, holder string) error {
	if err := checkLease(name, holder); err != nil {
		return err
	}
	return c.store.Update(ctx, func(tx Tx) error {
		_, _, err := c.acquire(tx, name, holder, 0)
		return err
	})
}

// acquire takes or renews a lease for ttl; a ttl of 0 leaves it expired at
// once (a release).
func (c *Coordinator) acquire(tx Tx, name, holder string, ttl time.Duration) (NamedLease, bool, error) {
	now := c.clock()
	l, err := tx.NamedLease(name)
	switch {
	case CodeOf(err) == ErrNotFound:
		l = NamedLease{Name: name}
	case err != nil:
		return NamedLease{}, false, err
	case l.Holder != holder && now.Before(l.ExpiresAt):
		return l, false, nil
	}
	if l.Holder != holder {
		l.Holder, l.Term = holder, l.Term+1
	}
	l.ExpiresAt = now.Add(ttl)
	return l, true, tx.PutNamedLease(l)
}

func checkLease(name, holder string) error {
	switch {
	case strings.TrimSpace(name) == "" || strings.TrimSpace(holder) == "":
		return Errorf(ErrInvalid, "a lease needs a name and a holder")
	case len(name) > MaxNameLen || len(holder) > MaxNameLen:
		return Errorf(ErrInvalid, "a lease's name and holder are limited to %d characters", MaxNameLen)
	}
	return nil
}
