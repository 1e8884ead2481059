package engine

import (
	"fmt"
	"math"
	"reflect"
	"strings"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// opKind is the Go type name of a Gorgonia op, e.g. "elemBinOp".
func opKind(op G.Op) string {
	t := reflect.TypeOf(op)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

// field reads an unexported field of a Gorgonia op by name (following embedded pointers).
func field(op any, path ...string) (reflect.Value, bool) {
	v := reflect.ValueOf(op)
	for _, name := range path {
		for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct {
			return reflect.Value{}, false
		}
		v = v.FieldByName(name)
		if !v.IsValid() {
			return reflect.Value{}, false
		}
	}
	return v, true
}

// compileOp chooses the kernel of node n. It may turn s into an alias or a static slot.
func (c *core[T]) compileOp(n *G.Node, args []*G.Node, argSlots []int, s *slot[T]) (*instr[T], error) {
	op := n.Op()
	in := &instr[T]{args: argSlots, opName: op.String()}
	shapes := make([]tensor.Shape, len(args))
	sizes := make([]int, len(args))
	for i, a := range args {
		shapes[i] = a.Shape()
		sizes[i] = c.slots[argSlots[i]].size
	}
	switch opKind(op) {
	case "constantScalar", "sizeOp":
		// Values fixed by the graph: compute them once, through the op itself.
		vals := make([]G.Value, len(args))
		for i, a := range args {
			vals[i] = zeroValue[T](a.Shape())
		}
		v, err := op.Do(vals...)
		if err != nil {
			return nil, err
		}
		s.kind, s.buf = slotStatic, valueData[T](v)
		if len(s.buf) != s.size {
			return nil, fmt.Errorf("constant has %d values for shape %v", len(s.buf), s.shape)
		}
		return nil, nil
	case "reshapeOp":
		s.kind = slotAlias
		in.alias = func(a [][]T) []T { return a[0] }
		return in, nil
	case "sliceOp":
		if k := c.sliceKernel(op, shapes[0], s, in, false); k {
			return in, nil
		}
	case "sliceIncrOp":
		if k := c.sliceKernel(op, shapes[0], s, in, true); k {
			return in, nil
		}
	case "concatOp":
		if ax, ok := field(op, "axis"); ok {
			if fn := concatKernel[T](int(ax.Int()), shapes); fn != nil {
				in.fn = fn
				return in, nil
			}
		}
	case "linAlgBinOp":
		if fn, mm := c.matmulKernel(op, shapes, s.shape); fn != nil {
			in.fn, in.mm = fn, mm
			return in, nil
		}
	case "elemUnaryOp":
		if fn := unaryKernel[T](op.String()); fn != nil && sizes[0] == s.size {
			in.fn = fn
			return in, nil
		}
	case "elemBinOp":
		// x ⊙ 1 is x: the seed of a gradient is often a broadcast one.
		if sym, _, _ := strings.Cut(op.String(), " "); sym == "⊙" {
			for k := range 2 {
				if c.isOnes(argSlots[k]) && sizes[1-k] == s.size {
					s.kind = slotAlias
					in.args = []int{argSlots[1-k]}
					in.alias = func(a [][]T) []T { return a[0] }
					return in, nil
				}
			}
		}
		if fn := binaryKernel[T](op.String(), sizes[0], sizes[1], s.size); fn != nil {
			in.fn = fn
			return in, nil
		}
	case "sumOp":
		if along, ok := field(op, "along"); ok {
			axes := make([]int, along.Len())
			for i := range axes {
				axes[i] = int(along.Index(i).Int())
			}
			if fn := sumKernel[T](shapes[0], axes); fn != nil {
				in.fn = fn
				return in, nil
			}
		}
	case "transposeOp":
		if len(shapes[0]) == 2 && len(s.shape) == 2 && s.shape[0] == shapes[0][1] && s.shape[1] == shapes[0][0] {
			rows, cols := shapes[0][0], shapes[0][1]
			in.fn = func(out []T, a [][]T) error {
				for i := 0; i < rows; i++ {
					for j, v := range a[0][i*cols : (i+1)*cols] {
						out[j*rows+i] = v
					}
				}
				return nil
			}
			return in, nil
		}
	case "repeatOp":
		if fn := broadcastKernel[T](shapes[0], s.shape); fn != nil {
			in.fn = fn
			in.column = len(s.shape) == 2 && sizes[0] == s.shape[0] && s.shape[1] > 1
			return in, nil
		}
	}
	in.fn, in.fallback = fallbackKernel[T](op, shapes), true
	return in, nil
}

// zeroValue is a zero Gorgonia value of the given shape (a scalar for the empty shape).
func zeroValue[T Float](shape tensor.Shape) G.Value {
	if shape.IsScalar() {
		var z T
		if v, ok := any(z).(float32); ok {
			return G.NewF32(v)
		}
		return G.NewF64(float64(z))
	}
	return tensor.New(tensor.WithShape(shape.Clone()...), tensor.Of(dtypeOf[T]()))
}

// fallbackKernel runs the op's own Do on values wrapping the argument buffers, and copies
// the result. It allocates; the ops that run per time step all have kernels of their own.
func fallbackKernel[T Float](op G.Op, shapes []tensor.Shape) func(out []T, a [][]T) error {
	return func(out []T, a [][]T) error {
		vals := make([]G.Value, len(a))
		for i := range a {
			if shapes[i].IsScalar() {
				var z T
				if _, ok := any(z).(float32); ok {
					vals[i] = G.NewF32(float32(a[i][0]))
				} else {
					vals[i] = G.NewF64(float64(a[i][0]))
				}
				continue
			}
			vals[i] = denseOf(a[i], shapes[i])
		}
		v, err := op.Do(vals...)
		if err != nil {
			return err
		}
		switch d := v.Data().(type) {
		case []T:
			if len(d) != len(out) {
				return fmt.Errorf("result has %d values, want %d", len(d), len(out))
			}
			copy(out, d)
		case T:
			out[0] = d
		default:
			return fmt.Errorf("unexpected result %T", d)
		}
		return nil
	}
}

// sliceGeometry describes a slice along one axis: outer blocks of dim rows of inner
// elements, of which rows start, start+step, ... (count of them) are selected.
type sliceGeometry struct{ outer, dim, inner, start, step, count int }

func sliceGeom(op any, in tensor.Shape) (sliceGeometry, bool) {
	var g sliceGeometry
	along, ok := field(op, "along")
	if !ok {
		if along, ok = field(op, "sliceOp", "along"); !ok {
			return g, false
		}
	}
	ax := int(along.Int())
	if ax < 0 || ax >= len(in) {
		return g, false
	}
	g.outer, g.inner, g.dim = 1, 1, in[ax]
	for _, d := range in[:ax] {
		g.outer *= d
	}
	for _, d := range in[ax+1:] {
		g.inner *= d
	}
	sl, ok := op.(interface{ IsSlice() tensor.Slice })
	if !ok {
		return g, false
	}
	if s := sl.IsSlice(); s == nil {
		g.start, g.step, g.count = 0, 1, g.dim
	} else {
		g.start, g.step = s.Start(), s.Step()
		end := s.End()
		if g.step <= 0 {
			g.step = 1
		}
		if end <= g.start || end > g.dim || g.start < 0 {
			return g, false
		}
		g.count = (end - g.start + g.step - 1) / g.step
	}
	return g, true
}

// sliceKernel compiles a slice (a view when it is contiguous) or a slice increment.
func (c *core[T]) sliceKernel(op G.Op, in tensor.Shape, s *slot[T], ins *instr[T], incr bool) bool {
	g, ok := sliceGeom(op, in)
	if !ok || g.outer*g.count*g.inner != s.size && !incr {
		return false
	}
	if !incr {
		if g.outer == 1 && (g.step == 1 || g.count == 1) {
			lo, hi := g.start*g.inner, (g.start+g.count)*g.inner
			s.kind = slotAlias
			ins.alias = func(a [][]T) []T { return a[0][lo:hi] }
			return true
		}
		ins.fn = func(out []T, a [][]T) error {
			src, k := a[0], 0
			for o := 0; o < g.outer; o++ {
				base := o * g.dim * g.inner
				for j := 0; j < g.count; j++ {
					r := base + (g.start+j*g.step)*g.inner
					copy(out[k:k+g.inner], src[r:r+g.inner])
					k += g.inner
				}
			}
			return nil
		}
		return true
	}
	if g.outer*g.dim*g.inner != s.size {
		return false
	}
	// out = zeros(shape of a[0]), then out[slice] += a[1].
	ins.geom = &g
	ins.fn = func(out []T, a [][]T) error {
		clear(out)
		src, k := a[1], 0
		if len(src) == 1 && g.outer*g.count*g.inner != 1 {
			return fmt.Errorf("scalar slice increment is not supported")
		}
		for o := 0; o < g.outer; o++ {
			base := o * g.dim * g.inner
			for j := 0; j < g.count; j++ {
				r := base + (g.start+j*g.step)*g.inner
				dst := out[r : r+g.inner]
				for i, v := range src[k : k+g.inner] {
					dst[i] += v
				}
				k += g.inner
			}
		}
		return nil
	}
	return true
}

// concatKernel joins its arguments along axis.
func concatKernel[T Float](axis int, shapes []tensor.Shape) func(out []T, a [][]T) error {
	if len(shapes) == 0 || axis < 0 || axis >= len(shapes[0]) {
		return nil
	}
	outer := 1
	for _, d := range shapes[0][:axis] {
		outer *= d
	}
	chunk := make([]int, len(shapes)) // elements of each argument per outer block
	for i, sh := range shapes {
		if len(sh) != len(shapes[0]) {
			return nil
		}
		n := 1
		for _, d := range sh[axis:] {
			n *= d
		}
		chunk[i] = n
	}
	return func(out []T, a [][]T) error {
		k := 0
		for o := 0; o < outer; o++ {
			for i, src := range a {
				n := chunk[i]
				copy(out[k:k+n], src[o*n:(o+1)*n])
				k += n
			}
		}
		return nil
	}
}

// matmulKernel compiles a 2-D matrix product op(A)·op(B).
func (c *core[T]) matmulKernel(op G.Op, shapes []tensor.Shape, out tensor.Shape) (func(out []T, a [][]T) error, *matmul) {
	if len(shapes) != 2 || len(shapes[0]) != 2 || len(shapes[1]) != 2 || len(out) != 2 {
		return nil, nil
	}
	s := op.String()
	if s != "A × B" && s != "A × Bᵀ" && s != "Aᵀ × B" && s != "Aᵀ × Bᵀ" {
		return nil, nil
	}
	ta, okA := field(op, "transA")
	tb, okB := field(op, "transB")
	if !okA || !okB {
		return nil, nil
	}
	transA, transB := ta.Bool(), tb.Bool()
	m, k := shapes[0][0], shapes[0][1]
	if transA {
		m, k = k, m
	}
	k2, n := shapes[1][0], shapes[1][1]
	if transB {
		k2, n = n, k2
	}
	if k != k2 || out[0] != m || out[1] != n {
		return nil, nil
	}
	lda, ldb := shapes[0][1], shapes[1][1]
	return func(o []T, a [][]T) error {
		gemm(transA, transB, m, n, k, 1, a[0], lda, a[1], ldb, 0, o, n)
		return nil
	}, &matmul{transA, transB, m, n, k}
}

// unaryKernel returns the element-wise kernel of a Gorgonia unary op, by its name.
func unaryKernel[T Float](name string) func(out []T, a [][]T) error {
	var f func(out, x []T)
	switch name {
	case "neg":
		f = func(out, x []T) {
			for i, v := range x[:len(out)] {
				out[i] = -v
			}
		}
	case "square":
		f = func(out, x []T) {
			for i, v := range x[:len(out)] {
				out[i] = v * v
			}
		}
	case "sigmoid":
		f = sigmoidKernel[T]
	case "tanh":
		f = tanhKernel[T]
	case "exp":
		f = func(out, x []T) {
			for i, v := range x[:len(out)] {
				out[i] = T(math.Exp(float64(v)))
			}
		}
	case "ln":
		f = func(out, x []T) {
			for i, v := range x[:len(out)] {
				out[i] = T(math.Log(float64(v)))
			}
		}
	case "sqrt":
		f = func(out, x []T) {
			for i, v := range x[:len(out)] {
				out[i] = T(math.Sqrt(float64(v)))
			}
		}
	case "abs":
		f = func(out, x []T) {
			for i, v := range x[:len(out)] {
				out[i] = T(math.Abs(float64(v)))
			}
		}
	default:
		return nil
	}
	return func(out []T, a [][]T) error { f(out, a[0]); return nil }
}

// binaryKernel returns the element-wise kernel of a Gorgonia binary op ("+ false" is
// addition; the flag says whether a comparison returns 1 and 0 in the operands' type). An
// operand of size 1 is broadcast when the other is larger.
func binaryKernel[T Float](desc string, na, nb, nout int) func(out []T, a [][]T) error {
	sym, flag, _ := strings.Cut(desc, " ")
	var f func(x, y T) T
	switch sym {
	case "+", "-", "⊙", "÷":
	case ">=", ">", "<=", "<", "==", "!=":
		if flag != "true" {
			return nil // boolean result
		}
	default:
		return nil
	}
	switch sym {
	case ">=":
		f = func(x, y T) T { return b2f[T](x >= y) }
	case ">":
		f = func(x, y T) T { return b2f[T](x > y) }
	case "<=":
		f = func(x, y T) T { return b2f[T](x <= y) }
	case "<":
		f = func(x, y T) T { return b2f[T](x < y) }
	case "==":
		f = func(x, y T) T { return b2f[T](x == y) }
	case "!=":
		f = func(x, y T) T { return b2f[T](x != y) }
	}
	switch {
	case na == nout && nb == nout:
		switch sym {
		case "+":
			return func(out []T, a [][]T) error { addVV(out, a[0], a[1]); return nil }
		case "-":
			return func(out []T, a [][]T) error { subVV(out, a[0], a[1]); return nil }
		case "⊙":
			return func(out []T, a [][]T) error { mulVV(out, a[0], a[1]); return nil }
		case "÷":
			return func(out []T, a [][]T) error { divVV(out, a[0], a[1]); return nil }
		}
		return func(out []T, a [][]T) error {
			x, y := a[0][:len(out)], a[1][:len(out)]
			for i := range out {
				out[i] = f(x[i], y[i])
			}
			return nil
		}
	case na == 1 && nb == nout:
		return func(out []T, a [][]T) error {
			s, y := a[0][0], a[1][:len(out)]
			switch sym {
			case "+":
				for i, v := range y {
					out[i] = s + v
				}
			case "-":
				for i, v := range y {
					out[i] = s - v
				}
			case "⊙":
				for i, v := range y {
					out[i] = s * v
				}
			case "÷":
				for i, v := range y {
					out[i] = s / v
				}
			default:
				for i, v := range y {
					out[i] = f(s, v)
				}
			}
			return nil
		}
	case nb == 1 && na == nout:
		return func(out []T, a [][]T) error {
			x, s := a[0][:len(out)], a[1][0]
			switch sym {
			case "+":
				for i, v := range x {
					out[i] = v + s
				}
			case "-":
				for i, v := range x {
					out[i] = v - s
				}
			case "⊙":
				for i, v := range x {
					out[i] = v * s
				}
			case "÷":
				for i, v := range x {
					out[i] = v / s
				}
			default:
				for i, v := range x {
					out[i] = f(v, s)
				}
			}
			return nil
		}
	}
	return nil
}

func b2f[T Float](b bool) T {
	if b {
		return 1
	}
	return 0
}

func addVV[T Float](out, x, y []T) {
	x, y = x[:len(out)], y[:len(out)]
	for i := range out {
		out[i] = x[i] + y[i]
	}
}

func subVV[T Float](out, x, y []T) {
	x, y = x[:len(out)], y[:len(out)]
	for i := range out {
		out[i] = x[i] - y[i]
	}
}

func mulVV[T Float](out, x, y []T) {
	x, y = x[:len(out)], y[:len(out)]
	for i := range out {
		out[i] = x[i] * y[i]
	}
}

func divVV[T Float](out, x, y []T) {
	x, y = x[:len(out)], y[:len(out)]
	for i := range out {
		out[i] = x[i] / y[i]
	}
}

// sumKernel sums over the given axes of a tensor of shape in.
func sumKernel[T Float](in tensor.Shape, axes []int) func(out []T, a [][]T) error {
	if len(axes) == 0 {
		return nil
	}
	red := make([]bool, len(in))
	for _, ax := range axes {
		if ax < 0 || ax >= len(in) || red[ax] {
			return nil
		}
		red[ax] = true
	}
	all := true
	for _, r := range red {
		all = all && r
	}
	if all {
		return func(out []T, a [][]T) error {
			var s T
			for _, v := range a[0] {
				s += v
			}
			out[0] = s
			return nil
		}
	}
	if len(in) == 2 && red[1] { // row sums
		rows, cols := in[0], in[1]
		return func(out []T, a [][]T) error {
			x := a[0]
			for r := 0; r < rows; r++ {
				var s T
				for _, v := range x[r*cols : (r+1)*cols] {
					s += v
				}
				out[r] = s
			}
			return nil
		}
	}
	// General case: walk the input in order, mapping each index to its output position.
	outStride := make([]int, len(in))
	st := 1
	for d := len(in) - 1; d >= 0; d-- {
		if !red[d] {
			outStride[d] = st
			st *= in[d]
		}
	}
	return func(out []T, a [][]T) error {
		clear(out)
		idx := make([]int, len(in))
		pos := 0
		for _, v := range a[0] {
			out[pos] += v
			for d := len(in) - 1; d >= 0; d-- {
				idx[d]++
				pos += outStride[d]
				if idx[d] < in[d] {
					break
				}
				pos -= outStride[d] * idx[d]
				idx[d] = 0
			}
		}
		return nil
	}
}

// broadcastKernel repeats a tensor of shape in to shape out: every dimension of in is 1 or
// equal to out's (missing trailing dimensions count as 1).
func broadcastKernel[T Float](in, out tensor.Shape) func(o []T, a [][]T) error {
	if len(out) == 0 || len(in) > len(out) {
		return nil
	}
	ext := make([]int, len(out))
	for d := range ext {
		ext[d] = 1
		if d < len(in) {
			ext[d] = in[d]
		}
		if ext[d] != 1 && ext[d] != out[d] {
			return nil
		}
	}
	if len(out) == 2 {
		R, C := out[0], out[1]
		switch {
		case ext[0] == R && ext[1] == 1: // column vector across columns
			return func(o []T, a [][]T) error {
				for r := 0; r < R; r++ {
					v, row := a[0][r], o[r*C:(r+1)*C]
					for j := range row {
						row[j] = v
					}
				}
				return nil
			}
		case ext[0] == 1 && ext[1] == C: // row vector down rows
			return func(o []T, a [][]T) error {
				for r := 0; r < R; r++ {
					copy(o[r*C:(r+1)*C], a[0][:C])
				}
				return nil
			}
		}
	}
	inStride := make([]int, len(out))
	st := 1
	for d := len(out) - 1; d >= 0; d-- {
		if ext[d] != 1 {
			inStride[d] = st
		}
		st *= ext[d]
	}
	return func(o []T, a [][]T) error {
		idx := make([]int, len(out))
		pos := 0
		for i := range o {
			o[i] = a[0][pos]
			for d := len(out) - 1; d >= 0; d-- {
				idx[d]++
				pos += inStride[d]
				if idx[d] < out[d] {
					break
				}
				pos -= inStride[d] * idx[d]
				idx[d] = 0
			}
		}
		return nil
	}
}

// isOnes reports whether slot i is a constant whose every element is 1.
func (c *core[T]) isOnes(i int) bool {
	s := c.slots[i]
	if s.kind != slotStatic {
		return false
	}
	for _, v := range s.buf {
		if v != 1 {
			return false
		}
	}
	return true
}
