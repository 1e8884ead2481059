package runner

import (
	"context"
	"encoding/json"
	"io"
	"math"

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
)

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

// RunWorker runs one trial of a sweep in this process: dir is the trial directory, which
// holds the trial's config.json. The trial resumes from its checkpoint if it has one and
// checkpoints every checkpointEvery steps; each evaluation, each notice (a corrupt
// checkpoint it starts again without) and its resumption from a checkpoint are written to
// progress as one JSON line each, the lines the sweep reads. It returns a *[ConfigReadError] when the config cannot be read, an
// error wrapping [ErrBusy] when another process runs the trial, an error for which
// [NoSpace] holds when the disk is full, and [ErrInterrupted] when ctx is cancelled first.
func RunWorker(ctx context.Context, dir string, checkpointEvery int, progress io.Writer) error {
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
		CheckpointEvery: checkpointEvery, Resume: true})
	return err
}
