package models

import G "gorgonia.org/gorgonia"

// IRNNInputStd is the standard deviation of the IRNN's initial input weights. Le et al.
// (2015) write N(0, 0.001); it is read here as a standard deviation of 0.001, the reading of
// the Keras reproduction of their experiment (examples/mnist_irnn.py: RandomNormal with
// stddev 0.001). Read as a variance it would be a standard deviation of about 0.0316.
const IRNNInputStd = 0.001

// IRNN is the rectified-linear recurrent network initialised at the identity (Le, Jaitly &
// Hinton 2015, "A Simple Way to Initialize Recurrent Networks of Rectified Linear Units"):
//
//	h_t = relu(W [x_t; h_{t-1}] + b)
//
// with W of shape (H, D+H) and b of shape (H, 1): H(D+H) + H parameters. At initialisation
// the block of W that multiplies h_{t-1} is the identity, the block that multiplies x_t is
// drawn from N(0, [IRNNInputStd]²), and b is zero, so that with non-negative states the
// network starts by copying h_{t-1} forward and adding a small input term. It asks whether
// an ungated network whose initial Jacobian ∂h_t/∂h_{t-1} is the identity (on the active
// units) keeps gradients alive over long lags — Le et al. report it does on the adding
// problem; Arjovsky et al. (2016) report that it never beats the baseline there.
type IRNN struct{ cfg Config }

func init() {
	register(Info{
		Name:     "irnn",
		Summary:  "ReLU RNN with identity-initialised recurrent weights (Le, Jaitly & Hinton 2015)",
		Equation: "h_t = relu(W[x_t; h_{t-1}] + b); W_hh(0) = I, W_xh(0) ~ N(0, 0.001²), b(0) = 0",
		Count:    "H(D+H) + H",
		New:      func(c Config) Cell { return &IRNN{c} },
	})
}

// Name implements [Cell].
func (c *IRNN) Name() string { return "irnn" }

// Config implements [Cell].
func (c *IRNN) Config() Config { return c.cfg }

// States implements [Cell].
func (c *IRNN) States() []string { return []string{"h"} }

// Params implements [Cell].
func (c *IRNN) Params() []ParamSpec {
	D, H := c.cfg.In, c.cfg.Hidden
	return []ParamSpec{
		{Name: "W", Rows: H, Cols: D + H, Init: IdentityRecurrent(D, IRNNInputStd), Gates: Gates("h", "relu")},
		{Name: "b", Rows: H, Cols: 1, Init: Zeros},
	}
}

// Step implements [Cell].
func (c *IRNN) Step(o *Ops, p Params, x *G.Node, prev States) []*G.Node {
	return []*G.Node{o.ReLU(o.Affine(p.Get("W"), p.Get("b"), x, prev.Get("h")))}
}
