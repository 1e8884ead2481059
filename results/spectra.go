package results

import (
	"encoding/csv"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// SpectraFile holds, at initialisation and at every evaluation, the largest singular value
// of each recurrent block of a trial's cell.
const SpectraFile = "spectra.csv"

// SpectraHeader is the header row of spectra.csv.
var SpectraHeader = []string{"step", "param", "gate", "act", "sigma_max", "threshold"}

// Spectrum is one row of spectra.csv: σ_max of the H×H block of parameter Param that
// multiplies h_{t-1} for gate Gate (activation Act) at training step Step, and the
// threshold 1/γ of Pascanu et al. (2013): below it gradients through that block vanish.
type Spectrum struct {
	Step      int
	Param     string
	Gate, Act string
	SigmaMax  float64
	Threshold float64
}

func encodeSpectra(rows []Spectrum, header bool) []byte {
	var b strings.Builder
	w := csv.NewWriter(&b)
	if header {
		w.Write(SpectraHeader)
	}
	for _, r := range rows {
		w.Write([]string{strconv.Itoa(r.Step), r.Param, r.Gate, r.Act, formatFloat(r.SigmaMax), formatFloat(r.Threshold)})
	}
	w.Flush()
	return []byte(b.String())
}

// AppendSpectra appends rows to dir/spectra.csv (creating it with its header).
func AppendSpectra(dir string, rows []Spectrum) error {
	return appendRecords(filepath.Join(dir, SpectraFile), strings.Join(SpectraHeader, ","), encodeSpectra(rows, false))
}

// ReadSpectra reads dir/spectra.csv; a missing file gives no rows, and a partial last line
// (an interrupted append) is ignored.
func ReadSpectra(dir string) ([]Spectrum, error) {
	path := filepath.Join(dir, SpectraFile)
	lines, err := readRecords(path, strings.Join(SpectraHeader, ","))
	if err != nil {
		return nil, err
	}
	recs, err := csv.NewReader(strings.NewReader(strings.Join(lines, "\n"))).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := make([]Spectrum, 0, len(recs))
	for i, r := range recs {
		if len(r) != len(SpectraHeader) {
			return nil, fmt.Errorf("%s:%d: want %d fields", path, i+2, len(SpectraHeader))
		}
		s := Spectrum{Param: r[1], Gate: r[2], Act: r[3]}
		var e1, e2, e3 error
		s.Step, e1 = strconv.Atoi(r[0])
		s.SigmaMax, e2 = strconv.ParseFloat(r[4], 64)
		s.Threshold, e3 = strconv.ParseFloat(r[5], 64)
		if err := errors.Join(e1, e2, e3); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, i+2, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// TruncateSpectra keeps only the rows up to and including step (atomically).
func TruncateSpectra(dir string, step int) error {
	return truncateRecords(filepath.Join(dir, SpectraFile), strings.Join(SpectraHeader, ","), step)
}
