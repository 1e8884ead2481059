package engine

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Float is the element type of a compiled graph.
type Float interface{ float32 | float64 }

// slotKind says where a node's value lives.
type slotKind int

const (
	slotOwned  slotKind = iota // a buffer of its own, written by its kernel
	slotAlias                  // a view of another slot's buffer (reshape, leading-axis slice)
	slotInput                  // bound by the caller before each run
	slotStatic                 // a constant, computed once when compiling
)

// slot is one node's value.
type slot[T Float] struct {
	node  *G.Node
	shape tensor.Shape
	size  int
	kind  slotKind
	buf   []T // owned or static storage
}

// instr computes one node from its arguments.
type instr[T Float] struct {
	out  int
	args []int
	av   [][]T // argument values, filled before each call
	// fn writes the node's value into out; alias, for views, returns it instead.
	fn    func(out []T, args [][]T) error
	alias func(args [][]T) []T
	// opName is the op's description, for errors.
	opName string
	// mm describes a matrix product computed by BLAS.
	mm *matmul
	// geom describes a slice increment.
	geom *sliceGeometry
	// fallback marks an op run through its own Do method.
	fallback bool
	// column marks a repeat of a column vector across the columns of a matrix.
	column bool
}

// matmul is op(A)·op(B) with op(A) of shape (m, k) and op(B) of shape (k, n).
type matmul struct {
	transA, transB bool
	m, n, k        int
}

// core is a compiled set of nodes: slots in topological order and one instruction per
// computed node.
type core[T Float] struct {
	slots  []slot[T]
	index  map[*G.Node]int
	vals   [][]T       // current value of every slot
	instrs []*instr[T] // by slot; nil for inputs and statics
	order  []int       // slots with instructions, in topological order
	users  [][]int     // slot → slots whose instructions read it
}

// newCore compiles the nodes that outputs depend on. Nodes in inputs are bound by the
// caller; every other leaf must be a constant.
func newCore[T Float](inputs, outputs []*G.Node) (*core[T], error) {
	c := &core[T]{index: map[*G.Node]int{}}
	isInput := map[*G.Node]bool{}
	for _, n := range inputs {
		if n == nil {
			return nil, fmt.Errorf("engine: nil input node")
		}
		isInput[n] = true
	}
	// Depth-first post-order from the outputs gives a topological order.
	state := map[*G.Node]int{} // 1 visiting, 2 done
	var visit func(n *G.Node) error
	visit = func(n *G.Node) error {
		switch state[n] {
		case 1:
			return fmt.Errorf("engine: graph has a cycle at %s", n.Name())
		case 2:
			return nil
		}
		state[n] = 1
		if !isInput[n] {
			for _, ch := range children(n) {
				if err := visit(ch); err != nil {
					return err
				}
			}
		}
		state[n] = 2
		return c.add(n, isInput[n])
	}
	for _, n := range inputs {
		if err := visit(n); err != nil {
			return nil, err
		}
	}
	for _, n := range outputs {
		if n == nil {
			return nil, fmt.Errorf("engine: nil output node")
		}
		if err := visit(n); err != nil {
			return nil, err
		}
	}
	c.rewrite()
	c.prune(outputs)
	c.vals = make([][]T, len(c.slots))
	c.users = make([][]int, len(c.slots))
	for i, s := range c.slots {
		if s.kind == slotOwned || s.kind == slotStatic {
			c.vals[i] = s.buf
		}
		if in := c.instrs[i]; in != nil {
			for _, a := range in.args {
				c.users[a] = append(c.users[a], i)
			}
		}
	}
	return c, nil
}

// children returns the operands of n in order.
func children(n *G.Node) []*G.Node {
	g := n.Graph()
	if g == nil {
		return nil
	}
	it := g.From(n.ID())
	if it == nil {
		return nil
	}
	var out []*G.Node
	for it.Next() {
		out = append(out, it.Node().(*G.Node))
	}
	return out
}

// add appends the slot of n, whose operands are already slots.
func (c *core[T]) add(n *G.Node, input bool) error {
	s := slot[T]{node: n, shape: n.Shape().Clone(), size: n.Shape().TotalSize()}
	if s.size == 0 {
		s.size = 1 // scalars
	}
	idx := len(c.slots)
	c.index[n] = idx
	var in *instr[T]
	switch {
	case input:
		s.kind = slotInput
	case n.Op() == nil:
		if n.Value() == nil {
			return fmt.Errorf("engine: node %s has no op and no value, and is not an input", n.Name())
		}
		s.kind, s.buf = slotStatic, valueData[T](n.Value())
	default:
		args := children(n)
		argSlots := make([]int, len(args))
		for i, a := range args {
			argSlots[i] = c.index[a]
		}
		var err error
		in, err = c.compileOp(n, args, argSlots, &s)
		if err != nil {
			return fmt.Errorf("engine: %s (%v): %w", n.Name(), n.Op(), err)
		}
	}
	if s.kind == slotOwned && s.buf == nil {
		s.buf = make([]T, s.size)
	}
	if in != nil && c.allStatic(in.args) {
		// Constant folding: a node of constants is computed once, now.
		av := make([][]T, len(in.args))
		for k, a := range in.args {
			av[k] = c.slots[a].buf
		}
		if in.alias != nil {
			s.buf = append([]T(nil), in.alias(av)...)
		} else if err := in.fn(s.buf, av); err != nil {
			return fmt.Errorf("engine: fold %s: %w", n.Name(), err)
		}
		s.kind, in = slotStatic, nil
	}
	c.slots = append(c.slots, s)
	c.instrs = append(c.instrs, in)
	if in != nil {
		in.out = idx
		in.av = make([][]T, len(in.args))
		c.order = append(c.order, idx)
	}
	return nil
}

// exec runs the instruction of slot i.
func (c *core[T]) exec(i int) error {
	in := c.instrs[i]
	for k, a := range in.args {
		in.av[k] = c.vals[a]
	}
	if in.alias != nil {
		c.vals[i] = in.alias(in.av)
		return nil
	}
	if err := in.fn(c.vals[i], in.av); err != nil {
		return fmt.Errorf("engine: %s (%s): %w", c.slots[i].node.Name(), in.opName, err)
	}
	return nil
}

// bind sets an input slot's value, checking its length.
func (c *core[T]) bind(i int, v []T) error {
	if len(v) != c.slots[i].size {
		return fmt.Errorf("engine: input %s wants %d values (shape %v), got %d", c.slots[i].node.Name(), c.slots[i].size, c.slots[i].shape, len(v))
	}
	c.vals[i] = v
	return nil
}

// valueData copies a Gorgonia value's data as []T.
func valueData[T Float](v G.Value) []T {
	switch d := v.Data().(type) {
	case []T:
		return append([]T(nil), d...)
	case T:
		return []T{d}
	case float64:
		return []T{T(d)}
	case float32:
		return []T{T(d)}
	case []float64:
		out := make([]T, len(d))
		for i, x := range d {
			out[i] = T(x)
		}
		return out
	case []float32:
		out := make([]T, len(d))
		for i, x := range d {
			out[i] = T(x)
		}
		return out
	}
	return nil
}

// dtypeOf returns the tensor dtype of T.
func dtypeOf[T Float]() tensor.Dtype {
	var z T
	if _, ok := any(z).(float32); ok {
		return tensor.Float32
	}
	return tensor.Float64
}

// denseOf wraps data as a dense tensor of the given shape (no copy).
func denseOf[T Float](data []T, shape tensor.Shape) *tensor.Dense {
	if len(shape) == 0 {
		shape = tensor.Shape{1}
	}
	return tensor.New(tensor.WithShape(shape.Clone()...), tensor.WithBacking(data))
}

// allStatic reports whether every slot in args is a constant.
func (c *core[T]) allStatic(args []int) bool {
	for _, a := range args {
		if c.slots[a].kind != slotStatic {
			return false
		}
	}
	return len(args) > 0
}

// prune drops the instructions that no output depends on.
func (c *core[T]) prune(outputs []*G.Node) {
	live := make([]bool, len(c.slots))
	var mark func(i int)
	mark = func(i int) {
		if live[i] {
			return
		}
		live[i] = true
		if in := c.instrs[i]; in != nil {
			for _, a := range in.args {
				mark(a)
			}
		}
	}
	for _, n := range outputs {
		mark(c.index[n])
	}
	order := c.order[:0]
	for _, i := range c.order {
		if live[i] {
			order = append(order, i)
		} else {
			c.instrs[i] = nil
		}
	}
	c.order = order
}

// rewrite replaces computations by cheaper equal ones, whatever cell the graph comes from:
// Gorgonia differentiates σ(x) as σ(x)⊙σ(−x), and σ(−x) = 1 − σ(x) is computed from the
// σ(x) that the forward step already has, without a second exponential.
func (c *core[T]) rewrite() {
	sigmoidOf := map[int]int{} // slot of x → slot of σ(x)
	for _, i := range c.order {
		if in := c.instrs[i]; in.opName == "sigmoid" && opKind(c.slots[i].node.Op()) == "elemUnaryOp" {
			if _, seen := sigmoidOf[in.args[0]]; !seen {
				sigmoidOf[in.args[0]] = i
			}
		}
	}
	for _, i := range c.order {
		in := c.instrs[i]
		if in.opName != "sigmoid" || opKind(c.slots[i].node.Op()) != "elemUnaryOp" {
			continue
		}
		neg := c.instrs[in.args[0]]
		if neg == nil || neg.opName != "neg" || opKind(c.slots[in.args[0]].node.Op()) != "elemUnaryOp" {
			continue
		}
		y, ok := sigmoidOf[neg.args[0]]
		if !ok || y >= i {
			continue
		}
		in.args, in.av, in.opName = []int{y}, make([][]T, 1), "1 − σ (for σ(−x))"
		in.fn = func(out []T, a [][]T) error {
			for k, v := range a[0][:len(out)] {
				out[k] = 1 - v
			}
			return nil
		}
	}
	c.scatterSums()
	c.fuseColumnOps()
}
