package trello

import (
	"context"
	"sync"
	"time"

	"marcus/core"
)

// Supervisor keeps every linked board (or one project's) in step: a sync
// loop per board, boards linked meanwhile picked up every interval, and
// every loop joined when it stops. Supervisors of several servers on one
// database share the boards: each board's loop runs on the one server that
// leads it (core.Coordinator.Lead on the mirror's lease, MirrorLease),
// and moves to another within LeaseTTL when that server dies.
type Supervisor struct {
	// LeaseTTL is the length of a board's lease; core.DefaultLeaderTTL
	// when 0.
	LeaseTTL time.Duration

	coord    *core.Coordinator
	client   *Client
	project  core.ProjectID // "": every linked project
	interval time.Duration
	onErr    func(core.ProjectID, error)

	running map[core.ProjectID]bool
}

// NewSupervisor returns a supervisor of the boards linked to project (""
// for every project), syncing each every interval. onErr, when set, hears
// each failed sync; the loop waits and tries again.
func NewSupervisor(c *core.Coordinator, client *Client, project core.ProjectID, interval time.Duration, onErr func(core.ProjectID, error)) *Supervisor {
	return &Supervisor{coord: c, client: client, project: project, interval: interval, onErr: onErr,
		running: map[core.ProjectID]bool{}}
}

// Run syncs until ctx ends, then returns once every loop it started has
// stopped (each spends up to FinalSync delivering what is pending).
func (s *Supervisor) Run(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	t := time.NewTicker(s.interval)
	defer t.Stop()
	for {
		s.startNew(ctx, &wg)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// startNew starts a loop for every linked board that has none. A failure
// to list the links is tried again at the next tick.
func (s *Supervisor) startNew(ctx context.Context, wg *sync.WaitGroup) {
	ms, err := s.coord.Mirrors(ctx, Kind)
	if err != nil {
		return
	}
	for _, m := range ms {
		if s.running[m.Project] || (s.project != "" && m.Project != s.project) {
			continue
		}
		s.running[m.Project] = true
		wg.Go(func() { s.lead(ctx, m.Project) })
	}
}

// lead syncs a project's board whenever this server leads it, until ctx
// ends. The syncer's own claims renew the same lease, as the same holder.
func (s *Supervisor) lead(ctx context.Context, p core.ProjectID) {
	syncer := NewSyncer(s.coord, s.client, p)
	leader := core.Leader{Name: core.MirrorLease(p, Kind), Holder: syncer.owner, TTL: s.LeaseTTL}
	syncer.ttl = leader.TTL
	if syncer.ttl <= 0 {
		syncer.ttl = core.DefaultLeaderTTL
	}
	onErr := func(err error) {
		if s.onErr != nil {
			s.onErr(p, err)
		}
	}
	leader.OnError = onErr
	_ = s.coord.Lead(ctx, leader, func(ctx context.Context) { syncer.Run(ctx, s.interval, onErr) })
}
