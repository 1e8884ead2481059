package models

import (
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"
)

// Helpers for checking one forward step of a cell against the equations in its doc comment,
// computed column by column in plain float64 arithmetic.

// vec is one column (one batch element) of a state or input.
type vec []float64

func matVec(W []float64, rows, cols int, v vec) vec {
	if len(W) != rows*cols || len(v) != cols {
		panic("matVec: shape mismatch")
	}
	out := make(vec, rows)
	for r := range out {
		for c := 0; c < cols; c++ {
			out[r] += W[r*cols+c] * v[c]
		}
	}
	return out
}

// rowBlock returns rows [k·n, (k+1)·n) of a row-major matrix with cols columns.
func rowBlock(W []float64, cols, n, k int) []float64 { return W[k*n*cols : (k+1)*n*cols] }

func cat(a, b vec) vec { return append(append(vec{}, a...), b...) }

func zipWith(a, b vec, f func(x, y float64) float64) vec {
	if len(a) != len(b) {
		panic("zipWith: length mismatch")
	}
	out := make(vec, len(a))
	for i := range a {
		out[i] = f(a[i], b[i])
	}
	return out
}

func vadd(a, b vec) vec { return zipWith(a, b, func(x, y float64) float64 { return x + y }) }
func vmul(a, b vec) vec { return zipWith(a, b, func(x, y float64) float64 { return x * y }) }

func vmap(a vec, f func(float64) float64) vec {
	out := make(vec, len(a))
	for i, x := range a {
		out[i] = f(x)
	}
	return out
}

func sigm(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
func vsigm(a vec) vec        { return vmap(a, sigm) }
func vtanh(a vec) vec        { return vmap(a, math.Tanh) }
func oneMinus(a vec) vec     { return vmap(a, func(x float64) float64 { return 1 - x }) }
func ones(n int) vec         { return vmap(make(vec, n), func(float64) float64 { return 1 }) }

// column b of a row-major (rows, B) matrix.
func column(m []float64, rows, B, b int) vec {
	out := make(vec, rows)
	for r := range out {
		out[r] = m[r*B+b]
	}
	return out
}

// uniform returns n values from U(−scale, scale).
func uniform(rng *rand.Rand, n int, scale float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = (2*rng.Float64() - 1) * scale
	}
	return v
}

// randomParams gives every parameter of c values from U(−1, 1), so that no term of the
// equations (peepholes and biases included) is zero.
func randomParams(c Cell, rng *rand.Rand) map[string][]float64 {
	p := map[string][]float64{}
	for _, s := range c.Params() {
		p[s.Name] = uniform(rng, s.Size(), 1)
	}
	return p
}

// stepOnce runs one float64 forward step of c on a batch of B columns. params holds every
// parameter by name, row-major; x is (D, B) and each prev[i] is (H, B), row-major.
func stepOnce(t *testing.T, c Cell, params map[string][]float64, x []float64, prev [][]float64, B int) [][]float64 {
	t.Helper()
	cfg := c.Config()
	prog, err := NewSequence(c, tensor.Float64, B)
	if err != nil {
		t.Fatal(err)
	}
	var ps []*tensor.Dense
	for _, s := range c.Params() {
		v, ok := params[s.Name]
		if !ok || len(v) != s.Size() {
			t.Fatalf("%s: parameter %s: have %d values, want %d", c.Name(), s.Name, len(v), s.Size())
		}
		ps = append(ps, tensor.New(tensor.WithShape(s.Rows, s.Cols), tensor.WithBacking(append([]float64(nil), v...))))
	}
	if len(params) != len(ps) {
		t.Fatalf("%s: %d parameters given, the cell declares %d", c.Name(), len(params), len(ps))
	}
	var st []*tensor.Dense
	for _, s := range prev {
		st = append(st, tensor.New(tensor.WithShape(cfg.Hidden, B), tensor.WithBacking(append([]float64(nil), s...))))
	}
	xt := tensor.New(tensor.WithShape(cfg.In, B), tensor.WithBacking(append([]float64(nil), x...)))
	var out [][]float64
	err = prog.Forward(ps, []*tensor.Dense{xt}, st, false, func(_ int, next []*tensor.Dense) error {
		for _, n := range next {
			out = append(out, append([]float64(nil), n.Data().([]float64)...))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkColumn compares column b of a graph output with the reference.
func checkColumn(t *testing.T, what string, got []float64, B, b int, want vec) {
	t.Helper()
	g := column(got, len(want), B, b)
	for r := range want {
		if math.Abs(g[r]-want[r]) > 1e-12*math.Max(1, math.Abs(want[r])) {
			t.Errorf("%s[%d, column %d] = %.15g, equations give %.15g", what, r, b, g[r], want[r])
		}
	}
}
