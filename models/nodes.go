package models

import (
	"fmt"
	"strings"

	G "gorgonia.org/gorgonia"
)

// Params gives a cell's step its parameter nodes by the names its [Cell.Params] declares.
type Params struct{ named }

// States gives a cell's step its previous state nodes by the names its [Cell.States]
// declares; "h" is the hidden state.
type States struct{ named }

// Get returns the parameter called name. A name the cell did not declare fails the graph
// being built with an error that names the cell, the key and the declared keys, e.g.
// `models: cell gru: no parameter "Wz" (have Wzr, bzr, Wn, bn)`, and returns nil.
func (p Params) Get(name string) *G.Node { return p.get(name) }

// Get returns the previous state called name. A name the cell did not declare fails the
// graph being built with an error that names the cell, the key and the declared keys, and
// returns nil.
func (s States) Get(name string) *G.Node { return s.get(name) }

// named binds the names a cell declares to nodes of the graph being built by o.
type named struct {
	o     *Ops
	cell  string
	kind  string // "parameter" or "state"
	names []string
	nodes []*G.Node
}

func bind(o *Ops, cell, kind string, names []string, nodes []*G.Node) named {
	if len(names) != len(nodes) {
		o.fail(fmt.Errorf("%d %ss given, %d declared", len(nodes), kind, len(names)), "cell "+cell)
	}
	return named{o: o, cell: cell, kind: kind, names: names, nodes: nodes}
}

func (n named) get(name string) *G.Node {
	for i, k := range n.names {
		if k == name && i < len(n.nodes) {
			return n.nodes[i]
		}
	}
	if n.o != nil {
		n.o.fail(fmt.Errorf("no %s %q (have %s)", n.kind, name, strings.Join(n.names, ", ")), "cell "+n.cell)
	}
	return nil
}

// BuildStep adds one step of cell to the graph of o: params are the cell's parameter nodes
// in [Cell.Params] order, x the input (D, B) and prev the previous states (H, B) in
// [Cell.States] order. It returns the next states in that order. Errors, among them a
// parameter or state the cell asks for but does not declare, are recorded in o; the states
// returned then are nil.
func BuildStep(o *Ops, cell Cell, params []*G.Node, x *G.Node, prev []*G.Node) []*G.Node {
	failed := func() []*G.Node { return make([]*G.Node, len(prev)) }
	if o.Err() != nil {
		return failed()
	}
	var names []string
	for _, s := range cell.Params() {
		names = append(names, s.Name)
	}
	p := Params{bind(o, cell.Name(), "parameter", names, params)}
	s := States{bind(o, cell.Name(), "state", cell.States(), prev)}
	if o.Err() != nil {
		return failed()
	}
	next := cell.Step(o, p, x, s)
	if o.Err() == nil && len(next) != len(prev) {
		o.fail(fmt.Errorf("returned %d states, declares %d", len(next), len(prev)), "cell "+cell.Name())
	}
	if o.Err() != nil {
		return failed()
	}
	return next
}
