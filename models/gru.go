package models

import G "gorgonia.org/gorgonia"

// GRU is the gated recurrent unit of Cho et al. (2014), in the variant of the paper (arXiv
// v3, eq. 5–8): the reset gate scales h_{t-1} before the recurrent matrix multiplies it
// (cuDNN's "reset_after" variant applies it after; this is not that one).
//
//	z_t = σ(W_z [x_t; h_{t-1}] + b_z)
//	r_t = σ(W_r [x_t; h_{t-1}] + b_r)
//	n_t = tanh(W_n [x_t; r_t ⊙ h_{t-1}] + b_n)
//	h_t = z_t ⊙ h_{t-1} + (1 − z_t) ⊙ n_t
//
// W_zr = [W_z; W_r] is (2H, D+H), W_n is (H, D+H), biases (2H, 1) and (H, 1): 3H(D+H) + 3H
// parameters. It asks whether a cell without a separate memory, whose update gate
// interpolates between keeping and replacing h, carries information as far as an LSTM.
type GRU struct{ cfg Config }

func init() {
	register(Info{
		Name:     "gru",
		Summary:  "gated recurrent unit, reset before the recurrent product (Cho et al. 2014, v3)",
		Equation: "h_t = z_t⊙h_{t-1} + (1−z_t)⊙tanh(W_n[x; r_t⊙h_{t-1}]+b_n); z,r = σ(W[x;h]+b)",
		Count:    "3H(D+H) + 3H",
		New:      func(c Config) Cell { return &GRU{c} },
	})
}

// Name implements [Cell].
func (c *GRU) Name() string { return "gru" }

// Config implements [Cell].
func (c *GRU) Config() Config { return c.cfg }

// States implements [Cell].
func (c *GRU) States() []string { return []string{"h"} }

// Params implements [Cell].
func (c *GRU) Params() []ParamSpec {
	D, H := c.cfg.In, c.cfg.Hidden
	return []ParamSpec{
		{Name: "Wzr", Rows: 2 * H, Cols: D + H, Init: GlorotUniform(D+H, H), Gates: Gates("z", "sigmoid", "r", "sigmoid")},
		{Name: "bzr", Rows: 2 * H, Cols: 1, Init: Zeros},
		{Name: "Wn", Rows: H, Cols: D + H, Init: GlorotUniform(D+H, H), Gates: Gates("n", "tanh")},
		{Name: "bn", Rows: H, Cols: 1, Init: Zeros},
	}
}

// Step implements [Cell].
func (c *GRU) Step(o *Ops, p Params, x *G.Node, prev States) []*G.Node {
	h := prev.Get("h")
	zr := o.Blocks(o.Sigmoid(o.Affine(p.Get("Wzr"), p.Get("bzr"), x, h)), 2)
	z, r := zr[0], zr[1]
	n := o.Tanh(o.Affine(p.Get("Wn"), p.Get("bn"), x, o.Mul(r, h)))
	return []*G.Node{o.Add(o.Mul(z, h), o.Mul(o.OneMinus(z), n))}
}
