//go:build unix

package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"marcus/core"
)

// lockRun keeps one project's runner files to one marcus at a time: a
// run, or a --cleanup, holds an exclusive lock on dir/run.lock while it
// works, so a cleanup can never stop the agents of a run that is alive.
// The kernel drops the lock when its holder dies, kill -9 included.
func lockRun(dir string) (unlock func() error, err error) {
	path := filepath.Join(dir, "run.lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, core.Wrap(core.ErrUnavailable, err, "cannot open %s; set runner.dir to a writable folder", path)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, core.Errorf(core.ErrConflict, "another marcus run (pid %s) is working this project from %s: stop it first (q, Ctrl-C or SIGTERM); --cleanup is for a run that is gone",
				strings.TrimSpace(string(holder)), dir)
		}
		return nil, core.Wrap(core.ErrUnavailable, err, "cannot lock %s", path)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = fmt.Fprintln(f, strconv.Itoa(os.Getpid())) // only for the message above
	}
	return f.Close, nil // closing the file drops the lock
}
