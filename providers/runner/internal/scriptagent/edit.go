package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// edit makes the mode's changes in the worktree.
func (a *agent) edit(mode string) error {
	body := fmt.Sprintf("task %s by %s\ndependencies seen: %s\n", a.env.task, a.agent, strings.Join(a.seen, ","))
	if err := write(filepath.Join(a.worktree, "tasks", a.env.task+".txt"), body); err != nil {
		return err
	}
	switch mode {
	case "conflict":
		return appendLine(filepath.Join(a.worktree, "SHARED.md"), "- "+a.env.task+" by "+a.agent)
	case "failonce", "failalways":
		return write(filepath.Join(a.worktree, "BROKEN"), "validation refuses this file\n")
	}
	return nil
}

func write(path, content string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(content), 0o644)
}

func appendLine(path, line string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(f, line); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// fix removes what validation refused, as an agent reading the output
// tail would.
func (a *agent) fix() error {
	if _, err := os.Stat(filepath.Join(a.worktree, "BROKEN")); err != nil {
		return fmt.Errorf("validation failed and I know no fix: %w", err)
	}
	say("fixing what validation refused")
	if err := git(a.worktree, "rm", "--quiet", "BROKEN"); err != nil {
		return err
	}
	return git(a.worktree, "commit", "--quiet", "-m", "task "+a.env.task+": fix validation")
}

// fakeFix commits a change that fixes nothing, as an agent that keeps
// missing the cause would.
func (a *agent) fakeFix() error {
	say("trying a fix that does not address the failure")
	if err := appendLine(filepath.Join(a.worktree, "ATTEMPTS"), "attempt"); err != nil {
		return err
	}
	if err := git(a.worktree, "add", "ATTEMPTS"); err != nil {
		return err
	}
	return git(a.worktree, "commit", "--quiet", "-m", "task "+a.env.task+": another attempt")
}

// resolve rebases onto the integration branch and settles each conflict by
// keeping both sides: every task only appends to the shared file.
func (a *agent) resolve() error {
	if a.integration == "" {
		return fmt.Errorf("a conflict, but no integration branch to rebase onto")
	}
	say("rebasing onto %s", a.integration)
	err := git(a.worktree, "rebase", a.integration)
	for range 20 {
		if err == nil {
			return nil
		}
		files, lerr := output(a.worktree, "diff", "--name-only", "--diff-filter=U")
		if lerr != nil || strings.TrimSpace(files) == "" {
			return fmt.Errorf("rebase failed without conflicts: %w", err)
		}
		for _, f := range strings.Fields(files) {
			if err := keepBoth(filepath.Join(a.worktree, f)); err != nil {
				return err
			}
			if err := git(a.worktree, "add", f); err != nil {
				return err
			}
		}
		say("resolved %s", strings.Join(strings.Fields(files), ", "))
		err = git(a.worktree, "-c", "core.editor=true", "rebase", "--continue")
	}
	return fmt.Errorf("the rebase would not finish: %w", err)
}

// keepBoth removes conflict markers, keeping both sides' lines.
func keepBoth(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	for _, l := range strings.SplitAfter(string(b), "\n") {
		if strings.HasPrefix(l, "<<<<<<< ") || strings.HasPrefix(l, "=======") || strings.HasPrefix(l, ">>>>>>> ") || strings.HasPrefix(l, "||||||| ") {
			continue
		}
		out.WriteString(l)
	}
	return os.WriteFile(path, out.Bytes(), 0o644)
}

func git(dir string, args ...string) error {
	out, err := runGit(dir, true, args...)
	if err != nil {
		return fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(out))
	}
	return nil
}

func output(dir string, args ...string) (string, error) { return runGit(dir, false, args...) }

// runGit runs git with a timeout; combined returns stderr with stdout.
func runGit(dir string, combined bool, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	if combined {
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := cmd.Output()
	return string(out), err
}
