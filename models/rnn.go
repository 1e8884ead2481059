package models

import G "gorgonia.org/gorgonia"

// RNN is the vanilla (Elman) tanh recurrent network:
//
//	h_t = tanh(W [x_t; h_{t-1}] + b)
//
// with W of shape (H, D+H) and b of shape (H, 1): H(D+H) + H parameters. It answers the
// baseline question: how far back can a plain recurrent network carry information before
// ∂h_t/∂h_{t-k} = Π diag(1−h²) W_hh vanishes? W is Glorot-uniform, b is zero.
type RNN struct{ cfg Config }

func init() {
	register(Info{
		Name:     "rnn",
		Summary:  "vanilla tanh RNN (Elman 1990)",
		Equation: "h_t = tanh(W[x_t; h_{t-1}] + b)",
		Count:    "H(D+H) + H",
		New:      func(c Config) Cell { return &RNN{c} },
	})
}

// Name implements [Cell].
func (c *RNN) Name() string { return "rnn" }

// Config implements [Cell].
func (c *RNN) Config() Config { return c.cfg }

// States implements [Cell].
func (c *RNN) States() []string { return []string{"h"} }

// Params implements [Cell].
func (c *RNN) Params() []ParamSpec {
	D, H := c.cfg.In, c.cfg.Hidden
	return []ParamSpec{
		{Name: "W", Rows: H, Cols: D + H, Init: GlorotUniform(D+H, H), Gates: Gates("h", "tanh")},
		{Name: "b", Rows: H, Cols: 1, Init: Zeros},
	}
}

// Step implements [Cell].
func (c *RNN) Step(o *Ops, p Params, x *G.Node, prev States) []*G.Node {
	return []*G.Node{o.Tanh(o.Affine(p.Get("W"), p.Get("b"), x, prev.Get("h")))}
}
