package models

import (
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// typoGRU is the GRU with a typo in its step: it asks for "Wz", which it does not declare.
type typoGRU struct{ GRU }

func (c *typoGRU) Step(o *Ops, p Params, x *G.Node, prev States) []*G.Node {
	return []*G.Node{o.Sigmoid(o.Affine(p.Get("Wz"), p.Get("bzr"), x, prev.Get("h")))}
}

// typoState is the RNN reading a state it does not declare.
type typoState struct{ RNN }

func (c *typoState) Step(o *Ops, p Params, x *G.Node, prev States) []*G.Node {
	return []*G.Node{o.Tanh(o.Affine(p.Get("W"), p.Get("b"), x, prev.Get("c")))}
}

// TestMissingKeyNamesCellAndKey: a step that asks for an undeclared parameter or state
// fails with an error naming the cell, the key and the keys there are.
func TestMissingKeyNamesCellAndKey(t *testing.T) {
	cfg := Config{In: 2, Hidden: 3}
	for _, c := range []struct {
		cell Cell
		want string
	}{
		{&typoGRU{GRU{cfg}}, `models: cell gru: no parameter "Wz" (have Wzr, bzr, Wn, bn)`},
		{&typoState{RNN{cfg}}, `models: cell rnn: no state "c" (have h)`},
	} {
		_, err := NewSequence(c.cell, tensor.Float64, 4)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want an error containing %q", err, c.want)
		}
	}
}
