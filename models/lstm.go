package models

import G "gorgonia.org/gorgonia"

// LSTM is the long short-term memory cell with a forget gate (Gers, Schmidhuber & Cummins
// 2000), the form used by most libraries:
//
//	i_t = σ(W_i [x_t; h_{t-1}] + b_i)
//	f_t = σ(W_f [x_t; h_{t-1}] + b_f)
//	o_t = σ(W_o [x_t; h_{t-1}] + b_o)
//	g_t = tanh(W_g [x_t; h_{t-1}] + b_g)
//	c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
//	h_t = o_t ⊙ tanh(c_t)
//
// The gates share one fused matrix W = [W_i; W_f; W_o; W_g] of shape (4H, D+H) and bias
// (4H, 1): 4H(D+H) + 4H parameters. W is Glorot-uniform per gate; b_f starts at
// [Config.ForgetBias] (1 is the usual choice, Jozefowicz et al. 2015), the other biases at 0.
// It asks what a learned forget gate adds to the constant error carousel.
type LSTM struct{ cfg Config }

func init() {
	register(Info{
		Name:     "lstm",
		Summary:  "LSTM with forget gate (Gers et al. 2000), forget bias a hyperparameter",
		Equation: "c_t = f_t⊙c_{t-1} + i_t⊙g_t, h_t = o_t⊙tanh(c_t); i,f,o = σ(W[x;h]+b), g = tanh(W_g[x;h]+b_g)",
		Count:    "4H(D+H) + 4H",
		New:      func(c Config) Cell { return &LSTM{c} },
	})
}

// Name implements [Cell].
func (c *LSTM) Name() string { return "lstm" }

// Config implements [Cell].
func (c *LSTM) Config() Config { return c.cfg }

// States implements [Cell].
func (c *LSTM) States() []string { return []string{"h", "c"} }

// Params implements [Cell].
func (c *LSTM) Params() []ParamSpec {
	D, H := c.cfg.In, c.cfg.Hidden
	return []ParamSpec{
		{Name: "W", Rows: 4 * H, Cols: D + H, Init: GlorotUniform(D+H, H), Gates: Gates("i", "sigmoid", "f", "sigmoid", "o", "sigmoid", "g", "tanh")},
		{Name: "b", Rows: 4 * H, Cols: 1, Init: BlockConst(0, c.cfg.ForgetBias, 0, 0)},
	}
}

// Step implements [Cell].
func (c *LSTM) Step(o *Ops, p Params, x *G.Node, prev States) []*G.Node {
	z := o.Blocks(o.Affine(p.Get("W"), p.Get("b"), x, prev.Get("h")), 4)
	i, f, og, g := o.Sigmoid(z[0]), o.Sigmoid(z[1]), o.Sigmoid(z[2]), o.Tanh(z[3])
	cell := o.Add(o.Mul(f, prev.Get("c")), o.Mul(i, g))
	return []*G.Node{o.Mul(og, o.Tanh(cell)), cell}
}
