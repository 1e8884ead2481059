package runner

import (
	"math"
	"testing"

	"gorgonia.org/tensor"

	"github.com/expctl/expctl/experiments"
)

// TestOptimizerSteps runs three steps of each optimizer on fixed gradients and compares
// the parameters with the update rules written out here, step by step, in float64.
func TestOptimizerSteps(t *testing.T) {
	theta0 := []float64{0.5, -1.25, 2, 0}
	grads := [][]float64{ // one gradient per step; some components tiny, one zero
		{0.3, -1e-4, 0, 2.5},
		{-0.2, 1e-4, 0.7, 2.5},
		{0.05, -3e-3, -0.7, -1},
	}
	type rule func(c experiments.Config) []float64
	sgd := func(c experiments.Config) []float64 {
		th, v := append([]float64(nil), theta0...), make([]float64, len(theta0))
		for _, g := range grads {
			for k := range th {
				v[k] = c.Momentum*v[k] + g[k]
				th[k] -= c.LR * v[k]
			}
		}
		return th
	}
	rmsprop := func(c experiments.Config) []float64 {
		th := append([]float64(nil), theta0...)
		s := make([]float64, len(th))
		for k := range s {
			s[k] = c.RMSInit
		}
		for _, g := range grads {
			for k := range th {
				s[k] = c.Decay*s[k] + (1-c.Decay)*g[k]*g[k]
				th[k] -= c.LR * g[k] / (math.Sqrt(s[k]) + c.Epsilon)
			}
		}
		return th
	}
	adam := func(c experiments.Config) []float64 {
		th := append([]float64(nil), theta0...)
		m, v := make([]float64, len(th)), make([]float64, len(th))
		for i, g := range grads {
			n := float64(i + 1)
			for k := range th {
				m[k] = c.Beta1*m[k] + (1-c.Beta1)*g[k]
				v[k] = c.Beta2*v[k] + (1-c.Beta2)*g[k]*g[k]
				mh, vh := m[k]/(1-math.Pow(c.Beta1, n)), v[k]/(1-math.Pow(c.Beta2, n))
				th[k] -= c.LR * mh / (math.Sqrt(vh) + c.Epsilon)
			}
		}
		return th
	}
	cfg := func(edit func(*experiments.Config)) experiments.Config {
		c := experiments.DefaultConfig()
		c.LR = 0.01
		edit(&c)
		return c
	}
	for _, tc := range []struct {
		name string
		cfg  experiments.Config
		want rule
	}{
		{"sgd", cfg(func(c *experiments.Config) { c.Optimizer = "sgd" }), sgd},
		{"sgd momentum", cfg(func(c *experiments.Config) { c.Optimizer, c.Momentum = "sgd", 0.9 }), sgd},
		{"rmsprop", cfg(func(c *experiments.Config) { c.Optimizer = "rmsprop" }), rmsprop},
		{"rmsprop rms_init", cfg(func(c *experiments.Config) { c.Optimizer, c.RMSInit = "rmsprop", 1e-3 }), rmsprop},
		{"adam", cfg(func(c *experiments.Config) { c.Optimizer = "adam" }), adam},
		{"adam ignores rms_init", cfg(func(c *experiments.Config) { c.Optimizer, c.RMSInit = "adam", 1e-3 }), adam},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tensor.New(tensor.WithShape(len(theta0)), tensor.WithBacking(append([]float64(nil), theta0...)))
			o := newOptimizer(tc.cfg, []*tensor.Dense{p})
			for i, g := range grads {
				gt := tensor.New(tensor.WithShape(len(g)), tensor.WithBacking(append([]float64(nil), g...)))
				if err := o.step([]*tensor.Dense{p}, []*tensor.Dense{gt}); err != nil {
					t.Fatalf("step %d: %v", i+1, err)
				}
			}
			got, want := p.Data().([]float64), tc.want(tc.cfg)
			for k := range want {
				if math.Abs(got[k]-want[k]) > 1e-15*math.Max(1, math.Abs(want[k])) {
					t.Errorf("θ[%d] = %.17g after 3 steps, want %.17g", k, got[k], want[k])
				}
			}
		})
	}
}

// TestRMSPropFirstStep pins what rms_init changes: from 0, RMSProp's first step is
// ±lr/√(1−ρ) for every nonzero gradient, however small; from 10⁻³ a gradient of 10⁻⁴
// moves its weight by about lr·10⁻⁴/√(9·10⁻⁴).
func TestRMSPropFirstStep(t *testing.T) {
	g := []float64{1e-4, -1, 0}
	for _, tc := range []struct {
		init float64
		want []float64
	}{
		{0, []float64{-1e-3 / math.Sqrt(0.1), 1e-3 / math.Sqrt(0.1), 0}},
		{1e-3, []float64{-1e-3 * 1e-4 / math.Sqrt(0.9e-3+0.1e-8), 1e-3 / math.Sqrt(0.9e-3+0.1), 0}},
	} {
		c := experiments.DefaultConfig()
		c.Optimizer, c.LR, c.Decay, c.RMSInit = "rmsprop", 1e-3, 0.9, tc.init
		p := tensor.New(tensor.WithShape(3), tensor.WithBacking(make([]float64, 3)))
		gt := tensor.New(tensor.WithShape(3), tensor.WithBacking(append([]float64(nil), g...)))
		if err := newOptimizer(c, []*tensor.Dense{p}).step([]*tensor.Dense{p}, []*tensor.Dense{gt}); err != nil {
			t.Fatal(err)
		}
		for k, w := range tc.want {
			if got := p.Data().([]float64)[k]; math.Abs(got-w) > 1e-3*math.Abs(w) {
				t.Errorf("rms_init %g: first step of a gradient %g is %.6g, want %.6g", tc.init, g[k], got, w)
			}
		}
	}
}
