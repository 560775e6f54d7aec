package main

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"marcus/core"
	"marcus/providers/swarm"
	"marcus/store/storetest"
)

// scaleRun is one run of TestThreeServersOnePostgres: agents spread over
// the servers, one server killed mid-run.
type scaleRun struct {
	t       *testing.T
	store   core.Store
	proj    core.ProjectID
	servers []*server
	acks    *acked

	// Set when the victim, the lease monitor's leader, is killed.
	victim  *server
	orphans map[core.TaskID]bool     // tasks its agents held
	led     []string                 // the leader leases it held
	moved   map[string]time.Duration // how long after the kill each moved
	expired map[string]time.Duration // how long after the kill each ran out
	stats   []*swarm.Stats
}

// drive runs 64 agents, a third on each server, and kills the victim once
// 150 tasks are done. The agents of the survivors finish the project.
func (r *scaleRun) drive(ctx context.Context) {
	counts := []int{22, 21, 21}
	r.stats = make([]*swarm.Stats, len(r.servers))
	errs := make([]error, len(r.servers))
	var wg sync.WaitGroup
	for i, sv := range r.servers {
		wg.Go(func() {
			r.stats[i], errs[i] = swarm.Run(ctx, swarm.Options{URL: sv.url, Agents: counts[i], Prefix: sv.name,
				Project: string(r.proj), WorkTime: 2 * time.Millisecond, MaxRetryWait: 100 * time.Millisecond,
				Seed: uint64(i), OnEvent: r.acks.record})
		})
	}
	r.killMidway(ctx, 150)
	wg.Wait()
	for i, sv := range r.servers {
		if sv != r.victim && errs[i] != nil {
			r.t.Errorf("the agents of %s, which lived: %v", sv.name, errs[i])
		}
	}
}

// killMidway kills the lease monitor's leader (kill -9) once done tasks
// are acknowledged, notes what it held, and waits for its leader leases
// to move.
func (r *scaleRun) killMidway(ctx context.Context, done int) {
	for r.acks.completions() < done {
		if ctx.Err() != nil {
			r.t.Fatalf("only %d tasks done before the deadline", r.acks.completions())
		}
		time.Sleep(10 * time.Millisecond)
	}
	r.victim, _ = leaderOf(r.t, r.store, core.LeaseMonitorJob, r.servers, time.Minute)
	held := map[string]core.NamedLease{}
	for _, name := range []string{core.LeaseMonitorJob, core.ExperimentCollectorJob} {
		if l, err := leaseOf(ctx, r.store, name); err == nil && r.victim.holds(l) {
			held[name] = l
		}
	}
	killed := time.Now()
	r.victim.kill()
	<-r.victim.done
	for name := range held { // a renewal may have come after the read
		if l, err := leaseOf(ctx, r.store, name); err == nil && r.victim.holds(l) {
			held[name] = l
		}
	}
	time.Sleep(200 * time.Millisecond) // answers already on their way reach the agents
	r.orphans = r.acks.heldBy(r.victim.name + "-")
	r.t.Logf("killed %s after %d completions; its agents held %d tasks; it led %d jobs", r.victim.name, done, len(r.orphans), len(held))
	r.moved, r.expired = map[string]time.Duration{}, map[string]time.Duration{}
	for name := range held {
		r.led = append(r.led, name)
		r.expired[name] = held[name].ExpiresAt.Sub(killed)
		if d, ok := r.waitMoved(ctx, name, killed); ok {
			r.moved[name] = d
		}
	}
}

// waitMoved waits until a living server leads the named job.
func (r *scaleRun) waitMoved(ctx context.Context, name string, killed time.Time) (time.Duration, bool) {
	for time.Since(killed) < 10*scaleLeaderTTL && ctx.Err() == nil {
		l, err := leaseOf(ctx, r.store, name)
		if err != nil {
			r.t.Errorf("read lease %s: %v", name, err)
			return 0, false
		}
		for _, sv := range r.servers {
			if sv != r.victim && sv.holds(l) {
				return time.Since(killed), true
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return 0, false
}

// check reads the database after the run.
func (r *scaleRun) check(ctx context.Context, c *core.Coordinator) {
	t := r.t
	evs, err := c.Events(ctx, r.proj, 0, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Board(ctx, r.proj)
	if err != nil {
		t.Fatal(err)
	}
	if b.Counts[core.StatusDone] != 500 {
		t.Errorf("%d of 500 tasks done: %v", b.Counts[core.StatusDone], b.Counts)
	}
	for _, p := range storetest.CheckHistory(evs, b.Tasks) {
		t.Error(p)
	}
	completions := map[core.TaskID]int{}
	for _, ev := range evs {
		if ev.Kind == core.EventTaskCompleted {
			completions[ev.Task]++
		}
	}
	for _, x := range b.Tasks {
		if completions[x.ID] != 1 {
			t.Errorf("task %s completed %d times", x.Name, completions[x.ID])
		}
	}
	for _, m := range r.acks.missing(evs) {
		t.Errorf("acknowledged to an agent but not in the database: %s", m)
	}
	r.checkOrphans(evs)
	r.checkLeaders()
	r.checkExperiment(ctx, c)
}

// checkOrphans: each task the dead server's agents held was recovered and
// completed by another agent, unless its holder's completion committed
// before the crash (and its answer was lost).
func (r *scaleRun) checkOrphans(evs []core.Event) {
	if len(r.orphans) == 0 {
		r.t.Errorf("the agents of %s held no task when it died: nothing was left to recover", r.victim.name)
	}
	recovered := map[core.TaskID]bool{}
	finisher := map[core.TaskID]core.AgentID{}
	for _, ev := range evs {
		switch ev.Kind {
		case core.EventLeaseRecovered:
			recovered[ev.Task] = true
		case core.EventTaskCompleted:
			finisher[ev.Task] = ev.Agent
		}
	}
	byOthers := 0
	for task := range r.orphans {
		mine := strings.HasPrefix(string(finisher[task]), r.victim.name+"-")
		switch {
		case !mine && recovered[task]:
			byOthers++
		case !mine:
			r.t.Errorf("task %s, held by an agent of the dead server, was finished by %s without a recovery", task, finisher[task])
		}
	}
	if len(r.orphans) > 0 && byOthers == 0 {
		r.t.Errorf("none of the %d tasks the dead server's agents held was recovered by the others", len(r.orphans))
	}
	r.t.Logf("%d of %d orphaned tasks recovered and finished by the other servers' agents", byOthers, len(r.orphans))
}

// checkLeaders: every leader job of the dead server moved to a living
// one, within one lease period of the dead leader's lease running out
// (its last renewal came up to a third of a period before the kill). How
// soon is logged; the benchmark measures it.
func (r *scaleRun) checkLeaders() {
	if len(r.led) == 0 {
		r.t.Errorf("%s led no job when it was killed", r.victim.name)
	}
	for _, name := range r.led {
		d, ok := r.moved[name]
		switch {
		case !ok:
			r.t.Errorf("%s did not move to a living server within %s of the kill", name, 10*scaleLeaderTTL)
		case d > r.expired[name]+scaleLeaderTTL:
			r.t.Errorf("%s moved %s after the kill, more than a lease period (%s) after its lease ran out (%s after the kill)",
				name, d, scaleLeaderTTL, r.expired[name])
		default:
			r.t.Logf("%s moved %s after the kill; its lease ran out %s after it (lease %s)", name, d.Round(time.Millisecond),
				r.expired[name].Round(time.Millisecond), scaleLeaderTTL)
		}
	}
}

// checkExperiment: a survivor's lease monitor ended the experiment when
// the board was finished.
func (r *scaleRun) checkExperiment(ctx context.Context, c *core.Coordinator) {
	deadline := time.Now().Add(10 * core.ExperimentCheckInterval)
	for {
		es, err := c.Experiments(ctx, r.proj)
		if err != nil || len(es) != 1 {
			r.t.Fatalf("experiments: %v, %v", es, err)
		}
		if !es[0].EndedAt.IsZero() {
			if es[0].EndedBy != "complete" {
				r.t.Errorf("the experiment was ended by %q, want the lease monitor's \"complete\"", es[0].EndedBy)
			}
			return
		}
		if time.Now().After(deadline) {
			r.t.Errorf("the experiment was not ended within %s of the finished board", 10*core.ExperimentCheckInterval)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}
