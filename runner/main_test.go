package runner

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
)

// testWorkerEnv makes the test binary act as a sweep's worker process.
const testWorkerEnv = "EXPCTL_TEST_WORKER"

// faultEnv makes the test worker fail on purpose, to test that a sweep isolates failures:
// "panic:<trial-id>" panics when that trial starts.
const faultEnv = "EXPCTL_FAULT"

func TestMain(m *testing.M) {
	if os.Getenv(testWorkerEnv) == "1" {
		os.Exit(testWorker(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// testWorker stands in for the command's worker: the same arguments,
// [--checkpoint-every K] <trial-dir>, and exit statuses, plus the faults of faultEnv.
func testWorker(args []string) int {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	every := fs.Int("checkpoint-every", 100, "save the trial's state every K steps")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: worker [--checkpoint-every K] <trial-dir>")
		return 2
	}
	dir := fs.Arg(0)
	if os.Getenv(faultEnv) == "panic:"+filepath.Base(dir) { // trial directories are named by id
		panic("fault injected by " + faultEnv)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := RunWorker(ctx, dir, *every, os.Stdout)
	if err != nil && !errors.Is(err, ErrInterrupted) {
		fmt.Fprintln(os.Stderr, "worker:", err)
	}
	var cre *ConfigReadError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, ErrBusy):
		return WorkerExitBusy
	case errors.Is(err, ErrInterrupted):
		return WorkerExitInterrupted
	case NoSpace(err):
		return WorkerExitNoSpace
	case errors.As(err, &cre):
		return 2
	}
	return 1
}
