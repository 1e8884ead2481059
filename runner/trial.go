package runner

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/expctl/expctl/datasets"
	"github.com/expctl/expctl/models"
	"github.com/expctl/expctl/results"
)

// Version is the expctl version recorded in every result.
var Version = "0.1.0"

// evalChunk is the number of test sequences evaluated at once.
const evalChunk = 250

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
}

// ErrInterrupted is returned when the context is cancelled before the trial finishes. No
// result.json is written: the trial is not finished.
var ErrInterrupted = errors.New("trial interrupted")

// Trial is a prepared trial: validated config, task, data and network.
type trial struct {
	cfg   Config
	task  datasets.Task
	net   *Network
	opt   *optimizer
	clip  Clip
	test  *datasets.Batch
	dir   string
	now   func() time.Time
	start time.Time
}

// initSeed derives the stream of initial weights from the trial seed, independent of the
// data streams (which package datasets derives from the same seed).
func initRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x696e6974)) } // "init"

func newTrial(cfg Config) (*trial, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	task, err := datasets.Lookup(cfg.Task)
	if err != nil {
		return nil, err
	}
	cell, err := models.New(cfg.Cell, models.Config{In: task.InDim(), Hidden: cfg.Hidden, ForgetBias: cfg.ForgetBias})
	if err != nil {
		return nil, err
	}
	net, err := NewNetwork(cell, lossKind(task), task.OutDim(), cfg.dtype(), initRNG(cfg.Seed))
	if err != nil {
		return nil, err
	}
	clip, _ := ParseClip(cfg.Clip)
	test, err := datasets.TestSet(task, cfg.Seed, cfg.T, cfg.TestSize)
	if err != nil {
		return nil, err
	}
	return &trial{cfg: cfg, task: task, net: net, opt: newOptimizer(cfg, net.Params), clip: clip, test: test}, nil
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

// RunTrial trains one trial and writes its directory under out (see package results): it
// returns the result, also written as result.json. A configuration error is a
// *ConfigError and nothing is written. A diverged trial is a result, not an error. When ctx
// is cancelled the trial stops between steps and returns ErrInterrupted; the files written
// so far are complete, and result.json is absent.
func RunTrial(ctx context.Context, cfg Config, out string, opts TrialOptions) (*results.Result, error) {
	tr, err := newTrial(cfg)
	if err != nil {
		return nil, err
	}
	if err := CheckWritable(out); err != nil {
		return nil, err
	}
	tr.dir = filepath.Join(out, cfg.ID())
	if err := os.MkdirAll(tr.dir, 0o755); err != nil {
		return nil, fmt.Errorf("create trial directory: %w", err)
	}
	tr.now = opts.Now
	if tr.now == nil {
		tr.now = time.Now
	}
	tr.start = tr.now()
	if err := results.WriteJSON(filepath.Join(tr.dir, results.ConfigFile), cfg); err != nil {
		return nil, err
	}
	return tr.run(ctx, opts)
}

// CheckWritable creates out if needed and checks that files can be created in it; the
// error is a *ConfigError for the field "out".
func CheckWritable(out string) error {
	bad := func(err error) error {
		return &ConfigError{"out", strconv.Quote(out), "a writable directory (" + err.Error() + ")"}
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

func (tr *trial) seconds() float64 { return tr.now().Sub(tr.start).Seconds() }

func (tr *trial) run(ctx context.Context, opts TrialOptions) (*results.Result, error) {
	cfg := tr.cfg
	res := &results.Result{ID: cfg.ID(), Metric: tr.task.MetricName(), Baseline: tr.task.Baseline(cfg.T),
		Criterion: cfg.criterion(tr.task), Params: tr.net.NumParams(), Version: Version}
	var curve []results.Point
	var sumLoss, sumNorm float64
	var nClipped, nWindow int

	// record evaluates at step, appends a curve row and reports whether the run should stop.
	record := func(step int) (stop bool, err error) {
		p := results.Point{Step: step, TrainLoss: math.NaN(), GradNorm: math.NaN(), ClipRate: math.NaN()}
		if nWindow > 0 {
			w := float64(nWindow)
			p.TrainLoss, p.GradNorm, p.ClipRate = sumLoss/w, sumNorm/w, float64(nClipped)/w
		}
		sumLoss, sumNorm, nClipped, nWindow = 0, 0, 0, 0
		if p.TestLoss, p.TestMetric, err = tr.evaluate(); err != nil {
			return true, err
		}
		p.Seconds = tr.seconds()
		curve = append(curve, p)
		if err := results.WriteCurve(tr.dir, curve); err != nil {
			return true, err
		}
		if opts.Progress != nil {
			opts.Progress(Progress{Step: step, Steps: cfg.Steps, Point: p, Baseline: res.Baseline, Metric: res.Metric})
		}
		res.StepsRun = step
		if !isFinite(p.TestLoss) {
			res.Status, res.Error = results.Diverged, fmt.Sprintf("test loss %v at step %d", p.TestLoss, step)
			return true, nil
		}
		res.TestLoss, res.TestMetric = ptr(p.TestLoss), ptr(p.TestMetric)
		if res.SolvedAtStep == nil && cfg.solved(tr.task, p.TestLoss, p.TestMetric) {
			res.SolvedAtStep = ptr(step)
		}
		return res.SolvedAtStep != nil && !cfg.KeepGoing, nil
	}

	stop, err := record(0)
	for step := 1; err == nil && !stop && step <= cfg.Steps; step++ {
		if ctx.Err() != nil {
			return nil, ErrInterrupted
		}
		var b *datasets.Batch
		if b, err = datasets.TrainBatch(tr.task, cfg.Seed, cfg.T, cfg.Batch, step-1); err != nil {
			break
		}
		var g *Gradients
		if g, err = tr.net.Backprop(b, nil); err != nil {
			break
		}
		norm, clipped := clip(tr.clip, g.Params)
		if !isFinite(g.Loss) || !isFinite(norm) {
			res.StepsRun, res.Status = step, results.Diverged
			res.Error = fmt.Sprintf("training loss %v, gradient norm %v at step %d", g.Loss, norm, step)
			res.TestLoss, res.TestMetric = nil, nil
			curve = append(curve, results.Point{Step: step, TrainLoss: g.Loss, TestLoss: math.NaN(),
				TestMetric: math.NaN(), GradNorm: norm, ClipRate: math.NaN(), Seconds: tr.seconds()})
			if err = results.WriteCurve(tr.dir, curve); err != nil {
				break
			}
			return tr.finish(res)
		}
		if err = tr.opt.step(tr.net.Params, g.Params); err != nil {
			break
		}
		sumLoss, sumNorm, nWindow = sumLoss+g.Loss, sumNorm+norm, nWindow+1
		if clipped {
			nClipped++
		}
		if step%cfg.EvalEvery == 0 || step == cfg.Steps {
			stop, err = record(step)
		}
	}
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

func (tr *trial) finish(res *results.Result) (*results.Result, error) {
	res.WallSeconds = tr.seconds()
	if err := results.WriteJSON(filepath.Join(tr.dir, results.ResultFile), res); err != nil {
		return nil, err
	}
	return res, nil
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func ptr[T any](v T) *T { return &v }
