package engine

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// RecurrenceSpec names the nodes of a one-step graph that holds both a recurrent step,
// (params, x, prev) → next, and its vector-Jacobian product: the gradients, with respect to
// the parameters and the previous states, of Σ_i ⟨next_i, dnext_i⟩.
type RecurrenceSpec struct {
	Params     []*G.Node // bound once per pass
	X          *G.Node   // the input of one time step
	Prev, Next []*G.Node // states before and after the step, in the same order
	DNext      []*G.Node // inputs: ∂C/∂next_i
	GradParams []*G.Node // ∂C/∂params, in the order of Params
	GradPrev   []*G.Node // ∂C/∂prev, in the order of Prev
}

// Recurrence runs a one-step graph through a sequence: forward, keeping what the backward
// pass needs, and backward through time. See the package documentation.
type Recurrence struct {
	f32 *recurrence[float32]
	f64 *recurrence[float64]
}

// NewRecurrence compiles spec's graph for element type dt.
func NewRecurrence(dt tensor.Dtype, spec RecurrenceSpec) (*Recurrence, error) {
	r := &Recurrence{}
	var err error
	switch dt {
	case tensor.Float32:
		r.f32, err = newRecurrence[float32](spec)
	case tensor.Float64:
		r.f64, err = newRecurrence[float64](spec)
	default:
		err = fmt.Errorf("engine: unsupported dtype %v (want float32 or float64)", dt)
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

// merge is a parameter gradient dZ·Aᵀ computed once over all time steps: the columns of dZ
// and A of every step are gathered into za and aa, and multiplied after the backward pass.
type merge[T Float] struct {
	grad    int // index in GradParams
	z, a    int // slots of dZ (m, k) and A (n, k)
	m, n, k int
	za, aa  []T
}

type recurrence[T Float] struct {
	c                     *core[T]
	params, prev, next    []int
	dnext, gParams, gPrev []int
	x                     int
	pre, fwd, bwd         []int // instruction slots: once per pass, the forward and the backward step
	perStep               []int // owned slots kept for every time step
	merges                []*merge[T]
	merged                []bool  // by gradient index
	tape                  [][][]T // tape[k][t]: perStep[k] at step t
	states                [][][]T // states[t][i]: state i after step t
	stateDense            [][]*tensor.Dense
	init, prevBuf         [][]T
	prevDense             []*tensor.Dense
	dbuf                  [2][][]T // gradients with respect to the states, double-buffered
	dDenseCache           [2][]*tensor.Dense
	xs                    [][]T
	steps                 int // time steps on the tape
	haveTape              bool
	shapes                []tensor.Shape // state shapes
}

func newRecurrence[T Float](spec RecurrenceSpec) (*recurrence[T], error) {
	if spec.X == nil || len(spec.Prev) == 0 || len(spec.Prev) != len(spec.Next) || len(spec.Prev) != len(spec.DNext) ||
		len(spec.Prev) != len(spec.GradPrev) || len(spec.Params) != len(spec.GradParams) {
		return nil, fmt.Errorf("engine: inconsistent recurrence: %d prev, %d next, %d dnext, %d prev gradients, %d params, %d parameter gradients",
			len(spec.Prev), len(spec.Next), len(spec.DNext), len(spec.GradPrev), len(spec.Params), len(spec.GradParams))
	}
	inputs := append(append(append(append([]*G.Node{}, spec.Params...), spec.X), spec.Prev...), spec.DNext...)
	outputs := append(append(append([]*G.Node{}, spec.Next...), spec.GradParams...), spec.GradPrev...)
	c, err := newCore[T](inputs, outputs)
	if err != nil {
		return nil, err
	}
	r := &recurrence[T]{c: c, x: c.index[spec.X]}
	slots := func(ns []*G.Node) []int {
		out := make([]int, len(ns))
		for i, n := range ns {
			out[i] = c.index[n]
		}
		return out
	}
	r.params, r.prev, r.next = slots(spec.Params), slots(spec.Prev), slots(spec.Next)
	r.dnext, r.gParams, r.gPrev = slots(spec.DNext), slots(spec.GradParams), slots(spec.GradPrev)
	for i, n := range spec.Prev {
		if !n.Shape().Eq(spec.Next[i].Shape()) || !n.Shape().Eq(spec.DNext[i].Shape()) {
			return nil, fmt.Errorf("engine: state %d: prev %v, next %v, dnext %v", i, n.Shape(), spec.Next[i].Shape(), spec.DNext[i].Shape())
		}
		r.shapes = append(r.shapes, n.Shape().Clone())
	}

	// The forward step is what the next states depend on; everything else that the
	// gradients need is the backward step.
	inFwd := make([]bool, len(c.slots))
	var mark func(i int)
	mark = func(i int) {
		if inFwd[i] || c.instrs[i] == nil {
			return
		}
		inFwd[i] = true
		for _, a := range c.instrs[i].args {
			mark(a)
		}
	}
	for _, i := range r.next {
		if c.instrs[i] == nil {
			return nil, fmt.Errorf("engine: state %s is not computed by the step", c.slots[i].node.Name())
		}
		mark(i)
	}
	need := make([]bool, len(c.slots))
	var mark2 func(i int)
	mark2 = func(i int) {
		if need[i] || c.instrs[i] == nil || inFwd[i] {
			return
		}
		need[i] = true
		for _, a := range c.instrs[i].args {
			mark2(a)
		}
	}
	for _, i := range append(append([]int{}, r.gParams...), r.gPrev...) {
		mark2(i)
	}

	// What depends on the parameters and constants alone (a repeated peephole weight, say)
	// is the same at every step: it is computed once per pass, before the first step.
	isParam := map[int]bool{}
	for _, p := range r.params {
		isParam[p] = true
	}
	inv := make([]bool, len(c.slots))
	for _, i := range c.order {
		inv[i] = true
		for _, a := range c.instrs[i].args {
			if !isParam[a] && c.slots[a].kind != slotStatic && !inv[a] {
				inv[i] = false
				break
			}
		}
	}

	// Parameter gradients dZ·Aᵀ whose value nothing else reads are merged over time.
	r.merged = make([]bool, len(r.gParams))
	for j, g := range r.gParams {
		in := c.instrs[g]
		if in == nil || !need[g] || len(c.users[g]) > 0 || in.mm == nil || in.mm.transA || !in.mm.transB {
			continue
		}
		z, a := in.args[0], in.args[1]
		if c.slots[z].kind == slotStatic || c.slots[a].kind == slotStatic {
			continue
		}
		r.merged[j] = true
		r.merges = append(r.merges, &merge[T]{grad: j, z: z, a: a, m: in.mm.m, n: in.mm.n, k: in.mm.k})
	}
	skip := map[int]bool{}
	for _, m := range r.merges {
		skip[r.gParams[m.grad]] = true
	}

	// What the backward step reads of the forward step is kept for every time step, and so
	// is every state; a view is kept by keeping the buffer it views.
	saved := make([]bool, len(c.slots))
	for _, i := range c.order {
		if need[i] {
			for _, a := range c.instrs[i].args {
				if inFwd[a] {
					saved[a] = true
				}
			}
		}
	}
	for _, i := range r.next {
		saved[i] = true
	}
	owner := func(i int) int {
		for c.slots[i].kind == slotAlias {
			i = c.instrs[i].args[0]
		}
		return i
	}
	keep := make([]bool, len(c.slots))
	for i, s := range saved {
		if s {
			if o := owner(i); inFwd[o] && !inv[o] && c.slots[o].kind == slotOwned {
				keep[o] = true
			}
		}
	}
	for _, i := range c.order {
		if inv[i] {
			if inFwd[i] || need[i] {
				r.pre = append(r.pre, i)
			}
		} else if inFwd[i] {
			r.fwd = append(r.fwd, i)
			if c.instrs[i].alias != nil {
				r.bwd = append(r.bwd, i) // views are recomputed: they cost nothing
			}
		} else if need[i] && !skip[i] {
			r.bwd = append(r.bwd, i)
		}
		if keep[i] {
			r.perStep = append(r.perStep, i)
		}
	}
	r.tape = make([][][]T, len(r.perStep))
	n := len(r.prev)
	r.init, r.prevBuf = make([][]T, n), make([][]T, n)
	r.dbuf[0], r.dbuf[1] = make([][]T, n), make([][]T, n)
	r.prevDense = make([]*tensor.Dense, n)
	for i := range r.prev {
		size := c.slots[r.prev[i]].size
		r.init[i], r.prevBuf[i] = make([]T, size), make([]T, size)
		r.dbuf[0][i], r.dbuf[1][i] = make([]T, size), make([]T, size)
		r.prevDense[i] = denseOf(r.prevBuf[i], r.shapes[i])
		r.dDenseCache[0] = append(r.dDenseCache[0], denseOf(r.dbuf[0][i], r.shapes[i]))
		r.dDenseCache[1] = append(r.dDenseCache[1], denseOf(r.dbuf[1][i], r.shapes[i]))
	}
	return r, nil
}

// Forward runs the step len(xs) times from the initial states init (zeros when nil), with
// the parameters params (in the spec's order) and xs[t] as the input of step t. With keep
// set it keeps the tape for [Recurrence.Backward]. After every step it calls visit, if
// set, with the states after step t; those tensors belong to the recurrence and stay
// valid until the next call to Forward.
func (r *Recurrence) Forward(params, xs, init []*tensor.Dense, keep bool, visit func(t int, states []*tensor.Dense) error) error {
	if r.f32 != nil {
		return r.f32.forward(params, xs, init, keep, visit)
	}
	return r.f64.forward(params, xs, init, keep, visit)
}

// Backward runs backpropagation through time over the tape of the last Forward (which
// must have kept it), from its last step to its first, with the same parameters. Before
// step t it calls inject with d, the gradients with respect to the states after step t;
// inject may add the loss's own gradient into d. The parameter gradients are added into
// acc (shapes as the parameters). It returns the gradients with respect to the initial
// states, valid until the next call.
func (r *Recurrence) Backward(acc []*tensor.Dense, inject func(t int, d []*tensor.Dense) error) ([]*tensor.Dense, error) {
	if r.f32 != nil {
		return r.f32.backward(acc, inject)
	}
	return r.f64.backward(acc, inject)
}

func data[T Float](v *tensor.Dense, what string, want int) ([]T, error) {
	if v == nil {
		return nil, fmt.Errorf("engine: %s is nil", what)
	}
	d, ok := v.Data().([]T)
	if !ok {
		return nil, fmt.Errorf("engine: %s holds %T, want %v", what, v.Data(), dtypeOf[T]())
	}
	if len(d) != want {
		return nil, fmt.Errorf("engine: %s has %d values, want %d", what, len(d), want)
	}
	return d, nil
}

func (r *recurrence[T]) forward(params, xs, init []*tensor.Dense, keep bool, visit func(int, []*tensor.Dense) error) error {
	c := r.c
	r.haveTape = false
	if len(params) != len(r.params) {
		return fmt.Errorf("engine: %d parameter values for %d parameters", len(params), len(r.params))
	}
	for i, p := range params {
		d, err := data[T](p, "parameter "+c.slots[r.params[i]].node.Name(), c.slots[r.params[i]].size)
		if err != nil {
			return err
		}
		c.vals[r.params[i]] = d
	}
	for i := range r.init {
		if init == nil {
			clear(r.init[i])
			continue
		}
		if len(init) != len(r.init) {
			return fmt.Errorf("engine: %d initial states for %d", len(init), len(r.init))
		}
		d, err := data[T](init[i], "initial state", len(r.init[i]))
		if err != nil {
			return err
		}
		copy(r.init[i], d)
	}
	for _, i := range r.pre {
		if err := c.exec(i); err != nil {
			return err
		}
	}
	r.xs = r.xs[:0]
	xSize := c.slots[r.x].size
	for t, x := range xs {
		d, err := data[T](x, fmt.Sprintf("input of step %d", t), xSize)
		if err != nil {
			return err
		}
		r.xs = append(r.xs, d)
	}
	L := len(xs)
	if keep {
		for k, s := range r.perStep {
			for len(r.tape[k]) < L {
				r.tape[k] = append(r.tape[k], make([]T, c.slots[s].size))
			}
		}
		for len(r.states) < L {
			r.states = append(r.states, make([][]T, len(r.next)))
			r.stateDense = append(r.stateDense, make([]*tensor.Dense, len(r.next)))
		}
	} else {
		for _, s := range r.perStep {
			c.vals[s] = c.slots[s].buf
		}
	}
	for t := 0; t < L; t++ {
		if keep {
			for k, s := range r.perStep {
				c.vals[s] = r.tape[k][t]
			}
		}
		c.vals[r.x] = r.xs[t]
		for i, p := range r.prev {
			switch {
			case t == 0:
				c.vals[p] = r.init[i]
			case keep:
				c.vals[p] = r.states[t-1][i]
			default:
				c.vals[p] = r.prevBuf[i]
			}
		}
		for _, i := range r.fwd {
			if err := c.exec(i); err != nil {
				return fmt.Errorf("step %d: %w", t, err)
			}
		}
		var out []*tensor.Dense
		if keep {
			for i, n := range r.next {
				v := c.vals[n]
				r.states[t][i] = v
				if d := r.stateDense[t][i]; d == nil || &d.Data().([]T)[0] != &v[0] {
					r.stateDense[t][i] = denseOf(v, r.shapes[i])
				}
			}
			out = r.stateDense[t]
		} else {
			for i, n := range r.next {
				copy(r.prevBuf[i], c.vals[n])
			}
			out = r.prevDense
		}
		if visit != nil {
			if err := visit(t, out); err != nil {
				return err
			}
		}
	}
	r.steps, r.haveTape = L, keep
	return nil
}

func (r *recurrence[T]) backward(acc []*tensor.Dense, inject func(int, []*tensor.Dense) error) ([]*tensor.Dense, error) {
	c := r.c
	if !r.haveTape {
		return nil, fmt.Errorf("engine: backward pass without a kept forward pass")
	}
	if len(acc) != len(r.gParams) {
		return nil, fmt.Errorf("engine: %d gradient accumulators for %d parameters", len(acc), len(r.gParams))
	}
	accs := make([][]T, len(acc))
	for j, a := range acc {
		d, err := data[T](a, "gradient accumulator", c.slots[r.params[j]].size)
		if err != nil {
			return nil, err
		}
		accs[j] = d
	}
	L := r.steps
	for _, m := range r.merges {
		if need := m.m * m.k * L; len(m.za) < need {
			m.za = make([]T, need)
		}
		if need := m.n * m.k * L; len(m.aa) < need {
			m.aa = make([]T, need)
		}
	}
	cur := 0
	for i := range r.dbuf[cur] {
		clear(r.dbuf[cur][i])
	}
	for t := L - 1; t >= 0; t-- {
		if inject != nil {
			if err := inject(t, r.dDenseCache[cur]); err != nil {
				return nil, err
			}
		}
		for k, s := range r.perStep {
			c.vals[s] = r.tape[k][t]
		}
		c.vals[r.x] = r.xs[t]
		for i, p := range r.prev {
			if t == 0 {
				c.vals[p] = r.init[i]
			} else {
				c.vals[p] = r.states[t-1][i]
			}
			c.vals[r.dnext[i]] = r.dbuf[cur][i]
		}
		for _, i := range r.bwd {
			if err := c.exec(i); err != nil {
				return nil, fmt.Errorf("step %d: %w", t, err)
			}
		}
		for _, m := range r.merges {
			gatherColumns(m.za, c.vals[m.z], m.m, m.k, L*m.k, t*m.k)
			gatherColumns(m.aa, c.vals[m.a], m.n, m.k, L*m.k, t*m.k)
		}
		for j, g := range r.gParams {
			if !r.merged[j] {
				addVV(accs[j], accs[j], c.vals[g])
			}
		}
		for i, g := range r.gPrev {
			copy(r.dbuf[1-cur][i], c.vals[g])
		}
		cur = 1 - cur
	}
	for _, m := range r.merges {
		K := L * m.k
		gemm(false, true, m.m, m.n, K, 1, m.za, K, m.aa, K, 1, accs[m.grad], m.n)
	}
	return r.dDenseCache[cur], nil
}

// gatherColumns copies src (rows, k) into columns [off, off+k) of dst (rows, ld).
func gatherColumns[T Float](dst, src []T, rows, k, ld, off int) {
	for i := 0; i < rows; i++ {
		copy(dst[i*ld+off:i*ld+off+k], src[i*k:(i+1)*k])
	}
}

// Steps describes the compiled program: the op of every instruction of the forward step
// and of the backward step, in execution order, and the parameter gradients that are
// computed once per sequence as one matrix product over all its time steps (indices into
// the spec's GradParams).
func (r *Recurrence) Steps() (forward, backward []string, merged []int) {
	if r.f32 != nil {
		return r.f32.describe()
	}
	return r.f64.describe()
}

func (r *recurrence[T]) describe() (forward, backward []string, merged []int) {
	for _, i := range r.fwd {
		forward = append(forward, r.c.instrs[i].opName)
	}
	for _, i := range r.bwd {
		backward = append(backward, r.c.instrs[i].opName)
	}
	for _, m := range r.merges {
		merged = append(merged, m.grad)
	}
	return
}
