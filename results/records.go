package results

import (
	"fmt"

	"github.com/expctl/expctl/results/trialdir"
)

// Trial statuses: the Status of a [Result].
const (
	Solved   = trialdir.Solved   // the task's solve criterion was met on the test set
	Unsolved = trialdir.Unsolved // the budget ran out first
	Diverged = trialdir.Diverged // the loss or a gradient became NaN or infinite
	Failed   = trialdir.Failed   // the trial could not run (an error or a crash)
	// Pruned: its sweep's prune rule (plateau or successive halving) stopped it before
	// the end of its budget as unpromising; Result.Pruned says which rule and when.
	Pruned = trialdir.Pruned
)

// Prune rules: the Rule of a [Pruning].
const (
	PrunePlateau = trialdir.PrunePlateau // the trial's best test loss stopped improving
	PruneHalving = trialdir.PruneHalving // successive halving ranked it out of its group
)

type (
	// Result is the content of result.json.
	Result = trialdir.Result
	// Pruning is the record of the rule that pruned a trial (Result.Pruned).
	Pruning = trialdir.Pruning
	// Point is one row of curve.csv.
	Point = trialdir.Point
	// FlowPoint is one row of gradflow.csv.
	FlowPoint = trialdir.FlowPoint
	// Spectrum is one row of spectra.csv.
	Spectrum = trialdir.Spectrum
)

// StatusText is a result's status in words: for a pruned trial with its rule and step,
// "pruned (plateau @ 4000)" (just "pruned" when the result does not say), for others the
// status as is; "" for no result.
func StatusText(r *Result) string {
	if r == nil {
		return ""
	}
	if r.Status != Pruned || r.Pruned == nil {
		return r.Status
	}
	rule := r.Pruned.Rule
	if rule == "" {
		rule = "rule unknown"
	}
	return fmt.Sprintf("%s (%s @ %d)", Pruned, rule, r.Pruned.Step)
}
