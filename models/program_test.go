package models

import (
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"

	"github.com/expctl/expctl/datasets"
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
	for _, kind := range []datasets.Loss{datasets.MSE, datasets.CrossEntropy} {
		for _, grad := range []bool{false, true} {
			r, err := NewReadout(kind, tensor.Float64, H, K, N, grad)
			if err != nil {
				t.Fatal(err)
			}
			V, c, hs := randDense(rng, K, H), randDense(rng, K, 1), randDense(rng, H, N)
			target := randDense(rng, K, N)
			if kind == datasets.CrossEntropy { // one-hot targets
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

// TestSequenceKeepsEveryState: with keep, the states visited after each step stay as they
// were when the later steps run (the tape holds one copy per step), and running the steps
// one at a time from the visited states gives the same values.
func TestSequenceKeepsEveryState(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	c, _ := New("lstm", Config{In: 2, Hidden: 3, ForgetBias: 1})
	p, err := NewSequence(c, tensor.Float64, 2)
	if err != nil {
		t.Fatal(err)
	}
	params := []*tensor.Dense{randDense(rng, 12, 5), randDense(rng, 12, 1)}
	init := []*tensor.Dense{randDense(rng, 3, 2), randDense(rng, 3, 2)}
	xs := []*tensor.Dense{randDense(rng, 2, 2), randDense(rng, 2, 2), randDense(rng, 2, 2)}
	var visited [][]*tensor.Dense
	var copies [][][]float64
	err = p.Forward(params, xs, init, true, func(_ int, st []*tensor.Dense) error {
		visited = append(visited, st)
		var cp [][]float64
		for _, s := range st {
			cp = append(cp, append([]float64(nil), s.Data().([]float64)...))
		}
		copies = append(copies, cp)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for step, st := range visited {
		for i, s := range st {
			for k, v := range s.Data().([]float64) {
				if v != copies[step][i][k] {
					t.Fatalf("state %d of step %d changed by a later step", i, step)
				}
			}
		}
	}
	// Step by step from the kept states.
	q, err := NewSequence(c, tensor.Float64, 2)
	if err != nil {
		t.Fatal(err)
	}
	prev := init
	for step, x := range xs {
		var got [][]float64
		if err := q.Forward(params, []*tensor.Dense{x}, prev, false, func(_ int, st []*tensor.Dense) error {
			for _, s := range st {
				got = append(got, append([]float64(nil), s.Data().([]float64)...))
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		for i := range got {
			for k, v := range got[i] {
				if v != copies[step][i][k] {
					t.Fatalf("step %d state %d: one step at a time gives %v, the sequence %v", step, i, v, copies[step][i][k])
				}
			}
		}
		prev = visited[step]
	}
}
