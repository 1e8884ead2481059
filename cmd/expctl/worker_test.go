package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/expctl/expctl/runner"
)

// TestWorkerExitStatuses: the statuses a sweep reads from its workers, and the line each
// worker failure prints.
func TestWorkerExitStatuses(t *testing.T) {
	for _, tc := range []struct {
		err  error
		code int
		line string
	}{
		{&workerError{fmt.Errorf("t1: %w", runner.ErrBusy)}, exitBusy, "worker: t1: " + runner.ErrBusy.Error()},
		{&workerError{runner.ErrInterrupted}, exitInterrupted, ""},
		{&workerError{&runner.ConfigReadError{Err: os.ErrNotExist}}, exitUsage, "worker: " + os.ErrNotExist.Error()},
		{&workerError{errors.New("diverged")}, exitFailure, "worker: diverged"},
		{&workerError{context.Canceled}, exitFailure, "worker: context canceled"},
		{fmt.Errorf("t1: %w", runner.ErrBusy), exitFailure, "expctl: t1: " + runner.ErrBusy.Error()},
	} {
		if got := exitCode(tc.err); got != tc.code {
			t.Errorf("exitCode(%v) = %d, want %d", tc.err, got, tc.code)
		}
		if got := errorLine(tc.err); got != tc.line {
			t.Errorf("errorLine(%v) = %q, want %q", tc.err, got, tc.line)
		}
	}
}

// TestWorkerUsage: bad worker arguments exit with status 2, as they always have.
func TestWorkerUsage(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none")
	for _, args := range [][]string{{}, {"--bogus", "x"}, {"a", "b"}, {missing}, {missing, "--checkpoint-every", "5"}} {
		var o, e bytes.Buffer
		if code := run(context.Background(), append([]string{"expctl", "worker"}, args...), &o, &e); code != exitUsage {
			t.Errorf("worker %q: exit %d, want %d (stderr %q)", args, code, exitUsage, e.String())
		}
		if !strings.Contains(e.String(), "worker") {
			t.Errorf("worker %q: stderr %q does not name the worker", args, e.String())
		}
	}
}
