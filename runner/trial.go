package runner

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"time"

	"github.com/expctl/expctl/datasets"
	"github.com/expctl/expctl/experiments"
	"github.com/expctl/expctl/models"
	"github.com/expctl/expctl/models/engine"
	"github.com/expctl/expctl/results/trialdir"
)

// Version is the expctl version recorded in every result. It changes whenever the numbers
// a configuration produces change, even at rounding level.
var Version = "0.2.0"

// Build names this binary's arithmetic, recorded in every result: "go" for the default
// pure-Go build, "openblas" for -tags openblas. The two round differently, so the same
// configuration gives results that differ in the last digits between builds.
const Build = engine.BLAS

// Progress is reported after every evaluation.
type Progress struct {
	Step, Steps int
	Point       trialdir.Point
	Baseline    float64
	Metric      string
}

// TrialOptions controls how a trial runs, not what it computes.
type TrialOptions struct {
	// Progress, if set, is called after every evaluation.
	Progress func(Progress)
	// Now is the wall clock (time.Now when nil); only wall-clock fields use it.
	Now func() time.Time
	// CheckpointEvery saves the trial's state every that many steps (0: never), and when
	// the trial is interrupted. Checkpoints do not change results.
	CheckpointEvery int
	// Resume continues from the trial's checkpoint if it has one.
	Resume bool
	// Notice, if set, is told in one line of what the trial works around: a corrupt
	// checkpoint it cannot resume from.
	Notice func(string)
	// Resumed, if set, is called with the checkpoint's step when the trial continues from a
	// checkpoint, before it trains; a trial that starts from step 0 does not call it.
	Resumed func(step int)
	// InitParams, for a config whose InitParams field is set, are the initial weights
	// that field is the hash of (see [ReadInitParams]); they replace the weights drawn
	// from the seed. A config without the field must not be given any.
	InitParams *InitParams
	// PauseAt, when > 0, stops the trial once it has reached that step (after its
	// evaluation there): it saves a checkpoint and returns [ErrPaused] without a result. A
	// sweep pauses trials at the rungs of successive halving. A trial that finishes first
	// (solved, diverged, pruned) finishes.
	PauseAt int
	// PruneAt, when > 0, trains the trial up to that step and then finishes it with status
	// pruned by successive halving, PruneReason saying why.
	PruneAt     int
	PruneReason string
}

// ErrInterrupted is returned when the context is cancelled before the trial finishes. No
// result.json is written: the trial is not finished.
var ErrInterrupted = errors.New("trial interrupted")

// NoSpace reports whether err is a device out of space or a user out of quota. A trial
// that stops for it is not failed: it writes no result.json, and runs again, from its
// last checkpoint, once space is freed.
func NoSpace(err error) bool { return trialdir.NoSpace(err) }

// ErrBusy is returned when another process holds the trial's lock.
var ErrBusy = trialdir.ErrBusy

// trial is a prepared trial: validated config, task, data and network, and the state it
// carries from step to step.
type trial struct {
	cfg   experiments.Config
	task  datasets.Task
	net   *Network
	opt   *optimizer
	clip  experiments.Clip
	test  *datasets.Batch
	diag  *datasets.Batch // fixed batch for the gradient-flow record
	dir   string
	now   func() time.Time
	start time.Time
	st    *trialdir.Checkpoint
}

// initRNG derives the stream of initial weights from the trial seed, independent of the
// data streams (which package datasets derives from the same seed).
func initRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x696e6974)) } // "init"

func newTrial(cfg experiments.Config) (*trial, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Params > 0 {
		if h, err := experiments.HiddenForBudget(cfg.Cell, cfg.Task, cfg.Params); err != nil {
			return nil, err
		} else if h != cfg.Hidden {
			return nil, &experiments.ConfigError{Field: "hidden", Value: cfg.Hidden, Want: fmt.Sprintf("%d, the largest size within params %d (resolve the config first)", h, cfg.Params)}
		}
	}
	task, err := datasets.Lookup(cfg.Task)
	if err != nil {
		return nil, err
	}
	cell, err := models.New(cfg.Cell, models.Config{In: task.InDim, Hidden: cfg.Hidden, ForgetBias: cfg.ForgetBias})
	if err != nil {
		return nil, err
	}
	net, err := NewNetwork(cell, task.Loss, task.OutDim, cfg.TensorDtype(), initRNG(cfg.Seed))
	if err != nil {
		return nil, err
	}
	clip, _ := experiments.ParseClip(cfg.Clip)
	test, err := datasets.TestSet(task, cfg.Seed, cfg.T, cfg.TestSize)
	if err != nil {
		return nil, err
	}
	return &trial{cfg: cfg, task: task, net: net, opt: newOptimizer(cfg, net.Params), clip: clip, test: test,
		diag: test.Slice(0, min(cfg.Batch, test.Size)),
		st:   &trialdir.Checkpoint{Version: trialdir.CheckpointVersion, ID: cfg.ID(), Expctl: producer()}}, nil
}

// RunTrial trains one trial in the directory <out>/<cfg.ID()>; see [RunTrialIn].
func RunTrial(ctx context.Context, cfg experiments.Config, out string, opts TrialOptions) (*trialdir.Result, error) {
	if err := cfg.Validate(); err != nil { // before anything is created under out
		return nil, err
	}
	if err := CheckWritable(out); err != nil {
		return nil, err
	}
	return RunTrialIn(ctx, cfg, trialdir.TrialPath(out, cfg.ID()), opts)
}

// RunTrialIn trains one trial and writes its files into dir (see package trialdir): it
// returns the result, also written as result.json, and records its attempt in the
// trial's attempts file (see [trialdir.ReadAttempts]). A configuration error is a
// *experiments.ConfigError and nothing is written. A diverged trial is a result, not an
// error; so is a failed one, which is returned with its error. When ctx is cancelled the
// trial stops between steps, saves a checkpoint if checkpointing is on, and returns
// ErrInterrupted without a result.json. A full disk is not a failure either: the error
// (see [NoSpace]) names the file that could not be written, and no result.json is
// written. While it runs the trial holds a lock in dir; a second process asking for the
// same trial gets ErrBusy.
func RunTrialIn(ctx context.Context, cfg experiments.Config, dir string, opts TrialOptions) (*trialdir.Result, error) {
	tr, err := newTrial(cfg)
	if err != nil {
		return nil, err
	}
	if err := tr.setInit(opts.InitParams); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create trial directory: %w", err)
	}
	unlock, err := trialdir.Lock(dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	tr.dir = dir
	tr.now = opts.Now
	if tr.now == nil {
		tr.now = time.Now
	}
	tr.start = tr.now()
	if err := trialdir.WriteConfig(dir, cfg); err != nil {
		return nil, err
	}
	resumed, err := tr.resume(opts.Resume, opts.Notice)
	if err != nil {
		return nil, err
	}
	if err := trialdir.BeginAttempt(dir, tr.st.Step, resumed, tr.start); err != nil {
		return nil, err
	}
	if resumed && opts.Resumed != nil {
		opts.Resumed(tr.st.Step)
	}
	res, err := tr.run(ctx, opts)
	tr.endAttempt(res, err)
	return res, err
}

// endAttempt records how this process's attempt at the trial ended: res and err are what
// the trial returns. A record that cannot be written is not the trial's failure: the
// attempt then reads as killed.
func (tr *trial) endAttempt(res *trialdir.Result, err error) {
	end := trialdir.AttemptEnd{Step: tr.st.Step}
	switch {
	case res != nil:
		end.How, end.Status = trialdir.Finished, res.Status
	case errors.Is(err, ErrInterrupted):
		end.How = trialdir.Interrupted
	case errors.Is(err, ErrPaused):
		end.How = trialdir.Paused
	default:
		end.How = trialdir.Stopped
		if err != nil {
			end.Error = err.Error()
		}
	}
	trialdir.EndAttempt(tr.dir, end)
}

// CheckWritable creates out if needed and checks that files can be created in it; the
// error is a *experiments.ConfigError for the field "out".
func CheckWritable(out string) error {
	bad := func(err error) error {
		return &experiments.ConfigError{Field: "out", Value: strconv.Quote(out), Want: "a writable directory (" + err.Error() + ")"}
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return bad(err)
	}
	f, err := os.CreateTemp(out, ".expctl-probe-*")
	if err != nil {
		return bad(err)
	}
	f.Close()
	return os.Remove(f.Name())
}

// seconds is the wall-clock time the trial has run, over all its attempts.
func (tr *trial) seconds() float64 { return tr.st.Elapsed + tr.now().Sub(tr.start).Seconds() }

// fresh reports whether the trial starts from step 0 with nothing evaluated yet.
func (tr *trial) fresh() bool { return tr.st.Step == 0 && len(tr.st.Curve) == 0 }

// result is the trial's result so far, without status.
func (tr *trial) result() *trialdir.Result {
	return &trialdir.Result{ID: tr.cfg.ID(), Metric: tr.task.MetricName, Baseline: tr.task.Baseline(tr.cfg.T),
		Criterion: tr.cfg.Criterion(tr.task), Params: tr.net.NumParams(), Version: Version, Build: Build, Provenance: provenance(),
		SolvedAtStep: tr.st.SolvedAt, TestLoss: tr.st.TestLoss, TestMetric: tr.st.TestMetr}
}

// run trains from the current step to the end of the budget, evaluating every EvalEvery
// steps and checkpointing every opts.CheckpointEvery, and writes the result.
func (tr *trial) run(ctx context.Context, opts TrialOptions) (*trialdir.Result, error) {
	res := tr.result()
	stop, err := tr.begin(res, opts.Progress)
	for err == nil && !stop && tr.st.Step < tr.cfg.Steps {
		if ctx.Err() != nil {
			return nil, tr.interrupted(opts)
		}
		if opts.PruneAt > 0 && tr.st.Step >= opts.PruneAt {
			res.Status = trialdir.Pruned
			res.Pruned = &trialdir.Pruning{Step: tr.st.Step, Rule: trialdir.PruneHalving, Reason: opts.PruneReason}
			break
		}
		if opts.PauseAt > 0 && tr.st.Step >= opts.PauseAt {
			if err := tr.checkpoint(); err != nil {
				return nil, err
			}
			return nil, ErrPaused
		}
		stop, err = tr.advance(res, opts)
	}
	return tr.conclude(res, err)
}

// begin evaluates the untrained network of a fresh trial; a trial resumed right after an
// evaluation redoes that evaluation's stop decision instead.
func (tr *trial) begin(res *trialdir.Result, progress func(Progress)) (stop bool, err error) {
	st := tr.st
	if tr.fresh() {
		return tr.evaluateAt(0, res, progress)
	}
	if n := len(st.Curve); n > 0 && st.Curve[n-1].Step == st.Step {
		return tr.decide(st.Curve[n-1], res), nil
	}
	return false, nil
}

// advance runs the next training step, then the evaluation and checkpoint that are due
// after it.
func (tr *trial) advance(res *trialdir.Result, opts TrialOptions) (stop bool, err error) {
	cfg, st := tr.cfg, tr.st
	step := st.Step + 1
	if diverged, err := tr.trainStep(step, res); err != nil || diverged {
		return true, err
	}
	st.Step = step
	if step%cfg.EvalEvery == 0 || step == cfg.Steps {
		if stop, err = tr.evaluateAt(step, res, opts.Progress); err != nil || stop {
			return stop, err
		}
	}
	if opts.CheckpointEvery > 0 && step%opts.CheckpointEvery == 0 && step < cfg.Steps {
		return false, tr.checkpoint()
	}
	return false, nil
}

// interrupted saves a checkpoint, if checkpointing is on, for a trial whose context was
// cancelled, and returns ErrInterrupted.
func (tr *trial) interrupted(opts TrialOptions) error {
	if opts.CheckpointEvery > 0 {
		if err := tr.checkpoint(); err != nil {
			return errors.Join(ErrInterrupted, err)
		}
	}
	return ErrInterrupted
}

// conclude completes res from the trial's state and writes it; err, the error that ended
// the trial, makes it a failure.
func (tr *trial) conclude(res *trialdir.Result, err error) (*trialdir.Result, error) {
	st := tr.st
	res.StepsRun = st.Step
	res.SolvedAtStep, res.TestLoss, res.TestMetric = st.SolvedAt, st.TestLoss, st.TestMetr
	if err != nil && NoSpace(err) {
		// Not the trial's failure: leave it unfinished, to run again once space is freed.
		return nil, fmt.Errorf("trial %s: %w", res.ID, err)
	}
	if err != nil {
		// Record the failure so that a sweep sees a finished trial and can report it.
		err = fmt.Errorf("trial %s: %w", res.ID, err)
		res.Status, res.Error = trialdir.Failed, err.Error()
		if _, werr := tr.finish(res); werr != nil {
			return nil, errors.Join(err, werr)
		}
		return res, err
	}
	if res.Status == "" {
		res.Status = trialdir.Unsolved
		if res.SolvedAtStep != nil {
			res.Status = trialdir.Solved
		}
	}
	return tr.finish(res)
}

// finish writes params.npz, then result.json (last, atomically), and drops the checkpoint.
func (tr *trial) finish(res *trialdir.Result) (*trialdir.Result, error) {
	res.WallSeconds = tr.seconds()
	if err := trialdir.WriteParams(tr.dir, tr.net.Arrays()); err != nil {
		return nil, err
	}
	if err := trialdir.WriteResult(tr.dir, res); err != nil {
		return nil, err
	}
	trialdir.RemoveCheckpoint(tr.dir)
	return res, nil
}

// trainStep runs training step number step (1-based). A non-finite loss or gradient ends
// the trial as diverged: the step is recorded in the curve and res, and diverged is true.
func (tr *trial) trainStep(step int, res *trialdir.Result) (diverged bool, err error) {
	cfg, st := tr.cfg, tr.st
	b, err := datasets.TrainBatch(tr.task, cfg.Seed, cfg.T, cfg.Batch, step-1)
	if err != nil {
		return false, err
	}
	g, err := tr.net.Backprop(b, nil)
	if err != nil {
		return false, err
	}
	norm, clipped := clip(tr.clip, g.Params)
	if !isFinite(g.Loss) || !isFinite(norm) {
		st.Step = step
		res.Status = trialdir.Diverged
		res.Error = fmt.Sprintf("training loss %v, gradient norm %v at step %d", g.Loss, norm, step)
		st.TestLoss, st.TestMetr = nil, nil
		return true, tr.recordCurve(trialdir.Point{Step: step, TrainLoss: g.Loss, TestLoss: math.NaN(),
			TestMetric: math.NaN(), GradNorm: norm, ClipRate: math.NaN(), Seconds: tr.seconds()})
	}
	if err := tr.opt.step(tr.net.Params, g.Params); err != nil {
		return false, err
	}
	st.SumLoss, st.SumNorm, st.NWindow = st.SumLoss+g.Loss, st.SumNorm+norm, st.NWindow+1
	if clipped {
		st.NClipped++
	}
	return false, nil
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func ptr[T any](v T) *T { return &v }
