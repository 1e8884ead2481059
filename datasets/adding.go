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

// addingTask is the adding problem (Le et al. 2015; Arjovsky et al. 2016).
//
// Sequence length L = T, input dimension 2. Channel 0 holds values drawn
// iid from U[0,1); channel 1 is 0 except for two 1s, one at a position drawn
// uniformly from [0, T/2) and one from [T/2, T) (integer division). The
// target is the sum of the two marked values, read at step T-1 only. Per
// sequence the generator draws the T values in time order, then the first
// and the second marker position.
type addingTask struct{}

func (addingTask) Name() string { return "adding" }

func (addingTask) Description() string {
	return "value channel ~ U[0,1) and marker channel with one 1 in each half of T steps; target at the last step: sum of the two marked values"
}

func (addingTask) InDim() int         { return 2 }
func (addingTask) OutDim() int        { return 1 }
func (addingTask) Loss() Loss         { return MSE }
func (addingTask) Len(T int) int      { return T }
func (addingTask) MinT() int          { return 2 }
func (addingTask) MetricName() string { return "acc@0.04" }
func (addingTask) Criterion() string  { return "test MSE ≤ 0.01" }

// Baseline is Var(U1+U2) = 2·(1/12) = 1/6, the MSE of always predicting the
// mean 1.0; it does not depend on T.
func (a addingTask) Baseline(T int) float64 {
	if T < a.MinT() {
		return math.NaN()
	}
	return 1.0 / 6
}

func (addingTask) BaselineNote() string { return "always predict 1.0: MSE = 1/6" }

// Metric is the fraction of sequences with |out - target| < 0.04
// (the criterion of Hochreiter & Schmidhuber 1997).
func (a addingTask) Metric(b *Batch, out []float64) float64 {
	checkOut(a, b, out)
	if b.Y == nil {
		panic("datasets: adding.Metric: batch has no MSE targets")
	}
	ok := 0
	for n, y := range b.Y {
		if math.Abs(out[n]-y) < addingTol {
			ok++
		}
	}
	return float64(ok) / float64(len(b.Y))
}

func (addingTask) Solved(loss, metric float64) bool { return loss <= addingSolvedMSE }

func (a addingTask) Generate(rng *rand.Rand, T, B int) (*Batch, error) {
	L, err := checkArgs(a, T, B)
	if err != nil {
		return nil, err
	}
	const D = 2
	b := &Batch{
		Len:       L,
		Size:      B,
		InDim:     D,
		OutDim:    1,
		X:         make([]float64, L*D*B),
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
	return b, nil
}
