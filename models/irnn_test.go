package models

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestIRNNStepMatchesEquations: h_t = relu(W[x; h] + b), with parameters chosen so that
// some pre-activations are negative.
func TestIRNNStepMatchesEquations(t *testing.T) {
	const D, H, B = 1, 2, 2
	rng := rand.New(rand.NewPCG(2, 2))
	c, _ := New("irnn", Config{In: D, Hidden: H})
	p := randomParams(c, rng)
	x, h := uniform(rng, D*B, 1), uniform(rng, H*B, 1)
	out := stepOnce(t, c, p, x, [][]float64{h}, B)
	negative := 0
	for b := 0; b < B; b++ {
		pre := vadd(matVec(p["W"], H, D+H, cat(column(x, D, B, b), column(h, H, B, b))), p["b"])
		for _, v := range pre {
			if v < 0 {
				negative++
			}
		}
		checkColumn(t, "h", out[0], B, b, vmap(pre, func(v float64) float64 { return math.Max(0, v) }))
	}
	if negative == 0 {
		t.Fatal("fixture broken: no negative pre-activation, the rectifier is not exercised")
	}
}

// TestIRNNStepByHand: with the identity initialisation and zero input weights, a
// non-negative state is copied and a negative one is cut to zero.
func TestIRNNStepByHand(t *testing.T) {
	c, _ := New("irnn", Config{In: 1, Hidden: 2})
	W := []float64{0, 1, 0, 0, 0, 1} // [x | I]
	out := stepOnce(t, c, map[string][]float64{"W": W, "b": {0, 0.5}}, []float64{3}, [][]float64{{0.25, -1}}, 1)
	if out[0][0] != 0.25 || out[0][1] != 0 {
		t.Errorf("h = %v, want [0.25 0]", out[0])
	}
}

// TestIRNNInit: the recurrent block starts at the identity, the input block at
// N(0, 0.001²), the bias at 0.
func TestIRNNInit(t *testing.T) {
	const D, H = 3, 200
	c, _ := New("irnn", Config{In: D, Hidden: H})
	specs := c.Params()
	if len(specs) != 2 || specs[0].Name != "W" || len(specs[0].Gates) != 1 || specs[1].Name != "b" {
		t.Fatalf("unexpected parameters %+v", specs)
	}
	rng := rand.New(rand.NewPCG(5, 5))
	W := specs[0].Init(rng, specs[0].Rows, specs[0].Cols)
	var sum, sq float64
	for r := 0; r < H; r++ {
		for col := 0; col < D+H; col++ {
			v := W[r*(D+H)+col]
			switch {
			case col < D:
				sum += v
				sq += v * v
			case col-D == r:
				if v != 1 {
					t.Fatalf("W[%d, %d] = %v, want 1 on the recurrent diagonal", r, col, v)
				}
			default:
				if v != 0 {
					t.Fatalf("W[%d, %d] = %v, want 0 off the recurrent diagonal", r, col, v)
				}
			}
		}
	}
	n := float64(D * H)
	mean, std := sum/n, math.Sqrt(sq/n-(sum/n)*(sum/n))
	if math.Abs(mean) > 0.0003 || math.Abs(std-IRNNInputStd) > 0.0001 {
		t.Errorf("input weights: mean %.2g, std %.4g; want 0 and %g", mean, std, IRNNInputStd)
	}
	for i, v := range specs[1].Init(rng, H, 1) {
		if v != 0 {
			t.Fatalf("b[%d] = %v, want 0", i, v)
		}
	}
}
