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
// value of each recurrent block of a trial's cell. A block is whole when it lists the
// recurrent blocks its first block lists, in the same order; the first block, when it is
// the only one, is whole once curve.csv has the row of its step, which an evaluation
// appends after it.
var Spectra = &RecordFile[Spectrum]{
	name:   SpectraFile,
	header: []string{"step", "param", "gate", "act", "sigma_max", "threshold"},
	step:   func(r Spectrum) int { return r.Step },
	whole: func(dir string, first, last []Spectrum) bool {
		if first == nil {
			return dir == "" || curveHas(dir, last[0].Step)
		}
		if len(last) != len(first) {
			return false
		}
		for i, r := range last {
			if r.Param != first[i].Param || r.Gate != first[i].Gate || r.Act != first[i].Act {
				return false
			}
		}
		return true
	},
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
