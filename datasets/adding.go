package datasets

import (
	"math"
	"math/rand/v2"
)

// Adding-problem constants.
const (
	addingTol       = 0.04 // |prediction - target| below which a sequence counts as correct
	addingSolvedMSE = 0.01 // test MSE at or below which the task counts as solved
)

// adding is the adding problem (Le et al. 2015; Arjovsky et al. 2016).
//
// Sequence length L = T, input dimension 2. Channel 0 holds values drawn
// iid from U[0,1); channel 1 is 0 except for two 1s, one at a position drawn
// uniformly from [0, T/2) and one from [T/2, T) (integer division). The
// target is the sum of the two marked values, read at step T-1 only.
//
// The baseline is Var(U1+U2) = 2·(1/12) = 1/6, the MSE of always predicting
// the mean 1.0; it does not depend on T. The metric is the fraction of
// sequences with |out - target| < 0.04 (the criterion of Hochreiter &
// Schmidhuber 1997).
var adding = Task{
	Name:         "adding",
	Description:  "value channel ~ U[0,1) and marker channel with one 1 in each half of T steps; target at the last step: sum of the two marked values",
	InDim:        2,
	OutDim:       1,
	Loss:         MSE,
	MinT:         2,
	MetricName:   "acc@0.04",
	Chance:       1 - 0.96*0.96, // always 1.0: P(|U1+U2−1| < 0.04)
	Criterion:    "test MSE ≤ 0.01",
	BaselineNote: "always predict 1.0: MSE = 1/6",
	Draw:         drawAdding,
	Memoryless:   func(int) float64 { return 1.0 / 6 },
	Score:        within(addingTol),
	Solved:       func(loss, _ float64) bool { return loss <= addingSolvedMSE },
}

func init() { register(adding) }

// drawAdding draws, per sequence, the T values in time order, then the first
// and the second marker position.
func drawAdding(rng *rand.Rand, T, B int) *Batch {
	const D = 2
	b := &Batch{
		Len:       T,
		Size:      B,
		InDim:     D,
		OutDim:    1,
		X:         make([]float64, T*D*B),
		LossSteps: []int{T - 1},
		Y:         make([]float64, B),
	}
	half := T / 2
	for s := 0; s < B; s++ {
		for t := 0; t < T; t++ {
			b.X[(t*D)*B+s] = rng.Float64()
		}
		p1 := rng.IntN(half)
		p2 := half + rng.IntN(T-half)
		b.X[(p1*D+1)*B+s] = 1
		b.X[(p2*D+1)*B+s] = 1
		b.Y[s] = b.X[(p1*D)*B+s] + b.X[(p2*D)*B+s]
	}
	return b
}

// within returns the metric "fraction of sequences with |prediction − target| < tol" of a
// task with one MSE target per sequence.
func within(tol float64) func(b *Batch, out []float64) float64 {
	return func(b *Batch, out []float64) float64 {
		if b.Y == nil {
			panic("datasets: Metric: batch has no MSE targets")
		}
		ok := 0
		for n, y := range b.Y {
			if math.Abs(out[n]-y) < tol {
				ok++
			}
		}
		return float64(ok) / float64(len(b.Y))
	}
}
