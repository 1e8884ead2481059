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
// evaluation, ‖∂C/∂h_t‖ for every time step t of a fixed diagnostic batch.
var GradFlow = &RecordFile[FlowPoint]{
	name:   GradFlowFile,
	header: []string{"step", "t", "lag", "norm"},
	perm:   0o644,
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
