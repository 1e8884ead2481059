package models

import G "gorgonia.org/gorgonia"

// CEC is the constant error carousel on its own, the idea at the heart of LSTM (Hochreiter &
// Schmidhuber 1997, section 3) before any gate is added:
//
//	c_t = c_{t-1} + tanh(W [x_t; h_{t-1}] + b)
//	h_t = tanh(c_t)
//
// with W of shape (H, D+H) and b of shape (H, 1): H(D+H) + H parameters, the same as the
// vanilla RNN. W is Glorot-uniform, b is zero. It asks whether an additive self-connection of
// weight one — along which ∂c_t/∂c_{t-1} = I, so error neither vanishes nor explodes —
// suffices to bridge long lags without gates. Hochreiter & Schmidhuber predict it does not:
// every input is written and nothing is ever erased, so c drifts like a random walk, and once
// |c| is large h'(c) = 1 − tanh²(c) ≈ 0 closes the path through h_{t-1} and the readout
// (the input and output weight conflicts that motivated the gates of [LSTM1997]).
type CEC struct{ cfg Config }

func init() {
	register(Info{
		Name:     "cec",
		Summary:  "constant error carousel without gates (the idea behind LSTM, Hochreiter & Schmidhuber 1997)",
		Equation: "c_t = c_{t-1} + tanh(W[x_t; h_{t-1}] + b), h_t = tanh(c_t)",
		Count:    "H(D+H) + H",
		New:      func(c Config) Cell { return &CEC{c} },
	})
}

// Name implements [Cell].
func (c *CEC) Name() string { return "cec" }

// Config implements [Cell].
func (c *CEC) Config() Config { return c.cfg }

// States implements [Cell].
func (c *CEC) States() []string { return []string{"h", "c"} }

// Params implements [Cell].
func (c *CEC) Params() []ParamSpec {
	D, H := c.cfg.In, c.cfg.Hidden
	return []ParamSpec{
		{Name: "W", Rows: H, Cols: D + H, Init: GlorotUniform(D+H, H), Gates: Gates("c", "tanh")},
		{Name: "b", Rows: H, Cols: 1, Init: Zeros},
	}
}

// Step implements [Cell].
func (c *CEC) Step(o *Ops, p Params, x *G.Node, prev States) []*G.Node {
	cell := o.Add(prev.Get("c"), o.Tanh(o.Affine(p.Get("W"), p.Get("b"), x, prev.Get("h"))))
	return []*G.Node{o.Tanh(cell), cell}
}
