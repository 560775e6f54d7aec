package git

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"marcus/core"
)

// validate runs the validation command in the worktree. ok is false when
// the command failed or timed out; res then carries its exit code and the
// tail of its output. err is for a command that could not start at all.
func (w *Workspaces) validate(ctx context.Context, task core.TaskID, dir string, res *core.GateResult) (ok bool, err error) {
	if strings.TrimSpace(w.o.Validate) == "" {
		return true, nil
	}
	start := time.Now()
	defer func() { res.Validation = time.Since(start) }()
	vctx, cancel := context.WithTimeout(ctx, w.o.ValidateTimeout)
	defer cancel()
	cmd := shell(vctx, w.o.Validate)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "MARCUS_TASK_ID="+string(task), "MARCUS_WORKTREE="+dir,
		"MARCUS_BRANCH="+w.Branch(task), "MARCUS_INTEGRATION_BRANCH="+w.o.Integration)
	tail := &tailBuffer{max: 64 << 10}
	cmd.Stdout, cmd.Stderr = tail, tail
	ownGroup(cmd)
	cmd.WaitDelay = waitDelay
	err = cmd.Run()
	res.Output = lastLines(tail.String(), w.o.TailLines)
	var ee *exec.ExitError
	switch {
	case err == nil:
		return true, nil
	case ctx.Err() != nil:
		return false, core.Wrap(core.ErrUnavailable, ctx.Err(), "the gate was cancelled during validation")
	case vctx.Err() != nil:
		res.TimedOut, res.ExitCode = true, -1
		return false, nil
	case errors.As(err, &ee):
		res.ExitCode = ee.ExitCode()
		return false, nil
	}
	return false, core.Wrap(core.ErrInvalid, err, "cannot run the validation command %q", w.o.Validate)
}

// shell runs a command line the way a person typed it.
func shell(ctx context.Context, line string) *exec.Cmd {
	if runtime.GOOS == "windows" {
		return exec.CommandContext(ctx, "cmd", "/C", line)
	}
	return exec.CommandContext(ctx, "sh", "-c", line)
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return strings.ToValidUTF8(string(t.buf), "?") }

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	ls := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(ls) > n {
		ls = ls[len(ls)-n:]
	}
	return strings.Join(ls, "\n")
}
