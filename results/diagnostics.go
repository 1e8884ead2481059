package results

import (
	"github.com/expctl/expctl/results/report"
	"github.com/expctl/expctl/results/trialdir"
)

// A Diagnostic is an optional part of a report, made from a per-evaluation record of the
// trials (a record file of package trialdir). 'expctl report --<Flag>' adds its tables
// after the metric tables (in JSON, the document's member named by the part's Key) and,
// with --plots, its figures; the HTML page shows it whenever a trial has the record.
//
// Adding a diagnostic to reports is one producer: a Diagnostic value in [Diagnostics].
// The command's flags and the page come from that list, and the renderers of package
// report draw any part, so neither changes.
type Diagnostic struct {
	Flag   string // the report command's flag without dashes, e.g. "gradients"
	Usage  string // the flag's usage text
	About  string // a paragraph for the command's description: what the flag adds
	Record string // the trial file the diagnostic reads, e.g. trialdir.GradFlowFile
	PageID string // the id of its section on the HTML page, e.g. "gradient-flow"

	// Part is the diagnostic's tables as a part of a report document. A non-empty warning
	// (e.g. that no trial has records) is shown to the user beside the tables.
	Part func(c *Collection, q Query) (part *report.Part, warning string, err error)
	// PagePart is the part as the HTML page shows it: its tables with their figures.
	PagePart func(c *Collection, q Query) (*report.Part, error)
	// SavePlots writes the diagnostic's figures into dir and returns the paths written;
	// nil for a diagnostic without figures.
	SavePlots func(dir string, c *Collection, q Query) ([]string, error)
}

// Diagnostics lists the optional parts of a report, in the order they are shown.
var Diagnostics = []*Diagnostic{gradientDiagnostic}

// recorded reports whether any of the trials has the diagnostic's record file.
func (d *Diagnostic) recorded(trials []*Trial) bool {
	for _, t := range trials {
		if t.Dir != "" && trialdir.Has(t.Dir, d.Record) {
			return true
		}
	}
	return false
}

var gradientDiagnostic = &Diagnostic{
	Flag:  "gradients",
	Usage: "also show the σ_max and clip-rate tables (and with --plots the gradient-flow figures)",
	About: "--gradients adds, after those tables, per task a table of the largest singular value\n" +
		"of each recurrent block at init and at the end of training (against the vanishing\n" +
		"threshold 1/γ) and the clip rate, from each trial's spectra.csv and curve.csv; with\n" +
		"--plots it also writes the gradient-flow figures ‖∂C/∂h_t‖ vs lag at init and at the\n" +
		"end (gradflow-<task>-T<v>-init/-final). With --format json the gradient tables are the\n" +
		"report document's \"gradients\" member. The HTML page has a gradient-flow section\n" +
		"whenever the trials recorded one.",
	Record: trialdir.GradFlowFile,
	PageID: "gradient-flow",
	Part: func(c *Collection, q Query) (*report.Part, string, error) {
		ts, err := c.GradientTables(q)
		if err != nil {
			return nil, "", err
		}
		warning := "no trial has gradient records (spectra.csv): the σ_max entries are empty"
		for _, t := range ts {
			for _, row := range t.Cells {
				for _, a := range row {
					if a != nil && a.Recorded > 0 {
						warning = ""
					}
				}
			}
		}
		return GradientPart(ts), warning, nil
	},
	PagePart:  gradientPagePart,
	SavePlots: SaveGradientPlots,
}
