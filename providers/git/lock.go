package git

import (
	"context"
	"sync"

	"marcus/core"
)

// repoLocks serialise the work on one repository within this process.
// merge is held for a whole gate (rebase, validation, advance), so merges
// land one at a time; admin is held briefly around anything that writes
// the repository's shared state (branches, worktree records), so a
// Prepare never waits for a gate's validation. Across processes the
// integration branch is protected by update-ref's compare-and-swap.
type repoLocks struct {
	merge, admin ctxMutex
}

var (
	locksMu sync.Mutex
	locks   = map[string]*repoLocks{}
)

// locksFor returns the locks of the repository whose common git directory
// is gitDir: every Workspaces on one repository shares them.
func locksFor(gitDir string) *repoLocks {
	locksMu.Lock()
	defer locksMu.Unlock()
	l, ok := locks[gitDir]
	if !ok {
		l = &repoLocks{merge: newCtxMutex(), admin: newCtxMutex()}
		locks[gitDir] = l
	}
	return l
}

// ctxMutex is a mutex whose waiters give up when their context ends.
type ctxMutex chan struct{}

func newCtxMutex() ctxMutex { return make(ctxMutex, 1) }

func (m ctxMutex) lock(ctx context.Context) (unlock func(), err error) {
	select {
	case m <- struct{}{}:
		return func() { <-m }, nil
	case <-ctx.Done():
		return nil, core.Wrap(core.ErrUnavailable, ctx.Err(), "gave up waiting for another git operation on the repository")
	}
}
