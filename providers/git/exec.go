package git

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"marcus/core"
)

// waitDelay bounds how long a finished command may keep its output pipes
// open through a grandchild before Wait gives up on them.
const waitDelay = 5 * time.Second

// gitEnv is added to every git call: never prompt, never open an editor,
// and commits marcus itself makes (rebases, merge commits) name marcus as
// their committer, whatever identity the repository has (or lacks).
var gitEnv = []string{
	"GIT_TERMINAL_PROMPT=0",
	"GIT_EDITOR=true",
	"GIT_SEQUENCE_EDITOR=true",
	"GIT_MERGE_AUTOEDIT=no",
	"GIT_COMMITTER_NAME=marcus",
	"GIT_COMMITTER_EMAIL=marcus@localhost",
}

// gitConfig is passed before every git subcommand: the person's hooks do
// not run for marcus's own bookkeeping, and no automatic gc repacks refs
// under a concurrent call.
func gitConfig() []string {
	return []string{"-c", "core.hooksPath=" + os.DevNull, "-c", "gc.auto=0", "-c", "advice.detachedHead=false"}
}

// exitError is a git call that ran and failed: its exit code and stderr.
type exitError struct {
	args   []string
	code   int
	stderr string
}

func (e *exitError) Error() string {
	msg := strings.TrimSpace(e.stderr)
	if msg == "" {
		msg = fmt.Sprintf("exit status %d", e.code)
	}
	return fmt.Sprintf("git %s: %s", strings.Join(e.args, " "), msg)
}

// exitCode returns the exit status of a failed git call, or -1 when err is
// not one (git missing, timed out).
func exitCode(err error) int {
	var e *exitError
	if errors.As(err, &e) {
		return e.code
	}
	return -1
}

// git runs one git command in dir with the manager's timeout and returns
// its stdout. A failure keeps git's stderr; a timeout or a missing git is
// ErrUnavailable.
func (w *Workspaces) git(ctx context.Context, dir string, args ...string) (string, error) {
	return w.gitIn(ctx, dir, nil, nil, args...)
}

// gitIn is git with extra environment and standard input.
func (w *Workspaces) gitIn(ctx context.Context, dir string, env []string, stdin []byte, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, w.o.GitTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, w.o.Git, append(gitConfig(), args...)...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), gitEnv...), env...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	ownGroup(cmd)
	cmd.WaitDelay = waitDelay
	err := cmd.Run()
	if err == nil {
		return stdout.String(), nil
	}
	if ctx.Err() != nil {
		return "", core.Wrap(core.ErrUnavailable, ctx.Err(), "git %s did not finish in %s", args[0], w.o.GitTimeout)
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return stdout.String(), &exitError{args: args, code: ee.ExitCode(), stderr: stderr.String()}
	}
	return "", core.Wrap(core.ErrUnavailable, err, "cannot run %s (is git installed and on PATH?)", w.o.Git)
}

// lines splits git output into its non-empty lines.
func lines(out string) []string {
	var ls []string
	for l := range strings.SplitSeq(out, "\n") {
		if l = strings.TrimRight(l, "\r"); l != "" {
			ls = append(ls, l)
		}
	}
	return ls
}
