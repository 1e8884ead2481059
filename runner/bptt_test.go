package runner

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/expctl/expctl/datasets"
	"github.com/expctl/expctl/models"
)

// testNet builds a float64 network for a task with random parameters (biases too, so that
// no gradient is trivially zero).
func testNet(t *testing.T, cellName, taskName string, hidden int, seed uint64) (*Network, datasets.Task) {
	t.Helper()
	task, err := datasets.Lookup(taskName)
	if err != nil {
		t.Fatal(err)
	}
	cell, err := models.New(cellName, models.Config{In: task.InDim, Hidden: hidden, ForgetBias: 1})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 7))
	net, err := NewNetwork(cell, task.Loss, task.OutDim, tensor.Float64, rng)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range net.Params {
		d := p.Data().([]float64)
		for i := range d {
			d[i] += 0.3 * rng.NormFloat64() / math.Sqrt(float64(hidden))
		}
	}
	return net, task
}

func randomStates(net *Network, batch int, rng *rand.Rand) []*tensor.Dense {
	st := net.zeroStates(batch)
	for _, s := range st {
		d := s.Data().([]float64)
		for i := range d {
			d[i] = 0.5 * rng.NormFloat64()
		}
	}
	return st
}

// relErr compares an analytic and a numeric derivative.
func relErr(a, n float64) float64 {
	return math.Abs(a-n) / math.Max(1e-7, math.Abs(a)+math.Abs(n))
}

// sampleIndices returns all indices of a small parameter, or a sample that covers every
// row block of a large one (so each gate of a fused matrix is checked).
func sampleIndices(rows, cols int, rng *rand.Rand) []int {
	if rows*cols <= 60 {
		idx := make([]int, rows*cols)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	var idx []int
	for k := 0; k < 8; k++ { // 8 bands of rows, 5 entries each
		lo, hi := k*rows/8, (k+1)*rows/8
		for j := 0; j < 5 && hi > lo; j++ {
			idx = append(idx, (lo+rng.IntN(hi-lo))*cols+rng.IntN(cols))
		}
	}
	return idx
}

func checkGradients(t *testing.T, cellName, taskName string, T, hidden, batch int) {
	net, task := testNet(t, cellName, taskName, hidden, 3)
	b, err := datasets.TrainBatch(task, 5, T, batch, 0)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(11, 13))
	init := randomStates(net, batch, rng)
	g, err := net.Backprop(b, init)
	if err != nil {
		t.Fatal(err)
	}
	loss := func() float64 {
		out, err := net.forward(b, init)
		if err != nil {
			t.Fatal(err)
		}
		return out.Loss
	}
	if l := loss(); math.Abs(l-g.Loss) > 1e-12*math.Max(1, l) {
		t.Fatalf("forward loss %v != backprop loss %v", l, g.Loss)
	}
	// Central differences err by O(eps²) from curvature and by O(ε·loss/eps) from rounding;
	// eps = 1e-5 balances the two for losses up to ~100, and the absolute floor scales with
	// the loss (cells such as irnn and niaf can start with a large one).
	const eps, tol = 1e-5, 1e-5
	floor := 1e-9 * math.Max(1, g.Loss)
	check := func(name string, v, grad *tensor.Dense) {
		d, gd := v.Data().([]float64), grad.Data().([]float64)
		worst := 0.0
		for _, i := range sampleIndices(v.Shape()[0], v.Shape()[1], rng) {
			old := d[i]
			d[i] = old + eps
			lp := loss()
			d[i] = old - eps
			lm := loss()
			d[i] = old
			num := (lp - lm) / (2 * eps)
			if e := relErr(gd[i], num); e > tol && math.Abs(gd[i]-num) > floor {
				t.Errorf("%s[%d]: backprop %.10g, finite difference %.10g (rel err %.2g)", name, i, gd[i], num, e)
				return
			}
			worst = math.Max(worst, relErr(gd[i], num))
		}
		t.Logf("%s: worst rel err %.2g", name, worst)
	}
	for i, s := range net.Specs {
		check(s.Name, net.Params[i], g.Params[i])
	}
	for i, s := range net.Cell.States() {
		check(s+"_0", init[i], g.State0[i])
	}
}

// TestGradientsFiniteDifference checks ∂C/∂θ and ∂C/∂state_0 of every cell under both losses.
func TestGradientsFiniteDifference(t *testing.T) {
	for _, cell := range models.Names() {
		for _, tc := range []struct {
			task string
			T    int
		}{{"adding", 7}, {"copy", 2}} {
			t.Run(fmt.Sprintf("%s/%s", cell, tc.task), func(t *testing.T) {
				checkGradients(t, cell, tc.task, tc.T, 4, 3)
			})
		}
	}
}

// TestGradientsWideHidden checks sampled entries at H=128, where a slice at offset ≥ 256
// would have merged two gates of a fused matrix.
func TestGradientsWideHidden(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	for _, cell := range []string{"lstm", "gru"} {
		t.Run(cell, func(t *testing.T) { checkGradients(t, cell, "adding", 4, 128, 2) })
	}
}

// unrolledGraph is a whole sequence built as one Gorgonia graph and differentiated
// symbolically: the reference that chained one-step gradients must reproduce.
type unrolledGraph struct {
	m      G.VM
	inputs []*G.Node
	vals   []*tensor.Dense
	loss   *G.Node
	grads  G.Nodes
}

func buildUnrolled(tb testing.TB, net *Network, b *datasets.Batch, init []*tensor.Dense) *unrolledGraph {
	tb.Helper()
	o, err := models.NewOps(net.Dtype)
	if err != nil {
		tb.Fatal(err)
	}
	f, err := net.feed(b)
	if err != nil {
		tb.Fatal(err)
	}
	u := &unrolledGraph{}
	var wrt []*G.Node
	ncell := len(net.Cell.Params())
	for i, s := range net.Specs {
		n := o.Input(fmt.Sprintf("p%d.%s", i, s.Name), s.Rows, s.Cols)
		u.inputs, wrt, u.vals = append(u.inputs, n), append(wrt, n), append(u.vals, net.Params[i])
	}
	cfg := net.Cell.Config()
	state := make([]*G.Node, len(init))
	for i, s := range net.Cell.States() {
		state[i] = o.Input(s+"_0", cfg.Hidden, b.Size)
		u.inputs, wrt, u.vals = append(u.inputs, state[i]), append(wrt, state[i]), append(u.vals, init[i])
	}
	var hs []*G.Node
	j := 0
	for step := 0; step < b.Len; step++ {
		x := o.Input(fmt.Sprintf("x_t%04d", step), cfg.In, b.Size)
		u.inputs, u.vals = append(u.inputs, x), append(u.vals, f.xs[step])
		state = models.BuildStep(o, net.Cell, wrt[:ncell], x, state)
		if j < len(b.LossSteps) && b.LossSteps[j] == step {
			hs = append(hs, state[0])
			j++
		}
	}
	target := o.Input("target", net.Out, len(b.LossSteps)*b.Size)
	u.inputs, u.vals = append(u.inputs, target), append(u.vals, f.target)
	u.loss, _ = models.BuildLoss(o, net.Loss, wrt[ncell], wrt[ncell+1], o.Columns(hs...), target)
	if err := o.Check(); err != nil {
		tb.Fatal(err)
	}
	if u.grads, err = G.Grad(u.loss, wrt...); err != nil {
		tb.Fatal(err)
	}
	u.m = G.NewTapeMachine(o.Graph())
	return u
}

func (u *unrolledGraph) run(tb testing.TB) {
	for i, n := range u.inputs {
		if err := G.Let(n, u.vals[i]); err != nil {
			tb.Fatal(err)
		}
	}
	if err := u.m.RunAll(); err != nil {
		tb.Fatal(err)
	}
}

func unrolled(t *testing.T, net *Network, b *datasets.Batch, init []*tensor.Dense) (float64, [][]float64) {
	t.Helper()
	u := buildUnrolled(t, net, b, init)
	defer u.m.Close()
	u.run(t)
	out := make([][]float64, len(u.grads))
	for i, g := range u.grads {
		out[i] = append([]float64(nil), g.Value().Data().([]float64)...)
	}
	return u.loss.Value().Data().(float64), out
}

// TestBackpropMatchesUnrolledGraph: chaining one-step vector-Jacobian products gives the
// gradients of the fully unrolled graph, for every parameter and the initial state.
func TestBackpropMatchesUnrolledGraph(t *testing.T) {
	for _, cell := range models.Names() {
		for _, tc := range []struct {
			task      string
			T, hidden int
		}{{"adding", 9, 6}, {"copy", 3, 5}, {"adding", 5, 130}} {
			t.Run(fmt.Sprintf("%s/%s/T%d/H%d", cell, tc.task, tc.T, tc.hidden), func(t *testing.T) {
				net, task := testNet(t, cell, tc.task, tc.hidden, 21)
				b, err := datasets.TrainBatch(task, 2, tc.T, 3, 1)
				if err != nil {
					t.Fatal(err)
				}
				init := randomStates(net, 3, rand.New(rand.NewPCG(1, 2)))
				g, err := net.Backprop(b, init)
				if err != nil {
					t.Fatal(err)
				}
				wantLoss, want := unrolled(t, net, b, init)
				if math.Abs(g.Loss-wantLoss) > 1e-12 {
					t.Fatalf("loss %v, unrolled %v", g.Loss, wantLoss)
				}
				got := append(append([]*tensor.Dense{}, g.Params...), g.State0...)
				worst := 0.0
				for i := range want {
					gd := got[i].Data().([]float64)
					for k := range want[i] {
						d := math.Abs(gd[k] - want[i][k])
						if d > 1e-9*math.Max(1, math.Abs(want[i][k])) {
							t.Fatalf("gradient %d[%d]: chained %.15g, unrolled %.15g", i, k, gd[k], want[i][k])
						}
						worst = math.Max(worst, d)
					}
				}
				t.Logf("max abs difference %.2g", worst)
			})
		}
	}
}
