package results

import (
	"fmt"
	"math"
	"strings"
)

// Why a trial did not solve its task, read from its learning curve: the [Attribute] of an
// unsolved or pruned trial. The classes run from the budget's failure to the cell's.
const (
	// Falling: the test loss was still falling at the end; more steps would likely help.
	Falling = "falling"
	// Stalled: it learnt something (below [BaselineFraction] × baseline), then stopped
	// improving.
	Stalled = "stalled"
	// AtBaseline: it never learnt anything: its best test loss stayed at the memoryless
	// baseline.
	AtBaseline = "at baseline"
	// NoCurve: too few evaluations to tell (fewer than two with a finite test loss).
	NoCurve = "no curve"
)

// Classes lists the classes of [Attribute] in the order reports show them.
var Classes = []string{Falling, Stalled, AtBaseline, NoCurve}

// The thresholds of [Attribute].
const (
	// FallingTail is the part of a curve's evaluations, at its end, whose best test loss
	// is compared with the best before it: the last quarter (at least one evaluation).
	// A quarter is long enough that one lucky evaluation does not decide, and short
	// enough to describe where the curve was heading when the budget ran out.
	FallingTail = 0.25
	// FallingGain is how much lower, relative to the best test loss before the last
	// quarter, the best test loss within it must be for the curve to count as falling:
	// more than 5%. The best of a curve that has stopped learning can still creep down
	// by chance as more evaluations come; 5% asks for a clear descent and still catches
	// a slow one.
	FallingGain = 0.05
	// BaselineFraction is how close to the memoryless baseline a curve's best test loss
	// may stay and still count as having learnt nothing: at or above 0.9 × baseline. A
	// network that uses nothing of the dependency cannot beat the baseline but by the
	// sampling error of the finite test set, which 10% leaves room for; one that has
	// learnt part of it gets well below (the adding problem's solve criterion, 0.01, is
	// 6% of its baseline 1/6).
	BaselineFraction = 0.9
)

// Attribute classifies the learning curve of a trial that did not solve its task, from
// its test losses (NaN evaluations ignored) and the task's memoryless baseline:
//
//   - [Falling] when the best test loss over the last quarter of its evaluations
//     ([FallingTail], at least one) is more than [FallingGain] (5%) below the best before
//     that quarter, relative to the latter: the budget ran out while it was learning;
//   - else [AtBaseline] when its best test loss over the whole curve is at least
//     [BaselineFraction] (0.9) × baseline: it never learnt anything;
//   - else [Stalled]: it learnt something, then stopped improving;
//   - [NoCurve] when fewer than two evaluations have a finite test loss.
//
// Falling comes first: a curve that has only just left the baseline when the budget ends
// is the budget's failure, not the cell's. With no baseline (NaN) a curve that is not
// falling is stalled.
func Attribute(curve []Point, baseline float64) string {
	var losses []float64
	for _, p := range curve {
		if !math.IsNaN(p.TestLoss) && !math.IsInf(p.TestLoss, 0) {
			losses = append(losses, p.TestLoss)
		}
	}
	n := len(losses)
	if n < 2 {
		return NoCurve
	}
	tail := max(1, int(float64(n)*FallingTail))
	before, last := minOf(losses[:n-tail]), minOf(losses[n-tail:])
	if before > 0 && (before-last)/before > FallingGain {
		return Falling
	}
	if best := math.Min(before, last); !math.IsNaN(baseline) && best >= BaselineFraction*baseline {
		return AtBaseline
	}
	return Stalled
}

func minOf(vs []float64) float64 {
	m := math.Inf(1)
	for _, v := range vs {
		m = math.Min(m, v)
	}
	return m
}

// Attribution counts the trials of a cell that did not solve the task by the class of
// [Attribute]: the unsolved ones (the budget ran out) and the pruned ones apart.
type Attribution struct {
	Unsolved map[string]int // unsolved trials by class
	Pruned   map[string]int // pruned trials by class
}

// add counts t when it is unsolved or pruned.
func (a *Attribution) add(t *Trial) {
	if t.Result == nil {
		return
	}
	var m *map[string]int
	switch t.State {
	case Unsolved:
		m = &a.Unsolved
	case Pruned:
		m = &a.Pruned
	default:
		return
	}
	if *m == nil {
		*m = map[string]int{}
	}
	(*m)[Attribute(t.Curve, baselineOf(t))]++
}

// Empty reports whether the cell has no unsolved or pruned trial.
func (a Attribution) Empty() bool { return total(a.Unsolved)+total(a.Pruned) == 0 }

func total(m map[string]int) int {
	n := 0
	for _, k := range m {
		n += k
	}
	return n
}

// classesText is "2 falling, 1 at baseline": m by class, in the order of [Classes].
func classesText(m map[string]int) string {
	var parts []string
	for _, c := range Classes {
		if k := m[c]; k > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", k, c))
		}
	}
	return strings.Join(parts, ", ")
}

// Text is the attribution in words: "2 falling, 1 at baseline" for the unsolved trials,
// then "; 1 pruned: 1 stalled" for the pruned ones; "" when there are none.
func (a Attribution) Text() string {
	var parts []string
	if s := classesText(a.Unsolved); s != "" {
		parts = append(parts, s)
	}
	if n := total(a.Pruned); n > 0 {
		parts = append(parts, fmt.Sprintf("%d %s: %s", n, Pruned, classesText(a.Pruned)))
	}
	return strings.Join(parts, "; ")
}
