package models

import G "gorgonia.org/gorgonia"

// GRUTorch is the gated recurrent unit in the form torch.nn.GRU (and cuDNN, and Keras with
// reset_after=True) computes: the reset gate scales the recurrent product W_hn h_{t-1} +
// b_hn after it is taken, where [GRU] scales h_{t-1} before.
//
//	r_t = σ(W_r [x_t; h_{t-1}] + b_r)
//	z_t = σ(W_z [x_t; h_{t-1}] + b_z)
//	n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))
//	h_t = z_t ⊙ h_{t-1} + (1 − z_t) ⊙ n_t
//
// Parameters, in PyTorch's gate order r, z, n: Wrz = [W_r; W_z] (2H, D+H) and brz (2H, 1);
// Win (H, D) and bin (H, 1); Whn (H, H) and bhn (H, 1): 3H(D+H) + 4H. PyTorch's
// weight_ih_l0 is [Wrz[:, :D]; Win] and weight_hh_l0 is [Wrz[:, D:]; Whn]; its two biases
// of the r and z gates act only through their sum, brz = b_ih[:2H] + b_hh[:2H], while those
// of n stay apart (b_in = b_ih[2H:], b_hn = b_hh[2H:]) because r multiplies b_hn alone.
// Wrz and Win are Glorot-uniform over their fan-in and fan-out, Whn over (H, H); the biases
// start at zero.
type GRUTorch struct{ cfg Config }

func init() {
	register(Info{
		Name:     "gru-torch",
		Summary:  "gated recurrent unit, reset after the recurrent product (torch.nn.GRU, cuDNN)",
		Equation: "h_t = z_t⊙h_{t-1} + (1−z_t)⊙tanh(W_in x+b_in + r_t⊙(W_hn h_{t-1}+b_hn)); r,z = σ(W[x;h]+b)",
		Count:    "3H(D+H) + 4H",
		New:      func(c Config) Cell { return &GRUTorch{c} },
	})
}

// Name implements [Cell].
func (c *GRUTorch) Name() string { return "gru-torch" }

// Config implements [Cell].
func (c *GRUTorch) Config() Config { return c.cfg }

// States implements [Cell].
func (c *GRUTorch) States() []string { return []string{"h"} }

// Params implements [Cell].
func (c *GRUTorch) Params() []ParamSpec {
	D, H := c.cfg.In, c.cfg.Hidden
	return []ParamSpec{
		{Name: "Wrz", Rows: 2 * H, Cols: D + H, Init: GlorotUniform(D+H, H), Gates: Gates("r", "sigmoid", "z", "sigmoid")},
		{Name: "brz", Rows: 2 * H, Cols: 1, Init: Zeros},
		{Name: "Win", Rows: H, Cols: D, Init: GlorotUniform(D, H)},
		{Name: "bin", Rows: H, Cols: 1, Init: Zeros},
		{Name: "Whn", Rows: H, Cols: H, Init: GlorotUniform(H, H), Gates: Gates("n", "tanh")},
		{Name: "bhn", Rows: H, Cols: 1, Init: Zeros},
	}
}

// Step implements [Cell].
func (c *GRUTorch) Step(o *Ops, p Params, x *G.Node, prev States) []*G.Node {
	h := prev.Get("h")
	rz := o.Blocks(o.Sigmoid(o.Affine(p.Get("Wrz"), p.Get("brz"), x, h)), 2)
	r, z := rz[0], rz[1]
	in := o.AddBias(o.MatMul(p.Get("Win"), x), p.Get("bin"))
	hn := o.AddBias(o.MatMul(p.Get("Whn"), h), p.Get("bhn"))
	n := o.Tanh(o.Add(in, o.Mul(r, hn)))
	return []*G.Node{o.Add(o.Mul(z, h), o.Mul(o.OneMinus(z), n))}
}
