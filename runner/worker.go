package runner

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"github.com/expctl/expctl/experiments"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/expctl/expctl/results"
)

// Exit statuses of a worker process (see [WorkerMain]).
const (
	WorkerExitDone        = 0   // the trial finished: result.json exists (whatever its status)
	WorkerExitError       = 1   // the trial could not run; result.json may record a failure
	WorkerExitUsage       = 2   // bad arguments
	WorkerExitBusy        = 75  // another process is running the trial
	WorkerExitInterrupted = 130 // stopped by a signal; a checkpoint was saved
)

// FaultEnv names an environment variable that makes a worker fail on purpose, to test
// that a sweep isolates failures: "panic:<trial-id>" panics when that trial starts.
const FaultEnv = "EXPCTL_FAULT"

// workerLine is one line of a worker's standard output: the progress of its trial.
type workerLine struct {
	Step       int      `json:"step"`
	Steps      int      `json:"steps"`
	TrainLoss  *float64 `json:"train_loss"`
	TestLoss   *float64 `json:"test_loss"`
	TestMetric *float64 `json:"test_metric"`
	Seconds    float64  `json:"seconds"`
}

func finiteOrNil(v float64) *float64 {
	if !isFinite(v) {
		return nil
	}
	return &v
}

func nanIfNil(v *float64) float64 {
	if v == nil {
		return math.NaN()
	}
	return *v
}

// WorkerMain runs one trial of a sweep in this process: args are
// [--checkpoint-every K] <trial-dir>, where the directory holds the trial's config.json.
// The trial resumes from its checkpoint if it has one and checkpoints every K steps; each
// evaluation is printed on stdout as a JSON line. It returns the process exit status.
func WorkerMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	every := fs.Int("checkpoint-every", 100, "save the trial's state every K steps")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: worker [--checkpoint-every K] <trial-dir>")
		return WorkerExitUsage
	}
	dir := fs.Arg(0)
	var cfg experiments.Config
	if err := results.ReadJSON(filepath.Join(dir, results.ConfigFile), &cfg); err != nil {
		fmt.Fprintln(stderr, "worker:", err)
		return WorkerExitUsage
	}
	if os.Getenv(FaultEnv) == "panic:"+cfg.ID() {
		panic("fault injected by " + FaultEnv)
	}
	enc := json.NewEncoder(stdout)
	progress := func(p Progress) {
		enc.Encode(workerLine{Step: p.Step, Steps: p.Steps, TrainLoss: finiteOrNil(p.Point.TrainLoss),
			TestLoss: finiteOrNil(p.Point.TestLoss), TestMetric: finiteOrNil(p.Point.TestMetric), Seconds: p.Point.Seconds})
	}
	_, err := RunTrialIn(ctx, cfg, dir, TrialOptions{Progress: progress, CheckpointEvery: *every, Resume: true})
	switch {
	case err == nil:
		return WorkerExitDone
	case errors.Is(err, ErrBusy):
		fmt.Fprintln(stderr, "worker:", err)
		return WorkerExitBusy
	case errors.Is(err, ErrInterrupted):
		return WorkerExitInterrupted
	}
	fmt.Fprintln(stderr, "worker:", err)
	return WorkerExitError
}
