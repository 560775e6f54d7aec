// Command scriptagent behaves like a coding agent under marcus's runner,
// for tests: it reads the environment contract, speaks MCP to marcus with
// the go-sdk client (register_agent, request_next_task, progress,
// log_decision, log_artifact), edits files in its worktree, commits with
// git, reports completed, and answers the completion gate as a real agent
// should (merge_conflict: rebase and resolve; validation_failed: fix and
// report again; no_commits and uncommitted_changes: commit).
//
// Modes (-mode):
//
//	normal     write tasks/<task>.txt, naming the dependency files it found
//	conflict   also append a line to SHARED.md, which every task appends to
//	failonce   also commit a BROKEN file, which validation (test ! -e BROKEN)
//	           refuses; the fix removes it
//	failalways as failonce, but each "fix" misses the cause, until the gate
//	           blocks the task (the agent then exits with status 2)
//	crash      exit 3 after the first progress report, without completing
//	hang       stop talking after the first progress report and sleep;
//	           with -ignore-term it also ignores SIGTERM
//
// Without MARCUS_TASK_ID (the runner's reuse mode) it loops: it asks for
// tasks with request_next_task, works each in the worktree the answer
// names, and exits when told the project needs no more work.
//
// It prints one line per step, so its log tells what it did, and exits 0
// only when its work is merged.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

type options struct {
	mode       string
	work       time.Duration
	ignoreTerm bool
	timeout    time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.mode, "mode", "normal", "normal, conflict, failonce, failalways, crash or hang")
	flag.DurationVar(&o.work, "work", 200*time.Millisecond, "how long the scripted work takes")
	flag.BoolVar(&o.ignoreTerm, "ignore-term", false, "in hang mode, ignore SIGTERM too")
	flag.DurationVar(&o.timeout, "timeout", 5*time.Minute, "give up after this long")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	if err := run(ctx, o); errors.Is(err, errBlocked) {
		say("%v", err)
		os.Exit(2)
	} else if err != nil {
		fmt.Println("scriptagent: error:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	env, err := readEnv()
	if err != nil {
		return err
	}
	a, err := connect(ctx, env)
	if err != nil {
		return err
	}
	a.mode = o.mode
	defer a.close()
	if env.task == "" {
		return a.loop(ctx, o)
	}
	if err := a.start(ctx); err != nil {
		return err
	}
	return a.workTask(ctx, o)
}

// workTask does one task as the mode says.
func (a *agent) workTask(ctx context.Context, o options) error {
	if err := a.progress(ctx, 25, "started: read the task and its dependencies"); err != nil {
		return err
	}
	switch o.mode {
	case "crash":
		say("crashing mid-task on purpose")
		os.Exit(3)
	case "hang":
		hang(o.ignoreTerm)
	}
	if err := a.work(ctx, o); err != nil {
		return err
	}
	return a.complete(ctx)
}

// hang stops answering: it sleeps until killed.
func hang(ignoreTerm bool) {
	if ignoreTerm {
		signal.Ignore(syscall.SIGTERM)
	}
	say("hanging on purpose")
	for {
		time.Sleep(time.Hour)
	}
}

func say(format string, args ...any) {
	fmt.Printf("scriptagent: "+format+"\n", args...)
}
