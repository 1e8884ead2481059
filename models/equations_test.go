package models

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gorgonia.org/tensor"

	"github.com/expctl/expctl/models/cellref"
)

// equationParams draws every parameter of c so that the pre-activations stay of order one
// at any size: matrices U(−1, 1)/√cols, biases and peepholes U(−1, 1) (no term is zero, and
// no gate is saturated to a constant that would hide a wrong term).
func equationParams(c Cell, rng *rand.Rand) map[string][]float64 {
	p := map[string][]float64{}
	for _, s := range c.Params() {
		scale := 1.0
		if s.Cols > 1 {
			scale = 1 / math.Sqrt(float64(s.Cols))
		}
		p[s.Name] = uniform(rng, s.Size(), scale)
	}
	return p
}

// runSequence runs the compiled float64 sequence of c over xs from init and returns the
// states after every step, states[t][s], each (H, B) row-major.
func runSequence(t *testing.T, c Cell, p map[string][]float64, xs, init [][]float64, B int) [][][]float64 {
	t.Helper()
	cfg := c.Config()
	seq, err := NewSequence(c, tensor.Float64, B)
	if err != nil {
		t.Fatal(err)
	}
	var ps, xt, st []*tensor.Dense
	for _, s := range c.Params() {
		ps = append(ps, tensor.New(tensor.WithShape(s.Rows, s.Cols), tensor.WithBacking(slices.Clone(p[s.Name]))))
	}
	for _, x := range xs {
		xt = append(xt, tensor.New(tensor.WithShape(cfg.In, B), tensor.WithBacking(slices.Clone(x))))
	}
	for _, s := range init {
		st = append(st, tensor.New(tensor.WithShape(cfg.Hidden, B), tensor.WithBacking(slices.Clone(s))))
	}
	var out [][][]float64
	err = seq.Forward(ps, xt, st, false, func(_ int, next []*tensor.Dense) error {
		var step [][]float64
		for _, n := range next {
			step = append(step, slices.Clone(n.Data().([]float64)))
		}
		out = append(out, step)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkAgainstEquations runs cell name at D, H, B over T steps from random non-zero states
// and compares every state after every step with the reference equations of package
// cellref, to 1e-12 relative (1e-12 absolute for values below one). In float64 both sides
// round each product and sum to about 1e-16; sums of D+H terms and a few hundred steps of a
// non-expanding recurrence keep the difference near 1e-14, while any wrong, missing or
// extra term of the equations changes the states by far more than 1e-12.
func checkAgainstEquations(t *testing.T, name string, D, H, B, T int, seed uint64) {
	t.Helper()
	ref, ok := cellref.Lookup(name)
	if !ok {
		t.Fatalf("cell %s has no reference equations in package cellref: add them, written from the cell's source", name)
	}
	c, err := New(name, Config{In: D, Hidden: H, ForgetBias: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.States(), ref.States) {
		t.Fatalf("states %v, the equations have %v", c.States(), ref.States)
	}
	var decl []cellref.Param
	for _, s := range c.Params() {
		decl = append(decl, cellref.Param{Name: s.Name, Rows: s.Rows, Cols: s.Cols})
	}
	if want := ref.Params(D, H); !slices.Equal(decl, want) {
		t.Fatalf("parameters %v, the equations have %v", decl, want)
	}
	rng := rand.New(rand.NewPCG(seed, 17))
	p := equationParams(c, rng)
	xs := make([][]float64, T)
	for i := range xs {
		xs[i] = uniform(rng, D*B, 1)
	}
	init := make([][]float64, len(ref.States))
	for s, n := range ref.States {
		init[s] = uniform(rng, H*B, 1)
		if n == "i" || n == "f" || n == "o" { // fgr's previous gates lie in (0, 1)
			init[s] = vmap(init[s], func(v float64) float64 { return (v + 1) / 2 })
		}
	}
	got := runSequence(t, c, p, xs, init, B)
	want, err := cellref.Run(name, D, H, B, p, xs, init)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != T {
		t.Fatalf("%d steps visited, want %d", len(got), T)
	}
	worst := 0.0
	for step := range want {
		for s := range want[step] {
			for i, w := range want[step][s] {
				g := got[step][s][i]
				e := math.Abs(g-w) / math.Max(1, math.Abs(w))
				worst = math.Max(worst, e)
				if !(e <= 1e-12) {
					t.Fatalf("step %d: %s[%d, column %d] = %.17g, equations give %.17g", step, ref.States[s], i/B, i%B, g, w)
				}
			}
		}
	}
	t.Logf("D=%d H=%d B=%d T=%d: worst relative difference %.2g", D, H, B, T, worst)
}

// TestEveryCellHasReferenceEquations: a cell cannot be registered without reference
// equations to check it against, nor can a reference outlive its cell.
func TestEveryCellHasReferenceEquations(t *testing.T) {
	for _, name := range Names() {
		if _, ok := cellref.Lookup(name); !ok {
			t.Errorf("cell %s has no reference equations in package cellref", name)
		}
	}
	for _, name := range cellref.Names() {
		if _, err := Lookup(name); err != nil {
			t.Errorf("reference equations for %s, which is not a registered cell", name)
		}
	}
}

// TestForwardMatchesEquations: every registered cell's compiled forward pass equals its
// published equations, state by state and step by step: over 40 steps at H = 7, over two
// steps at H = 128, and over 300 steps (longer than 256, where per-step nodes of a
// naively unrolled Gorgonia graph would be merged by slice hashing).
func TestForwardMatchesEquations(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			t.Run("H7", func(t *testing.T) { checkAgainstEquations(t, name, 3, 7, 3, 40, 1) })
			t.Run("H128", func(t *testing.T) { checkAgainstEquations(t, name, 2, 128, 2, 2, 2) })
			t.Run("T300", func(t *testing.T) { checkAgainstEquations(t, name, 2, 5, 2, 300, 3) })
		})
	}
}
