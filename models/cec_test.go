package models

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestCECStepByHand: one step worked out on paper, H = D = 1.
// pre = 0.5·2 − 1·0.5 + 0.25 = 0.75, c = 0.1 + tanh(0.75), h = tanh(c).
func TestCECStepByHand(t *testing.T) {
	c, _ := New("cec", Config{In: 1, Hidden: 1})
	out := stepOnce(t, c, map[string][]float64{"W": {0.5, -1}, "b": {0.25}}, []float64{2}, [][]float64{{0.5}, {0.1}}, 1)
	if want := 0.7351489523872873; math.Abs(out[1][0]-want) > 1e-15 {
		t.Errorf("c = %.17g, want %.17g", out[1][0], want)
	}
	if want := 0.6262053237342192; math.Abs(out[0][0]-want) > 1e-15 {
		t.Errorf("h = %.17g, want %.17g", out[0][0], want)
	}
}

// TestCECStepMatchesEquations: c_t = c_{t-1} + tanh(W[x; h] + b), h_t = tanh(c_t).
func TestCECStepMatchesEquations(t *testing.T) {
	const D, H, B = 1, 2, 2
	rng := rand.New(rand.NewPCG(1, 1))
	c, _ := New("cec", Config{In: D, Hidden: H})
	p := randomParams(c, rng)
	x, h, cc := uniform(rng, D*B, 1), uniform(rng, H*B, 1), uniform(rng, H*B, 2)
	out := stepOnce(t, c, p, x, [][]float64{h, cc}, B)
	for b := 0; b < B; b++ {
		xb, hb, cb := column(x, D, B, b), column(h, H, B, b), column(cc, H, B, b)
		cn := vadd(cb, vtanh(vadd(matVec(p["W"], H, D+H, cat(xb, hb)), p["b"])))
		checkColumn(t, "c", out[1], B, b, cn)
		checkColumn(t, "h", out[0], B, b, vtanh(cn))
	}
}
