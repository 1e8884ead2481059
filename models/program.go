package models

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// machine is a compiled graph with its input and output nodes.
type machine struct {
	ops    *Ops
	vm     G.VM
	inputs []*G.Node       // bound by run, in this order
	vals   []*tensor.Dense // reused argument buffer
}

// compile checks the graph and compiles it. The nodes in read are the ones whose values
// the caller reads after a run: Gorgonia reuses the register of a node after its last use
// (an in-place op may overwrite it), so those values are copied when they are computed.
func compile(o *Ops, inputs []*G.Node, read ...*G.Node) (*machine, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	watch := make([]any, len(read))
	for i, n := range read {
		watch[i] = n
	}
	return &machine{ops: o, vm: G.NewTapeMachine(o.Graph(), G.TraceExec(), G.WithWatchlist(watch...)), inputs: inputs}, nil
}

// run binds values to the machine's inputs, in order, runs the program once and resets it;
// Gorgonia's machines return zero gradients on later runs unless they are reset. Panics
// inside Gorgonia become errors.
func (m *machine) run(groups ...[]*tensor.Dense) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("models: gorgonia panicked: %v", r)
		}
		m.vm.Reset()
	}()
	m.vals = m.vals[:0]
	for _, g := range groups {
		m.vals = append(m.vals, g...)
	}
	if len(m.vals) != len(m.inputs) {
		return fmt.Errorf("models: %d values for %d inputs", len(m.vals), len(m.inputs))
	}
	for i, n := range m.inputs {
		if err := G.Let(n, m.vals[i]); err != nil {
			return fmt.Errorf("models: bind %s: %w", n.Name(), err)
		}
	}
	if err := m.vm.RunAll(); err != nil {
		return fmt.Errorf("models: run: %w", err)
	}
	return nil
}

// value returns a copy of n's value as a dense matrix that the machine will not touch again.
func value(n *G.Node) (*tensor.Dense, error) {
	v, ok := n.Value().(*tensor.Dense)
	if !ok || v == nil {
		return nil, fmt.Errorf("models: node %s has no dense value", n.Name())
	}
	return v.Clone().(*tensor.Dense), nil
}

func values(ns []*G.Node) ([]*tensor.Dense, error) {
	out := make([]*tensor.Dense, len(ns))
	for i, n := range ns {
		v, err := value(n)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// StepProgram runs one time step of a cell for a fixed batch size, compiled twice: forward
// only, and forward followed by the vector-Jacobian product of the step.
type StepProgram struct {
	cell  Cell
	specs []ParamSpec

	fwd              *machine
	fNext            []*G.Node
	vjp              *machine
	vGParams, vGPrev []*G.Node
}

// stepGraph builds inputs for params, x and the previous state, and the step itself.
func stepGraph(cell Cell, dt tensor.Dtype, batch int) (o *Ops, params []*G.Node, x *G.Node, prev, next []*G.Node, err error) {
	cfg := cell.Config()
	if o, err = NewOps(dt); err != nil {
		return
	}
	p := Params{}
	for _, s := range cell.Params() {
		n := o.Input(cell.Name()+"."+s.Name, s.Rows, s.Cols)
		p[s.Name] = n
		params = append(params, n)
	}
	x = o.Input("x", cfg.In, batch)
	for _, s := range cell.States() {
		prev = append(prev, o.Input(s+"_prev", cfg.Hidden, batch))
	}
	if o.Err() == nil {
		next = cell.Step(o, p, x, prev)
	}
	if err = o.Err(); err == nil && len(next) != len(prev) {
		err = fmt.Errorf("models: cell %s returned %d states, declares %d", cell.Name(), len(next), len(prev))
	}
	return
}

// NewStepProgram compiles the step of cell for batches of the given size.
func NewStepProgram(cell Cell, dt tensor.Dtype, batch int) (*StepProgram, error) {
	p := &StepProgram{cell: cell, specs: cell.Params()}
	o, params, x, prev, next, err := stepGraph(cell, dt, batch)
	if err != nil {
		return nil, fmt.Errorf("build %s step: %w", cell.Name(), err)
	}
	p.fNext = next
	inputs := append(append(append([]*G.Node{}, params...), x), prev...)
	if p.fwd, err = compile(o, inputs, next...); err != nil {
		return nil, fmt.Errorf("compile %s step: %w", cell.Name(), err)
	}

	// The VJP graph: cost = Σ_i Σ next_i ⊙ dnext_i, so ∂cost/∂θ = (∂next/∂θ)ᵀ dnext.
	o, params, x, prev, next, err = stepGraph(cell, dt, batch)
	if err != nil {
		return nil, fmt.Errorf("build %s step: %w", cell.Name(), err)
	}
	var cost *G.Node
	inputs = append(append(append([]*G.Node{}, params...), x), prev...)
	for i, s := range cell.States() {
		d := o.Input("d"+s, cell.Config().Hidden, batch)
		inputs = append(inputs, d)
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
	p.vGParams, p.vGPrev = grads[:len(params)], grads[len(params):]
	if p.vjp, err = compile(o, inputs, grads...); err != nil {
		return nil, fmt.Errorf("compile %s step gradient: %w", cell.Name(), err)
	}
	return p, nil
}

// Cell returns the cell the program runs.
func (p *StepProgram) Cell() Cell { return p.cell }

// Forward computes the states of step t from params (in [Cell.Params] order), the input x
// (D, B) and the previous states.
func (p *StepProgram) Forward(params []*tensor.Dense, x *tensor.Dense, prev []*tensor.Dense) ([]*tensor.Dense, error) {
	if err := p.fwd.run(params, []*tensor.Dense{x}, prev); err != nil {
		return nil, fmt.Errorf("%s forward: %w", p.cell.Name(), err)
	}
	return values(p.fNext)
}

// VJP recomputes the step and returns the gradient of Σ_i ⟨next_i, dnext_i⟩ with respect to
// the previous states; the gradient with respect to the parameters is added into acc (in
// [Cell.Params] order, shapes as the parameters). This is one step of backpropagation
// through time.
func (p *StepProgram) VJP(params []*tensor.Dense, x *tensor.Dense, prev, dnext, acc []*tensor.Dense) (dprev []*tensor.Dense, err error) {
	if err := p.vjp.run(params, []*tensor.Dense{x}, prev, dnext); err != nil {
		return nil, fmt.Errorf("%s backward: %w", p.cell.Name(), err)
	}
	if len(acc) != len(p.vGParams) {
		return nil, fmt.Errorf("%s backward: %d accumulators for %d parameters", p.cell.Name(), len(acc), len(p.vGParams))
	}
	for i, n := range p.vGParams {
		if err := addTo(acc[i], n); err != nil {
			return nil, err
		}
	}
	return values(p.vGPrev)
}

// addTo adds the value of n to dst in place.
func addTo(dst *tensor.Dense, n *G.Node) error {
	v, ok := n.Value().(*tensor.Dense)
	if !ok || v == nil || !v.Shape().Eq(dst.Shape()) {
		return fmt.Errorf("models: gradient %s has no dense value of shape %v", n.Name(), dst.Shape())
	}
	switch d := dst.Data().(type) {
	case []float32:
		for i, x := range v.Data().([]float32) {
			d[i] += x
		}
	case []float64:
		for i, x := range v.Data().([]float64) {
			d[i] += x
		}
	default:
		return fmt.Errorf("models: unsupported gradient type %T", d)
	}
	return nil
}

// Readout is the compiled readout-and-loss graph for N columns of hidden states.
type Readout struct {
	kind            LossKind
	m               *machine
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
func NewReadout(kind LossKind, dt tensor.Dtype, hidden, out, n int, withGrad bool) (*Readout, error) {
	o, err := NewOps(dt)
	if err != nil {
		return nil, err
	}
	r := &Readout{kind: kind, withGrad: withGrad, hidden: hidden, out: out, nN: n}
	p := Params{}
	for _, s := range ReadoutParams(hidden, out) {
		p[s.Name] = o.Input("readout."+s.Name, s.Rows, s.Cols)
		r.params = append(r.params, p[s.Name])
	}
	r.hs = o.Input("hs", hidden, n)
	r.target = o.Input("target", out, n)
	r.loss, r.y = BuildLoss(o, kind, p["V"], p["c"], r.hs, r.target)
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
	if r.m, err = compile(o, inputs, read...); err != nil {
		return nil, fmt.Errorf("compile readout: %w", err)
	}
	return r, nil
}

// Columns returns N, the number of hidden-state columns the readout takes.
func (r *Readout) Columns() int { return r.nN }

// Run computes outputs and loss for hidden states hs (H, N) and targets (K, N).
func (r *Readout) Run(params []*tensor.Dense, hs, target *tensor.Dense) (*ReadoutResult, error) {
	if err := r.m.run(params, []*tensor.Dense{hs, target}); err != nil {
		return nil, fmt.Errorf("readout: %w", err)
	}
	res := &ReadoutResult{}
	var err error
	switch v := r.loss.Value().Data().(type) {
	case float32:
		res.Loss = float64(v)
	case float64:
		res.Loss = v
	default:
		return nil, fmt.Errorf("readout: unexpected loss value %T", v)
	}
	if res.Y, err = value(r.y); err != nil {
		return nil, err
	}
	if r.withGrad {
		if res.DParams, err = values(r.gParams); err != nil {
			return nil, err
		}
		if res.DHs, err = value(r.gHs); err != nil {
			return nil, err
		}
	}
	return res, nil
}
