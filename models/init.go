package models

import (
	"math"
	"math/rand/v2"
)

// Initialisers draw only from the rng they are given: Gorgonia's own initialisers seed
// themselves from the clock, which would make runs unrepeatable.

// GlorotUniform draws U(−a, a) with a = sqrt(6/(fanIn+fanOut)) (Glorot & Bengio 2010).
// For a fused matrix of several gates, fanOut is the size of one gate.
func GlorotUniform(fanIn, fanOut int) func(*rand.Rand, int, int) []float64 {
	a := math.Sqrt(6 / float64(fanIn+fanOut))
	return func(rng *rand.Rand, rows, cols int) []float64 {
		v := make([]float64, rows*cols)
		for i := range v {
			v[i] = (2*rng.Float64() - 1) * a
		}
		return v
	}
}

// Normal draws N(0, std²).
func Normal(std float64) func(*rand.Rand, int, int) []float64 {
	return func(rng *rand.Rand, rows, cols int) []float64 {
		v := make([]float64, rows*cols)
		for i := range v {
			v[i] = rng.NormFloat64() * std
		}
		return v
	}
}

// Zeros fills with 0.
func Zeros(_ *rand.Rand, rows, cols int) []float64 { return make([]float64, rows*cols) }

// BlockConst fills a (n·H, 1) bias with one constant per block of H rows, e.g. a forget-gate
// bias of 1 in an LSTM bias vector.
func BlockConst(values ...float64) func(*rand.Rand, int, int) []float64 {
	return func(_ *rand.Rand, rows, cols int) []float64 {
		v := make([]float64, rows*cols)
		block := rows / len(values)
		for i := range v {
			v[i] = values[(i/cols)/block]
		}
		return v
	}
}

// IdentityRecurrent initialises a matrix of shape (H, in+H) that multiplies [x; h]: the
// first in columns (the input weights) are drawn from N(0, std²) and the square block that
// multiplies h is the identity (Le, Jaitly & Hinton 2015).
func IdentityRecurrent(in int, std float64) func(*rand.Rand, int, int) []float64 {
	return func(rng *rand.Rand, rows, cols int) []float64 {
		v := make([]float64, rows*cols)
		for r := 0; r < rows; r++ {
			for c := 0; c < cols; c++ {
				switch {
				case c < in:
					v[r*cols+c] = rng.NormFloat64() * std
				case c-in == r:
					v[r*cols+c] = 1
				}
			}
		}
		return v
	}
}
