package runner

import (
	"context"
	"errors"
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
// (see [WorkerArgs]), and exit statuses, plus the faults of faultEnv.
func testWorker(args []string) int {
	w, err := ParseWorkerArgs(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		return 2
	}
	dir := w.Dir
	if os.Getenv(faultEnv) == "panic:"+filepath.Base(dir) { // trial directories are named by id
		panic("fault injected by " + faultEnv)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = RunWorker(ctx, w, os.Stdout)
	if err != nil && !errors.Is(err, ErrInterrupted) && !errors.Is(err, ErrPaused) {
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
	case errors.Is(err, ErrPaused):
		return WorkerExitPaused
	case NoSpace(err):
		return WorkerExitNoSpace
	case errors.As(err, &cre):
		return 2
	}
	return 1
}
