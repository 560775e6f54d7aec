package runner

import (
	"os"
	"path/filepath"

	"marcus/core"
)

// logFile is an agent's output log, capped by rotation: when the current
// file reaches half the limit it becomes PATH.1 (replacing the older one)
// and a new PATH starts. The disk never holds more than the limit, the
// newest output is always kept (at least half the limit of it), and the
// oldest is dropped first.
type logFile struct {
	path string
	half int64
	f    *os.File
	size int64
}

func openLog(path string, limit int64) (*logFile, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, core.Wrap(core.ErrUnavailable, err, "cannot make the log folder for %s", path)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, core.Wrap(core.ErrUnavailable, err, "cannot open the log %s", path)
	}
	_ = os.Remove(path + ".1") // a rotation left by an earlier agent of this id
	return &logFile{path: path, half: max(limit/2, 1), f: f}, nil
}

func (l *logFile) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if l.size >= l.half {
			if err := l.rotate(); err != nil {
				return n - len(p), err
			}
		}
		chunk := p[:min(int64(len(p)), l.half-l.size)]
		w, err := l.f.Write(chunk)
		l.size += int64(w)
		if err != nil {
			return n - len(p) + w, err
		}
		p = p[w:]
	}
	return n, nil
}

func (l *logFile) rotate() error {
	if err := l.f.Close(); err != nil {
		return err
	}
	if err := os.Rename(l.path, l.path+".1"); err != nil {
		return err
	}
	f, err := os.OpenFile(l.path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	l.f, l.size = f, 0
	return nil
}

func (l *logFile) Close() error { return l.f.Close() }
