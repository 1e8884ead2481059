package models

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"

	G "gorgonia.org/gorgonia"
)

// Config sizes a cell and carries its cell-specific hyperparameters.
type Config struct {
	In     int // input dimension D
	Hidden int // hidden size H
	// ForgetBias initialises the forget-gate bias of cells that have one (Jozefowicz et
	// al. 2015 recommend 1). Cells without a forget gate ignore it.
	ForgetBias float64
}

func (c Config) validate() error {
	if c.In < 1 {
		return fmt.Errorf("input dimension %d: must be ≥ 1", c.In)
	}
	if c.Hidden < 1 {
		return fmt.Errorf("hidden size %d: must be ≥ 1", c.Hidden)
	}
	return nil
}

// ParamSpec declares one parameter matrix of a cell or readout and how to initialise it.
type ParamSpec struct {
	Name       string // unique within its owner, e.g. "W" or "b"
	Rows, Cols int
	// Init returns rows·cols initial values in row-major order, drawn from rng only.
	Init func(rng *rand.Rand, rows, cols int) []float64
	// Gates, when set, marks a matrix that multiplies [x_t; h_{t-1}]: its rows are one block
	// of H per gate, in this order, and its columns from In onwards multiply h_{t-1}. A
	// matrix of H columns multiplies h_{t-1} alone. Those H×H blocks are the recurrent weights whose singular values the gradient-flow
	// diagnostics compare with the thresholds of Pascanu et al. (2013).
	Gates []Gate
}

// Gate names a row block of a fused matrix and the nonlinearity applied to it.
type Gate struct {
	Name string // e.g. "i", "f", "o", "g", "h"
	Act  string // "sigmoid", "tanh", "relu" or "identity"
}

// Gamma bounds the derivative of the gate's nonlinearity: 1/4 for the sigmoid, 1 for tanh,
// the rectifier and the identity. By Pascanu et al. (2013), a recurrent block whose largest
// singular value is below 1/γ makes gradients vanish through it.
func (g Gate) Gamma() float64 {
	if g.Act == "sigmoid" {
		return 0.25
	}
	return 1
}

// Gates is a shorthand: Gates("i", "sigmoid", "g", "tanh") lists gates by name and activation.
func Gates(nameAct ...string) []Gate {
	out := make([]Gate, len(nameAct)/2)
	for i := range out {
		out[i] = Gate{nameAct[2*i], nameAct[2*i+1]}
	}
	return out
}

// RecurrentBlock is the H×H block of a parameter that multiplies h_{t-1} for one gate.
type RecurrentBlock struct {
	Param      int    // index of the parameter in the cell's Params
	Name       string // parameter name
	Gate       Gate
	Row0, Col0 int // top-left corner
	Size       int // H
}

// RecurrentBlocks lists the recurrent blocks of a cell's parameters (see [ParamSpec.Gates]).
func RecurrentBlocks(c Cell) []RecurrentBlock {
	cfg := c.Config()
	var out []RecurrentBlock
	for i, p := range c.Params() {
		col0 := cfg.In
		if p.Cols == cfg.Hidden {
			col0 = 0
		}
		for k, g := range p.Gates {
			out = append(out, RecurrentBlock{Param: i, Name: p.Name, Gate: g, Row0: k * cfg.Hidden, Col0: col0, Size: cfg.Hidden})
		}
	}
	return out
}

// Size is the number of scalars in the parameter.
func (p ParamSpec) Size() int { return p.Rows * p.Cols }

// Cell is a recurrent cell: its parameters and the graph of one time step.
type Cell interface {
	// Name is the registry name, e.g. "lstm".
	Name() string
	// Config returns the sizes the cell was built for.
	Config() Config
	// States names the state tensors, each of shape (H, B); state 0 is the hidden state h
	// read by the readout and fed back into the next step.
	States() []string
	// Params declares the parameters in a fixed order.
	Params() []ParamSpec
	// Step builds state_t from the input x (D, B) and the previous states (H, B), and
	// returns the states in [Cell.States] order. [BuildStep] calls it.
	Step(o *Ops, p Params, x *G.Node, prev States) []*G.Node
}

// Info describes a registered cell.
type Info struct {
	Name     string
	Summary  string // what the cell is, with its source
	Equation string // the update equations, on one line
	Count    string // the parameter-count formula in D and H
	New      func(Config) Cell
}

var registry = map[string]Info{}

func register(i Info) {
	if _, dup := registry[i.Name]; dup {
		panic("models: cell registered twice: " + i.Name)
	}
	registry[i.Name] = i
}

// Infos returns the registered cells sorted by name.
func Infos() []Info {
	out := make([]Info, 0, len(registry))
	for _, i := range registry {
		out = append(out, i)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Name < out[b].Name })
	return out
}

// Names returns the registered cell names, sorted.
func Names() []string {
	var out []string
	for _, i := range Infos() {
		out = append(out, i.Name)
	}
	return out
}

// Lookup returns the registry entry of a cell.
func Lookup(name string) (Info, error) {
	i, ok := registry[name]
	if !ok {
		return Info{}, fmt.Errorf("unknown cell %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	return i, nil
}

// New builds the named cell for cfg.
func New(name string, cfg Config) (Cell, error) {
	i, err := Lookup(name)
	if err != nil {
		return nil, err
	}
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("cell %s: %w", name, err)
	}
	return i.New(cfg), nil
}

// CountParams returns the number of trainable scalars in specs.
func CountParams(specs []ParamSpec) int {
	n := 0
	for _, s := range specs {
		n += s.Size()
	}
	return n
}
