package datasets

import (
	"math"
	"math/rand/v2"
)

// Constants of the adding and multiplication problems in the layout of Hochreiter &
// Schmidhuber (1997).
const (
	hochFirst     = 10   // X1 is one of the first hochFirst pairs
	hochTol       = 0.04 // |prediction - target| below which a sequence counts as correct
	hochSolvedMSE = 0.01 // test MSE at or below which the task counts as solved
)

// addingHochreiter is the adding problem of Hochreiter & Schmidhuber (1997), Experiment 4.
//
// Input dimension 2: channel 0 is a value, channel 1 a marker. Each batch has one sequence
// length L, drawn uniformly from [T, T+T/10] (integer division) before its sequences, so
// every sequence of a batch has it, a test set (one batch) has a single length, and
// [Task.Len] is the shortest length T. Values are iid U[-1,1). Exactly two pairs are marked
// 1: X1 at a position uniform in [0, 10) and X2 uniformly at one of the first T/2-1 still
// unmarked positions (those of [0, T/2) other than X1's). The first and the last pair carry marker -1 unless marked;
// every other marker is 0. If X1 is the first pair, its value is set to 0. The target,
// read at the last step L-1 only, is 0.5 + (X1+X2)/4.
//
// The best memoryless predictor is the constant 0.5: its MSE is Var(X1+X2)/16 =
// (0.9·1/3 + 1/3)/16 = 19/480 ≈ 0.0396, since X1 = 0 with probability 1/10. The metric is
// the fraction of sequences with |out - target| < 0.04, the paper's notion of a correct
// sequence; the task counts as solved at test MSE ≤ 0.01, the paper's stopping threshold
// on the mean training error.
var addingHochreiter = Task{
	Name:         "adding-hochreiter",
	Description:  "Hochreiter-Schmidhuber adding: values ~ U[-1,1), markers 1 at one of the first 10 and one of the first T/2-1 steps, -1 at the ends; length uniform in [T, T+T/10] per batch; target 0.5+(X1+X2)/4 at the last step",
	InDim:        2,
	OutDim:       1,
	Loss:         MSE,
	MinT:         2 * hochFirst, // X1's window lies in the first half
	Spread:       hochSpread,
	MetricName:   "acc@0.04",
	Chance:       hochChance,
	Criterion:    "test MSE ≤ 0.01",
	BaselineNote: "always predict 0.5: MSE = 19/480 ≈ 0.0396",
	Draw:         func(rng *rand.Rand, T, B int) *Batch { return drawHochreiter(rng, T, B, false) },
	Memoryless:   func(int) float64 { return 19.0 / 480 },
	Score:        within(hochTol),
	Solved:       func(loss, _ float64) bool { return loss <= hochSolvedMSE },
}

// hochChance is P(|(X1+X2)/4| < 0.04) for the constant 0.5, with X1 = 0 with probability
// 1/10: 0.9·P(|U1+U2| < 0.16) + 0.1·P(|U| < 0.16) for U, U1, U2 ~ U[-1,1).
const hochChance = 0.9*(1-0.92*0.92) + 0.1*0.16

// multiply is the multiplication problem of Hochreiter & Schmidhuber (1997), Experiment 5:
// the layout of [addingHochreiter] (markers, random length per batch) with values iid
// U[0,1) and target X1·X2 at the last step. A marked first pair keeps its value, so X1 and
// X2 are iid U[0,1).
//
// The best memoryless predictor is the constant E[X1·X2] = 1/4; its MSE is Var(X1X2) =
// 1/9 - 1/16 = 7/144 ≈ 0.0486. The metric and criterion are those of adding-hochreiter.
var multiply = Task{
	Name:         "multiply",
	Description:  "Hochreiter-Schmidhuber multiplication: the adding-hochreiter layout with values ~ U[0,1); target X1·X2 at the last step",
	InDim:        2,
	OutDim:       1,
	Loss:         MSE,
	MinT:         2 * hochFirst,
	Spread:       hochSpread,
	MetricName:   "acc@0.04",
	Chance:       multiplyChance,
	Criterion:    "test MSE ≤ 0.01",
	BaselineNote: "always predict E[X1X2] = 1/4: MSE = 7/144 ≈ 0.0486",
	Draw:         func(rng *rand.Rand, T, B int) *Batch { return drawHochreiter(rng, T, B, true) },
	Memoryless:   func(int) float64 { return 7.0 / 144 },
	Score:        within(hochTol),
	Solved:       func(loss, _ float64) bool { return loss <= hochSolvedMSE },
}

// multiplyChance is P(|X1X2 - 1/4| < 0.04) for the constant 1/4: P(0.21 < UV < 0.29) for
// U, V ~ U[0,1), with P(UV ≤ c) = c(1 - ln c).
var multiplyChance = cdfProduct(0.29) - cdfProduct(0.21)

func cdfProduct(c float64) float64 { return c * (1 - math.Log(c)) }

// hochSpread is the paper's length spread: a batch is T to T+T/10 steps long.
func hochSpread(T int) int { return T / 10 }

func init() {
	register(addingHochreiter)
	register(multiply)
}

// drawHochreiter draws the batch length, then per sequence the L values in time order and
// the positions of X1 and X2.
func drawHochreiter(rng *rand.Rand, T, B int, mul bool) *Batch {
	const D = 2
	L := T + rng.IntN(hochSpread(T)+1)
	b := &Batch{
		Len:       L,
		Size:      B,
		InDim:     D,
		OutDim:    1,
		X:         make([]float64, L*D*B),
		LossSteps: []int{L - 1},
		Y:         make([]float64, B),
	}
	for s := 0; s < B; s++ {
		for t := 0; t < L; t++ {
			if mul {
				b.X[(t*D)*B+s] = rng.Float64()
			} else {
				b.X[(t*D)*B+s] = 2*rng.Float64() - 1
			}
		}
		b.X[(0*D+1)*B+s] = -1
		b.X[((L-1)*D+1)*B+s] = -1
		p1 := rng.IntN(hochFirst)
		p2 := rng.IntN(T/2 - 1)
		if p2 >= p1 {
			p2++
		}
		b.X[(p1*D+1)*B+s] = 1
		b.X[(p2*D+1)*B+s] = 1
		if p1 == 0 && !mul {
			b.X[s] = 0
		}
		x1, x2 := b.X[(p1*D)*B+s], b.X[(p2*D)*B+s]
		if mul {
			b.Y[s] = x1 * x2
		} else {
			b.Y[s] = 0.5 + (x1+x2)/4
		}
	}
	return b
}
