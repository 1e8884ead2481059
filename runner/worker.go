package runner

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/expctl/expctl/results/trialdir"
)

// Exit statuses of a worker that leaves its trial unfinished, without a result.json. A
// sweep reads them from the workers it starts (see [SweepOptions.Worker]); every other
// outcome it reads from the trial's result.json, and a worker that exits without one and
// with another status (a panic, a kill) has failed.
const (
	// WorkerExitBusy: another process is running the trial; the sweep leaves it to that
	// process.
	WorkerExitBusy = 75
	// WorkerExitNoSpace: a file of the trial could not be written for lack of space (see
	// [NoSpace]); the trial runs again once space is freed.
	WorkerExitNoSpace = 74
	// WorkerExitInterrupted: SIGINT or SIGTERM stopped the worker, which saved a
	// checkpoint; the trial resumes from it when the sweep runs again. A worker killed by
	// either signal before it could save one is interrupted too.
	WorkerExitInterrupted = 130
	// WorkerExitPaused: the trial reached the step given by --pause-at, a rung of
	// successive halving, and saved a checkpoint there; the sweep resumes it once its group
	// has been ranked.
	WorkerExitPaused = 76
)

// ErrPaused is returned by a trial told to pause (see [TrialOptions.PauseAt]) when it
// reaches that step: it saved a checkpoint and wrote no result.json.
var ErrPaused = errors.New("trial paused")

// WorkerArgs are the arguments of a sweep's worker, after its command:
//
//	[--checkpoint-every K] [--pause-at STEP] [--prune-at STEP --prune-reason TEXT] <trial-dir>
//
// in that order; [ParseWorkerArgs] reads them and [WorkerArgs.List] writes them.
type WorkerArgs struct {
	Dir             string
	CheckpointEvery int    // default 100
	PauseAt         int    // see TrialOptions.PauseAt; 0: none
	PruneAt         int    // see TrialOptions.PruneAt; 0: none
	PruneReason     string // with PruneAt: why, for the result
}

// WorkerUsage is the synopsis of a worker's arguments.
const WorkerUsage = "usage: worker [--checkpoint-every K] [--pause-at STEP] [--prune-at STEP --prune-reason TEXT] <trial-dir>"

// ParseWorkerArgs parses a worker's arguments.
func ParseWorkerArgs(args []string) (WorkerArgs, error) {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	w := WorkerArgs{}
	fs.IntVar(&w.CheckpointEvery, "checkpoint-every", 100, "")
	fs.IntVar(&w.PauseAt, "pause-at", 0, "")
	fs.IntVar(&w.PruneAt, "prune-at", 0, "")
	fs.StringVar(&w.PruneReason, "prune-reason", "", "")
	if err := fs.Parse(args); err != nil {
		return w, fmt.Errorf("%v; %s", err, WorkerUsage)
	}
	if fs.NArg() != 1 {
		return w, fmt.Errorf("want one trial directory; %s", WorkerUsage)
	}
	if w.PauseAt < 0 || w.PruneAt < 0 || (w.PauseAt > 0 && w.PruneAt > 0) {
		return w, fmt.Errorf("--pause-at and --prune-at are steps ≥ 1, at most one of them; %s", WorkerUsage)
	}
	w.Dir = fs.Arg(0)
	return w, nil
}

// List returns the arguments that [ParseWorkerArgs] parses into w.
func (w WorkerArgs) List() []string {
	args := []string{"--checkpoint-every", strconv.Itoa(w.CheckpointEvery)}
	if w.PauseAt > 0 {
		args = append(args, "--pause-at", strconv.Itoa(w.PauseAt))
	}
	if w.PruneAt > 0 {
		args = append(args, "--prune-at", strconv.Itoa(w.PruneAt), "--prune-reason", w.PruneReason)
	}
	return append(args, w.Dir)
}

// ConfigReadError is returned by [RunWorker] when the trial directory holds no readable
// config.json; nothing was run.
type ConfigReadError struct{ Err error }

// Error returns the message of the error reading the config.
func (e *ConfigReadError) Error() string { return e.Err.Error() }

// Unwrap returns the error of reading the config.
func (e *ConfigReadError) Unwrap() error { return e.Err }

// workerLine is one line of a worker's standard output: the progress of its trial.
type workerLine struct {
	Step       int      `json:"step"`
	Steps      int      `json:"steps"`
	TrainLoss  *float64 `json:"train_loss"`
	TestLoss   *float64 `json:"test_loss"`
	TestMetric *float64 `json:"test_metric"`
	Seconds    float64  `json:"seconds"`
	// Notice, on a line of its own, is a message for the user instead of progress.
	Notice string `json:"notice,omitempty"`
	// Resumed, on a line of its own, is the step of the checkpoint the trial continues
	// from; a trial that starts from step 0 sends none.
	Resumed *int `json:"resumed,omitempty"`
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

// RunWorker runs one trial of a sweep in this process: w.Dir is the trial directory, which
// holds the trial's config.json. The trial resumes from its checkpoint if it has one,
// checkpoints every w.CheckpointEvery steps, and pauses or is pruned at the step w says; each evaluation, each notice (a corrupt
// checkpoint it starts again without) and its resumption from a checkpoint are written to
// progress as one JSON line each, the lines the sweep reads. It returns a *[ConfigReadError] when the config cannot be read, an
// error wrapping [ErrBusy] when another process runs the trial, an error for which
// [NoSpace] holds when the disk is full, [ErrPaused] when it pauses, and [ErrInterrupted]
// when ctx is cancelled first.
func RunWorker(ctx context.Context, w WorkerArgs, progress io.Writer) error {
	dir := w.Dir
	cfg, err := trialdir.ReadConfig(dir)
	if err != nil {
		return &ConfigReadError{err}
	}
	enc := json.NewEncoder(progress)
	report := func(p Progress) {
		enc.Encode(workerLine{Step: p.Step, Steps: p.Steps, TrainLoss: finiteOrNil(p.Point.TrainLoss),
			TestLoss: finiteOrNil(p.Point.TestLoss), TestMetric: finiteOrNil(p.Point.TestMetric), Seconds: p.Point.Seconds})
	}
	notice := func(msg string) { enc.Encode(workerLine{Notice: msg}) }
	resumed := func(step int) { enc.Encode(workerLine{Resumed: &step}) }
	_, err = RunTrialIn(ctx, cfg.Config, dir, TrialOptions{Progress: report, Notice: notice, Resumed: resumed,
		CheckpointEvery: w.CheckpointEvery, Resume: true, PauseAt: w.PauseAt, PruneAt: w.PruneAt, PruneReason: w.PruneReason})
	return err
}
