package datasets

import (
	"math"
	"math/rand/v2"
)

// Copying-memory constants.
const (
	copyBlank     = 0  // blank symbol
	copyData      = 8  // data symbols are 1..copyData
	copyDelim     = 9  // delimiter symbol
	copyAlphabet  = 10 // one-hot input size and number of output classes
	copyN         = 10 // number of data symbols to remember
	copySolvedAcc = 0.99
)

// copying is the copying memory problem in the layout of Arjovsky et al.
// (2016).
//
// Symbols: 0 blank, 1..8 data, 9 delimiter; inputs are one-hot over these
// 10 symbols. Sequence length L = T+20: steps 0..9 hold 10 data symbols drawn
// iid uniformly from 1..8, steps 10..T+8 are blank (T-1 steps), step T+9 is
// the delimiter and steps T+10..T+19 are blank. The target is blank for steps
// 0..T+9 and the 10 data symbols, in order, at steps T+10..T+19. The loss
// reads every step.
//
// The baseline is 10·ln 8/(T+20): the best memoryless predictor outputs blank
// with certainty for the first T+10 steps (loss 0) and the uniform
// distribution over the 8 data symbols for the last 10 (loss ln 8 each),
// averaged over all T+20 steps.
var copying = Task{
	Name:         "copy",
	Description:  "one-hot symbols (0 blank, 1-8 data, 9 delimiter): 10 data symbols, T-1 blanks, delimiter, 10 blanks; target: blanks, then the 10 data symbols in the last 10 steps",
	InDim:        copyAlphabet,
	OutDim:       copyAlphabet,
	Loss:         CrossEntropy,
	MinT:         1,
	Extra:        2 * copyN,
	MetricName:   "recall_acc",
	Chance:       1.0 / copyData,
	Criterion:    "test recall_acc ≥ 0.99",
	BaselineNote: "blank, then uniform over the 8 data symbols in the last 10 steps: CE = 10·ln 8/(T+20)",
	Draw:         drawCopy,
	Memoryless:   func(T int) float64 { return copyN * math.Log(copyData) / float64(T+2*copyN) },
	Score:        scoreCopy,
	Solved:       func(_, metric float64) bool { return metric >= copySolvedAcc },
}

func init() { register(copying) }

// drawCopy draws, per sequence, the 10 data symbols in order.
func drawCopy(rng *rand.Rand, T, B int) *Batch {
	const D = copyAlphabet
	L := T + 2*copyN
	b := &Batch{
		Len:       L,
		Size:      B,
		InDim:     D,
		OutDim:    D,
		X:         make([]float64, L*D*B),
		LossSteps: make([]int, L),
		Labels:    make([]int, L*B), // blank (0) unless set below
	}
	for t := range b.LossSteps {
		b.LossSteps[t] = t
	}
	delim := T + copyN - 1 // step of the delimiter
	for s := 0; s < B; s++ {
		for t := 0; t < L; t++ {
			sym := copyBlank
			switch {
			case t < copyN:
				sym = 1 + rng.IntN(copyData)
				b.Labels[(delim+1+t)*B+s] = sym
			case t == delim:
				sym = copyDelim
			}
			b.X[(t*D+sym)*B+s] = 1
		}
	}
	return b
}

// scoreCopy is the accuracy of the argmax of the logits on the 10 recalled
// symbols only (steps Len-10..Len-1); chance is 1/8. Ties go to the lowest
// class index.
func scoreCopy(b *Batch, out []float64) float64 {
	if b.Labels == nil {
		panic("datasets: copy.Metric: batch has no class targets")
	}
	N, K := b.n(), b.OutDim
	ok, total := 0, 0
	for j, step := range b.LossSteps {
		if step < b.Len-copyN {
			continue
		}
		for s := 0; s < b.Size; s++ {
			n := j*b.Size + s
			best := 0
			for k := 1; k < K; k++ {
				if out[k*N+n] > out[best*N+n] {
					best = k
				}
			}
			if best == b.Labels[n] {
				ok++
			}
			total++
		}
	}
	if total == 0 {
		panic("datasets: copy.Metric: batch has no recall steps")
	}
	return float64(ok) / float64(total)
}
