package results

import (
	"errors"
	"io/fs"

	"github.com/expctl/expctl/results/trialdir"
)

// File names of sweep and trial directories; see package trialdir.
const (
	ConfigFile   = trialdir.ConfigFile
	CurveFile    = trialdir.CurveFile
	ResultFile   = trialdir.ResultFile
	GradFlowFile = trialdir.GradFlowFile
	SpectraFile  = trialdir.SpectraFile
	TrialsFile   = trialdir.TrialsFile
	SpecFile     = trialdir.SpecFile
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

// WriteFileAtomic replaces path with data atomically; see [trialdir.WriteFileAtomic].
func WriteFileAtomic(path string, data []byte) error { return trialdir.WriteFileAtomic(path, data) }

// WriteJSON writes v as indented JSON atomically.
func WriteJSON(path string, v any) error { return trialdir.WriteJSON(path, v) }

// ReadJSON decodes the JSON file at path into v.
func ReadJSON(path string, v any) error { return trialdir.ReadJSON(path, v) }

// ReadCurve reads dir/curve.csv. It returns an error wrapping fs.ErrNotExist when the
// trial has none yet.
func ReadCurve(dir string) ([]Point, error) { return trialdir.ReadCurve(dir) }

// ReadResult reads dir/result.json. It returns an error wrapping fs.ErrNotExist for a
// trial that has not finished.
func ReadResult(dir string) (*Result, error) { return trialdir.ReadResult(dir) }

// Done reports whether the trial in dir has finished, i.e. its result.json exists.
func Done(dir string) bool { return trialdir.Done(dir) }

// StripWallClock returns the content of a trial file with its wall-clock fields removed;
// see [trialdir.StripWallClock].
func StripWallClock(name string, data []byte) ([]byte, error) {
	return trialdir.StripWallClock(name, data)
}

// ReadGradFlow reads dir/gradflow.csv; a missing file gives no rows and no error, and a
// partial last line (an interrupted append) is ignored.
func ReadGradFlow(dir string) ([]FlowPoint, error) { return optional(trialdir.GradFlow.Read(dir)) }

// ReadSpectra reads dir/spectra.csv; a missing file gives no rows and no error, and a
// partial last line (an interrupted append) is ignored.
func ReadSpectra(dir string) ([]Spectrum, error) { return optional(trialdir.Spectra.Read(dir)) }

// optional makes a missing record file no rows and no error.
func optional[R any](rows []R, err error) ([]R, error) {
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return rows, err
}
