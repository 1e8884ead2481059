package models

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// TestSequenceBackwardIsCheap: for every cell, the forward step adds its biases without
// repeating them into a matrix first, and the compiled backward step computes no
// exponential (σ(−x) comes from the forward σ(x)), no full-size slice increments (gate
// blocks are scattered into one buffer), and every gate matrix's gradient is one matrix
// product over the whole sequence.
func TestSequenceBackwardIsCheap(t *testing.T) {
	for _, name := range Names() {
		c, _ := New(name, Config{In: 2, Hidden: 5, ForgetBias: 1})
		s, err := NewSequence(c, tensor.Float32, 3)
		if err != nil {
			t.Fatal(err)
		}
		fwd, bwd, merged := s.Steps()
		for _, op := range fwd {
			if strings.HasPrefix(op, "Repeat") {
				t.Errorf("%s: the forward step copies a bias across the batch (%q) instead of adding it in place", name, op)
			}
		}
		for _, op := range bwd {
			if op == "sigmoid" || op == "tanh" || op == "exp" || strings.Contains(op, "+=") {
				t.Errorf("%s: the backward step runs %q", name, op)
			}
		}
		want := 0
		for _, p := range c.Params() {
			if p.Gates != nil {
				want++
			}
		}
		if len(merged) < want {
			t.Errorf("%s: %d parameter gradients merged over time, want at least the %d gate matrices", name, len(merged), want)
		}
	}
}

// TestSequenceFloat32MatchesFloat64: the float32 kernels (their own sigmoid and tanh)
// compute what the float64 ones do, to float32 precision, through a whole forward and
// backward pass of every cell.
func TestSequenceFloat32MatchesFloat64(t *testing.T) {
	const B, L = 4, 25
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			c, _ := New(name, Config{In: 2, Hidden: 6, ForgetBias: 1})
			rng := rand.New(rand.NewPCG(11, 12))
			var p64 []*tensor.Dense
			for _, s := range c.Params() {
				p64 = append(p64, randDense(rng, s.Rows, s.Cols))
			}
			var xs64 []*tensor.Dense
			for t := 0; t < L; t++ {
				xs64 = append(xs64, randDense(rng, 2, B))
			}
			dlast := randDense(rng, 6, B)
			run := func(dt tensor.Dtype) (hs, grads []float64) {
				s, err := NewSequence(c, dt, B)
				if err != nil {
					t.Fatal(err)
				}
				conv := func(v *tensor.Dense) *tensor.Dense {
					if dt == tensor.Float64 {
						return v
					}
					d := v.Data().([]float64)
					f := make([]float32, len(d))
					for i, x := range d {
						f[i] = float32(x)
					}
					return tensor.New(tensor.WithShape(v.Shape().Clone()...), tensor.WithBacking(f))
				}
				var ps, xs, acc []*tensor.Dense
				for _, p := range p64 {
					ps = append(ps, conv(p))
					acc = append(acc, tensor.New(tensor.WithShape(p.Shape().Clone()...), tensor.Of(dt)))
				}
				for _, x := range xs64 {
					xs = append(xs, conv(x))
				}
				err = s.Forward(ps, xs, nil, true, func(_ int, st []*tensor.Dense) error {
					hs = append(hs, f64s(st[0])...)
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				d0, err := s.Backward(acc, func(step int, d []*tensor.Dense) error {
					if step == L-1 {
						dd, dl := f64s(d[0]), f64s(dlast)
						for i := range dd {
							dd[i] += dl[i]
						}
						setF64s(d[0], dd)
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				for _, a := range append(acc, d0...) {
					grads = append(grads, f64s(a)...)
				}
				return hs, grads
			}
			h64, g64 := run(tensor.Float64)
			h32, g32 := run(tensor.Float32)
			for what, pair := range map[string][2][]float64{"states": {h64, h32}, "gradients": {g64, g32}} {
				scale := 0.0
				for _, v := range pair[0] {
					scale = math.Max(scale, math.Abs(v))
				}
				for i := range pair[0] {
					if d := math.Abs(pair[0][i] - pair[1][i]); d > 1e-4*math.Max(scale, 1e-3) {
						t.Fatalf("%s[%d]: float64 %.8g, float32 %.8g (scale %.3g)", what, i, pair[0][i], pair[1][i], scale)
					}
				}
			}
		})
	}
}

func f64s(v *tensor.Dense) []float64 {
	switch d := v.Data().(type) {
	case []float64:
		return append([]float64(nil), d...)
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out
	}
	panic(fmt.Sprintf("unexpected %T", v.Data()))
}

func setF64s(v *tensor.Dense, vals []float64) {
	switch d := v.Data().(type) {
	case []float64:
		copy(d, vals)
	case []float32:
		for i, x := range vals {
			d[i] = float32(x)
		}
	}
}
