package core

import (
	"context"
	"path/filepath"
	"unicode/utf8"
)

// OptionWorkspaceRoot is the project option naming the project's workspace
// root: the absolute path of the directory its agents work in (Marcus's
// options.project_root). log_artifact writes there when the call names
// no root, and the runner makes its worktrees from it.
const OptionWorkspaceRoot = "workspace_root"

// WorkspaceRoot is the project's workspace root, "" when none was given.
func (p Project) WorkspaceRoot() string { return p.Options[OptionWorkspaceRoot] }

// MaxOptions and MaxOptionLen bound the options kept with a project.
const (
	MaxOptions   = 32
	MaxOptionLen = 4096
)

// CheckOptions refuses options marcus could not keep with a project: too
// many, too long, or a workspace root that is not an absolute path.
func CheckOptions(o map[string]string) error {
	if len(o) > MaxOptions {
		return Errorf(ErrInvalid, "%d options; the limit is %d", len(o), MaxOptions)
	}
	for k, v := range o {
		if len(k) > MaxNameLen || len(v) > MaxOptionLen || !utf8.ValidString(v) {
			return Errorf(ErrInvalid, "option %.40q is too long or not text: keys up to %d bytes, values up to %d", k, MaxNameLen, MaxOptionLen)
		}
	}
	if root, ok := o[OptionWorkspaceRoot]; ok && !filepath.IsAbs(root) {
		return Errorf(ErrInvalid, "the workspace root %q must be an absolute path, e.g. /home/me/projects/app", root)
	}
	return nil
}

// ProjectOfTask loads the project a task belongs to.
func (c *Coordinator) ProjectOfTask(ctx context.Context, id TaskID) (Project, error) {
	var p Project
	err := c.store.View(ctx, func(tx ReadTx) error {
		t, err := loadTaskRow(tx, id)
		if err != nil {
			return err
		}
		p, err = tx.Project(t.Project)
		return err
	})
	return p, err
}
