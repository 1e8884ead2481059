package runner

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/expctl/expctl/experiments"
)

func tinyBench(cell, task string, T int) BenchConfig {
	c := DefaultBenchConfig()
	c.Cell, c.Task, c.T, c.Hidden, c.Batch, c.Steps = cell, task, T, 4, 3, 2
	return c
}

// TestBenchSteps: every timed step is recorded with its allocations, and the FLOP model
// counts the cell's weight matrices over the whole sequence.
func TestBenchSteps(t *testing.T) {
	for _, tc := range []struct {
		cell, task string
		T, L, P    int
	}{
		{"rnn", "adding", 5, 5, 4 * (2 + 4)},
		{"lstm", "adding", 5, 5, 4 * 4 * (2 + 4)},
		{"gru", "adding", 5, 5, 3 * 4 * (2 + 4)},
		{"gru", "copy", 2, 22, 3 * 4 * (10 + 4)},
	} {
		c := tinyBench(tc.cell, tc.task, tc.T)
		res, err := BenchSteps(context.Background(), c)
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		if len(res.Steps) != c.Steps || res.Config != c {
			t.Errorf("%s: %d steps, config %+v", c, len(res.Steps), res.Config)
		}
		for _, d := range res.Steps {
			if d <= 0 {
				t.Errorf("%s: step time %v", c, d)
			}
		}
		if res.Bytes == 0 || res.Allocs == 0 || res.BytesPerStep() != float64(res.Bytes)/2 {
			t.Errorf("%s: %d bytes, %d allocations", c, res.Bytes, res.Allocs)
		}
		if res.Len != tc.L || res.MatrixParams != tc.P {
			t.Errorf("%s: L=%d P=%d, want %d and %d", c, res.Len, res.MatrixParams, tc.L, tc.P)
		}
		want, err := experiments.NetworkParams(c.Cell, c.Task, c.Hidden)
		if err != nil || res.Params != want {
			t.Errorf("%s: %d parameters, want %d (%v)", c, res.Params, want, err)
		}
		if f := res.FLOPsPerStep(); f != float64(6*tc.P*c.Batch*tc.L) {
			t.Errorf("%s: %g FLOPs per step", c, f)
		}
		if g := res.GFLOPS(); !(g > 0) {
			t.Errorf("%s: %g GFLOP/s", c, g)
		}
	}
}

// TestBenchConfigInvalid: each bad field is a *experiments.ConfigError naming it, before anything runs.
func TestBenchConfigInvalid(t *testing.T) {
	for _, tc := range []struct {
		field string
		edit  func(*BenchConfig)
	}{
		{"cell", func(c *BenchConfig) { c.Cell = "lsmt" }},
		{"task", func(c *BenchConfig) { c.Task = "sort" }},
		{"T", func(c *BenchConfig) { c.T = 1 }},
		{"dtype", func(c *BenchConfig) { c.Dtype = "float16" }},
		{"hidden", func(c *BenchConfig) { c.Hidden = 0 }},
		{"batch", func(c *BenchConfig) { c.Batch = 0 }},
		{"steps", func(c *BenchConfig) { c.Steps = 0 }},
		{"warmup", func(c *BenchConfig) { c.Warmup = 0 }},
	} {
		c := tinyBench("rnn", "adding", 5)
		tc.edit(&c)
		_, err := BenchSteps(context.Background(), c)
		var ce *experiments.ConfigError
		if !errors.As(err, &ce) || ce.Field != tc.field {
			t.Errorf("%s: %v, want a experiments.ConfigError for %s", tc.field, err, tc.field)
		}
	}
	if err := DefaultBenchConfig().Validate(); err != nil {
		t.Errorf("default: %v", err)
	}
}

func TestBenchStepsCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := BenchSteps(ctx, tinyBench("lstm", "adding", 5)); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

func TestBenchResultStats(t *testing.T) {
	c := tinyBench("rnn", "adding", 5)
	ms := time.Millisecond
	r := &BenchResult{Config: c, Len: 5, MatrixParams: 24, Steps: []time.Duration{3 * ms, 1 * ms, 2 * ms}, Bytes: 30, Allocs: 3}
	if r.Median() != 2*ms || r.Min() != ms || r.Max() != 3*ms || r.BytesPerStep() != 10 || r.AllocsPerStep() != 1 {
		t.Errorf("median %v min %v max %v bytes %g allocs %g", r.Median(), r.Min(), r.Max(), r.BytesPerStep(), r.AllocsPerStep())
	}
	if err := r.Merge(&BenchResult{Config: c, Steps: []time.Duration{4 * ms}, Bytes: 10, Allocs: 1}); err != nil {
		t.Fatal(err)
	}
	if r.Median() != 2500*time.Microsecond || r.Max() != 4*ms || r.BytesPerStep() != 10 || r.AllocsPerStep() != 1 {
		t.Errorf("merged: median %v max %v bytes %g allocs %g", r.Median(), r.Max(), r.BytesPerStep(), r.AllocsPerStep())
	}
	if want := 6 * 24 * 3 * 5 / 2.5e-3 / 1e9; r.GFLOPS() != want {
		t.Errorf("GFLOPS %g, want %g", r.GFLOPS(), want)
	}
	other := c
	other.T = 6
	if err := r.Merge(&BenchResult{Config: other}); err == nil {
		t.Error("merged results of different configs")
	}
	empty := &BenchResult{Config: c}
	if empty.Median() != 0 || empty.GFLOPS() != 0 || empty.BytesPerStep() != 0 {
		t.Error("empty result has statistics")
	}
}
