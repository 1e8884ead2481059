package models

import G "gorgonia.org/gorgonia"

// LSTM1997 is the original long short-term memory cell of Hochreiter & Schmidhuber (1997):
// a constant error carousel guarded by input and output gates, with no forget gate.
//
//	i_t = σ(W_i [x_t; h_{t-1}] + b_i)
//	o_t = σ(W_o [x_t; h_{t-1}] + b_o)
//	g_t = tanh(W_g [x_t; h_{t-1}] + b_g)
//	c_t = c_{t-1} + i_t ⊙ g_t
//	h_t = o_t ⊙ tanh(c_t)
//
// The gates share one fused matrix W = [W_i; W_o; W_g] of shape (3H, D+H) and bias (3H, 1):
// 3H(D+H) + 3H parameters. Two departures from the paper, both standard today: tanh squashes
// g and h (the paper used scaled sigmoids), and gradients flow through the full unrolled
// recurrence (the paper truncated them at the cell's inputs). It asks whether the
// carousel alone — without a way to forget — carries information across long lags; its
// cell state can only accumulate, which Hochreiter warned makes h'(c) saturate.
type LSTM1997 struct{ cfg Config }

func init() {
	register(Info{
		Name:     "lstm1997",
		Summary:  "original LSTM, input and output gates, no forget gate (Hochreiter & Schmidhuber 1997)",
		Equation: "c_t = c_{t-1} + i_t⊙g_t, h_t = o_t⊙tanh(c_t); i,o = σ(W[x;h]+b), g = tanh(W_g[x;h]+b_g)",
		Count:    "3H(D+H) + 3H",
		New:      func(c Config) Cell { return &LSTM1997{c} },
	})
}

// Name implements [Cell].
func (c *LSTM1997) Name() string { return "lstm1997" }

// Config implements [Cell].
func (c *LSTM1997) Config() Config { return c.cfg }

// States implements [Cell].
func (c *LSTM1997) States() []string { return []string{"h", "c"} }

// Params implements [Cell].
func (c *LSTM1997) Params() []ParamSpec {
	D, H := c.cfg.In, c.cfg.Hidden
	return []ParamSpec{
		{Name: "W", Rows: 3 * H, Cols: D + H, Init: GlorotUniform(D+H, H), Gates: Gates("i", "sigmoid", "o", "sigmoid", "g", "tanh")},
		{Name: "b", Rows: 3 * H, Cols: 1, Init: Zeros},
	}
}

// Step implements [Cell].
func (c *LSTM1997) Step(o *Ops, p Params, x *G.Node, prev States) []*G.Node {
	z := o.Blocks(o.Affine(p.Get("W"), p.Get("b"), x, prev.Get("h")), 3)
	i, og, g := o.Sigmoid(z[0]), o.Sigmoid(z[1]), o.Tanh(z[2])
	cell := o.Add(prev.Get("c"), o.Mul(i, g))
	return []*G.Node{o.Mul(og, o.Tanh(cell)), cell}
}
