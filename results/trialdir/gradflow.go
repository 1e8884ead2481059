package trialdir

import (
	"errors"
	"strconv"
)

// FlowPoint is one row of gradflow.csv: at training step Step, the gradient of the loss
// with respect to the hidden state after input t has norm Norm; Lag = L−1−t is how many
// steps before the end of the sequence that state is (for the adding problem, whose loss
// sits at the last step, the distance the gradient has travelled).
type FlowPoint struct {
	Step, T, Lag int
	Norm         float64
}

// GradFlow is gradflow.csv, the gradient-flow record: at initialisation and at every
// evaluation, ‖∂C/∂h_t‖ for every time step t of a fixed diagnostic batch. A block of a
// sequence of length L is whole when it has its L rows, one for each t, with t + lag = L−1.
var GradFlow = &RecordFile[FlowPoint]{
	name:   GradFlowFile,
	header: []string{"step", "t", "lag", "norm"},
	step:   func(r FlowPoint) int { return r.Step },
	whole: func(_ string, _, last []FlowPoint) bool {
		seen := make([]bool, len(last))
		for _, r := range last {
			if r.T < 0 || r.T >= len(last) || r.T+r.Lag != len(last)-1 || seen[r.T] {
				return false
			}
			seen[r.T] = true
		}
		return true
	},
	encode: func(r FlowPoint) []string {
		return []string{strconv.Itoa(r.Step), strconv.Itoa(r.T), strconv.Itoa(r.Lag), formatFloat(r.Norm)}
	},
	decode: func(f []string) (FlowPoint, error) {
		var p FlowPoint
		var e1, e2, e3, e4 error
		p.Step, e1 = strconv.Atoi(f[0])
		p.T, e2 = strconv.Atoi(f[1])
		p.Lag, e3 = strconv.Atoi(f[2])
		p.Norm, e4 = parseFloat(f[3])
		return p, errors.Join(e1, e2, e3, e4)
	},
}
