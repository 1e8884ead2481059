package runner

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gorgonia.org/tensor"

	"github.com/expctl/expctl/datasets"
	"github.com/expctl/expctl/models"
)

// Network is a recurrent cell with a linear readout: the parameter values, in the cell's
// declared order followed by the readout's (V, c), and the compiled programs that run it.
type Network struct {
	Cell   models.Cell
	Loss   datasets.Loss
	Dtype  tensor.Dtype
	Out    int                // readout size K
	Specs  []models.ParamSpec // cell parameters, then readout parameters
	Params []*tensor.Dense

	steps    map[int]*models.Sequence
	readouts map[readoutKey]*models.Readout
}

type readoutKey struct {
	n    int
	grad bool
}

// NewNetwork initialises a network from rng: the cell's parameters, then the readout's.
func NewNetwork(cell models.Cell, loss datasets.Loss, out int, dt tensor.Dtype, rng *rand.Rand) (*Network, error) {
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("unsupported dtype %v", dt)
	}
	n := &Network{Cell: cell, Loss: loss, Dtype: dt, Out: out,
		steps: map[int]*models.Sequence{}, readouts: map[readoutKey]*models.Readout{}}
	n.Specs = append(append(n.Specs, cell.Params()...), models.ReadoutParams(cell.Config().Hidden, out)...)
	for _, s := range n.Specs {
		n.Params = append(n.Params, dense(dt, s.Rows, s.Cols, s.Init(rng, s.Rows, s.Cols)))
	}
	return n, nil
}

// NumParams is the number of trainable scalars.
func (n *Network) NumParams() int { return models.CountParams(n.Specs) }

func (n *Network) cellParams() []*tensor.Dense    { return n.Params[:len(n.Cell.Params())] }
func (n *Network) readoutParams() []*tensor.Dense { return n.Params[len(n.Cell.Params()):] }

func (n *Network) step(batch int) (*models.Sequence, error) {
	if p, ok := n.steps[batch]; ok {
		return p, nil
	}
	p, err := models.NewSequence(n.Cell, n.Dtype, batch)
	if err != nil {
		return nil, err
	}
	n.steps[batch] = p
	return p, nil
}

func (n *Network) readout(cols int, grad bool) (*models.Readout, error) {
	k := readoutKey{cols, grad}
	if r, ok := n.readouts[k]; ok {
		return r, nil
	}
	r, err := models.NewReadout(n.Loss, n.Dtype, n.Cell.Config().Hidden, n.Out, cols, grad)
	if err != nil {
		return nil, err
	}
	n.readouts[k] = r
	return r, nil
}

// feed is a batch converted to the network's dtype.
type feed struct {
	b      *datasets.Batch
	xs     []*tensor.Dense // per step, (D, B)
	target *tensor.Dense   // (K, N)
}

func (n *Network) feed(b *datasets.Batch) (*feed, error) {
	if b.InDim != n.Cell.Config().In || b.OutDim != n.Out {
		return nil, fmt.Errorf("batch has %d inputs and %d outputs; network expects %d and %d",
			b.InDim, b.OutDim, n.Cell.Config().In, n.Out)
	}
	f := &feed{b: b, xs: make([]*tensor.Dense, b.Len)}
	for t := range f.xs {
		f.xs[t] = dense(n.Dtype, b.InDim, b.Size, b.Input(t))
	}
	N := len(b.LossSteps) * b.Size
	tv := make([]float64, n.Out*N)
	if b.Labels != nil {
		for col, k := range b.Labels {
			tv[k*N+col] = 1
		}
	} else {
		copy(tv, b.Y)
	}
	f.target = dense(n.Dtype, n.Out, N, tv)
	return f, nil
}

// zeroStates returns the initial state: zeros for every state tensor.
func (n *Network) zeroStates(batch int) []*tensor.Dense {
	out := make([]*tensor.Dense, len(n.Cell.States()))
	for i := range out {
		out[i] = dense(n.Dtype, n.Cell.Config().Hidden, batch, nil)
	}
	return out
}

// Gradients is the result of backpropagation through time over one batch.
type Gradients struct {
	Loss   float64
	Params []*tensor.Dense // ∂C/∂θ, in the order of [Network.Params]
	// HNorm[t] = ‖∂C/∂h_t‖ (Frobenius norm over the batch) for every step t = 0..L−1, where
	// h_t is the hidden state after reading x_t: the gradient that reaches lag L−1−t.
	HNorm []float64
	// State0 is ∂C/∂state_0, the gradient with respect to the initial states.
	State0 []*tensor.Dense
}

// Backprop runs the batch forward from init (zeros when nil) and back through time. It
// builds no graph per time step: the cell's one-step program runs L times forward, keeping
// what the backward pass needs, and L times backward.
func (n *Network) Backprop(b *datasets.Batch, init []*tensor.Dense) (*Gradients, error) {
	f, err := n.feed(b)
	if err != nil {
		return nil, err
	}
	B, L := b.Size, b.Len
	prog, err := n.step(B)
	if err != nil {
		return nil, err
	}
	cp := n.cellParams()

	// Forward, gathering the hidden states at the loss steps.
	H := n.Cell.Config().Hidden
	N := len(b.LossSteps) * B
	ro, err := n.readout(N, true)
	if err != nil {
		return nil, err
	}
	hs, visit := n.lossStates(b)
	if err = prog.Forward(cp, f.xs, init, true, visit); err != nil {
		return nil, err
	}

	// Readout and loss on the hidden states at the loss steps.
	res, err := ro.Run(n.readoutParams(), hs, f.target)
	if err != nil {
		return nil, err
	}
	g := &Gradients{Loss: res.Loss, HNorm: make([]float64, L)}
	g.Params = make([]*tensor.Dense, len(n.Params))
	nc := len(cp)
	for i, p := range n.Params[:nc] {
		g.Params[i] = dense(n.Dtype, p.Shape()[0], p.Shape()[1], nil)
	}
	copy(g.Params[nc:], res.DParams)

	// Backward through time.
	dh := dense(n.Dtype, H, B, nil)
	j := len(b.LossSteps) - 1
	d0, err := prog.Backward(g.Params[:nc], func(t int, d []*tensor.Dense) error {
		if j >= 0 && b.LossSteps[j] == t {
			copyColumns(res.DHs, dh, j*B, true)
			addInto(d[0], dh)
			j--
		}
		g.HNorm[t] = math.Sqrt(sumSquares(d[0]))
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, d := range d0 {
		g.State0 = append(g.State0, d.Clone().(*tensor.Dense))
	}
	return g, nil
}

// Output is the result of running a batch forward.
type Output struct {
	Loss float64
	Y    []float64 // readout outputs (K, N), row-major, in the layout of [datasets.Batch.Y]
}

// Forward runs the batch from the zero state and returns the loss and the outputs at the
// loss steps. Only the hidden states at loss steps are kept.
func (n *Network) Forward(b *datasets.Batch) (*Output, error) {
	return n.forward(b, nil)
}

func (n *Network) forward(b *datasets.Batch, init []*tensor.Dense) (*Output, error) {
	f, err := n.feed(b)
	if err != nil {
		return nil, err
	}
	B := b.Size
	prog, err := n.step(B)
	if err != nil {
		return nil, err
	}
	N := len(b.LossSteps) * B
	ro, err := n.readout(N, false)
	if err != nil {
		return nil, err
	}
	hs, visit := n.lossStates(b)
	if err = prog.Forward(n.cellParams(), f.xs, init, false, visit); err != nil {
		return nil, err
	}
	res, err := ro.Run(n.readoutParams(), hs, f.target)
	if err != nil {
		return nil, err
	}
	return &Output{Loss: res.Loss, Y: float64s(res.Y)}, nil
}

// lossStates returns the (H, N) matrix of the hidden states at the batch's loss steps and
// the visitor that fills it while the sequence runs forward.
func (n *Network) lossStates(b *datasets.Batch) (*tensor.Dense, func(t int, st []*tensor.Dense) error) {
	hs := dense(n.Dtype, n.Cell.Config().Hidden, len(b.LossSteps)*b.Size, nil)
	j := 0
	return hs, func(t int, st []*tensor.Dense) error {
		if j < len(b.LossSteps) && b.LossSteps[j] == t {
			copyColumns(hs, st[0], j*b.Size, false)
			j++
		}
		return nil
	}
}
