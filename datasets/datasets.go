package datasets

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// Loss is the loss a task is trained and evaluated with, and the one the
// readouts of package models compute.
type Loss int

const (
	// MSE is the mean squared error over all target entries:
	// Σ (y − t)² / (K·N).
	MSE Loss = iota
	// CrossEntropy is the mean softmax cross-entropy over all
	// (loss step, sequence) pairs, each a distribution over K classes:
	// −Σ_n log softmax(y_n)[t_n] / N.
	CrossEntropy
)

// String returns "mse" or "cross-entropy".
func (l Loss) String() string {
	switch l {
	case MSE:
		return "mse"
	case CrossEntropy:
		return "cross-entropy"
	}
	return fmt.Sprintf("Loss(%d)", int(l))
}

// ErrOutOfRange is wrapped by the errors returned for arguments outside their
// allowed range (T < MinT, B < 1, a negative batch index, ...). Test for it
// with errors.Is.
var ErrOutOfRange = errors.New("out of range")

// ErrUnknownTask is wrapped by the error [Lookup] returns for a name that is
// not registered.
var ErrUnknownTask = errors.New("unknown task")

// Batch is a minibatch of Size sequences in feature-major layout.
//
// The input of time step t is the InDim×Size matrix stored row-major at
// X[t*InDim*Size : (t+1)*InDim*Size], so entry d of sequence b at step t is
// X[(t*InDim+d)*Size+b]. [Batch.Input] returns that sub-slice.
//
// The loss reads the model output only at LossSteps. With
// N = len(LossSteps)*Size, column n = j*Size+b belongs to the j-th loss step
// and sequence b. MSE targets form the OutDim×N matrix Y[k*N+n]; class
// targets are Labels[n] in [0, OutDim). Exactly one of Y and Labels is
// non-nil, according to the task's [Loss]. Model outputs passed to
// [Task.Metric] use the same layout as Y.
type Batch struct {
	Len       int       // sequence length L (time steps)
	Size      int       // number of sequences B
	InDim     int       // input dimension D
	OutDim    int       // output dimension K (number of classes for cross-entropy)
	X         []float64 // inputs, len L*D*B, X[(t*D+d)*B+b]
	LossSteps []int     // ascending time steps at which the loss reads the output
	Y         []float64 // MSE targets, len K*N, Y[k*N+n]; nil for cross-entropy tasks
	Labels    []int     // class targets, len N, Labels[n] in [0,K); nil for MSE tasks
}

// n returns the number of target columns, len(LossSteps)*Size.
func (b *Batch) n() int { return len(b.LossSteps) * b.Size }

// Slice returns sequences [lo, hi) of b as a new Batch with Size hi-lo. The
// data are copied and laid out for the new size; LossSteps is copied too.
// It panics unless 0 ≤ lo < hi ≤ b.Size.
func (b *Batch) Slice(lo, hi int) *Batch {
	if lo < 0 || hi > b.Size || lo >= hi {
		panic(fmt.Sprintf("datasets: Batch.Slice(%d, %d) out of range for batch of size %d", lo, hi, b.Size))
	}
	nb := hi - lo
	s := &Batch{
		Len:       b.Len,
		Size:      nb,
		InDim:     b.InDim,
		OutDim:    b.OutDim,
		X:         make([]float64, b.Len*b.InDim*nb),
		LossSteps: slices.Clone(b.LossSteps),
	}
	for r := 0; r < b.Len*b.InDim; r++ {
		copy(s.X[r*nb:(r+1)*nb], b.X[r*b.Size+lo:r*b.Size+hi])
	}
	steps := len(b.LossSteps)
	if b.Y != nil {
		n, sn := b.n(), s.n()
		s.Y = make([]float64, b.OutDim*sn)
		for k := 0; k < b.OutDim; k++ {
			for j := 0; j < steps; j++ {
				src := k*n + j*b.Size
				copy(s.Y[k*sn+j*nb:k*sn+(j+1)*nb], b.Y[src+lo:src+hi])
			}
		}
	}
	if b.Labels != nil {
		s.Labels = make([]int, steps*nb)
		for j := 0; j < steps; j++ {
			copy(s.Labels[j*nb:(j+1)*nb], b.Labels[j*b.Size+lo:j*b.Size+hi])
		}
	}
	return s
}

// Input returns the InDim*Size inputs of time step t, laid out as [d*Size+b].
// The result is a sub-slice of X, not a copy. It panics if t is not in
// [0, Len).
func (b *Batch) Input(t int) []float64 {
	if t < 0 || t >= b.Len {
		panic(fmt.Sprintf("datasets: Batch.Input(%d) out of range for sequence length %d", t, b.Len))
	}
	w := b.InDim * b.Size
	return b.X[t*w : (t+1)*w : (t+1)*w]
}

// Task is a synthetic sequence task: a description, plus the few functions in which tasks
// differ. T is the dependency length: the number of steps over which the model has to
// carry information; the sequence length is [Task.Len](T) = T + Extra. Adding a task is one
// file with one Task value, its generator and its metric, registered from init.
type Task struct {
	Name         string // registry name, e.g. "adding"
	Description  string // one-line summary of the sequence layout
	InDim        int    // input dimension D
	OutDim       int    // output dimension K (classes for cross-entropy tasks)
	Loss         Loss   // the loss the task is trained and evaluated with
	MinT         int    // smallest valid dependency length
	Extra        int    // steps beyond T: the sequence length is T + Extra
	MetricName   string // name under which [Task.Metric] is reported
	Criterion    string // the solve criterion in words, e.g. "test MSE ≤ 0.01"
	BaselineNote string // the memoryless baseline in a few words
	// Spread is nil for tasks of one sequence length. Otherwise each batch draws its own
	// length in [Len(T), Len(T)+Spread(T)], the same for all its sequences (see
	// [Task.MaxLen]).
	Spread func(T int) int
	// Chance is the task metric of the best predictor that ignores the inputs: the level
	// an accuracy must rise above (0 when not known).
	Chance float64

	// Draw draws B ≥ 1 sequences with dependency length T ≥ MinT from rng, one sequence
	// after another, so the first b sequences of a batch do not depend on B. Callers use
	// [Task.Generate], which checks the arguments first.
	Draw func(rng *rand.Rand, T, B int) *Batch
	// Memoryless is the expected loss of the best predictor that ignores the inputs, for
	// T ≥ MinT (see [Task.Baseline]).
	Memoryless func(T int) float64
	// Score is the task metric of outputs out on b, whose shapes [Task.Metric] has checked.
	Score func(b *Batch, out []float64) float64
	// Solved reports whether a test loss and metric meet the solve criterion. NaN values
	// never do.
	Solved func(loss, metric float64) bool
}

// Len returns the sequence length for dependency length T ≥ MinT; for a task whose
// length varies per batch (Spread non-nil), the shortest length.
func (t Task) Len(T int) int { return T + t.Extra }

// MaxLen returns the longest sequence length of a batch for dependency length T ≥ MinT:
// Len(T), plus Spread(T) for a task whose length varies per batch.
func (t Task) MaxLen(T int) int {
	if t.Spread == nil {
		return t.Len(T)
	}
	return t.Len(T) + t.Spread(T)
}

// Baseline returns the expected loss of the best predictor that ignores the inputs, for
// T ≥ MinT (NaN otherwise).
func (t Task) Baseline(T int) float64 {
	if T < t.MinT {
		return math.NaN()
	}
	return t.Memoryless(T)
}

// Metric scores model outputs on b. out has the layout of Y, out[k*N+n], and holds logits
// for cross-entropy tasks. It panics if b or out do not match the task's shapes.
func (t Task) Metric(b *Batch, out []float64) float64 {
	checkOut(t, b, out)
	return t.Score(b, out)
}

// Generate draws B sequences with dependency length T from rng (see [Task.Draw]). It
// returns an error wrapping ErrOutOfRange for T < MinT or B < 1.
func (t Task) Generate(rng *rand.Rand, T, B int) (*Batch, error) {
	if err := checkArgs(t, T, B); err != nil {
		return nil, err
	}
	return t.Draw(rng, T, B), nil
}

var registry = map[string]Task{}

// register adds t to the registry; each task's file calls it from init.
func register(t Task) {
	if _, dup := registry[t.Name]; dup || t.Name == "" || t.Draw == nil || t.Memoryless == nil || t.Score == nil || t.Solved == nil {
		panic("datasets: bad or duplicate task registration: " + t.Name)
	}
	registry[t.Name] = t
}

// Lookup returns the task registered under name. For an unknown name the
// error wraps ErrUnknownTask and lists the known names, e.g.
// `unknown task "x" (known: adding, copy)`.
func Lookup(name string) (Task, error) {
	if t, ok := registry[name]; ok {
		return t, nil
	}
	return Task{}, fmt.Errorf("%w %q (known: %s)", ErrUnknownTask, name, strings.Join(Names(), ", "))
}

// Names returns the registered task names in sorted order.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// checkArgs validates the arguments shared by all generators.
func checkArgs(t Task, T, B int) error {
	if T < t.MinT {
		return fmt.Errorf("%s: dependency length T=%d %w (need T ≥ %d)", t.Name, T, ErrOutOfRange, t.MinT)
	}
	if B < 1 {
		return fmt.Errorf("%s: batch size B=%d %w (need B ≥ 1)", t.Name, B, ErrOutOfRange)
	}
	L := t.MaxLen(T)
	// Guard the allocation size L*D*B (and L*K*B) against int overflow.
	w := max(t.InDim, t.OutDim)
	if L <= 0 || L > maxInt/w || B > maxInt/(L*w) {
		return fmt.Errorf("%s: T=%d with B=%d %w (batch does not fit in memory)", t.Name, T, B, ErrOutOfRange)
	}
	return nil
}

const maxInt = int(^uint(0) >> 1)

// checkOut panics if out does not have the length of b's target matrix.
func checkOut(t Task, b *Batch, out []float64) {
	if b.OutDim != t.OutDim || b.InDim != t.InDim {
		panic(fmt.Sprintf("datasets: %s.Metric: batch has D=%d K=%d, task has D=%d K=%d",
			t.Name, b.InDim, b.OutDim, t.InDim, t.OutDim))
	}
	if want := b.OutDim * b.n(); len(out) != want {
		panic(fmt.Sprintf("datasets: %s.Metric: len(out)=%d, want K*N=%d*%d=%d",
			t.Name, len(out), b.OutDim, b.n(), want))
	}
}
