package run

import (
	"context"
	"errors"
	"os"
	"time"

	"marcus/core"
)

// startup clears what a run that died left: its agent processes first
// (so nothing writes into a worktree being removed), then its tasks (a
// merged one becomes done once, one its agents held goes back to the
// backlog), then every worktree and task branch of the project.
func (c *Controller) startup(ctx context.Context) error {
	if c.o.Reap != nil {
		if _, err := c.o.Reap(ctx); err != nil {
			return err
		}
	}
	b, err := c.c.Board(ctx, c.o.Project.ID)
	if err != nil {
		return err
	}
	for _, t := range b.Tasks {
		if err := c.recover(ctx, t); err != nil {
			return err
		}
	}
	_, err = c.o.Workspaces.Cleanup(ctx)
	return err
}

// recover settles one task a previous run may have left: done if an
// earlier gate merged it, back to the backlog if a runner agent of a run
// that is gone held it.
func (c *Controller) recover(ctx context.Context, t core.Task) error {
	if t.Status == core.StatusDone {
		return nil
	}
	commit, err := c.o.Workspaces.Merged(ctx, t.ID)
	if err != nil {
		return err
	}
	if commit != "" {
		_, _, err = c.c.SettleMerged(ctx, t.ID, commit)
		return err
	}
	if t.Status != core.StatusInProgress || !runnerAgent(t.Holder) {
		return nil
	}
	_, err = c.c.HandBack(ctx, core.HandBack{Agent: t.Holder, Task: t.ID, Epoch: t.Lease.Epoch,
		Reason: "belonged to a marcus run that ended without stopping it"})
	if core.ReasonOf(err) == core.ReasonNotHolder {
		return nil
	}
	return err
}

// shutdown stops every agent (TERM, then KILL after the launcher's grace
// period), waits for their tasks to be settled (unfinished ones handed
// back), and removes every worktree and task branch of the project.
func (c *Controller) shutdown(ctx context.Context) {
	c.cancelAgents()
	waited := make(chan struct{})
	go func() {
		c.watchers.Wait()
		close(waited)
	}()
	select {
	case <-waited:
	case <-time.After(c.o.StopTimeout + time.Minute):
		c.o.OnError(core.Errorf(core.ErrUnavailable, "agents were still stopping after %s", c.o.StopTimeout+time.Minute))
	}
	cctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	_, err := c.o.Workspaces.Cleanup(cctx)
	if c.o.ScratchDir != "" {
		err = errors.Join(err, os.RemoveAll(c.o.ScratchDir))
	}
	if err != nil {
		c.o.OnError(err)
	}
	c.mu.Lock()
	c.finished = true
	c.mu.Unlock()
}
