package trialdir

import (
	"errors"
	"strconv"
)

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

// Spectra is spectra.csv: at initialisation and at every evaluation, the largest singular
// value of each recurrent block of a trial's cell.
var Spectra = &RecordFile[Spectrum]{
	name:   SpectraFile,
	header: []string{"step", "param", "gate", "act", "sigma_max", "threshold"},
	perm:   0o644,
	encode: func(r Spectrum) []string {
		return []string{strconv.Itoa(r.Step), r.Param, r.Gate, r.Act, formatFloat(r.SigmaMax), formatFloat(r.Threshold)}
	},
	decode: func(f []string) (Spectrum, error) {
		s := Spectrum{Param: f[1], Gate: f[2], Act: f[3]}
		var e1, e2, e3 error
		s.Step, e1 = strconv.Atoi(f[0])
		s.SigmaMax, e2 = parseFloat(f[4])
		s.Threshold, e3 = parseFloat(f[5])
		return s, errors.Join(e1, e2, e3)
	},
}
