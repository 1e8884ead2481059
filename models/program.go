package models

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/expctl/expctl/datasets"
	"github.com/expctl/expctl/models/engine"
)

// Sequence runs a cell through sequences of a fixed batch size: its one-step graph,
// forward and vector-Jacobian product in one graph, compiled once by package engine and
// run for every time step. The vector-Jacobian product is the gradient of the surrogate
// cost Σ_i ⟨next_i, dnext_i⟩ with respect to the parameters and the previous states, as
// Gorgonia's symbolic differentiation gives it; chaining it backwards through time is
// exact backpropagation through time.
type Sequence struct {
	cell Cell
	rec  *engine.Recurrence
}

// stepGraph builds inputs for params, x and the previous states, and the step itself.
func stepGraph(cell Cell, dt tensor.Dtype, batch int) (o *Ops, params []*G.Node, x *G.Node, prev, next []*G.Node, err error) {
	cfg := cell.Config()
	if o, err = NewOps(dt); err != nil {
		return
	}
	for _, s := range cell.Params() {
		params = append(params, o.Input(cell.Name()+"."+s.Name, s.Rows, s.Cols))
	}
	x = o.Input("x", cfg.In, batch)
	for _, s := range cell.States() {
		prev = append(prev, o.Input(s+"_prev", cfg.Hidden, batch))
	}
	next = BuildStep(o, cell, params, x, prev)
	err = o.Err()
	return
}

// NewSequence builds and compiles the step of cell for batches of the given size.
func NewSequence(cell Cell, dt tensor.Dtype, batch int) (*Sequence, error) {
	o, params, x, prev, next, err := stepGraph(cell, dt, batch)
	if err != nil {
		return nil, fmt.Errorf("build %s step: %w", cell.Name(), err)
	}
	// cost = Σ_i Σ next_i ⊙ dnext_i, so ∂cost/∂θ = (∂next/∂θ)ᵀ dnext.
	var cost *G.Node
	var dnext []*G.Node
	for i, s := range cell.States() {
		d := o.Input("d"+s, cell.Config().Hidden, batch)
		dnext = append(dnext, d)
		term := o.Sum(o.Mul(next[i], d))
		if cost == nil {
			cost = term
		} else {
			cost = o.Add(cost, term)
		}
	}
	if err := o.Err(); err != nil {
		return nil, fmt.Errorf("build %s step gradient: %w", cell.Name(), err)
	}
	wrt := append(append([]*G.Node{}, params...), prev...)
	grads, err := G.Grad(cost, wrt...)
	if err != nil {
		return nil, fmt.Errorf("differentiate %s step: %w", cell.Name(), err)
	}
	if err := o.Check(); err != nil {
		return nil, fmt.Errorf("compile %s step: %w", cell.Name(), err)
	}
	rec, err := engine.NewRecurrence(dt, engine.RecurrenceSpec{Params: params, X: x, Prev: prev, Next: next,
		DNext: dnext, GradParams: grads[:len(params)], GradPrev: grads[len(params):]})
	if err != nil {
		return nil, fmt.Errorf("compile %s step: %w", cell.Name(), err)
	}
	return &Sequence{cell: cell, rec: rec}, nil
}

// Steps describes the compiled step: the ops of the forward and backward steps in
// execution order, and the indices of the parameters whose gradients are computed by one
// matrix product over the whole sequence.
func (s *Sequence) Steps() (forward, backward []string, merged []int) { return s.rec.Steps() }

// Cell returns the cell the sequence runs.
func (s *Sequence) Cell() Cell { return s.cell }

// Forward runs the cell over xs (one (D, B) input per time step) from the initial states
// init (zeros when nil) with params in [Cell.Params] order. After step t it calls visit,
// if set, with the states after that step; they stay valid until the next Forward. With
// keep set, everything [Sequence.Backward] needs is kept, the states of every step among
// it.
func (s *Sequence) Forward(params, xs, init []*tensor.Dense, keep bool, visit func(t int, states []*tensor.Dense) error) error {
	if err := s.rec.Forward(params, xs, init, keep, visit); err != nil {
		return fmt.Errorf("%s forward: %w", s.cell.Name(), err)
	}
	return nil
}

// Backward runs backpropagation through time over the last Forward, which must have been
// run with keep, from the last step to the first. Before step t it calls inject with the
// gradients with respect to the states after step t, to which inject adds the loss's own
// gradient at that step, if any; inject may read them too. The gradient with respect to
// the parameters is added into acc, in [Cell.Params] order. It returns the gradients with
// respect to the initial states, valid until the next call.
func (s *Sequence) Backward(acc []*tensor.Dense, inject func(t int, d []*tensor.Dense) error) ([]*tensor.Dense, error) {
	d0, err := s.rec.Backward(acc, inject)
	if err != nil {
		return nil, fmt.Errorf("%s backward: %w", s.cell.Name(), err)
	}
	return d0, nil
}

// Readout is the compiled readout-and-loss graph for N columns of hidden states.
type Readout struct {
	kind            datasets.Loss
	prog            *engine.Program
	params          []*G.Node
	hs, target      *G.Node
	loss, y         *G.Node
	gParams         []*G.Node
	gHs             *G.Node
	withGrad        bool
	hidden, out, nN int
}

// ReadoutResult is what one run of a [Readout] computes.
type ReadoutResult struct {
	Loss    float64
	Y       *tensor.Dense   // outputs (K, N)
	DParams []*tensor.Dense // ∂loss/∂(V, c); nil without gradients
	DHs     *tensor.Dense   // ∂loss/∂hs (H, N); nil without gradients
}

// NewReadout compiles the readout of N columns of H-dimensional hidden states to K outputs
// with the given loss, with or without gradients.
func NewReadout(kind datasets.Loss, dt tensor.Dtype, hidden, out, n int, withGrad bool) (*Readout, error) {
	o, err := NewOps(dt)
	if err != nil {
		return nil, err
	}
	r := &Readout{kind: kind, withGrad: withGrad, hidden: hidden, out: out, nN: n}
	for _, s := range ReadoutParams(hidden, out) {
		r.params = append(r.params, o.Input("readout."+s.Name, s.Rows, s.Cols))
	}
	r.hs = o.Input("hs", hidden, n)
	r.target = o.Input("target", out, n)
	r.loss, r.y = BuildLoss(o, kind, r.params[0], r.params[1], r.hs, r.target) // V, c
	if err := o.Err(); err != nil {
		return nil, fmt.Errorf("build readout: %w", err)
	}
	if withGrad {
		grads, err := G.Grad(r.loss, append(append([]*G.Node{}, r.params...), r.hs)...)
		if err != nil {
			return nil, fmt.Errorf("differentiate readout: %w", err)
		}
		r.gParams, r.gHs = grads[:len(r.params)], grads[len(r.params)]
	}
	read := []*G.Node{r.loss, r.y}
	if withGrad {
		read = append(append(read, r.gParams...), r.gHs)
	}
	inputs := append(append([]*G.Node{}, r.params...), r.hs, r.target)
	if err := o.Check(); err != nil {
		return nil, fmt.Errorf("compile readout: %w", err)
	}
	if r.prog, err = engine.Compile(dt, inputs, read); err != nil {
		return nil, fmt.Errorf("compile readout: %w", err)
	}
	return r, nil
}

// Columns returns N, the number of hidden-state columns the readout takes.
func (r *Readout) Columns() int { return r.nN }

// Run computes outputs and loss for hidden states hs (H, N) and targets (K, N). The
// result's tensors are the caller's.
func (r *Readout) Run(params []*tensor.Dense, hs, target *tensor.Dense) (*ReadoutResult, error) {
	if err := r.prog.Run(append(append([]*tensor.Dense{}, params...), hs, target)...); err != nil {
		return nil, fmt.Errorf("readout: %w", err)
	}
	res := &ReadoutResult{Loss: r.prog.Scalar(0), Y: clone(r.prog.Output(1))}
	if r.withGrad {
		for i := range r.gParams {
			res.DParams = append(res.DParams, clone(r.prog.Output(2+i)))
		}
		res.DHs = clone(r.prog.Output(2 + len(r.gParams)))
	}
	return res, nil
}

func clone(t *tensor.Dense) *tensor.Dense { return t.Clone().(*tensor.Dense) }
