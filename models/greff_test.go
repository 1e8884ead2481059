package models

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

var greffNames = []string{"peephole", "nig", "nfg", "nog", "niaf", "noaf", "np", "cifg", "fgr"}

// greffReference is one step of the peephole LSTM of Greff et al. (2016, section 2) for one
// column, with a missing gate written as the constant 1 (as the paper defines the variants)
// and the parameters in the layout of [PeepholeLSTM.Params].
func greffReference(name string, D, H int, p map[string][]float64, x, h, c vec, gPrev map[string]vec) (hN, cN vec, gates map[string]vec) {
	has := map[string]bool{"i": name != "nig", "f": name != "nfg" && name != "cifg", "o": name != "nog"}
	peep := name != "np"
	var order []string // row blocks of W and b
	for _, g := range []string{"i", "f", "o"} {
		if has[g] {
			order = append(order, g)
		}
	}
	order = append(order, "g")
	pre := map[string]vec{}
	for k, g := range order {
		pre[g] = vadd(matVec(rowBlock(p["W"], D+H, H, k), H, D+H, cat(x, h)), p["b"][k*H:(k+1)*H])
	}
	if name == "fgr" { // pre_a += Σ_b R_ab b_{t-1}, R's row and column blocks in gate order
		k := len(order) - 1
		for a := 0; a < k; a++ {
			for b := 0; b < k; b++ {
				Rab := make([]float64, 0, H*H)
				for r := 0; r < H; r++ {
					row := rowBlock(p["R"], k*H, H, a)[r*k*H:]
					Rab = append(Rab, row[b*H:(b+1)*H]...)
				}
				pre[order[a]] = vadd(pre[order[a]], matVec(Rab, H, H, gPrev[order[b]]))
			}
		}
	}
	withPeep := func(g string, cell vec) vec {
		if !peep {
			return pre[g]
		}
		return vadd(pre[g], vmul(p["p_"+g], cell))
	}
	i, f, o := ones(H), ones(H), ones(H)
	if has["i"] {
		i = vsigm(withPeep("i", c))
	}
	if has["f"] {
		f = vsigm(withPeep("f", c))
	}
	if name == "cifg" {
		f = oneMinus(i)
	}
	g := pre["g"]
	if name != "niaf" {
		g = vtanh(g)
	}
	cN = vadd(vmul(f, c), vmul(i, g))
	if has["o"] {
		o = vsigm(withPeep("o", cN))
	}
	if name == "noaf" {
		hN = vmul(o, cN)
	} else {
		hN = vmul(o, vtanh(cN))
	}
	return hN, cN, map[string]vec{"i": i, "f": f, "o": o}
}

// TestGreffStepMatchesEquations: every variant's step equals the paper's equations on
// random parameters (peepholes and biases non-zero) for two batch columns.
func TestGreffStepMatchesEquations(t *testing.T) {
	const D, H, B = 1, 2, 2
	for _, name := range greffNames {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 3))
			c, _ := New(name, Config{In: D, Hidden: H, ForgetBias: 1})
			p := randomParams(c, rng)
			x, h, cc := uniform(rng, D*B, 1), uniform(rng, H*B, 1), uniform(rng, H*B, 2)
			prev := [][]float64{h, cc}
			gPrev := map[string][]float64{}
			for _, s := range c.States()[2:] { // fgr's previous gates, in (0, 1)
				gPrev[s] = vmap(uniform(rng, H*B, 1), func(v float64) float64 { return (v + 1) / 2 })
				prev = append(prev, gPrev[s])
			}
			out := stepOnce(t, c, p, x, prev, B)
			for b := 0; b < B; b++ {
				gp := map[string]vec{}
				for s, v := range gPrev {
					gp[s] = column(v, H, B, b)
				}
				hN, cN, gates := greffReference(name, D, H, p, column(x, D, B, b), column(h, H, B, b), column(cc, H, B, b), gp)
				checkColumn(t, "h", out[0], B, b, hN)
				checkColumn(t, "c", out[1], B, b, cN)
				for k, s := range c.States()[2:] {
					checkColumn(t, s, out[2+k], B, b, gates[s])
				}
			}
		})
	}
}

// TestGreffGatesAndStates: a gate that does not exist has no parameters; only fgr carries
// the gates as states.
func TestGreffGatesAndStates(t *testing.T) {
	want := map[string]string{
		"peephole": "W b p_i p_f p_o", "nig": "W b p_f p_o", "nfg": "W b p_i p_o", "nog": "W b p_i p_f",
		"niaf": "W b p_i p_f p_o", "noaf": "W b p_i p_f p_o", "np": "W b", "cifg": "W b p_i p_o",
		"fgr": "W b p_i p_f p_o R",
	}
	for _, name := range greffNames {
		c, _ := New(name, Config{In: 2, Hidden: 3})
		var got []string
		for _, s := range c.Params() {
			got = append(got, s.Name)
		}
		if g := fmt.Sprint(got); g != "["+want[name]+"]" {
			t.Errorf("%s: parameters %s, want [%s]", name, g, want[name])
		}
		states := []string{"h", "c"}
		if name == "fgr" {
			states = append(states, "i", "f", "o")
		}
		if !slices.Equal(c.States(), states) {
			t.Errorf("%s: states %v, want %v", name, c.States(), states)
		}
	}
}

// TestGreffInit: the forget block starts at ForgetBias (cifg: the input block at
// −ForgetBias), every other bias and every peephole at 0.
func TestGreffInit(t *testing.T) {
	const H = 2
	want := map[string][]float64{ // per row block of b
		"peephole": {0, 1.5, 0, 0}, "nig": {1.5, 0, 0}, "nfg": {0, 0, 0}, "nog": {0, 1.5, 0},
		"np": {0, 1.5, 0, 0}, "cifg": {-1.5, 0, 0}, "fgr": {0, 1.5, 0, 0},
	}
	for name, blocks := range want {
		c, _ := New(name, Config{In: 1, Hidden: H, ForgetBias: 1.5})
		rng := rand.New(rand.NewPCG(1, 1))
		for _, s := range c.Params() {
			v := s.Init(rng, s.Rows, s.Cols)
			switch {
			case s.Name == "b":
				for i, x := range v {
					if x != blocks[i/H] {
						t.Errorf("%s: b = %v, want blocks %v", name, v, blocks)
						break
					}
				}
			case s.Name[0] == 'p':
				if slices.ContainsFunc(v, func(x float64) bool { return x != 0 }) {
					t.Errorf("%s: %s = %v, want zeros", name, s.Name, v)
				}
			}
		}
	}
}

// TestGreffSpecialCases: np is the model of lstm (same parameter layout), and the peephole
// LSTM with zero peepholes is too.
func TestGreffSpecialCases(t *testing.T) {
	const D, H, B = 1, 2, 2
	rng := rand.New(rand.NewPCG(4, 4))
	lstm, _ := New("lstm", Config{In: D, Hidden: H})
	p := randomParams(lstm, rng)
	x, prev := uniform(rng, D*B, 1), [][]float64{uniform(rng, H*B, 1), uniform(rng, H*B, 1)}
	want := stepOnce(t, lstm, p, x, prev, B)

	np, _ := New("np", Config{In: D, Hidden: H})
	peep, _ := New("peephole", Config{In: D, Hidden: H})
	pp := map[string][]float64{"W": p["W"], "b": p["b"], "p_i": {0, 0}, "p_f": {0, 0}, "p_o": {0, 0}}
	for _, got := range [][][]float64{stepOnce(t, np, p, x, prev, B), stepOnce(t, peep, pp, x, prev, B)} {
		for s := range want {
			for k := range want[s] {
				if got[s][k] != want[s][k] {
					t.Fatalf("state %d[%d] = %v, lstm gives %v", s, k, got[s][k], want[s][k])
				}
			}
		}
	}
}
