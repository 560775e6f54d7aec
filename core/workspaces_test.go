package core

import (
	"strings"
	"testing"
)

// TestGateAdvice: each gate outcome tells the agent what to do, naming
// what it needs (files, branches, the exit or the timeout).
func TestGateAdvice(t *testing.T) {
	base := GateResult{Task: "t-1", Branch: "marcus/p/t-1", Integration: "marcus/p/integration"}
	for _, tc := range []struct {
		mod  func(*GateResult)
		want []string
	}{
		{func(r *GateResult) { r.Status = GateMerged }, []string{"merged into marcus/p/integration", "done"}},
		{func(r *GateResult) {
			r.Status, r.Files = GateConflict, []string{"a", "b", "c", "d", "e", "f", "g"}
		}, []string{"git rebase marcus/p/integration", "a, b, c, d, e and 2 more", "git rebase --continue", "report completed again"}},
		{func(r *GateResult) { r.Status, r.ExitCode = GateValidationFailed, 3 }, []string{"exited with code 3", "fix"}},
		{func(r *GateResult) { r.Status, r.TimedOut = GateValidationFailed, true }, []string{"timed out"}},
		{func(r *GateResult) { r.Status = GateNoCommits }, []string{"no commits beyond marcus/p/integration", "git commit"}},
		{func(r *GateResult) { r.Status, r.Files = GateUncommitted, []string{"x.go"} }, []string{"uncommitted changes (x.go)"}},
	} {
		r := base
		tc.mod(&r)
		for _, w := range tc.want {
			if !strings.Contains(r.Advice(), w) {
				t.Errorf("%s advice %q lacks %q", r.Status, r.Advice(), w)
			}
		}
		if r.Merged() != (r.Status == GateMerged) {
			t.Errorf("%s: Merged() = %v", r.Status, r.Merged())
		}
	}
}

func TestProcessExitClean(t *testing.T) {
	for _, tc := range []struct {
		e    ProcessExit
		want bool
	}{
		{ProcessExit{}, true}, {ProcessExit{Code: 1}, false}, {ProcessExit{Code: -1, Signal: "killed"}, false}, {ProcessExit{Stopped: true}, false},
	} {
		if got := tc.e.Clean(); got != tc.want {
			t.Errorf("%+v.Clean() = %v", tc.e, got)
		}
	}
}
