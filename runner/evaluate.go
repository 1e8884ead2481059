package runner

import (
	"fmt"
	"math"

	"github.com/expctl/expctl/results/trialdir"
)

// evalChunk is the number of test sequences evaluated at once.
const evalChunk = 250

// A recorder appends one per-evaluation diagnostic record of the trial at step: at
// initialisation (step 0) and after every evaluation, once the test set is evaluated.
type recorder func(tr *trial, step int) error

// diagnostics are the trial's per-evaluation records besides the learning curve, in the
// order they are taken. A new diagnostic is a record file in package trialdir and a
// recorder here.
var diagnostics = []recorder{(*trial).recordGradFlow, (*trial).recordSpectra}

// evaluateAt evaluates the network after step, takes the diagnostics, appends the curve
// row, reports progress and decides whether training stops (see [trial.decide]).
func (tr *trial) evaluateAt(step int, res *trialdir.Result, progress func(Progress)) (stop bool, err error) {
	p := tr.window(step)
	if p.TestLoss, p.TestMetric, err = tr.evaluate(); err != nil {
		return true, err
	}
	for _, record := range diagnostics {
		if err := record(tr, step); err != nil {
			return true, err
		}
	}
	p.Seconds = tr.seconds()
	if err := tr.recordCurve(p); err != nil {
		return true, err
	}
	if progress != nil {
		progress(Progress{Step: step, Steps: tr.cfg.Steps, Point: p, Baseline: res.Baseline, Metric: res.Metric})
	}
	return tr.decide(p, res), nil
}

// window returns the curve row of step with the training means of the evaluation window
// that ends there, and starts the next window.
func (tr *trial) window(step int) trialdir.Point {
	st := tr.st
	p := trialdir.Point{Step: step, TrainLoss: math.NaN(), GradNorm: math.NaN(), ClipRate: math.NaN()}
	if st.NWindow > 0 {
		w := float64(st.NWindow)
		p.TrainLoss, p.GradNorm, p.ClipRate = st.SumLoss/w, st.SumNorm/w, float64(st.NClipped)/w
	}
	st.SumLoss, st.SumNorm, st.NClipped, st.NWindow = 0, 0, 0, 0
	return p
}

// evaluate returns the loss and metric on the held-out set.
func (tr *trial) evaluate() (loss, metric float64, err error) {
	n := tr.test.Size
	for lo := 0; lo < n; lo += evalChunk {
		hi := min(lo+evalChunk, n)
		b := tr.test.Slice(lo, hi)
		out, err := tr.net.Forward(b)
		if err != nil {
			return 0, 0, err
		}
		w := float64(hi-lo) / float64(n)
		loss += w * out.Loss
		metric += w * tr.task.Metric(b, out.Y)
	}
	return loss, metric, nil
}

// decide applies the evaluation p, the last of the curve, to the trial's state and
// reports whether training stops: the test loss is not finite (the trial diverged: status
// set in res), the trial is solved and not asked to keep going, or the config's plateau
// rule prunes it (status pruned).
func (tr *trial) decide(p trialdir.Point, res *trialdir.Result) (stop bool) {
	st := tr.st
	if !isFinite(p.TestLoss) {
		res.Status, res.Error = trialdir.Diverged, fmt.Sprintf("test loss %v at step %d", p.TestLoss, p.Step)
		st.TestLoss, st.TestMetr = nil, nil
		return true
	}
	st.TestLoss, st.TestMetr = ptr(p.TestLoss), ptr(p.TestMetric)
	if st.SolvedAt == nil && tr.cfg.Solved(tr.task, p.TestLoss, p.TestMetric) {
		st.SolvedAt = ptr(p.Step)
	}
	if st.SolvedAt != nil {
		return !tr.cfg.KeepGoing
	}
	if prune, why := tr.plateau(); prune {
		res.Status = trialdir.Pruned
		res.Pruned = &trialdir.Pruning{Step: p.Step, Rule: trialdir.PrunePlateau, Reason: why}
		return true
	}
	return false
}

// plateau applies the config's plateau rule to the learning curve so far.
func (tr *trial) plateau() (prune bool, reason string) {
	rule := tr.cfg.Plateau()
	if rule.Patience == 0 {
		return false, ""
	}
	steps := make([]int, len(tr.st.Curve))
	losses := make([]float64, len(tr.st.Curve))
	for i, p := range tr.st.Curve {
		steps[i], losses[i] = p.Step, p.TestLoss
	}
	return rule.Check(steps, losses)
}

// recordCurve appends p to the learning curve, in the trial's state and in curve.csv.
func (tr *trial) recordCurve(p trialdir.Point) error {
	tr.st.Curve = append(tr.st.Curve, p)
	return trialdir.Curve.Append(tr.dir, []trialdir.Point{p})
}

// recordGradFlow appends ‖∂C/∂h_t‖ for every t of the diagnostic batch at this step.
func (tr *trial) recordGradFlow(step int) error {
	g, err := tr.net.Backprop(tr.diag, nil)
	if err != nil {
		return fmt.Errorf("gradient flow: %w", err)
	}
	rows := make([]trialdir.FlowPoint, len(g.HNorm))
	for t, n := range g.HNorm {
		rows[t] = trialdir.FlowPoint{Step: step, T: t, Lag: len(g.HNorm) - 1 - t, Norm: n}
	}
	return trialdir.GradFlow.Append(tr.dir, rows)
}

// recordSpectra appends the largest singular value of every recurrent block at this step.
func (tr *trial) recordSpectra(step int) error {
	return trialdir.Spectra.Append(tr.dir, tr.net.spectra(step))
}
