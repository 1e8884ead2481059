package runner

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"time"

	"github.com/expctl/expctl/datasets"
	"github.com/expctl/expctl/experiments"
	"github.com/expctl/expctl/models"
)

// BenchConfig describes a training-step benchmark: the network and batch of one trial,
// trained with the trial defaults (Adam, lr 1e-3, clip norm:1; see [experiments.DefaultConfig]) on
// one fixed training batch.
type BenchConfig struct {
	Cell  string // models cell name
	Task  string // datasets task name
	Dtype string // float32 | float64

	T      int // dependency length
	Hidden int // hidden size H
	Batch  int // sequences per step B

	Steps  int // timed steps (≥ 1)
	Warmup int // untimed steps before them (≥ 1): the first compiles the step programs

	Seed uint64 // initial weights and the training batch
}

// DefaultBenchConfig returns an lstm on the adding problem at T=100, H=128, B=32, float32,
// with 5 timed steps after 1 warm-up step.
func DefaultBenchConfig() BenchConfig {
	return BenchConfig{Cell: "lstm", Task: "adding", Dtype: "float32", T: 100, Hidden: 128, Batch: 32,
		Steps: 5, Warmup: 1, Seed: 1}
}

// trialConfig is the trial whose training step is timed.
func (c BenchConfig) trialConfig() experiments.Config {
	cfg := experiments.DefaultConfig()
	cfg.Cell, cfg.Task, cfg.Dtype = c.Cell, c.Task, c.Dtype
	cfg.T, cfg.Hidden, cfg.Batch, cfg.Steps, cfg.Seed = c.T, c.Hidden, c.Batch, c.Steps, c.Seed
	cfg.TestSize = 1 // the benchmark never evaluates
	return cfg
}

// Validate checks every field and returns a *experiments.ConfigError for the first bad one, with the
// field named as in [experiments.Config] ("cell", "T", "dtype", ...) or "warmup".
func (c BenchConfig) Validate() error {
	if err := c.trialConfig().Validate(); err != nil {
		return err
	}
	if c.Warmup < 1 {
		return &experiments.ConfigError{Field: "warmup", Value: c.Warmup, Want: "an integer ≥ 1 (the first step compiles the programs)"}
	}
	return nil
}

// String names the benchmark, e.g. "lstm adding T=100 H=128 B=32 float32".
func (c BenchConfig) String() string {
	return fmt.Sprintf("%s %s T=%d H=%d B=%d %s", c.Cell, c.Task, c.T, c.Hidden, c.Batch, c.Dtype)
}

// BenchResult holds the timings of the steps of one or more benchmark runs of a config
// (see [BenchResult.Merge]).
//
// The FLOP model counts the multiply-adds of the cell's weight matrices only: at each of
// the L time steps, a weight matrix of P scalars multiplies a batch of B columns forward
// (2·P·B floating-point operations) and twice backward, once for the gradient of the
// weights and once for the gradient of its input (4·P·B), so a step costs 6·P·B·L. P is
// [BenchResult.MatrixParams]: the scalars of the cell's matrices, for rnn, lstm and gru
// exactly those that multiply [x_t; h_{t-1}] (H(D+H), 4H(D+H) and 3H(D+H)); bias and
// peephole vectors, nonlinearities, the readout and the optimizer are left out, and so is
// the forward pass that expctl repeats during backpropagation. It is a model of the work
// any implementation must do, the same for all of them, not a count of what one executes.
type BenchResult struct {
	Config       BenchConfig
	Len          int // sequence length L: time steps per sequence (T for adding, T+20 for copy)
	Params       int // trainable scalars of the network, readout included
	MatrixParams int // P of the FLOP model: scalars of the cell's weight matrices

	Steps  []time.Duration // wall time of each timed step
	Bytes  uint64          // heap bytes allocated over the timed steps
	Allocs uint64          // heap objects allocated over the timed steps
}

// Median is the median step time (the mean of the middle two for an even count).
func (r *BenchResult) Median() time.Duration {
	n := len(r.Steps)
	if n == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(r.Steps))
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Min is the fastest step.
func (r *BenchResult) Min() time.Duration {
	if len(r.Steps) == 0 {
		return 0
	}
	return slices.Min(r.Steps)
}

// Max is the slowest step.
func (r *BenchResult) Max() time.Duration {
	if len(r.Steps) == 0 {
		return 0
	}
	return slices.Max(r.Steps)
}

// BytesPerStep is the heap allocated per timed step, in bytes.
func (r *BenchResult) BytesPerStep() float64 { return perStep(r.Bytes, len(r.Steps)) }

// AllocsPerStep is the number of heap objects allocated per timed step.
func (r *BenchResult) AllocsPerStep() float64 { return perStep(r.Allocs, len(r.Steps)) }

func perStep(total uint64, steps int) float64 {
	if steps == 0 {
		return 0
	}
	return float64(total) / float64(steps)
}

// FLOPsPerStep is the work of one step in the FLOP model: 6·P·B·L.
func (r *BenchResult) FLOPsPerStep() float64 {
	return 6 * float64(r.MatrixParams) * float64(r.Config.Batch) * float64(r.Len)
}

// GFLOPS is the FLOP model's rate at the median step time, in 10⁹ operations per second.
func (r *BenchResult) GFLOPS() float64 {
	m := r.Median()
	if m <= 0 {
		return 0
	}
	return r.FLOPsPerStep() / m.Seconds() / 1e9
}

// Merge adds the steps and allocations of o, a run of the same config, to r.
func (r *BenchResult) Merge(o *BenchResult) error {
	if o.Config != r.Config {
		return fmt.Errorf("merge bench results: %s is not %s", o.Config, r.Config)
	}
	r.Steps = append(r.Steps, o.Steps...)
	r.Bytes += o.Bytes
	r.Allocs += o.Allocs
	return nil
}

// MatrixParams is P of the FLOP model for the cell params: the scalars of its weight
// matrices (parameters with more than one column; biases and peepholes are vectors).
func MatrixParams(params []models.ParamSpec) int {
	n := 0
	for _, p := range params {
		if p.Cols > 1 {
			n += p.Size()
		}
	}
	return n
}

// BenchSteps times training steps of a fresh network built from c. One step is what a
// trial does at every step: backpropagation through time over the batch (forward L
// steps, then back), global-norm clipping, and an Adam update. Every step trains on the
// same batch (training batch 0 of c.Seed). The c.Warmup steps before the timed ones are
// not measured; the first of them compiles the step programs. The heap is collected
// before the timed steps, and the allocation counts are the differences of the runtime's
// cumulative statistics across them. The caller chooses GOMAXPROCS.
//
// An invalid config is a *experiments.ConfigError. Cancelling ctx stops between two steps with an
// error that wraps ctx.Err().
func BenchSteps(ctx context.Context, c BenchConfig) (*BenchResult, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	task, err := datasets.Lookup(c.Task)
	if err != nil {
		return nil, err
	}
	tr, err := newTrial(c.trialConfig())
	if err != nil {
		return nil, fmt.Errorf("bench %s: %w", c, err)
	}
	batch, err := datasets.TrainBatch(task, c.Seed, c.T, c.Batch, 0)
	if err != nil {
		return nil, fmt.Errorf("bench %s: %w", c, err)
	}
	step := func() error {
		g, err := tr.net.Backprop(batch, nil)
		if err != nil {
			return err
		}
		clip(tr.clip, g.Params)
		return tr.opt.step(tr.net.Params, g.Params)
	}
	res := &BenchResult{Config: c, Len: task.Len(c.T), Params: tr.net.NumParams(),
		MatrixParams: MatrixParams(tr.net.Cell.Params()), Steps: make([]time.Duration, 0, c.Steps)}
	for i := 0; i < c.Warmup; i++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("bench %s: %w", c, err)
		}
		if err := step(); err != nil {
			return nil, fmt.Errorf("bench %s: warm-up step %d: %w", c, i+1, err)
		}
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 0; i < c.Steps; i++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("bench %s: %w", c, err)
		}
		start := time.Now()
		if err := step(); err != nil {
			return nil, fmt.Errorf("bench %s: step %d: %w", c, i+1, err)
		}
		res.Steps = append(res.Steps, time.Since(start))
	}
	runtime.ReadMemStats(&after)
	res.Bytes = after.TotalAlloc - before.TotalAlloc
	res.Allocs = after.Mallocs - before.Mallocs
	return res, nil
}
