package models

import (
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"
)

func randDense(rng *rand.Rand, rows, cols int) *tensor.Dense {
	v := make([]float64, rows*cols)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(v))
}

// TestReadoutOutputsNotClobbered: the loss consumes y, and Gorgonia may compute y − t in
// y's own register. The outputs returned must be y = V·hs + c, not what overwrote it.
func TestReadoutOutputsNotClobbered(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const H, K, N = 3, 2, 4
	for _, kind := range []LossKind{MSE, CrossEntropy} {
		for _, grad := range []bool{false, true} {
			r, err := NewReadout(kind, tensor.Float64, H, K, N, grad)
			if err != nil {
				t.Fatal(err)
			}
			V, c, hs := randDense(rng, K, H), randDense(rng, K, 1), randDense(rng, H, N)
			target := randDense(rng, K, N)
			if kind == CrossEntropy { // one-hot targets
				d := target.Data().([]float64)
				clear(d)
				for n := 0; n < N; n++ {
					d[(n%K)*N+n] = 1
				}
			}
			res, err := r.Run([]*tensor.Dense{V, c}, hs, target)
			if err != nil {
				t.Fatal(err)
			}
			y := res.Y.Data().([]float64)
			vd, cd, hd := V.Data().([]float64), c.Data().([]float64), hs.Data().([]float64)
			for k := 0; k < K; k++ {
				for n := 0; n < N; n++ {
					want := cd[k]
					for h := 0; h < H; h++ {
						want += vd[k*H+h] * hd[h*N+n]
					}
					if math.Abs(y[k*N+n]-want) > 1e-12 {
						t.Fatalf("%v grad=%v: y[%d,%d] = %v, want %v", kind, grad, k, n, y[k*N+n], want)
					}
				}
			}
		}
	}
}

// TestStepProgramStatesSurviveNextRun: states returned by Forward are the caller's, and the
// next run does not change them.
func TestStepProgramStatesSurviveNextRun(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	c, _ := New("lstm", Config{In: 2, Hidden: 3, ForgetBias: 1})
	p, err := NewStepProgram(c, tensor.Float64, 2)
	if err != nil {
		t.Fatal(err)
	}
	params := []*tensor.Dense{randDense(rng, 12, 5), randDense(rng, 12, 1)}
	prev := []*tensor.Dense{randDense(rng, 3, 2), randDense(rng, 3, 2)}
	s1, err := p.Forward(params, randDense(rng, 2, 2), prev)
	if err != nil {
		t.Fatal(err)
	}
	keep := append([]float64(nil), s1[1].Data().([]float64)...)
	if _, err := p.Forward(params, randDense(rng, 2, 2), s1); err != nil {
		t.Fatal(err)
	}
	for i, v := range s1[1].Data().([]float64) {
		if v != keep[i] {
			t.Fatal("a later run changed a returned state")
		}
	}
}
