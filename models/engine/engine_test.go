package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// opCase builds an expression from inputs a (4×6), b (6×5), c (4×6) and v (4×1), and
// returns a node of it; every op the engine has a kernel for appears in some case, and
// Grad adds the ops of their derivatives.
type opCase struct {
	name  string
	build func(a, b, c, v *G.Node, k func(float64) *G.Node) (*G.Node, error)
}

func must(n *G.Node, err error) *G.Node {
	if err != nil {
		panic(err)
	}
	return n
}

var opCases = []opCase{
	{"matmul", func(a, b, c, v *G.Node, k func(float64) *G.Node) (*G.Node, error) { return G.Mul(a, b) }},
	{"matmul-transA", func(a, b, c, v *G.Node, k func(float64) *G.Node) (*G.Node, error) {
		return G.Mul(must(G.Transpose(c)), a)
	}},
	{"sigmoid-tanh", func(a, b, c, v *G.Node, k func(float64) *G.Node) (*G.Node, error) {
		return G.HadamardProd(must(G.Sigmoid(a)), must(G.Tanh(c)))
	}},
	{"elementwise", func(a, b, c, v *G.Node, k func(float64) *G.Node) (*G.Node, error) {
		d := must(G.Sub(must(G.Add(a, c)), must(G.HadamardProd(a, c))))
		e := must(G.HadamardDiv(d, must(G.Add(must(G.Square(c)), k((2))))))
		return G.Sub(k((1)), must(G.Neg(e)))
	}},
	{"relu", func(a, b, c, v *G.Node, k func(float64) *G.Node) (*G.Node, error) {
		return G.Rectify(must(G.Sub(a, c)))
	}},
	{"scalar-ops", func(a, b, c, v *G.Node, k func(float64) *G.Node) (*G.Node, error) {
		return G.Mul(must(G.Add(a, k((0.5)))), k((-3)))
	}},
	{"broadcast-bias", func(a, b, c, v *G.Node, k func(float64) *G.Node) (*G.Node, error) {
		return G.BroadcastAdd(a, v, nil, []byte{1})
	}},
	{"broadcast-product", func(a, b, c, v *G.Node, k func(float64) *G.Node) (*G.Node, error) {
		return G.BroadcastHadamardProd(c, v, nil, []byte{1})
	}},
	{"blocks", func(a, b, c, v *G.Node, k func(float64) *G.Node) (*G.Node, error) {
		r := must(G.Reshape(must(G.Tanh(a)), tensor.Shape{2, 2, 6}))
		x, y := must(G.Slice(r, G.S(0))), must(G.Slice(r, G.S(1)))
		return G.HadamardProd(must(G.Sigmoid(x)), y)
	}},
	{"slice-rows-step", func(a, b, c, v *G.Node, k func(float64) *G.Node) (*G.Node, error) { return G.Slice(a, G.S(0, 4, 2)) }},
	{"slice-columns", func(a, b, c, v *G.Node, k func(float64) *G.Node) (*G.Node, error) {
		return G.HadamardProd(must(G.Slice(a, nil, G.S(1, 5))), must(G.Slice(c, nil, G.S(2, 6))))
	}},
	{"slices-partial", func(a, b, c, v *G.Node, k func(float64) *G.Node) (*G.Node, error) {
		return G.HadamardProd(must(G.Slice(a, G.S(0, 2))), must(G.Slice(a, G.S(1, 3))))
	}},
	{"concat", func(a, b, c, v *G.Node, k func(float64) *G.Node) (*G.Node, error) {
		return G.Mul(must(G.Concat(0, a, c)), b)
	}},
	{"concat-columns", func(a, b, c, v *G.Node, k func(float64) *G.Node) (*G.Node, error) { return G.Concat(1, a, v, c) }},
	{"sums", func(a, b, c, v *G.Node, k func(float64) *G.Node) (*G.Node, error) {
		return G.Add(must(G.Sum(a, 1)), must(G.Sum(c, 1)))
	}},
	{"sum-columns", func(a, b, c, v *G.Node, k func(float64) *G.Node) (*G.Node, error) {
		return G.Sum(must(G.HadamardProd(a, c)), 0)
	}},
	{"log-softmax", func(a, b, c, v *G.Node, k func(float64) *G.Node) (*G.Node, error) { return G.LogSoftMax(a, 0) }},
}

func randomValue(rng *rand.Rand, dt tensor.Dtype, shape ...int) *tensor.Dense {
	t := tensor.New(tensor.WithShape(shape...), tensor.Of(dt))
	switch d := t.Data().(type) {
	case []float64:
		for i := range d {
			d[i] = rng.Float64()*2 - 1
		}
	case []float32:
		for i := range d {
			d[i] = float32(rng.Float64()*2 - 1)
		}
	}
	return t
}

func asFloat64s(v any) []float64 {
	switch d := v.(type) {
	case []float64:
		return d
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out
	case float64:
		return []float64{d}
	case float32:
		return []float64{float64(d)}
	}
	panic(fmt.Sprintf("unexpected %T", v))
}

// TestProgramMatchesTapeMachine: for every op case, the value of Σ w ⊙ f(inputs) and its
// gradients with respect to every input, computed by a Program, equal Gorgonia's own
// TapeMachine's on the same graph: exactly up to rounding in float64, and to float32
// precision in float32 (where the engine's sigmoid and tanh are its own).
func TestProgramMatchesTapeMachine(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		for _, oc := range opCases {
			t.Run(fmt.Sprintf("%v/%s", dt, oc.name), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(7, uint64(len(oc.name))))
				g := G.NewGraph()
				a := G.NewMatrix(g, dt, G.WithShape(4, 6), G.WithName("a"))
				b := G.NewMatrix(g, dt, G.WithShape(6, 5), G.WithName("b"))
				c := G.NewMatrix(g, dt, G.WithShape(4, 6), G.WithName("c"))
				v := G.NewMatrix(g, dt, G.WithShape(4, 1), G.WithName("v"))
				k := func(x float64) *G.Node {
					if dt == tensor.Float32 {
						return G.NewConstant(float32(x))
					}
					return G.NewConstant(x)
				}
				var f *G.Node
				func() {
					defer func() {
						if r := recover(); r != nil {
							t.Fatalf("build: %v", r)
						}
					}()
					var err error
					if f, err = oc.build(a, b, c, v, k); err != nil {
						t.Fatal(err)
					}
				}()
				w := G.NewTensor(g, dt, f.Shape().Dims(), G.WithShape(f.Shape()...), G.WithName("w"))
				cost := must(G.Sum(must(G.HadamardProd(f, w))))
				var wrt []*G.Node
				for _, n := range []*G.Node{a, b, c, v} {
					if dependsOn(f, n) {
						wrt = append(wrt, n)
					}
				}
				grads, err := G.Grad(cost, wrt...)
				if err != nil {
					t.Fatal(err)
				}
				inputs := []*G.Node{a, b, c, v, w}
				vals := []*tensor.Dense{randomValue(rng, dt, 4, 6), randomValue(rng, dt, 6, 5),
					randomValue(rng, dt, 4, 6), randomValue(rng, dt, 4, 1), randomValue(rng, dt, f.Shape()...)}
				outputs := append([]*G.Node{cost, f}, grads...)
				p, err := Compile(dt, inputs, outputs)
				if err != nil {
					t.Fatal(err)
				}
				for _, i := range p.f64OrF32Order() {
					if name, fb := p.fallbackOp(i); fb && oc.name != "log-softmax" {
						t.Errorf("op %s runs through its own Do, not an engine kernel", name)
					}
				}
				// A first run on other values: nothing of it may leak into the next.
				other := []*tensor.Dense{randomValue(rng, dt, 4, 6), randomValue(rng, dt, 6, 5),
					randomValue(rng, dt, 4, 6), randomValue(rng, dt, 4, 1), randomValue(rng, dt, f.Shape()...)}
				if err := p.Run(other...); err != nil {
					t.Fatal(err)
				}
				if err := p.Run(vals...); err != nil {
					t.Fatal(err)
				}
				var got [][]float64
				for i := range outputs {
					got = append(got, append([]float64(nil), asFloat64s(p.Output(i).Data())...))
				}
				// The reference: Gorgonia's TapeMachine, reading copies as values are computed.
				watch := make([]any, len(outputs))
				for i, n := range outputs {
					watch[i] = n
				}
				m := G.NewTapeMachine(g, G.TraceExec(), G.WithWatchlist(watch...))
				defer m.Close()
				for i, n := range inputs {
					if err := G.Let(n, vals[i]); err != nil {
						t.Fatal(err)
					}
				}
				if err := m.RunAll(); err != nil {
					t.Fatal(err)
				}
				tol := 1e-13
				if dt == tensor.Float32 {
					tol = 2e-6
				}
				for i, n := range outputs {
					want := asFloat64s(n.Value().Data())
					if len(want) != len(got[i]) {
						t.Fatalf("output %d (%s): %d values, want %d", i, n.Name(), len(got[i]), len(want))
					}
					for k := range want {
						if d := math.Abs(got[i][k] - want[k]); d > tol*math.Max(1, math.Abs(want[k])) {
							t.Fatalf("output %d (%s)[%d] = %.9g, TapeMachine %.9g", i, n.Name(), k, got[i][k], want[k])
						}
					}
				}
			})
		}
	}
}

func dependsOn(f, n *G.Node) bool {
	if f == n {
		return true
	}
	for _, ch := range children(f) {
		if dependsOn(ch, n) {
			return true
		}
	}
	return false
}

func (p *Program) f64OrF32Order() []int {
	if p.f32 != nil {
		return p.f32.c.order
	}
	return p.f64.c.order
}

func (p *Program) fallbackOp(i int) (string, bool) {
	if p.f32 != nil {
		return p.f32.c.instrs[i].opName, p.f32.c.instrs[i].fallback
	}
	return p.f64.c.instrs[i].opName, p.f64.c.instrs[i].fallback
}
