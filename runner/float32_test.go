package runner

import (
	"context"
	"math"
	"testing"

	"gorgonia.org/tensor"

	"github.com/expctl/expctl/datasets"
	"github.com/expctl/expctl/models"
	"github.com/expctl/expctl/results/trialdir"
)

// roundToFloat32 rounds every value to the nearest float32, so that a float64 and a float32
// network start from exactly the same numbers.
func roundToFloat32(v []float64) {
	for i, x := range v {
		v[i] = float64(float32(x))
	}
}

// twinNetworks returns a float64 and a float32 network of cell for task with the same
// parameters (those of boundedParams, rounded to float32) and a batch whose inputs and
// targets are float32 numbers too: the two networks differ only in their arithmetic.
func twinNetworks(t *testing.T, cell, task string, hidden, T, batch int) (n64, n32 *Network, b *datasets.Batch) {
	t.Helper()
	n64, tk := testNet(t, cell, task, hidden, 21)
	boundedParams(n64, 21)
	if cell == "cec" {
		// Its bias at zero, as cec initialises it. With a bias, every step adds about the
		// same tanh(b) to the cell state, which drifts to |c| ≈ 25 in 50 steps; there the
		// derivative 1 − tanh²(c), which the backward pass computes from the forward's
		// h = tanh(c), has a relative error of u/(1 − h²) in float32 (it is 0 once h
		// rounds to ±1): a limit of float32, which this test does not measure.
		n64.Params[1] = dense(tensor.Float64, hidden, 1, nil)
	}
	for _, p := range n64.Params {
		d := p.Data().([]float64)
		roundToFloat32(d)
	}
	n32, err := NewNetwork(n64.Cell, n64.Loss, n64.Out, tensor.Float32, initRNG(1))
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range n64.Params {
		n32.Params[i] = dense(tensor.Float32, p.Shape()[0], p.Shape()[1], float64s(p))
	}
	if b, err = datasets.TrainBatch(tk, 31, T, batch, 0); err != nil {
		t.Fatal(err)
	}
	roundToFloat32(b.X)
	roundToFloat32(b.Y)
	return n64, n32, b
}

// relNorm is ‖a − b‖ / ‖b‖ over two equally long vectors.
func relNorm(a, b []float64) float64 {
	var d, n float64
	for i := range a {
		d += (a[i] - b[i]) * (a[i] - b[i])
		n += b[i] * b[i]
	}
	return math.Sqrt(d / n)
}

// TestFloat32GradientsMatchFloat64: for every cell under both losses (adding: MSE; copy:
// cross-entropy), the float32 network's loss and gradient with respect to every parameter
// matrix agree with the float64 network's from the same weights and batch.
//
// The bounds, ‖g32 − g64‖ / ‖g64‖ ≤ 1e-4 for every matrix and 3e-5 for the loss, come from
// float32's unit roundoff u = 2⁻²⁴ ≈ 6e-8: each step's forward values carry a relative
// error of a few u (sums of D+H ≤ 26 terms, a sigmoid or tanh, one more rounding per gate
// product), the backward pass adds as much again per step, and over L = 50 steps of a
// non-expanding recurrence (boundedParams) the errors add up to some L·10u ≈ 3e-5 in the
// worst case, usually far less since they do not all have one sign. Measured over the 15
// cells and both losses: loss errors 2e-8 … 3e-6, gradient errors up to 8e-6 (the log
// prints each). The bounds leave a margin of about ten over the worst measured error,
// and a float32-only defect exceeds them by orders of magnitude: a gradient missing one
// step's contribution is off by about 1/L = 2e-2 (more for the steps next to the loss),
// one accumulated through a float16-like rounding (2⁻¹¹ ≈ 5e-4) by ~5e-4.
func TestFloat32GradientsMatchFloat64(t *testing.T) {
	const lossBound, gradBound = 3e-5, 1e-4
	for _, cell := range models.Names() {
		for _, task := range []string{"adding", "copy"} {
			t.Run(cell+"/"+task, func(t *testing.T) {
				T := 50
				if task == "copy" {
					T = 30 // L = T + 20 = 50 steps
				}
				n64, n32, b := twinNetworks(t, cell, task, 16, T, 8)
				g64, err := n64.Backprop(b, nil)
				if err != nil {
					t.Fatal(err)
				}
				g32, err := n32.Backprop(b, nil)
				if err != nil {
					t.Fatal(err)
				}
				if e := math.Abs(g32.Loss-g64.Loss) / math.Abs(g64.Loss); !(e <= lossBound) {
					t.Errorf("loss: float32 %.9g, float64 %.9g (relative error %.2g > %.0e)", g32.Loss, g64.Loss, e, lossBound)
				}
				worst, which := 0.0, ""
				for i, s := range n64.Specs {
					e := relNorm(float64s(g32.Params[i]), float64s(g64.Params[i]))
					if e > worst || math.IsNaN(e) {
						worst, which = e, s.Name
					}
					if !(e <= gradBound) {
						t.Errorf("∂C/∂%s: float32 differs from float64 by %.2g relative (> %.0e)", s.Name, e, gradBound)
					}
				}
				t.Logf("L=%d: loss relative error %.2g, worst gradient relative error %.2g (%s)",
					b.Len, math.Abs(g32.Loss-g64.Loss)/math.Abs(g64.Loss), worst, which)
			})
		}
	}
}

// TestFloat32TrialFollowsFloat64: a short float32 trial's test-loss curve follows the
// float64 trial of the same configuration, under both losses. The two start from the
// same float64-drawn weights (rounded to float32) and see the same batches; their
// parameters drift apart by rounding, a relative 1e-7 per update at first, which Adam's
// normalised steps carry forward without blowing up over a few dozen steps. Measured over
// the seven evaluations of 60 steps: test losses within 5e-7 relative; the bound 5e-5
// leaves a margin of a hundred for that drift and still fails a float32 trial that
// trains differently: a gradient with a term missing or a skipped update moves it by more.
func TestFloat32TrialFollowsFloat64(t *testing.T) {
	const bound = 5e-5
	for _, tc := range []struct{ cell, task string }{{"lstm", "adding"}, {"gru", "copy"}} {
		t.Run(tc.cell+"/"+tc.task, func(t *testing.T) {
			curves := map[string][]trialdir.Point{}
			for _, dtype := range []string{"float64", "float32"} {
				cfg := smallConfig()
				cfg.Cell, cfg.Task, cfg.Dtype = tc.cell, tc.task, dtype
				cfg.Hidden, cfg.Batch, cfg.Steps, cfg.EvalEvery, cfg.TestSize = 16, 16, 60, 10, 64
				out := t.TempDir()
				if _, err := RunTrial(context.Background(), cfg, out, TrialOptions{}); err != nil {
					t.Fatal(err)
				}
				c, err := trialdir.ReadCurve(trialdir.TrialPath(out, cfg.ID()))
				if err != nil {
					t.Fatal(err)
				}
				curves[dtype] = c
			}
			c64, c32 := curves["float64"], curves["float32"]
			if len(c64) != 7 || len(c32) != len(c64) {
				t.Fatalf("%d float64 and %d float32 evaluations, want 7 each", len(c64), len(c32))
			}
			worst := 0.0
			for i := range c64 {
				e := math.Abs(c32[i].TestLoss-c64[i].TestLoss) / math.Abs(c64[i].TestLoss)
				worst = math.Max(worst, e)
				if !(e <= bound) {
					t.Errorf("step %d: float32 test loss %.7g, float64 %.7g (relative difference %.2g > %.0e)",
						c64[i].Step, c32[i].TestLoss, c64[i].TestLoss, e, bound)
				}
			}
			if c64[len(c64)-1].TestLoss >= c64[0].TestLoss {
				t.Errorf("float64 test loss %.4g at step 0, %.4g at the end: the trial does not train, so the curves prove nothing",
					c64[0].TestLoss, c64[len(c64)-1].TestLoss)
			}
			t.Logf("test loss %.4g → %.4g; worst relative difference %.2g", c64[0].TestLoss, c64[len(c64)-1].TestLoss, worst)
		})
	}
}
