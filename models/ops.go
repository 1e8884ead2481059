package models

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// maxSliceIndex is the first slice offset that Gorgonia v0.9.18 hashes like a smaller one:
// it writes only the low 8 bits of a slice's start, end and step into the node hash, and
// nodes with equal hashes are merged.
const maxSliceIndex = 256

// Ops builds expressions in one graph and remembers the first error, so that cell code reads
// like its equations. Once an error has occurred every method returns nil and [Ops.Err]
// reports it.
type Ops struct {
	g     *G.ExprGraph
	dt    tensor.Dtype
	names map[string]bool
	err   error
}

// NewOps starts a new graph of element type dt (tensor.Float32 or tensor.Float64).
func NewOps(dt tensor.Dtype) (*Ops, error) {
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("models: unsupported dtype %v (want float32 or float64)", dt)
	}
	return &Ops{g: G.NewGraph(), dt: dt, names: map[string]bool{}}, nil
}

// Graph returns the underlying expression graph.
func (o *Ops) Graph() *G.ExprGraph { return o.g }

// Dtype returns the element type of the graph.
func (o *Ops) Dtype() tensor.Dtype { return o.dt }

// Err returns the first error met while building, if any.
func (o *Ops) Err() error { return o.err }

func (o *Ops) fail(err error, what string) {
	if err != nil && o.err == nil {
		o.err = fmt.Errorf("models: %s: %w", what, err)
	}
}

func (o *Ops) ok(ns ...*G.Node) bool {
	if o.err != nil {
		return false
	}
	for _, n := range ns {
		if n == nil {
			o.fail(fmt.Errorf("nil operand"), "building graph")
			return false
		}
	}
	return true
}

// Input creates an input matrix node of shape (rows, cols). Gorgonia merges input nodes that
// share a name, so a repeated name is an error here.
func (o *Ops) Input(name string, rows, cols int) *G.Node {
	if o.err != nil {
		return nil
	}
	if name == "" || o.names[name] {
		o.fail(fmt.Errorf("duplicate or empty node name %q", name), "input")
		return nil
	}
	o.names[name] = true
	return G.NewMatrix(o.g, o.dt, G.WithShape(rows, cols), G.WithName(name))
}

// Scalar returns a constant of the graph's dtype.
func (o *Ops) Scalar(v float64) *G.Node {
	if o.err != nil {
		return nil
	}
	if o.dt == tensor.Float32 {
		return G.NewConstant(float32(v))
	}
	return G.NewConstant(v)
}

func (o *Ops) unary(f func(*G.Node) (*G.Node, error), a *G.Node, what string) *G.Node {
	if !o.ok(a) {
		return nil
	}
	n, err := f(a)
	o.fail(err, what)
	return n
}

func (o *Ops) binary(f func(a, b *G.Node) (*G.Node, error), a, b *G.Node, what string) *G.Node {
	if !o.ok(a, b) {
		return nil
	}
	n, err := f(a, b)
	o.fail(err, what)
	return n
}

// Tanh is the element-wise hyperbolic tangent.
func (o *Ops) Tanh(a *G.Node) *G.Node { return o.unary(G.Tanh, a, "tanh") }

// Sigmoid is the element-wise logistic function σ.
func (o *Ops) Sigmoid(a *G.Node) *G.Node { return o.unary(G.Sigmoid, a, "sigmoid") }

// ReLU is the element-wise rectifier max(0, a).
func (o *Ops) ReLU(a *G.Node) *G.Node { return o.unary(G.Rectify, a, "relu") }

// Square is the element-wise square.
func (o *Ops) Square(a *G.Node) *G.Node { return o.unary(G.Square, a, "square") }

// MatMul is the matrix product a·b.
func (o *Ops) MatMul(a, b *G.Node) *G.Node { return o.binary(G.Mul, a, b, "matmul") }

// Add is the element-wise sum (a scalar operand is broadcast).
func (o *Ops) Add(a, b *G.Node) *G.Node { return o.binary(G.Add, a, b, "add") }

// Sub is the element-wise difference (a scalar operand is broadcast).
func (o *Ops) Sub(a, b *G.Node) *G.Node { return o.binary(G.Sub, a, b, "sub") }

// Mul is the element-wise (Hadamard) product.
func (o *Ops) Mul(a, b *G.Node) *G.Node { return o.binary(G.HadamardProd, a, b, "hadamard product") }

// OneMinus returns 1 − a element-wise.
func (o *Ops) OneMinus(a *G.Node) *G.Node { return o.Sub(o.Scalar(1), a) }

// Sum adds all elements into a scalar.
func (o *Ops) Sum(a *G.Node) *G.Node {
	return o.unary(func(n *G.Node) (*G.Node, error) { return G.Sum(n) }, a, "sum")
}

// Stack concatenates matrices along axis 0 (rows): [a; b; ...].
func (o *Ops) Stack(ns ...*G.Node) *G.Node {
	if !o.ok(ns...) {
		return nil
	}
	n, err := G.Concat(0, ns...)
	o.fail(err, "concat")
	return n
}

// Columns concatenates matrices along axis 1 (columns): [a b ...].
func (o *Ops) Columns(ns ...*G.Node) *G.Node {
	if !o.ok(ns...) {
		return nil
	}
	if len(ns) == 1 {
		return ns[0]
	}
	n, err := G.Concat(1, ns...)
	o.fail(err, "concat columns")
	return n
}

// AddBias adds the column vector b (rows, 1) to every column of z (rows, cols).
func (o *Ops) AddBias(z, b *G.Node) *G.Node {
	return o.binary(func(z, b *G.Node) (*G.Node, error) {
		return G.BroadcastAdd(z, b, nil, []byte{1})
	}, z, b, "add bias")
}

// Affine returns W·[x; h] + b, the fused pre-activation of all gates of a cell.
func (o *Ops) Affine(W, b, x, h *G.Node) *G.Node {
	return o.AddBias(o.MatMul(W, o.Stack(x, h)), b)
}

// Blocks splits z, of shape (n·H, B), into its n row blocks of shape (H, B). It reshapes z to
// (n, H, B) and takes index k along the first axis, so no slice offset ever reaches
// maxSliceIndex (where Gorgonia would merge distinct slices).
func (o *Ops) Blocks(z *G.Node, n int) []*G.Node {
	if !o.ok(z) {
		return make([]*G.Node, n)
	}
	s := z.Shape()
	if len(s) != 2 || s[0]%n != 0 {
		o.fail(fmt.Errorf("cannot split shape %v into %d row blocks", s, n), "blocks")
		return make([]*G.Node, n)
	}
	if n > maxSliceIndex {
		o.fail(fmt.Errorf("%d blocks: slice offsets ≥ %d merge in Gorgonia", n, maxSliceIndex), "blocks")
		return make([]*G.Node, n)
	}
	if n == 1 {
		return []*G.Node{z}
	}
	r, err := G.Reshape(z, tensor.Shape{n, s[0] / n, s[1]})
	o.fail(err, "reshape into blocks")
	out := make([]*G.Node, n)
	for k := range out {
		if o.err != nil {
			break
		}
		out[k], err = G.Slice(r, G.S(k))
		o.fail(err, "slice block")
	}
	return out
}

// LogSoftmaxRows is log softmax over axis 0: each column of a (K, N) matrix is a distribution.
func (o *Ops) LogSoftmaxRows(a *G.Node) *G.Node {
	return o.unary(func(n *G.Node) (*G.Node, error) { return G.LogSoftMax(n, 0) }, a, "log softmax")
}

// Check verifies that no two distinct nodes of the graph share a hash code. Gorgonia's
// compiler numbers values by their 32-bit hash alone, so two such nodes would be silently
// merged into one and the program would compute a different model.
func (o *Ops) Check() error {
	if o.err != nil {
		return o.err
	}
	return CheckGraph(o.g)
}

// CheckGraph verifies that no two distinct nodes of g share a hash code (see [Ops.Check]).
func CheckGraph(g *G.ExprGraph) error {
	seen := make(map[uint32]*G.Node, len(g.AllNodes()))
	for _, n := range g.AllNodes() {
		h := n.Hashcode()
		if prev, dup := seen[h]; dup && prev != n {
			return fmt.Errorf("models: graph nodes %q and %q share hash %#x; Gorgonia would merge them", prev.Name(), n.Name(), h)
		}
		seen[h] = n
	}
	return nil
}

// Scale multiplies a by the constant s.
func (o *Ops) Scale(a *G.Node, s float64) *G.Node {
	return o.binary(G.Mul, a, o.Scalar(s), "scale")
}

// MulColumn multiplies every column of z (rows, cols) element-wise by the column vector v
// (rows, 1), i.e. applies diag(v) to each column: a peephole weight p ⊙ c_t, for example.
func (o *Ops) MulColumn(z, v *G.Node) *G.Node {
	return o.binary(func(z, v *G.Node) (*G.Node, error) {
		return G.BroadcastHadamardProd(z, v, nil, []byte{1})
	}, z, v, "column product")
}
