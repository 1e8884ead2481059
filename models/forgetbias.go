package models

import (
	"math/rand/v2"
	"slices"
	"sync"
)

// forgetBiasUse caches [UsesForgetBias] by cell name.
var forgetBiasUse sync.Map // string → bool

// UsesForgetBias reports whether the named cell uses [Config.ForgetBias]: whether it
// initialises some parameter from it. It finds out from the cell itself rather than from a
// list: it builds the cell at a small size with two different forget-gate biases and
// compares the initial values of the parameters, drawn from identically seeded rngs. A cell
// without a forget gate gives the same parameters either way (cifg, whose forget gate is
// 1 − i, starts b_i at −ForgetBias and so uses it). The answer is cached; UsesForgetBias
// is safe for concurrent use. It fails only for an unknown cell.
func UsesForgetBias(name string) (bool, error) {
	if v, ok := forgetBiasUse.Load(name); ok {
		return v.(bool), nil
	}
	if _, err := Lookup(name); err != nil {
		return false, err
	}
	a, err := initialValues(name, 1)
	if err != nil {
		return false, err
	}
	b, err := initialValues(name, 5)
	if err != nil {
		return false, err
	}
	uses := !slices.Equal(a, b)
	forgetBiasUse.Store(name, uses)
	return uses, nil
}

// initialValues builds the named cell at a small size with the given forget-gate bias and
// returns its parameters' shapes and initial values, drawn from a fixed seed.
func initialValues(name string, forgetBias float64) ([]float64, error) {
	c, err := New(name, Config{In: 2, Hidden: 3, ForgetBias: forgetBias})
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var out []float64
	for _, p := range c.Params() {
		out = append(out, float64(p.Rows), float64(p.Cols))
		out = append(out, p.Init(rng, p.Rows, p.Cols)...)
	}
	return out, nil
}
