package models

import G "gorgonia.org/gorgonia"

// MUT is one of the three recurrent cells Jozefowicz, Zaremba & Sutskever (2015, "An
// Empirical Exploration of Recurrent Network Architectures", section 3.1) found best among
// the 10,000 architectures their search produced by mutating the GRU. In the paper's
// convention z weights the new candidate, h_t = c_t ⊙ z_t + h_{t-1} ⊙ (1 − z_t):
//
//	mut1  z_t = σ(W_xz x_t + b_z)
//	      r_t = σ(W_xr x_t + W_hr h_{t-1} + b_r)
//	      c_t = tanh(W_hh (r_t ⊙ h_{t-1}) + tanh(E x_t) + b_h)
//
//	mut2  z_t = σ(W_xz x_t + W_hz h_{t-1} + b_z)
//	      r_t = σ(E x_t + W_hr h_{t-1} + b_r)
//	      c_t = tanh(W_hh (r_t ⊙ h_{t-1}) + W_xh x_t + b_h)
//
//	mut3  z_t = σ(W_xz x_t + W_hz tanh(h_{t-1}) + b_z)
//	      r_t = σ(W_xr x_t + W_hr h_{t-1} + b_r)
//	      c_t = tanh(W_hh (r_t ⊙ h_{t-1}) + W_xh x_t + b_h)
//
//	h_t = c_t ⊙ z_t + h_{t-1} ⊙ (1 − z_t)
//
// The paper feeds inputs of the hidden size H and adds the raw input to hidden-size terms
// (tanh(x_t) in mut1's candidate, x_t in mut2's reset gate). Here the input has D
// components, so those terms read a learned linear embedding E x_t, E of shape (H, D)
// without bias (the bias it would add is b_h's or b_r's); with D = H and E = I the cells
// are the paper's. mut3 has no raw-input term and no E.
//
// With the embedding, mut2 is the reset-before [GRU] ("gru") written in the other gate
// convention: E plays W_xr, so r_t is the GRU's reset gate, c_t its candidate, and
// z_t = 1 − z_t^GRU. The GRU with W_z^GRU = −[W_xz W_hz], b_z^GRU = −b_z, W_r^GRU = [E W_hr],
// b_r^GRU = b_r, W_n = [W_xh W_hh], b_n = b_h computes the same h_t. The two differ in that
// layout and in their initial weights (E is Glorot-uniform over (D, H) where the GRU's W_r
// is over (D+H, H), and the seed's draws fall in another order), so the same seed trains
// them differently. mut1 and mut3 coincide with no other cell: mut1's update gate ignores h_{t-1}
// and its candidate passes the input through tanh before adding it, mut3's update gate
// reads tanh(h_{t-1}).
//
// Parameters, one matrix per gate over [x_t; h_{t-1}] where the gate reads both:
//
//	mut1  Wz (H, D), bz, Wr (H, D+H), br, Wh (H, H), bh, E (H, D): 3HD + 2H² + 3H
//	mut2  Wz (H, D+H), bz, E (H, D), Whr (H, H), br, Wh (H, D+H), bh: 3H(D+H) + 3H
//	mut3  Wz (H, D+H) over [x; tanh h], bz, Wr (H, D+H), br, Wh (H, D+H), bh: 3H(D+H) + 3H
//
// where Wh's columns D: (all of mut1's Wh) multiply r_t ⊙ h_{t-1}, and biases are (H, 1).
// The recurrent blocks declared for the gradient-flow diagnostics are W_hr (r, sigmoid),
// W_hz (z, sigmoid; mut1 has none) and W_hh (h, tanh). mut3's W_hz multiplies tanh(h_{t-1})
// and every W_hh multiplies r_t ⊙ h_{t-1}; both factors have derivative at most 1 in h_{t-1},
// so the bound of the σ_max diagnostic holds for them as for the GRU's blocks.
// Matrices are Glorot-uniform over their fan-in and fan-out, E over (D, H); biases start at
// zero. The cells ask whether the architectures the search preferred on language and
// arithmetic tasks also carry information over long lags.
type MUT struct {
	name string
	cfg  Config
}

func init() {
	for _, i := range []Info{
		{
			Name:     "mut1",
			Summary:  "MUT1 of Jozefowicz et al. 2015: update gate from x alone, tanh of an input embedding in the candidate",
			Equation: "h_t = tanh(W_hh(r⊙h_{t-1}) + tanh(E x) + b_h)⊙z + h_{t-1}⊙(1−z); z = σ(W_xz x+b_z), r = σ(W[x;h]+b_r)",
			Count:    "3HD + 2H² + 3H",
		},
		{
			Name:     "mut2",
			Summary:  "MUT2 of Jozefowicz et al. 2015, reset gate on an input embedding; the same model as gru (z ↔ 1−z)",
			Equation: "h_t = tanh(W_hh(r⊙h_{t-1}) + W_xh x + b_h)⊙z + h_{t-1}⊙(1−z); z = σ(W[x;h]+b_z), r = σ(E x + W_hr h+b_r)",
			Count:    "3H(D+H) + 3H",
		},
		{
			Name:     "mut3",
			Summary:  "MUT3 of Jozefowicz et al. 2015: update gate reads tanh(h_{t-1})",
			Equation: "h_t = tanh(W_hh(r⊙h_{t-1}) + W_xh x + b_h)⊙z + h_{t-1}⊙(1−z); z = σ(W[x;tanh h]+b_z), r = σ(W[x;h]+b_r)",
			Count:    "3H(D+H) + 3H",
		},
	} {
		name := i.Name
		i.New = func(c Config) Cell { return &MUT{name, c} }
		register(i)
	}
}

// Name implements [Cell].
func (c *MUT) Name() string { return c.name }

// Config implements [Cell].
func (c *MUT) Config() Config { return c.cfg }

// States implements [Cell].
func (c *MUT) States() []string { return []string{"h"} }

// Params implements [Cell].
func (c *MUT) Params() []ParamSpec {
	D, H := c.cfg.In, c.cfg.Hidden
	bias := func(name string) ParamSpec { return ParamSpec{Name: name, Rows: H, Cols: 1, Init: Zeros} }
	full := func(name string, gate, act string) ParamSpec {
		return ParamSpec{Name: name, Rows: H, Cols: D + H, Init: GlorotUniform(D+H, H), Gates: Gates(gate, act)}
	}
	embed := ParamSpec{Name: "E", Rows: H, Cols: D, Init: GlorotUniform(D, H)}
	switch c.name {
	case "mut1":
		return []ParamSpec{
			{Name: "Wz", Rows: H, Cols: D, Init: GlorotUniform(D, H)}, bias("bz"),
			full("Wr", "r", "sigmoid"), bias("br"),
			{Name: "Wh", Rows: H, Cols: H, Init: GlorotUniform(H, H), Gates: Gates("h", "tanh")}, bias("bh"),
			embed,
		}
	case "mut2":
		return []ParamSpec{
			full("Wz", "z", "sigmoid"), bias("bz"),
			embed, {Name: "Whr", Rows: H, Cols: H, Init: GlorotUniform(H, H), Gates: Gates("r", "sigmoid")}, bias("br"),
			full("Wh", "h", "tanh"), bias("bh"),
		}
	default: // mut3
		return []ParamSpec{
			full("Wz", "z", "sigmoid"), bias("bz"),
			full("Wr", "r", "sigmoid"), bias("br"),
			full("Wh", "h", "tanh"), bias("bh"),
		}
	}
}

// Step implements [Cell].
func (c *MUT) Step(o *Ops, p Params, x *G.Node, prev States) []*G.Node {
	h := prev.Get("h")
	var z, r, cand *G.Node
	switch c.name {
	case "mut1":
		z = o.Sigmoid(o.AddBias(o.MatMul(p.Get("Wz"), x), p.Get("bz")))
		r = o.Sigmoid(o.Affine(p.Get("Wr"), p.Get("br"), x, h))
		rec := o.MatMul(p.Get("Wh"), o.Mul(r, h))
		cand = o.Tanh(o.AddBias(o.Add(rec, o.Tanh(o.MatMul(p.Get("E"), x))), p.Get("bh")))
	case "mut2":
		z = o.Sigmoid(o.Affine(p.Get("Wz"), p.Get("bz"), x, h))
		r = o.Sigmoid(o.AddBias(o.Add(o.MatMul(p.Get("E"), x), o.MatMul(p.Get("Whr"), h)), p.Get("br")))
		cand = o.Tanh(o.Affine(p.Get("Wh"), p.Get("bh"), x, o.Mul(r, h)))
	default: // mut3
		z = o.Sigmoid(o.Affine(p.Get("Wz"), p.Get("bz"), x, o.Tanh(h)))
		r = o.Sigmoid(o.Affine(p.Get("Wr"), p.Get("br"), x, h))
		cand = o.Tanh(o.Affine(p.Get("Wh"), p.Get("bh"), x, o.Mul(r, h)))
	}
	return []*G.Node{o.Add(o.Mul(cand, z), o.Mul(h, o.OneMinus(z)))}
}
