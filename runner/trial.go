package runner

import (
	"context"
	"errors"
	"fmt"
	"github.com/expctl/expctl/experiments"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/expctl/expctl/datasets"
	"github.com/expctl/expctl/models"
	"github.com/expctl/expctl/models/engine"
	"github.com/expctl/expctl/results"
)

// Version is the expctl version recorded in every result. It changes whenever the numbers
// a configuration produces change, even at rounding level.
var Version = "0.2.0"

// Build names this binary's arithmetic, recorded in every result: "go" for the default
// pure-Go build, "openblas" for -tags openblas. The two round differently, so the same
// configuration gives results that differ in the last digits between builds.
const Build = engine.BLAS

// evalChunk is the number of test sequences evaluated at once.
const evalChunk = 250

// lockFile is held (flock) by the process running a trial.
const lockFile = ".lock"

// Progress is reported after every evaluation.
type Progress struct {
	Step, Steps int
	Point       results.Point
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
}

// ErrInterrupted is returned when the context is cancelled before the trial finishes. No
// result.json is written: the trial is not finished.
var ErrInterrupted = errors.New("trial interrupted")

// ErrBusy is returned when another process holds the trial's lock.
var ErrBusy = errors.New("trial is being run by another process")

// trial is a prepared trial: validated config, task, data and network.
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
	st    *state
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
		diag: test.Slice(0, min(cfg.Batch, test.Size)), st: &state{Version: checkpointVersion, ID: cfg.ID(), Expctl: producer()}}, nil
}

// evaluate returns the loss and metric on the held-out set.
func (tr *trial) evaluate() (loss, metric float64, err error) {
	n := tr.test.Size
	for lo := 0; lo < n; lo += evalChunk {
		hi := min(lo+evalChunk, n)
		b := tr.test.Slice(lo, hi)
		out, err := tr.net.Forward(b)
		if err != nil {
			return 0, 0, err
		}
		w := float64(hi-lo) / float64(n)
		loss += w * out.Loss
		metric += w * tr.task.Metric(b, out.Y)
	}
	return loss, metric, nil
}

// RunTrial trains one trial in the directory <out>/<cfg.ID()>; see [RunTrialIn].
func RunTrial(ctx context.Context, cfg experiments.Config, out string, opts TrialOptions) (*results.Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := CheckWritable(out); err != nil {
		return nil, err
	}
	return RunTrialIn(ctx, cfg, filepath.Join(out, cfg.ID()), opts)
}

// RunTrialIn trains one trial and writes its files into dir (see package results): it
// returns the result, also written as result.json. A configuration error is a
// *experiments.ConfigError and nothing is written. A diverged trial is a result, not an error; so is a
// failed one, which is returned with its error. When ctx is cancelled the trial stops
// between steps, saves a checkpoint if checkpointing is on, and returns ErrInterrupted
// without a result.json. While it runs the trial holds a lock in dir; a second process
// asking for the same trial gets ErrBusy.
func RunTrialIn(ctx context.Context, cfg experiments.Config, dir string, opts TrialOptions) (*results.Result, error) {
	tr, err := newTrial(cfg)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create trial directory: %w", err)
	}
	unlock, err := lockTrial(dir)
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
	if err := results.WriteJSON(filepath.Join(dir, results.ConfigFile), cfg); err != nil {
		return nil, err
	}
	if opts.Resume {
		st, err := loadCheckpoint(dir, cfg.ID())
		if err != nil {
			return nil, err
		}
		if st != nil {
			if err := tr.restore(st); err != nil {
				return nil, err
			}
		}
	}
	if tr.st.Step == 0 && len(tr.st.Curve) == 0 {
		// A fresh start: drop what an earlier, unfinished attempt appended.
		for _, f := range []string{results.GradFlowFile, results.SpectraFile} {
			if err := os.Remove(filepath.Join(dir, f)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("start trial: %w", err)
			}
		}
	}
	return tr.run(ctx, opts)
}

// lockTrial takes an exclusive, non-blocking flock on dir/.lock. The kernel drops it when
// the process dies, so a killed run never leaves a stale lock.
func lockTrial(dir string) (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock trial: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s: %w", dir, ErrBusy)
		}
		return nil, fmt.Errorf("lock trial: %w", err)
	}
	return func() { f.Close() }, nil
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

func (tr *trial) seconds() float64 { return tr.st.Elapsed + tr.now().Sub(tr.start).Seconds() }

// snapshot copies parameters and optimizer state into tr.st.
func (tr *trial) snapshot() {
	tr.st.Params = tr.st.Params[:0]
	for _, p := range tr.net.Params {
		tr.st.Params = append(tr.st.Params, float64s(p))
	}
	tr.st.OptT, tr.st.OptM, tr.st.OptV = tr.opt.t, tr.opt.m, tr.opt.v
}

func (tr *trial) checkpoint() error {
	tr.snapshot()
	elapsed := tr.st.Elapsed
	tr.st.Elapsed = tr.seconds()
	err := saveCheckpoint(tr.dir, tr.st)
	tr.st.Elapsed = elapsed
	return err
}

// restore continues from a checkpoint.
func (tr *trial) restore(st *state) error {
	if len(st.Params) != len(tr.net.Params) || len(st.OptM) != len(tr.net.Params) || len(st.OptV) != len(tr.net.Params) {
		return fmt.Errorf("checkpoint in %s does not match the network", tr.dir)
	}
	for i, p := range tr.net.Params {
		if len(st.Params[i]) != p.Shape().TotalSize() || len(st.OptM[i]) != len(st.Params[i]) || len(st.OptV[i]) != len(st.Params[i]) {
			return fmt.Errorf("checkpoint in %s does not match parameter %s", tr.dir, tr.net.Specs[i].Name)
		}
		setFloat64s(p, st.Params[i])
	}
	tr.opt.t, tr.opt.m, tr.opt.v = st.OptT, st.OptM, st.OptV
	tr.st = st
	// Rows written after the checkpoint belong to steps that will be run again.
	if err := results.TruncateGradFlow(tr.dir, st.Step); err != nil {
		return err
	}
	if err := results.TruncateSpectra(tr.dir, st.Step); err != nil {
		return err
	}
	return results.WriteCurve(tr.dir, st.Curve)
}

func (tr *trial) result() *results.Result {
	return &results.Result{ID: tr.cfg.ID(), Metric: tr.task.MetricName, Baseline: tr.task.Baseline(tr.cfg.T),
		Criterion: tr.cfg.Criterion(tr.task), Params: tr.net.NumParams(), Version: Version, Build: Build,
		SolvedAtStep: tr.st.SolvedAt, TestLoss: tr.st.TestLoss, TestMetric: tr.st.TestMetr}
}

// record evaluates after step, appends a curve row and reports whether training should
// stop: solved (and not keep-going) or diverged (status set in res).
func (tr *trial) record(step int, res *results.Result, progress func(Progress)) (stop bool, err error) {
	st := tr.st
	p := results.Point{Step: step, TrainLoss: math.NaN(), GradNorm: math.NaN(), ClipRate: math.NaN()}
	if st.NWindow > 0 {
		w := float64(st.NWindow)
		p.TrainLoss, p.GradNorm, p.ClipRate = st.SumLoss/w, st.SumNorm/w, float64(st.NClipped)/w
	}
	st.SumLoss, st.SumNorm, st.NClipped, st.NWindow = 0, 0, 0, 0
	if p.TestLoss, p.TestMetric, err = tr.evaluate(); err != nil {
		return true, err
	}
	if err := tr.recordGradFlow(step); err != nil {
		return true, err
	}
	p.Seconds = tr.seconds()
	st.Curve = append(st.Curve, p)
	if err := results.WriteCurve(tr.dir, st.Curve); err != nil {
		return true, err
	}
	if progress != nil {
		progress(Progress{Step: step, Steps: tr.cfg.Steps, Point: p, Baseline: res.Baseline, Metric: res.Metric})
	}
	if !isFinite(p.TestLoss) {
		res.Status, res.Error = results.Diverged, fmt.Sprintf("test loss %v at step %d", p.TestLoss, step)
		st.TestLoss, st.TestMetr = nil, nil
		return true, nil
	}
	st.TestLoss, st.TestMetr = ptr(p.TestLoss), ptr(p.TestMetric)
	if st.SolvedAt == nil && tr.cfg.Solved(tr.task, p.TestLoss, p.TestMetric) {
		st.SolvedAt = ptr(step)
	}
	return st.SolvedAt != nil && !tr.cfg.KeepGoing, nil
}

func (tr *trial) run(ctx context.Context, opts TrialOptions) (*results.Result, error) {
	cfg, st := tr.cfg, tr.st
	res := tr.result()
	var stop bool
	var err error
	if st.Step == 0 && len(st.Curve) == 0 {
		stop, err = tr.record(0, res, opts.Progress)
	} else if n := len(st.Curve); n > 0 && st.Curve[n-1].Step == st.Step {
		// Resumed right after an evaluation: redo its stop decision.
		stop = !isFinite(st.Curve[n-1].TestLoss) || (st.SolvedAt != nil && !cfg.KeepGoing)
		if !isFinite(st.Curve[n-1].TestLoss) {
			res.Status, res.Error = results.Diverged, fmt.Sprintf("test loss %v at step %d", st.Curve[n-1].TestLoss, st.Step)
		}
	}
	for err == nil && !stop && st.Step < cfg.Steps {
		if ctx.Err() != nil {
			if opts.CheckpointEvery > 0 {
				if err := tr.checkpoint(); err != nil {
					return nil, errors.Join(ErrInterrupted, err)
				}
			}
			return nil, ErrInterrupted
		}
		step := st.Step + 1
		var diverged bool
		if diverged, err = tr.trainStep(step, res); err != nil || diverged {
			break
		}
		st.Step = step
		if step%cfg.EvalEvery == 0 || step == cfg.Steps {
			stop, err = tr.record(step, res, opts.Progress)
		}
		if err == nil && !stop && opts.CheckpointEvery > 0 && step%opts.CheckpointEvery == 0 && step < cfg.Steps {
			err = tr.checkpoint()
		}
	}
	res.StepsRun = st.Step
	res.SolvedAtStep, res.TestLoss, res.TestMetric = st.SolvedAt, st.TestLoss, st.TestMetr
	if err != nil {
		// Record the failure so that a sweep sees a finished trial and can report it.
		err = fmt.Errorf("trial %s: %w", res.ID, err)
		res.Status, res.Error = results.Failed, err.Error()
		if _, werr := tr.finish(res); werr != nil {
			return nil, errors.Join(err, werr)
		}
		return res, err
	}
	if res.Status == "" {
		res.Status = results.Unsolved
		if res.SolvedAtStep != nil {
			res.Status = results.Solved
		}
	}
	return tr.finish(res)
}

// trainStep runs training step number step (1-based). A non-finite loss or gradient ends
// the trial as diverged: the step is recorded in the curve and res, and diverged is true.
func (tr *trial) trainStep(step int, res *results.Result) (diverged bool, err error) {
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
		res.Status = results.Diverged
		res.Error = fmt.Sprintf("training loss %v, gradient norm %v at step %d", g.Loss, norm, step)
		st.TestLoss, st.TestMetr = nil, nil
		st.Curve = append(st.Curve, results.Point{Step: step, TrainLoss: g.Loss, TestLoss: math.NaN(),
			TestMetric: math.NaN(), GradNorm: norm, ClipRate: math.NaN(), Seconds: tr.seconds()})
		return true, results.WriteCurve(tr.dir, st.Curve)
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

// finish writes result.json (last, atomically) and drops the checkpoint.
func (tr *trial) finish(res *results.Result) (*results.Result, error) {
	res.WallSeconds = tr.seconds()
	if err := results.WriteJSON(filepath.Join(tr.dir, results.ResultFile), res); err != nil {
		return nil, err
	}
	os.Remove(filepath.Join(tr.dir, CheckpointFile))
	return res, nil
}

// recordGradFlow appends ‖∂C/∂h_t‖ for every t of the diagnostic batch at this step, and
// the largest singular value of every recurrent block.
func (tr *trial) recordGradFlow(step int) error {
	g, err := tr.net.Backprop(tr.diag, nil)
	if err != nil {
		return fmt.Errorf("gradient flow: %w", err)
	}
	rows := make([]results.FlowPoint, len(g.HNorm))
	for t, n := range g.HNorm {
		rows[t] = results.FlowPoint{Step: step, T: t, Lag: len(g.HNorm) - 1 - t, Norm: n}
	}
	if err := results.AppendGradFlow(tr.dir, rows); err != nil {
		return err
	}
	return results.AppendSpectra(tr.dir, tr.net.spectra(step))
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func ptr[T any](v T) *T { return &v }
