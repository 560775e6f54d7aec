package core

import (
	"context"
	"time"
)

// Recovered is one task taken back from a silent holder.
type Recovered struct {
	Task    Task
	From    AgentID
	Tripped bool // blocked by the circuit breaker instead of returned
}

// RecoverExpiredLeases takes back every task whose holder's lease and grace
// ran out and who has been silent for longer than its usual cadence. The task
// returns to the backlog with a handoff for the next holder, or is blocked
// when the circuit breaker trips.
func (c *Coordinator) RecoverExpiredLeases(ctx context.Context) ([]Recovered, error) {
	var out []Recovered
	err := c.store.Update(ctx, func(tx Tx) error {
		out = out[:0]
		if err := c.checkFence(ctx, tx); err != nil {
			return err
		}
		now := c.clock()
		expired, err := tx.ExpiredLeases(now)
		if err != nil {
			return err
		}
		for _, t := range expired {
			r, ok, err := c.recoverOne(tx, t, now)
			if err != nil {
				return err
			}
			if ok {
				out = append(out, r)
			}
		}
		return nil
	})
	return out, err
}

func (c *Coordinator) recoverOne(tx Tx, t Task, now time.Time) (Recovered, bool, error) {
	holder, err := tx.Agent(t.Holder)
	if err != nil && CodeOf(err) != ErrNotFound {
		return Recovered{}, false, err
	}
	if !ShouldRecover(t, holder.ReportTimes, now) {
		return Recovered{}, false, nil
	}
	rec := Recover(t, now)
	if err := tx.UpdateTask(rec.Task); err != nil {
		return Recovered{}, false, err
	}
	if err := releaseAgent(tx, t.Holder, t.ID); err != nil {
		return Recovered{}, false, err
	}
	kind := EventLeaseRecovered
	if rec.Tripped {
		kind = EventCircuitBroken
	}
	_, err = tx.AppendEvent(Event{At: now, Project: t.Project, Kind: kind, Task: t.ID, Agent: t.Holder,
		Payload: LeaseRecovery{Epoch: t.Lease.Epoch, Progress: t.Progress, Reason: rec.Task.Handoff.Reason,
			SilentRecoveries: rec.Task.SilentRecoveries}})
	return Recovered{Task: rec.Task, From: t.Holder, Tripped: rec.Tripped}, true, err
}

// DefaultMonitorInterval is how often the lease monitor looks for expired
// leases.
const DefaultMonitorInterval = 15 * time.Second

// RunLeaseMonitor recovers expired leases every interval until ctx ends,
// and every ExperimentCheckInterval ends the experiments whose board is
// finished. A pass never overlaps the next: the tickers drop ticks while
// one runs. onErr, if set, hears of failed passes; the loop keeps going.
func (c *Coordinator) RunLeaseMonitor(ctx context.Context, interval time.Duration, onErr func(error)) {
	if interval <= 0 {
		interval = DefaultMonitorInterval
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	runs := time.NewTicker(min(interval, ExperimentCheckInterval))
	defer runs.Stop()
	for {
		var err error
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			pass, cancel := context.WithTimeout(ctx, max(interval, 10*time.Second))
			_, err = c.RecoverExpiredLeases(pass)
			cancel()
		case <-runs.C:
			pass, cancel := context.WithTimeout(ctx, 10*time.Second)
			_, err = c.EndFinishedExperiments(pass)
			cancel()
		}
		if err != nil && onErr != nil && ctx.Err() == nil {
			onErr(err)
		}
	}
}
