package datasets

import (
	"math"
	"math/rand/v2"
)

// Symbols of the long-lag problem, in the order of the one-hot input channels.
const (
	lagA        = 0 // the distractor a
	lagX        = 1
	lagY        = 2
	lagAlphabet = 3
	lagTol      = 0.25 // every softmax output within 0.25 of the one-hot target
	lagSolved   = 0.99
)

// longLag is the noise-free long-time-lag problem of Hochreiter & Schmidhuber (1997),
// Experiment 2a, with lag p = T.
//
// The paper's two sequences are (x, a_1, ..., a_{p-1}, x) and (y, a_1, ..., a_{p-1}, y),
// each with probability 1/2, and the network predicts the next symbol; only the prediction
// of the last symbol needs memory. Here the input is the sequence without its last symbol,
// L = T steps one-hot over 3 symbols: 0 a, 1 x, 2 y. Step 0 is x or y; steps 1..T-1 are a
// (the paper's a_1..a_{p-1} are distinct symbols, which needs p+1 input channels; they
// carry no information about the answer, so one shared symbol stands for them). The
// label, read at step T-1 only, is the predicted last symbol: class 0 for x, 1 for y.
// Because the input after step 0 is constant, a network can keep the first symbol in one of
// two attractors of its dynamics, without gradients through the lag: an rnn whose initial
// weights already have two does, so the task separates cells by their dynamics at
// initialisation more than by their gradient flow.
//
// The best memoryless predictor is the uniform distribution, cross-entropy ln 2. The
// metric is the fraction of sequences whose softmax outputs are all within 0.25 of the
// one-hot target (probability > 0.75 on the true symbol); a predictor that ignores the
// inputs reaches 1/2.
var longLag = Task{
	Name:         "long-lag",
	Description:  "one-hot symbols: x or y at step 0, then T-1 distractors a; label at the last step: the first symbol",
	InDim:        lagAlphabet,
	OutDim:       2,
	Loss:         CrossEntropy,
	MinT:         1,
	MetricName:   "acc@0.25",
	Chance:       1.0 / 2,
	Criterion:    "test acc@0.25 ≥ 0.99",
	BaselineNote: "uniform over x and y: CE = ln 2",
	Draw:         drawLongLag,
	Memoryless:   func(int) float64 { return math.Log(2) },
	Score:        confident(lagTol),
	Solved:       func(_, metric float64) bool { return metric >= lagSolved },
}

func init() { register(longLag) }

// drawLongLag draws one symbol per sequence.
func drawLongLag(rng *rand.Rand, T, B int) *Batch {
	const D = lagAlphabet
	b := &Batch{
		Len:       T,
		Size:      B,
		InDim:     D,
		OutDim:    2,
		X:         make([]float64, T*D*B),
		LossSteps: []int{T - 1},
		Labels:    make([]int, B),
	}
	for s := 0; s < B; s++ {
		c := rng.IntN(2)
		b.Labels[s] = c
		b.X[(0*D+lagX+c)*B+s] = 1
		for t := 1; t < T; t++ {
			b.X[(t*D+lagA)*B+s] = 1
		}
	}
	return b
}
