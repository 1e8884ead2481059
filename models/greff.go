package models

import (
	"fmt"

	G "gorgonia.org/gorgonia"
)

// PeepholeLSTM is the LSTM with forget gate and peephole connections (Gers & Schmidhuber
// 2000), the "vanilla" LSTM of Greff et al. (2016, "LSTM: A Search Space Odyssey"), and the
// eight variants that paper derives from it by changing one thing each. The vanilla cell is
//
//	i_t = σ(W_i [x_t; h_{t-1}] + p_i ⊙ c_{t-1} + b_i)
//	f_t = σ(W_f [x_t; h_{t-1}] + p_f ⊙ c_{t-1} + b_f)
//	g_t = tanh(W_g [x_t; h_{t-1}] + b_g)
//	c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
//	o_t = σ(W_o [x_t; h_{t-1}] + p_o ⊙ c_t + b_o)
//	h_t = o_t ⊙ tanh(c_t)
//
// registered as "peephole", and the variants are
//
//	nig   no input gate:           i_t = 1
//	nfg   no forget gate:          f_t = 1
//	nog   no output gate:          o_t = 1
//	niaf  no input activation:     g_t = W_g [x_t; h_{t-1}] + b_g
//	noaf  no output activation:    h_t = o_t ⊙ c_t
//	np    no peepholes:            p_i = p_f = p_o = 0, removed (the same model as "lstm")
//	cifg  coupled input and forget gate: f_t = 1 − i_t, no W_f, b_f or p_f
//	fgr   full gate recurrence: each gate a ∈ {i, f, o} also receives
//	      R_ai i_{t-1} + R_af f_{t-1} + R_ao o_{t-1} in its pre-activation
//
// A gate that does not exist has no parameters. The gates present share one fused matrix W
// (rows in the order i, f, o, g) of shape (nH, D+H) and bias (nH, 1); each gate that reads
// the cell state has a diagonal peephole stored as an (H, 1) column vector p_i, p_f, p_o; fgr
// adds the nine H×H matrices fused into one R of shape (3H, 3H) that multiplies
// [i_{t-1}; f_{t-1}; o_{t-1}], and carries i, f and o as extra state tensors (zero at t = 0).
// Peepholes read c_{t-1} for i and f and the new c_t for o.
//
// Initialisation: W and R are Glorot-uniform per gate; the peepholes start at 0, so at
// initialisation each variant computes exactly its peephole-free counterpart and the
// peepholes are learned from there; b_f starts at [Config.ForgetBias]. In cifg, where
// f = 1 − i, b_i starts at −ForgetBias instead, so that f starts at the same σ(ForgetBias)
// as in the other variants. All other biases start at 0.
//
// The family asks which parts of the LSTM carry the long-range memory: Greff et al. found
// on speech, handwriting and music that no variant beats the vanilla cell significantly,
// that removing the forget gate or the output activation hurts most, and that coupling the
// gates (cifg) or dropping the peepholes (np) costs nothing. These cells ask whether that
// ranking holds on long-lag synthetic tasks trained with full BPTT.
type PeepholeLSTM struct {
	v   lstmVariant
	cfg Config
}

// lstmVariant says how a variant departs from the vanilla peephole LSTM.
type lstmVariant struct {
	name, summary, equation string

	noInputGate, noForgetGate, noOutputGate bool
	coupled                                 bool // f = 1 − i (the forget gate has no parameters)
	noInputAct, noOutputAct                 bool
	noPeepholes                             bool
	gateRecurrence                          bool
}

func init() {
	for _, v := range []lstmVariant{
		{name: "peephole", summary: "LSTM with forget gate and peepholes (Gers & Schmidhuber 2000); Greff et al. 2016's vanilla",
			equation: "c_t = f⊙c_{t-1} + i⊙g, h_t = o⊙tanh(c_t); i,f = σ(W[x;h] + p⊙c_{t-1} + b), o = σ(W_o[x;h] + p_o⊙c_t + b_o), g = tanh(W_g[x;h] + b_g)"},
		{name: "nig", noInputGate: true, summary: "peephole LSTM without input gate (Greff et al. 2016, NIG)",
			equation: "peephole LSTM with i_t = 1: c_t = f_t⊙c_{t-1} + g_t"},
		{name: "nfg", noForgetGate: true, summary: "peephole LSTM without forget gate (Greff et al. 2016, NFG)",
			equation: "peephole LSTM with f_t = 1: c_t = c_{t-1} + i_t⊙g_t"},
		{name: "nog", noOutputGate: true, summary: "peephole LSTM without output gate (Greff et al. 2016, NOG)",
			equation: "peephole LSTM with o_t = 1: h_t = tanh(c_t)"},
		{name: "niaf", noInputAct: true, summary: "peephole LSTM without input activation (Greff et al. 2016, NIAF)",
			equation: "peephole LSTM with g_t = W_g[x_t; h_{t-1}] + b_g (no tanh)"},
		{name: "noaf", noOutputAct: true, summary: "peephole LSTM without output activation (Greff et al. 2016, NOAF)",
			equation: "peephole LSTM with h_t = o_t⊙c_t (no tanh)"},
		{name: "np", noPeepholes: true, summary: "LSTM with forget gate, no peepholes (Greff et al. 2016, NP; the model of lstm)",
			equation: "peephole LSTM with p_i = p_f = p_o = 0: c_t = f⊙c_{t-1} + i⊙g, h_t = o⊙tanh(c_t)"},
		{name: "cifg", coupled: true, summary: "peephole LSTM with coupled input and forget gate (Greff et al. 2016, CIFG)",
			equation: "peephole LSTM with f_t = 1 − i_t: c_t = (1−i_t)⊙c_{t-1} + i_t⊙g_t"},
		{name: "fgr", gateRecurrence: true, summary: "peephole LSTM with full gate recurrence (Greff et al. 2016, FGR)",
			equation: "peephole LSTM whose gates a ∈ {i,f,o} also add R_ai i_{t-1} + R_af f_{t-1} + R_ao o_{t-1}"},
	} {
		register(Info{
			Name: v.name, Summary: v.summary, Equation: v.equation, Count: v.count(),
			New: func(c Config) Cell { return &PeepholeLSTM{v: v, cfg: c} },
		})
	}
}

// gates lists the gates with parameters among i, f and o, in the order of W's row blocks.
func (v lstmVariant) gates() []string {
	var out []string
	if !v.noInputGate {
		out = append(out, "i")
	}
	if !v.noForgetGate && !v.coupled {
		out = append(out, "f")
	}
	if !v.noOutputGate {
		out = append(out, "o")
	}
	return out
}

// count is the parameter-count formula in D and H.
func (v lstmVariant) count() string {
	k := len(v.gates())
	n, extra := k+1, k+1 // fused W and b over the gates and g
	if !v.noPeepholes {
		extra += k
	}
	s := fmt.Sprintf("%dH(D+H) + %dH", n, extra)
	if v.gateRecurrence {
		s += fmt.Sprintf(" + %dH²", k*k)
	}
	return s
}

// Name implements [Cell].
func (c *PeepholeLSTM) Name() string { return c.v.name }

// Config implements [Cell].
func (c *PeepholeLSTM) Config() Config { return c.cfg }

// States implements [Cell].
func (c *PeepholeLSTM) States() []string {
	s := []string{"h", "c"}
	if c.v.gateRecurrence {
		s = append(s, c.v.gates()...)
	}
	return s
}

// Params implements [Cell].
func (c *PeepholeLSTM) Params() []ParamSpec {
	D, H := c.cfg.In, c.cfg.Hidden
	gates := c.v.gates()
	n := len(gates) + 1
	bias := make([]float64, n)
	for k, g := range gates {
		switch {
		case g == "f":
			bias[k] = c.cfg.ForgetBias
		case g == "i" && c.v.coupled:
			bias[k] = -c.cfg.ForgetBias
		}
	}
	var blocks []Gate
	for _, g := range gates {
		blocks = append(blocks, Gate{g, "sigmoid"})
	}
	if c.v.noInputAct {
		blocks = append(blocks, Gate{"g", "identity"})
	} else {
		blocks = append(blocks, Gate{"g", "tanh"})
	}
	specs := []ParamSpec{
		{Name: "W", Rows: n * H, Cols: D + H, Init: GlorotUniform(D+H, H), Gates: blocks},
		{Name: "b", Rows: n * H, Cols: 1, Init: BlockConst(bias...)},
	}
	if !c.v.noPeepholes {
		for _, g := range gates {
			specs = append(specs, ParamSpec{Name: "p_" + g, Rows: H, Cols: 1, Init: Zeros})
		}
	}
	if c.v.gateRecurrence {
		k := len(gates)
		specs = append(specs, ParamSpec{Name: "R", Rows: k * H, Cols: k * H, Init: GlorotUniform(k*H, H)})
	}
	return specs
}

// Step implements [Cell]. A gate that does not exist is the constant 1 and is left out of
// the products rather than multiplied in.
func (c *PeepholeLSTM) Step(o *Ops, p Params, x *G.Node, prev States) []*G.Node {
	v := c.v
	h, cPrev := prev.Get("h"), prev.Get("c")
	gates := v.gates()
	z := o.Blocks(o.Affine(p.Get("W"), p.Get("b"), x, h), len(gates)+1)
	pre := map[string]*G.Node{}
	for k, g := range gates {
		pre[g] = z[k]
	}
	if v.gateRecurrence {
		var last []*G.Node // i_{t-1}, f_{t-1}, o_{t-1}: the gates present
		for _, g := range gates {
			last = append(last, prev.Get(g))
		}
		r := o.Blocks(o.MatMul(p.Get("R"), o.Stack(last...)), len(gates))
		for k, g := range gates {
			pre[g] = o.Add(pre[g], r[k])
		}
	}
	gate := func(g string, cell *G.Node) *G.Node { // σ(pre + p_g ⊙ cell), or nil for 1
		a, ok := pre[g]
		if !ok {
			return nil
		}
		if !v.noPeepholes {
			a = o.Add(a, o.MulColumn(cell, p.Get("p_"+g)))
		}
		return o.Sigmoid(a)
	}

	i, f := gate("i", cPrev), gate("f", cPrev)
	if v.coupled {
		f = o.OneMinus(i)
	}
	g := z[len(gates)]
	if !v.noInputAct {
		g = o.Tanh(g)
	}
	keep, write := cPrev, g
	if f != nil {
		keep = o.Mul(f, cPrev)
	}
	if i != nil {
		write = o.Mul(i, g)
	}
	cell := o.Add(keep, write)

	og := gate("o", cell)
	out := cell
	if !v.noOutputAct {
		out = o.Tanh(cell)
	}
	if og != nil {
		out = o.Mul(og, out)
	}
	next := []*G.Node{out, cell}
	if v.gateRecurrence {
		value := map[string]*G.Node{"i": i, "f": f, "o": og}
		for _, g := range gates {
			next = append(next, value[g])
		}
	}
	return next
}
