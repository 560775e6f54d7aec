package run

import (
	"context"
	"errors"
	"os"
	"time"

	"marcus/core"
)

// Cleaned is what Cleanup found a dead run had left and cleared.
type Cleaned struct {
	// Reaped are the process groups of agents that outlived their run.
	Reaped []int `json:"reaped_process_groups"`
	// HandedBack are tasks its agents held, now back in the backlog;
	// Settled are tasks an earlier gate had merged, now done.
	HandedBack []core.TaskID `json:"handed_back"`
	Settled    []core.TaskID `json:"settled_merged"`
	core.CleanupReport
}

// Cleanup is Controller.Cleanup without a run: it needs only o's
// Coordinator, Project and Workspaces, and uses its Reap and ScratchDir
// (marcus run --cleanup, which starts no agent).
func Cleanup(ctx context.Context, o Options) (Cleaned, error) {
	if o.Coordinator == nil || o.Workspaces == nil || o.Project.ID == "" {
		return Cleaned{}, core.Errorf(core.ErrInvalid, "cleaning up after a run needs a coordinator, a project and its workspaces")
	}
	return (&Controller{o: o, c: o.Coordinator}).Cleanup(ctx)
}

// Cleanup clears what a run that died (kill -9) left, without starting
// anything: its agent processes first (so nothing writes into a worktree
// being removed), then its tasks (a merged one becomes done once, one its
// agents held goes back to the backlog), then every worktree and task
// branch of the project and the scratch folder. Run does it first.
func (c *Controller) Cleanup(ctx context.Context) (Cleaned, error) {
	var out Cleaned
	if c.o.Reap != nil {
		reaped, err := c.o.Reap(ctx)
		out.Reaped = reaped
		if err != nil {
			return out, err
		}
	}
	b, err := c.c.Board(ctx, c.o.Project.ID)
	if err != nil {
		return out, err
	}
	for _, t := range b.Tasks {
		if err := c.recover(ctx, t, &out); err != nil {
			return out, err
		}
	}
	out.CleanupReport, err = c.o.Workspaces.Cleanup(ctx)
	if err == nil && c.o.ScratchDir != "" {
		err = os.RemoveAll(c.o.ScratchDir)
	}
	return out, err
}

// recover settles one task a previous run may have left: done if an
// earlier gate merged it, back to the backlog if a runner agent of a run
// that is gone held it.
func (c *Controller) recover(ctx context.Context, t core.Task, out *Cleaned) error {
	if t.Status == core.StatusDone {
		return nil
	}
	commit, err := c.o.Workspaces.Merged(ctx, t.ID)
	if err != nil {
		return err
	}
	if commit != "" {
		_, settled, err := c.c.SettleMerged(ctx, t.ID, commit)
		if settled {
			out.Settled = append(out.Settled, t.ID)
		}
		return err
	}
	if t.Status != core.StatusInProgress || !runnerAgent(t.Holder) {
		return nil
	}
	_, err = c.c.HandBack(ctx, core.HandBack{Agent: t.Holder, Task: t.ID, Epoch: t.Lease.Epoch,
		Reason: "belonged to a marcus run that ended without stopping it"})
	switch {
	case core.ReasonOf(err) == core.ReasonNotHolder:
		return nil
	case err == nil:
		out.HandedBack = append(out.HandedBack, t.ID)
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
