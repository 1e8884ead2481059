package runner

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"

	"github.com/expctl/expctl/experiments"
)

// optimizer updates parameters in place from their gradients. Gorgonia's solvers are not
// used: AdaGrad ignores its options and none offers global-norm clipping, and owning the
// state makes it easy to save and restore.
//
// Where frameworks differ, expctl's formulas are those of PyTorch's defaults, so that
// torch.optim.SGD, RMSprop and Adam reproduce an expctl trial (.ci/pytorch_parity.py
// checks it to 1e-9 in float64):
//   - sgd: heavy-ball momentum without dampening, v ← μv + g, θ ← θ − ηv (PyTorch's
//     dampening=0, nesterov=False; the first step is θ − ηg). Sutskever et al.'s form
//     v ← μv − ηg differs once η changes, which it does not here.
//   - rmsprop: s ← ρs + (1−ρ)g², θ ← θ − ηg/(√s + ε): ε outside the square root and s
//     starting at 0 (PyTorch's RMSprop, not centred; TensorFlow puts ε inside the root and
//     Keras starts s at 0 too, older TensorFlow at 1). rms_init sets where s starts: from
//     0 the first step is ±η/√(1−ρ) in every weight whose gradient is not 0, whatever its
//     size; from s₀ > 0 it is ηg/√(ρs₀ + (1−ρ)g²), small for small gradients.
//   - adam: both moments bias-corrected, θ ← θ − η m̂/(√v̂ + ε) with m̂ = m/(1−β₁ᵗ),
//     v̂ = v/(1−β₂ᵗ) (Kingma & Ba's Algorithm 1 and PyTorch's Adam; TensorFlow's ε̂ form
//     adds ε to √v without the correction).
//
// The state (m, v) is float64 whatever the parameters' dtype; in float32 PyTorch keeps it
// in float32, a difference of rounding only. Norm clipping ([clip]) scales by C/‖g‖, where
// torch.nn.utils.clip_grad_norm_ scales by C/(‖g‖ + 10⁻⁶).
type optimizer struct {
	kind              string
	lr, mom, decay    float64
	beta1, beta2, eps float64
	t                 int         // steps taken (Adam's bias correction)
	m, v              [][]float64 // first and second moments (or velocity), per parameter
}

func newOptimizer(c experiments.Config, params []*tensor.Dense) *optimizer {
	o := &optimizer{kind: c.Optimizer, lr: c.LR, mom: c.Momentum, decay: c.Decay,
		beta1: c.Beta1, beta2: c.Beta2, eps: c.Epsilon}
	for _, p := range params {
		n := p.Shape().TotalSize()
		v := make([]float64, n)
		if c.Optimizer == "rmsprop" && c.RMSInit != 0 {
			for k := range v {
				v[k] = c.RMSInit
			}
		}
		o.m = append(o.m, make([]float64, n))
		o.v = append(o.v, v)
	}
	return o
}

// step applies one update. State is kept in float64 whatever the parameters' dtype.
func (o *optimizer) step(params, grads []*tensor.Dense) error {
	if len(params) != len(grads) {
		return fmt.Errorf("optimizer: %d parameters, %d gradients", len(params), len(grads))
	}
	o.t++
	for i := range params {
		switch p := params[i].Data().(type) {
		case []float32:
			update(o, i, p, grads[i].Data().([]float32))
		case []float64:
			update(o, i, p, grads[i].Data().([]float64))
		}
	}
	return nil
}

func update[T float32 | float64](o *optimizer, i int, p, g []T) {
	m, v := o.m[i], o.v[i]
	switch o.kind {
	case "sgd": // v ← μv + g; θ ← θ − ηv
		for k := range p {
			m[k] = o.mom*m[k] + float64(g[k])
			p[k] -= T(o.lr * m[k])
		}
	case "rmsprop": // s ← ρs + (1−ρ)g²; θ ← θ − ηg/(√s + ε)
		for k := range p {
			gk := float64(g[k])
			v[k] = o.decay*v[k] + (1-o.decay)*gk*gk
			p[k] -= T(o.lr * gk / (math.Sqrt(v[k]) + o.eps))
		}
	case "adam": // Kingma & Ba 2015, with bias correction
		c1 := 1 - math.Pow(o.beta1, float64(o.t))
		c2 := 1 - math.Pow(o.beta2, float64(o.t))
		for k := range p {
			gk := float64(g[k])
			m[k] = o.beta1*m[k] + (1-o.beta1)*gk
			v[k] = o.beta2*v[k] + (1-o.beta2)*gk*gk
			p[k] -= T(o.lr * (m[k] / c1) / (math.Sqrt(v[k]/c2) + o.eps))
		}
	}
}

// clip applies the rule to grads in place and returns the global L2 norm before clipping
// and whether the gradients were changed.
func clip(c experiments.Clip, grads []*tensor.Dense) (norm float64, clipped bool) {
	ss := 0.0
	for _, g := range grads {
		ss += sumSquares(g)
	}
	norm = math.Sqrt(ss)
	switch c.Kind {
	case "norm": // Pascanu et al. 2013: g ← g·C/‖g‖ when ‖g‖ > C
		if norm > c.Threshold {
			s := c.Threshold / norm
			for _, g := range grads {
				scale(g, s)
			}
			clipped = true
		}
	case "value": // element-wise: g ← max(−C, min(C, g))
		for _, g := range grads {
			clipped = clamp(g, c.Threshold) || clipped
		}
	}
	return norm, clipped
}

func scale(t *tensor.Dense, s float64) {
	switch d := t.Data().(type) {
	case []float32:
		for i := range d {
			d[i] *= float32(s)
		}
	case []float64:
		for i := range d {
			d[i] *= s
		}
	}
}

func clamp(t *tensor.Dense, c float64) bool {
	switch d := t.Data().(type) {
	case []float32:
		return clampSlice(d, float32(c))
	case []float64:
		return clampSlice(d, c)
	}
	return false
}

func clampSlice[T float32 | float64](d []T, c T) bool {
	changed := false
	for i, v := range d {
		if v > c {
			d[i], changed = c, true
		} else if v < -c {
			d[i], changed = -c, true
		}
	}
	return changed
}
