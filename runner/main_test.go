package runner

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"testing"
)

// testWorkerEnv makes the test binary act as a sweep's worker process.
const testWorkerEnv = "EXPCTL_TEST_WORKER"

func TestMain(m *testing.M) {
	if os.Getenv(testWorkerEnv) == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := WorkerMain(ctx, os.Args[1:], os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}
