package results

import (
	"github.com/expctl/expctl/results/trialdir"
)

// Trial statuses: the Status of a [Result].
const (
	Solved   = trialdir.Solved   // the task's solve criterion was met on the test set
	Unsolved = trialdir.Unsolved // the budget ran out first
	Diverged = trialdir.Diverged // the loss or a gradient became NaN or infinite
	Failed   = trialdir.Failed   // the trial could not run (an error or a crash)
)

type (
	// Result is the content of result.json.
	Result = trialdir.Result
	// Point is one row of curve.csv.
	Point = trialdir.Point
	// FlowPoint is one row of gradflow.csv.
	FlowPoint = trialdir.FlowPoint
	// Spectrum is one row of spectra.csv.
	Spectrum = trialdir.Spectrum
)
