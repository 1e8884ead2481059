package engine

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Program runs the part of a graph that some output nodes depend on, as many times as
// asked, with buffers allocated once.
type Program struct {
	dt  tensor.Dtype
	f32 *program[float32]
	f64 *program[float64]
}

type program[T Float] struct {
	c       *core[T]
	inputs  []int
	outputs []int
}

// Compile prepares the nodes that outputs depend on for execution with element type dt
// (tensor.Float32 or tensor.Float64). Inputs are bound by [Program.Run], in this order;
// every other leaf of the graph must be a constant.
func Compile(dt tensor.Dtype, inputs, outputs []*G.Node) (*Program, error) {
	p := &Program{dt: dt}
	var err error
	switch dt {
	case tensor.Float32:
		p.f32, err = newProgram[float32](inputs, outputs)
	case tensor.Float64:
		p.f64, err = newProgram[float64](inputs, outputs)
	default:
		err = fmt.Errorf("engine: unsupported dtype %v (want float32 or float64)", dt)
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

func newProgram[T Float](inputs, outputs []*G.Node) (*program[T], error) {
	c, err := newCore[T](inputs, outputs)
	if err != nil {
		return nil, err
	}
	p := &program[T]{c: c}
	for _, n := range inputs {
		p.inputs = append(p.inputs, c.index[n])
	}
	for _, n := range outputs {
		p.outputs = append(p.outputs, c.index[n])
	}
	return p, nil
}

// Run binds the input values (dense tensors of the graph's dtype, in the order given to
// [Compile]) and computes the outputs. The inputs are read, never written.
func (p *Program) Run(inputs ...*tensor.Dense) error {
	if p.f32 != nil {
		return runProgram(p.f32, inputs)
	}
	return runProgram(p.f64, inputs)
}

func runProgram[T Float](p *program[T], inputs []*tensor.Dense) error {
	if len(inputs) != len(p.inputs) {
		return fmt.Errorf("engine: %d values for %d inputs", len(inputs), len(p.inputs))
	}
	for i, v := range inputs {
		d, ok := v.Data().([]T)
		if !ok {
			return fmt.Errorf("engine: input %s holds %T, want %v", p.c.slots[p.inputs[i]].node.Name(), v.Data(), dtypeOf[T]())
		}
		if err := p.c.bind(p.inputs[i], d); err != nil {
			return err
		}
	}
	for _, i := range p.c.order {
		if err := p.c.exec(i); err != nil {
			return err
		}
	}
	return nil
}

// Output returns output i of the last run as a dense tensor that shares the program's
// buffer: it is valid until the next run. A scalar output has shape (1).
func (p *Program) Output(i int) *tensor.Dense {
	if p.f32 != nil {
		return p.f32.output(i)
	}
	return p.f64.output(i)
}

func (p *program[T]) output(i int) *tensor.Dense {
	s := p.outputs[i]
	return denseOf(p.c.vals[s], p.c.slots[s].shape)
}

// Scalar returns output i of the last run, which must hold one value, as a float64.
func (p *Program) Scalar(i int) float64 {
	if p.f32 != nil {
		return float64(p.f32.c.vals[p.f32.outputs[i]][0])
	}
	return p.f64.c.vals[p.f64.outputs[i]][0]
}
