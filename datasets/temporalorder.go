package datasets

import (
	"math"
	"math/rand/v2"
)

// Symbols of the temporal-order problems, in the order of the one-hot input channels.
const (
	orderA        = 0 // distractors a, b, c, d are 0..3
	orderB        = 4 // start symbol
	orderE        = 5 // end (trigger) symbol
	orderX        = 6
	orderY        = 7
	orderAlphabet = 8
	orderTol      = 0.3 // every softmax output within 0.3 of the one-hot target
	orderSolved   = 0.99
)

// temporalOrder is the temporal order problem of Hochreiter & Schmidhuber (1997),
// Experiment 6a, with its windows scaled with T.
//
// Sequence length L = T, inputs one-hot over 8 symbols: 0-3 the distractors a, b, c, d,
// 4 B (start), 5 E (end), 6 X, 7 Y. Step 0 is B and step T-1 is E. Two relevant steps,
// t1 uniform in [T/10, 2T/10] and t2 uniform in [5T/10, 6T/10] (integer division; [10, 20]
// and [50, 60] at T=100, the paper's windows), hold X or Y with probability 1/2 each; every
// other step holds a distractor drawn uniformly. The label, read at step T-1 only, is the
// class of the order: 0 XX, 1 XY, 2 YX, 3 YY. The paper draws the length in [100, 110];
// here it is T, so the windows scale with it.
//
// The best memoryless predictor is the uniform distribution, cross-entropy ln 4. The
// metric is the paper's: the fraction of sequences whose softmax outputs are all within
// 0.3 of the one-hot target (equivalently, probability > 0.7 on the true class); a
// predictor that ignores the inputs reaches 1/4 by always betting on one class.
var temporalOrder = Task{
	Name:         "temporal-order",
	Description:  "one-hot symbols: B, distractors a-d, X or Y at one step of [0.1T,0.2T] and one of [0.5T,0.6T], E at step T-1; label at the last step: the order XX, XY, YX or YY",
	InDim:        orderAlphabet,
	OutDim:       4,
	Loss:         CrossEntropy,
	MinT:         10,
	MetricName:   "acc@0.3",
	Chance:       1.0 / 4,
	Criterion:    "test acc@0.3 ≥ 0.99",
	BaselineNote: "uniform over the 4 classes: CE = ln 4",
	Draw: func(rng *rand.Rand, T, B int) *Batch {
		return drawOrder(rng, T, B, [][2]int{{10, 20}, {50, 60}})
	},
	Memoryless: func(int) float64 { return math.Log(4) },
	Score:      confident(orderTol),
	Solved:     func(_, metric float64) bool { return metric >= orderSolved },
}

// temporalOrder3 is Experiment 6b of Hochreiter & Schmidhuber (1997): the layout of
// [temporalOrder] with three relevant steps, uniform in [10T/100, 20T/100],
// [33T/100, 43T/100] and [66T/100, 76T/100], and eight classes: with X=0 and Y=1, the
// class is 4·s1 + 2·s2 + s3 (0 XXX ... 7 YYY).
//
// The best memoryless predictor is the uniform distribution, cross-entropy ln 8; the
// metric and criterion are those of temporal-order, and a predictor that ignores the
// inputs reaches 1/8.
var temporalOrder3 = Task{
	Name:         "temporal-order3",
	Description:  "temporal-order with X or Y at one step of each of [0.1T,0.2T], [0.33T,0.43T], [0.66T,0.76T]; label at the last step: one of the 8 orders XXX..YYY",
	InDim:        orderAlphabet,
	OutDim:       8,
	Loss:         CrossEntropy,
	MinT:         10,
	MetricName:   "acc@0.3",
	Chance:       1.0 / 8,
	Criterion:    "test acc@0.3 ≥ 0.99",
	BaselineNote: "uniform over the 8 classes: CE = ln 8",
	Draw: func(rng *rand.Rand, T, B int) *Batch {
		return drawOrder(rng, T, B, [][2]int{{10, 20}, {33, 43}, {66, 76}})
	},
	Memoryless: func(int) float64 { return math.Log(8) },
	Score:      confident(orderTol),
	Solved:     func(_, metric float64) bool { return metric >= orderSolved },
}

func init() {
	register(temporalOrder)
	register(temporalOrder3)
}

// drawOrder draws, per sequence, the relevant positions (one per window, windows given in
// percent of T), then the symbols of steps 1..T-2 in time order.
func drawOrder(rng *rand.Rand, T, B int, windows [][2]int) *Batch {
	const D = orderAlphabet
	b := &Batch{
		Len:       T,
		Size:      B,
		InDim:     D,
		OutDim:    1 << len(windows),
		X:         make([]float64, T*D*B),
		LossSteps: []int{T - 1},
		Labels:    make([]int, B),
	}
	pos := make([]int, len(windows))
	for s := 0; s < B; s++ {
		for i, w := range windows {
			lo, hi := w[0]*T/100, w[1]*T/100
			pos[i] = lo + rng.IntN(hi-lo+1)
		}
		b.X[(0*D+orderB)*B+s] = 1
		b.X[((T-1)*D+orderE)*B+s] = 1
		label, next := 0, 0
		for t := 1; t < T-1; t++ {
			sym := orderA + rng.IntN(4)
			if next < len(pos) && t == pos[next] {
				bit := rng.IntN(2)
				label = 2*label + bit
				sym = orderX + bit
				next++
			}
			b.X[(t*D+sym)*B+s] = 1
		}
		b.Labels[s] = label
	}
	return b
}

// confident returns the metric "fraction of (loss step, sequence) pairs whose softmax
// outputs are all within tol < 1/2 of the one-hot target", i.e. whose true class has
// probability above 1 − tol (the temporal-order tasks use 0.3, long-lag 0.25).
func confident(tol float64) func(b *Batch, out []float64) float64 {
	return func(b *Batch, out []float64) float64 { return confidentFraction(b, out, tol) }
}

func confidentFraction(b *Batch, out []float64, tol float64) float64 {
	if b.Labels == nil {
		panic("datasets: Metric: batch has no class targets")
	}
	N, K := b.n(), b.OutDim
	ok := 0
	for n, label := range b.Labels {
		m := math.Inf(-1)
		for k := 0; k < K; k++ {
			m = max(m, out[k*N+n])
		}
		sum := 0.0
		for k := 0; k < K; k++ {
			sum += math.Exp(out[k*N+n] - m)
		}
		if math.Exp(out[label*N+n]-m)/sum > 1-tol {
			ok++
		}
	}
	return float64(ok) / float64(N)
}
