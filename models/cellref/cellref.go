package cellref

import (
	"fmt"
	"math"
	"sort"
)

// Param is the name and shape of one parameter.
type Param struct {
	Name       string
	Rows, Cols int
}

// Cell is the reference of one cell: its state names (h first), its parameters in order,
// and one time step for one sequence (one column of a batch).
type Cell struct {
	States []string
	Params func(D, H int) []Param
	// Step returns the next states from the parameters p (by name), the input x (D) and
	// the previous states prev (each H), in States order.
	Step func(D, H int, p map[string][]float64, x []float64, prev [][]float64) [][]float64
}

var cells = map[string]Cell{}

// Lookup returns the reference of the named cell.
func Lookup(name string) (Cell, bool) {
	c, ok := cells[name]
	return c, ok
}

// Names lists the cells that have a reference, sorted.
func Names() []string {
	var out []string
	for n := range cells {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// ---- scalar and vector helpers ----

func sigmoid(v float64) float64  { return 1 / (1 + math.Exp(-v)) }
func relu(v float64) float64     { return math.Max(0, v) }
func identity(v float64) float64 { return v }

// affine returns block k (rows k·H … k·H+H−1) of W·u + b, where W has len(u) columns.
func affine(W, b []float64, H, k int, u []float64) []float64 {
	n := len(u)
	if len(W)%n != 0 || len(W)/n < (k+1)*H || len(b) < (k+1)*H {
		panic(fmt.Sprintf("cellref: affine block %d of H=%d: W has %d values, b %d, input %d", k, H, len(W), len(b), n))
	}
	out := make([]float64, H)
	for r := 0; r < H; r++ {
		row := (k*H + r) * n
		s := b[k*H+r]
		for j, v := range u {
			s += W[row+j] * v
		}
		out[r] = s
	}
	return out
}

// matVecBlock returns block (a, c) of a (k·H, k·H) matrix R times v (H).
func matVecBlock(R []float64, k, H, a, c int, v []float64) []float64 {
	out := make([]float64, H)
	n := k * H
	for r := 0; r < H; r++ {
		row := (a*H + r) * n
		for j := 0; j < H; j++ {
			out[r] += R[row+c*H+j] * v[j]
		}
	}
	return out
}

func concat(a, b []float64) []float64 { return append(append([]float64{}, a...), b...) }

func apply(v []float64, f func(float64) float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = f(x)
	}
	return out
}

func add(a, b []float64) []float64 {
	out := make([]float64, len(a))
	for i := range a {
		out[i] = a[i] + b[i]
	}
	return out
}

func mul(a, b []float64) []float64 {
	out := make([]float64, len(a))
	for i := range a {
		out[i] = a[i] * b[i]
	}
	return out
}

func constant(n int, v float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// wb declares a fused matrix over [x; h] with k gate blocks and its bias.
func wb(w, b string, k, D, H int) []Param {
	return []Param{{w, k * H, D + H}, {b, k * H, 1}}
}

func init() {
	// Elman (1990): h_t = tanh(W [x_t; h_{t-1}] + b).
	cells["rnn"] = Cell{
		States: []string{"h"},
		Params: func(D, H int) []Param { return wb("W", "b", 1, D, H) },
		Step: func(D, H int, p map[string][]float64, x []float64, prev [][]float64) [][]float64 {
			return [][]float64{apply(affine(p["W"], p["b"], H, 0, concat(x, prev[0])), math.Tanh)}
		},
	}
	// Le, Jaitly & Hinton (2015): h_t = relu(W [x_t; h_{t-1}] + b).
	cells["irnn"] = Cell{
		States: []string{"h"},
		Params: func(D, H int) []Param { return wb("W", "b", 1, D, H) },
		Step: func(D, H int, p map[string][]float64, x []float64, prev [][]float64) [][]float64 {
			return [][]float64{apply(affine(p["W"], p["b"], H, 0, concat(x, prev[0])), relu)}
		},
	}
	// The constant error carousel alone (Hochreiter & Schmidhuber 1997, section 3):
	// c_t = c_{t-1} + tanh(W [x_t; h_{t-1}] + b), h_t = tanh(c_t).
	cells["cec"] = Cell{
		States: []string{"h", "c"},
		Params: func(D, H int) []Param { return wb("W", "b", 1, D, H) },
		Step: func(D, H int, p map[string][]float64, x []float64, prev [][]float64) [][]float64 {
			c := add(prev[1], apply(affine(p["W"], p["b"], H, 0, concat(x, prev[0])), math.Tanh))
			return [][]float64{apply(c, math.Tanh), c}
		},
	}
	// Hochreiter & Schmidhuber (1997), no forget gate, gate blocks i, o, g:
	// c_t = c_{t-1} + i_t g_t, h_t = o_t tanh(c_t).
	cells["lstm1997"] = Cell{
		States: []string{"h", "c"},
		Params: func(D, H int) []Param { return wb("W", "b", 3, D, H) },
		Step: func(D, H int, p map[string][]float64, x []float64, prev [][]float64) [][]float64 {
			u := concat(x, prev[0])
			i := apply(affine(p["W"], p["b"], H, 0, u), sigmoid)
			o := apply(affine(p["W"], p["b"], H, 1, u), sigmoid)
			g := apply(affine(p["W"], p["b"], H, 2, u), math.Tanh)
			c := add(prev[1], mul(i, g))
			return [][]float64{mul(o, apply(c, math.Tanh)), c}
		},
	}
	// Gers, Schmidhuber & Cummins (2000), gate blocks i, f, o, g:
	// c_t = f_t c_{t-1} + i_t g_t, h_t = o_t tanh(c_t).
	cells["lstm"] = Cell{
		States: []string{"h", "c"},
		Params: func(D, H int) []Param { return wb("W", "b", 4, D, H) },
		Step: func(D, H int, p map[string][]float64, x []float64, prev [][]float64) [][]float64 {
			u := concat(x, prev[0])
			i := apply(affine(p["W"], p["b"], H, 0, u), sigmoid)
			f := apply(affine(p["W"], p["b"], H, 1, u), sigmoid)
			o := apply(affine(p["W"], p["b"], H, 2, u), sigmoid)
			g := apply(affine(p["W"], p["b"], H, 3, u), math.Tanh)
			c := add(mul(f, prev[1]), mul(i, g))
			return [][]float64{mul(o, apply(c, math.Tanh)), c}
		},
	}
	// Cho et al. (2014, arXiv v3, eq. 5–8), the reset gate applied to h_{t-1} before the
	// recurrent product: z = σ(W_z [x; h]), r = σ(W_r [x; h]),
	// h̃ = tanh(W_n [x; r ⊙ h]), h_t = z ⊙ h_{t-1} + (1 − z) ⊙ h̃.
	cells["gru"] = Cell{
		States: []string{"h"},
		Params: func(D, H int) []Param { return append(wb("Wzr", "bzr", 2, D, H), wb("Wn", "bn", 1, D, H)...) },
		Step: func(D, H int, p map[string][]float64, x []float64, prev [][]float64) [][]float64 {
			h := prev[0]
			u := concat(x, h)
			z := apply(affine(p["Wzr"], p["bzr"], H, 0, u), sigmoid)
			r := apply(affine(p["Wzr"], p["bzr"], H, 1, u), sigmoid)
			n := apply(affine(p["Wn"], p["bn"], H, 0, concat(x, mul(r, h))), math.Tanh)
			out := make([]float64, H)
			for j := range out {
				out[j] = z[j]*h[j] + (1-z[j])*n[j]
			}
			return [][]float64{out}
		},
	}
	// The reset-after GRU of torch.nn.GRU: r = σ(W_r [x; h] + b_r), z = σ(W_z [x; h] + b_z),
	// n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h_t = z ⊙ h_{t-1} + (1 − z) ⊙ n.
	cells["gru-torch"] = Cell{
		States: []string{"h"},
		Params: func(D, H int) []Param {
			return append(wb("Wrz", "brz", 2, D, H), Param{"Win", H, D}, Param{"bin", H, 1}, Param{"Whn", H, H}, Param{"bhn", H, 1})
		},
		Step: func(D, H int, p map[string][]float64, x []float64, prev [][]float64) [][]float64 {
			h := prev[0]
			u := concat(x, h)
			r := apply(affine(p["Wrz"], p["brz"], H, 0, u), sigmoid)
			z := apply(affine(p["Wrz"], p["brz"], H, 1, u), sigmoid)
			in := affine(p["Win"], p["bin"], H, 0, x)
			hn := affine(p["Whn"], p["bhn"], H, 0, h)
			n := apply(add(in, mul(r, hn)), math.Tanh)
			out := make([]float64, H)
			for j := range out {
				out[j] = z[j]*h[j] + (1-z[j])*n[j]
			}
			return [][]float64{out}
		},
	}
	for _, v := range []string{"mut1", "mut2", "mut3"} {
		cells[v] = mut(v)
	}
	for _, v := range []string{"peephole", "nig", "nfg", "nog", "niaf", "noaf", "np", "cifg", "fgr"} {
		cells[v] = greff(v)
	}
}

// mut is one of the three cells of Jozefowicz, Zaremba & Sutskever (2015, section 3.1),
// with the raw-input terms of the paper (inputs of size H) read through an embedding E x
// (E of shape (H, D), no bias). W_xz, W_xr, W_xh are the columns :D of the fused matrices
// over [x; ·], W_hz, W_hr, W_hh the columns D: ; mut1's Wh is W_hh alone and its Wz W_xz:
//
//	mut1: z = σ(W_xz x + b_z), r = σ(W_xr x + W_hr h + b_r),
//	      h' = tanh(W_hh (r ⊙ h) + tanh(E x) + b_h) ⊙ z + h ⊙ (1 − z)
//	mut2: z = σ(W_xz x + W_hz h + b_z), r = σ(E x + W_hr h + b_r),
//	      h' = tanh(W_hh (r ⊙ h) + W_xh x + b_h) ⊙ z + h ⊙ (1 − z)
//	mut3: z = σ(W_xz x + W_hz tanh(h) + b_z), r = σ(W_xr x + W_hr h + b_r),
//	      h' = tanh(W_hh (r ⊙ h) + W_xh x + b_h) ⊙ z + h ⊙ (1 − z)
func mut(v string) Cell {
	return Cell{
		States: []string{"h"},
		Params: func(D, H int) []Param {
			switch v {
			case "mut1":
				return []Param{{"Wz", H, D}, {"bz", H, 1}, {"Wr", H, D + H}, {"br", H, 1}, {"Wh", H, H}, {"bh", H, 1}, {"E", H, D}}
			case "mut2":
				return []Param{{"Wz", H, D + H}, {"bz", H, 1}, {"E", H, D}, {"Whr", H, H}, {"br", H, 1}, {"Wh", H, D + H}, {"bh", H, 1}}
			}
			return append(append(wb("Wz", "bz", 1, D, H), wb("Wr", "br", 1, D, H)...), wb("Wh", "bh", 1, D, H)...)
		},
		Step: func(D, H int, p map[string][]float64, x []float64, prev [][]float64) [][]float64 {
			h := prev[0]
			zero := constant(H, 0)
			lin := func(W []float64, u []float64) []float64 { return affine(W, zero, H, 0, u) }
			var z, r, pre []float64
			switch v {
			case "mut1":
				z = apply(add(lin(p["Wz"], x), p["bz"]), sigmoid)
				r = apply(affine(p["Wr"], p["br"], H, 0, concat(x, h)), sigmoid)
				pre = add(add(lin(p["Wh"], mul(r, h)), apply(lin(p["E"], x), math.Tanh)), p["bh"])
			case "mut2":
				z = apply(affine(p["Wz"], p["bz"], H, 0, concat(x, h)), sigmoid)
				r = apply(add(add(lin(p["E"], x), lin(p["Whr"], h)), p["br"]), sigmoid)
				pre = affine(p["Wh"], p["bh"], H, 0, concat(x, mul(r, h)))
			default:
				z = apply(affine(p["Wz"], p["bz"], H, 0, concat(x, apply(h, math.Tanh))), sigmoid)
				r = apply(affine(p["Wr"], p["br"], H, 0, concat(x, h)), sigmoid)
				pre = affine(p["Wh"], p["bh"], H, 0, concat(x, mul(r, h)))
			}
			cand := apply(pre, math.Tanh)
			out := make([]float64, H)
			for j := range out {
				out[j] = cand[j]*z[j] + h[j]*(1-z[j])
			}
			return [][]float64{out}
		},
	}
}

// greff is the vanilla LSTM of Greff et al. (2016, "LSTM: A Search Space Odyssey",
// section 2; Gers & Schmidhuber 2000's peepholes) or one of its eight variants (section 3):
//
//	i = σ(W_i [x; h] + p_i ⊙ c_{t-1} + b_i)
//	f = σ(W_f [x; h] + p_f ⊙ c_{t-1} + b_f)
//	g = tanh(W_g [x; h] + b_g)
//	c_t = f ⊙ c_{t-1} + i ⊙ g
//	o = σ(W_o [x; h] + p_o ⊙ c_t + b_o)
//	h_t = o ⊙ tanh(c_t)
//
// NIG, NFG, NOG set a gate to 1 (it has no parameters), NIAF drops g's tanh, NOAF drops the
// tanh of h, NP drops the peepholes, CIFG sets f = 1 − i, FGR adds Σ_b R_ab b_{t-1} to the
// pre-activation of every gate a ∈ {i, f, o}. The fused W and b hold the gates present in
// the order i, f, o, then g; R is (3H, 3H) with row and column blocks in that order.
func greff(v string) Cell {
	has := map[string]bool{"i": v != "nig", "f": v != "nfg" && v != "cifg", "o": v != "nog"}
	var gates []string
	for _, g := range []string{"i", "f", "o"} {
		if has[g] {
			gates = append(gates, g)
		}
	}
	k := len(gates)
	peep := v != "np"
	states := []string{"h", "c"}
	if v == "fgr" {
		states = append(states, gates...)
	}
	return Cell{
		States: states,
		Params: func(D, H int) []Param {
			ps := wb("W", "b", k+1, D, H)
			if peep {
				for _, g := range gates {
					ps = append(ps, Param{"p_" + g, H, 1})
				}
			}
			if v == "fgr" {
				ps = append(ps, Param{"R", k * H, k * H})
			}
			return ps
		},
		Step: func(D, H int, p map[string][]float64, x []float64, prev [][]float64) [][]float64 {
			u := concat(x, prev[0])
			cPrev := prev[1]
			pre := map[string][]float64{}
			for j, g := range gates {
				pre[g] = affine(p["W"], p["b"], H, j, u)
			}
			if v == "fgr" {
				for a, ga := range gates {
					for c := range gates {
						pre[ga] = add(pre[ga], matVecBlock(p["R"], k, H, a, c, prev[2+c]))
					}
				}
			}
			gate := func(g string, cell []float64) []float64 {
				if !has[g] {
					return constant(H, 1)
				}
				a := pre[g]
				if peep {
					a = add(a, mul(p["p_"+g], cell))
				}
				return apply(a, sigmoid)
			}
			i, f := gate("i", cPrev), gate("f", cPrev)
			if v == "cifg" {
				f = apply(i, func(x float64) float64 { return 1 - x })
			}
			act := math.Tanh
			if v == "niaf" {
				act = identity
			}
			g := apply(affine(p["W"], p["b"], H, k, u), act)
			c := add(mul(f, cPrev), mul(i, g))
			o := gate("o", c)
			out := apply(c, math.Tanh)
			if v == "noaf" {
				out = c
			}
			next := [][]float64{mul(o, out), c}
			if v == "fgr" {
				val := map[string][]float64{"i": i, "f": f, "o": o}
				for _, g := range gates {
					next = append(next, val[g])
				}
			}
			return next
		},
	}
}

// Run runs the named cell over a batch of B sequences from the states init (zeros when
// nil): xs[t] is the input at step t, (D, B) row-major, and each state is (H, B)
// row-major. It returns the states after every step, states[t][s].
func Run(name string, D, H, B int, p map[string][]float64, xs [][]float64, init [][]float64) ([][][]float64, error) {
	c, ok := Lookup(name)
	if !ok {
		return nil, fmt.Errorf("cellref: no reference equations for cell %q", name)
	}
	ns := len(c.States)
	cur := make([][]float64, ns)
	for s := range cur {
		cur[s] = make([]float64, H*B)
		if init != nil {
			copy(cur[s], init[s])
		}
	}
	out := make([][][]float64, len(xs))
	for t, x := range xs {
		next := make([][]float64, ns)
		for s := range next {
			next[s] = make([]float64, H*B)
		}
		for b := 0; b < B; b++ {
			xc := column(x, D, B, b)
			prev := make([][]float64, ns)
			for s := range prev {
				prev[s] = column(cur[s], H, B, b)
			}
			for s, v := range c.Step(D, H, p, xc, prev) {
				for r, val := range v {
					next[s][r*B+b] = val
				}
			}
		}
		out[t], cur = next, next
	}
	return out, nil
}

func column(m []float64, rows, B, b int) []float64 {
	out := make([]float64, rows)
	for r := range out {
		out[r] = m[r*B+b]
	}
	return out
}

// Readout returns y = V h + c for hidden states hs (H, N): V is (K, H), c is (K, 1), y is
// (K, N), all row-major.
func Readout(K, H, N int, V, c, hs []float64) []float64 {
	y := make([]float64, K*N)
	for k := 0; k < K; k++ {
		for n := 0; n < N; n++ {
			s := c[k]
			for j := 0; j < H; j++ {
				s += V[k*H+j] * hs[j*N+n]
			}
			y[k*N+n] = s
		}
	}
	return y
}

// MSE is Σ (y − target)² / (K·N), the mean over every output of every column.
func MSE(y, target []float64) float64 {
	s := 0.0
	for i := range y {
		d := y[i] - target[i]
		s += d * d
	}
	return s / float64(len(y))
}

// CrossEntropy is −(1/N) Σ_n log softmax(y_n)[labels[n]] for outputs y (K, N).
func CrossEntropy(K, N int, y []float64, labels []int) float64 {
	s := 0.0
	for n := 0; n < N; n++ {
		mx := math.Inf(-1)
		for k := 0; k < K; k++ {
			mx = math.Max(mx, y[k*N+n])
		}
		z := 0.0
		for k := 0; k < K; k++ {
			z += math.Exp(y[k*N+n] - mx)
		}
		s -= y[labels[n]*N+n] - mx - math.Log(z)
	}
	return s / float64(N)
}
