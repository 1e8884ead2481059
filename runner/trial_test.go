package runner

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/expctl/expctl/experiments"
	"github.com/expctl/expctl/results/trialdir"
)

func smallConfig() experiments.Config {
	c := experiments.DefaultConfig()
	c.T, c.Hidden, c.Batch, c.Steps, c.EvalEvery, c.TestSize = 10, 32, 32, 600, 50, 500
	c.LR = 1e-2
	return c
}

// TestLearnsAddingShort: an LSTM gets the adding problem at T=10 under a tenth of the
// baseline within a few hundred steps.
func TestLearnsAddingShort(t *testing.T) {
	cfg := smallConfig()
	res, err := RunTrial(context.Background(), cfg, t.TempDir(), TrialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != trialdir.Solved || res.TestLoss == nil || *res.TestLoss > res.Baseline/10 {
		t.Fatalf("not learned: %+v", res)
	}
	t.Logf("test MSE %.4f (baseline %.4f) at step %d", *res.TestLoss, res.Baseline, *res.SolvedAtStep)
}

// withoutWallClock blanks the named wall-clock fields.
func withoutWallClock(t *testing.T, name string, b []byte) []byte {
	t.Helper()
	out, err := trialdir.StripWallClock(name, b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDeterministic: the same configuration gives the same files, wall-clock fields aside.
func TestDeterministic(t *testing.T) {
	for _, dtype := range []string{"float32", "float64"} {
		t.Run(dtype, func(t *testing.T) {
			cfg := smallConfig()
			cfg.Cell, cfg.Steps, cfg.EvalEvery, cfg.TestSize, cfg.Dtype = "gru", 40, 15, 100, dtype
			var dirs [2]string
			for i := range dirs {
				out := t.TempDir()
				if _, err := RunTrial(context.Background(), cfg, out, TrialOptions{}); err != nil {
					t.Fatal(err)
				}
				dirs[i] = filepath.Join(out, cfg.ID())
			}
			for _, f := range trialdir.Outputs() {
				a, err := os.ReadFile(filepath.Join(dirs[0], f))
				if err != nil {
					t.Fatal(err)
				}
				b, err := os.ReadFile(filepath.Join(dirs[1], f))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(withoutWallClock(t, f, a), withoutWallClock(t, f, b)) {
					t.Errorf("%s differs between two runs:\n%s\n%s", f, a, b)
				}
			}
		})
	}
}

// TestDivergedIsAResult: a NaN or infinite loss ends the trial as diverged, with its
// files written, and is not an error, for cells with bounded and unbounded activations.
func TestDivergedIsAResult(t *testing.T) {
	for _, cell := range []string{"rnn", "irnn", "niaf", "noaf"} {
		cfg := smallConfig()
		cfg.Cell, cfg.Optimizer, cfg.LR, cfg.Clip, cfg.Steps = cell, "sgd", 1e6, "none", 200
		out := t.TempDir()
		res, err := RunTrial(context.Background(), cfg, out, TrialOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != trialdir.Diverged || res.TestLoss != nil || res.Error == "" {
			t.Fatalf("%s: want diverged with no final loss: %+v", cell, res)
		}
		saved, err := trialdir.ReadResult(filepath.Join(out, cfg.ID()))
		if err != nil || saved.Status != trialdir.Diverged {
			t.Fatalf("%s: result.json: %+v, %v", cell, saved, err)
		}
		t.Logf("%s diverged at step %d: %s", cell, res.StepsRun, res.Error)
	}
}

// TestInterruptedWritesNoResult: a cancelled trial stops and leaves no result.json.
func TestInterruptedWritesNoResult(t *testing.T) {
	cfg := smallConfig()
	ctx, cancel := context.WithCancel(context.Background())
	out := t.TempDir()
	_, err := RunTrial(ctx, cfg, out, TrialOptions{Progress: func(p Progress) {
		if p.Step >= 50 {
			cancel()
		}
	}})
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("err = %v, want ErrInterrupted", err)
	}
	dir := filepath.Join(out, cfg.ID())
	if trialdir.Done(dir) {
		t.Fatal("result.json written for an interrupted trial")
	}
	pts, err := trialdir.ReadCurve(dir)
	if err != nil || len(pts) != 2 {
		t.Fatalf("curve after interruption: %v, %v", pts, err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		field string
		edit  func(*experiments.Config)
	}{
		{"task", func(c *experiments.Config) { c.Task = "sorting" }},
		{"cell", func(c *experiments.Config) { c.Cell = "lsmt" }},
		{"T", func(c *experiments.Config) { c.T = 0 }},
		{"T", func(c *experiments.Config) { c.T = 1 }}, // adding needs one marker per half
		{"hidden", func(c *experiments.Config) { c.Hidden = 0 }},
		{"batch", func(c *experiments.Config) { c.Batch = -1 }},
		{"steps", func(c *experiments.Config) { c.Steps = 0 }},
		{"eval_every", func(c *experiments.Config) { c.EvalEvery = 0 }},
		{"test_size", func(c *experiments.Config) { c.TestSize = 0 }},
		{"lr", func(c *experiments.Config) { c.LR = 0 }},
		{"lr", func(c *experiments.Config) { c.LR = -1e-3 }},
		{"optimizer", func(c *experiments.Config) { c.Optimizer = "adagrad" }},
		{"clip", func(c *experiments.Config) { c.Clip = "norm" }},
		{"clip", func(c *experiments.Config) { c.Clip = "norm:-1" }},
		{"clip", func(c *experiments.Config) { c.Clip = "l2:1" }},
		{"dtype", func(c *experiments.Config) { c.Dtype = "float16" }},
		{"beta2", func(c *experiments.Config) { c.Beta2 = 1 }},
	} {
		c := experiments.DefaultConfig()
		tc.edit(&c)
		var ce *experiments.ConfigError
		if err := c.Validate(); !errors.As(err, &ce) || ce.Field != tc.field {
			t.Errorf("%s: Validate() = %v, want a experiments.ConfigError for %s", tc.field, err, tc.field)
		}
	}
	if err := experiments.DefaultConfig().Validate(); err != nil {
		t.Errorf("defaults invalid: %v", err)
	}
	c := experiments.DefaultConfig()
	c.Task, c.T = "copy", 1
	if err := c.Validate(); err != nil {
		t.Errorf("copy T=1: %v", err)
	}
}

func TestParseClip(t *testing.T) {
	for s, want := range map[string]experiments.Clip{"none": {Kind: "none"}, "value:1": {Kind: "value", Threshold: 1}, "norm:0.5": {Kind: "norm", Threshold: 0.5}} {
		if got, err := experiments.ParseClip(s); err != nil || got != want {
			t.Errorf("ParseClip(%q) = %v, %v", s, got, err)
		}
	}
}

func TestIDStable(t *testing.T) {
	a, b := experiments.DefaultConfig(), experiments.DefaultConfig()
	if a.ID() != b.ID() {
		t.Fatal("equal configs, different ids")
	}
	b.Seed = 2
	if a.ID() == b.ID() {
		t.Fatal("different seeds, same id")
	}
	if !strings.HasPrefix(a.ID(), "adding-T50-lstm-h128-s1-") {
		t.Errorf("id %q", a.ID())
	}
}

// TestSolveOverride: a configured criterion replaces the task's.
func TestSolveOverride(t *testing.T) {
	cfg := smallConfig()
	cfg.Steps, cfg.EvalEvery = 30, 10
	loose := 10.0
	cfg.SolveLoss = &loose
	res, err := RunTrial(context.Background(), cfg, t.TempDir(), TrialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != "solved" || *res.SolvedAtStep != 0 || res.Criterion != "test loss ≤ 10" {
		t.Fatalf("%+v", res)
	}
	if experiments.DefaultConfig().ID() == cfg.ID() {
		t.Fatal("override does not change the id")
	}
}

// TestParameterBudget: each cell gets the largest hidden size within the budget.
func TestParameterBudget(t *testing.T) {
	for _, tc := range []struct {
		cell   string
		budget int
		want   int
	}{
		// adding: D=2, K=1; readout H+1. rnn: H(2+H)+H + H+1 = H²+4H+1 ≤ 16000 → H=124.
		{"rnn", 16000, 124},
		// lstm: 4H(2+H)+4H + H+1 = 4H²+13H+1 ≤ 16000 → H=61.
		{"lstm", 16000, 61},
		// gru: 3H²+9H+1+H ≤ 16000 → H=71.
		{"gru", 16000, 71},
		// mut1: 3·2H + 2H² + 3H + H+1 = 2H²+10H+1 ≤ 16000 → H=86; mut3 sizes as gru.
		{"mut1", 16000, 86},
		{"mut3", 16000, 71},
	} {
		h, err := experiments.HiddenForBudget(tc.cell, "adding", tc.budget)
		if err != nil || h != tc.want {
			t.Errorf("%s within %d: H=%d, %v; want %d", tc.cell, tc.budget, h, err, tc.want)
		}
		n, _ := experiments.NetworkParams(tc.cell, "adding", h)
		n1, _ := experiments.NetworkParams(tc.cell, "adding", h+1)
		if n > tc.budget || n1 <= tc.budget {
			t.Errorf("%s: %d params at H=%d, %d at H+1: not the largest fit", tc.cell, n, h, n1)
		}
	}
	if _, err := experiments.HiddenForBudget("lstm", "adding", 10); err == nil {
		t.Error("budget below one unit accepted")
	}
	c := experiments.DefaultConfig()
	c.Params = 16000
	r, err := c.Resolve()
	if err != nil || r.Hidden != 61 || r.ID() == c.ID() {
		t.Fatalf("resolved %+v, %v", r, err)
	}
	if _, err := newTrial(c); err == nil {
		t.Error("unresolved budget config accepted")
	}
}
