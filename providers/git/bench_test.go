//go:build unix

package git_test

import (
	"fmt"
	"testing"

	"marcus/core"
	"marcus/providers/git"
)

// BenchmarkGate times one gate (rebase onto a moved integration head,
// merge commit, compare-and-swap) of a one-commit task, without a
// validation command; preparing the worktree and committing are not timed.
// Every task's branch starts from the same head, so each gate after the
// first rebases.
//
//	go test -run XXX -bench Gate ./providers/git
func BenchmarkGate(b *testing.B) {
	r := newRepo(b)
	w := r.open(git.Options{})
	tasks := make([]core.TaskID, b.N)
	for i := range tasks {
		tasks[i] = core.TaskID(fmt.Sprintf("t-%d", i))
		ws := r.prepare(w, tasks[i])
		r.commit(ws.Dir, "work", map[string]string{fmt.Sprintf("f%d.txt", i): "x\n"})
	}
	b.ResetTimer()
	for _, task := range tasks {
		res, err := w.Gate(b.Context(), core.GateRequest{Task: task})
		if err != nil || !res.Merged() {
			b.Fatalf("gate %s: %+v %v", task, res, err)
		}
	}
}
