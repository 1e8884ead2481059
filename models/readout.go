package models

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/expctl/expctl/datasets"
)

// ReadoutParams declares the linear readout y = V h + c that maps a hidden state (H) to K
// outputs: V is Glorot-uniform (K, H), c is zero (K, 1).
func ReadoutParams(hidden, out int) []ParamSpec {
	return []ParamSpec{
		{Name: "V", Rows: out, Cols: hidden, Init: GlorotUniform(hidden, out)},
		{Name: "c", Rows: out, Cols: 1, Init: Zeros},
	}
}

// BuildLoss adds the readout y = V·hs + c of the hidden states hs (H, N) and its loss
// against target (K, N) to o. For MSE, Σ (y − t)² / (K·N), target holds the values; for
// CrossEntropy, −Σ_n log softmax(y_n)[t_n] / N, it is one-hot per column. It returns the
// scalar loss and the outputs y (K, N).
func BuildLoss(o *Ops, kind datasets.Loss, V, c, hs, target *G.Node) (loss, y *G.Node) {
	y = o.AddBias(o.MatMul(V, hs), c)
	if o.Err() != nil {
		return nil, nil
	}
	K, N := y.Shape()[0], y.Shape()[1]
	switch kind {
	case datasets.MSE:
		loss = o.Scale(o.Sum(o.Square(o.Sub(y, target))), 1/float64(K*N))
	case datasets.CrossEntropy:
		loss = o.Scale(o.Sum(o.Mul(target, o.LogSoftmaxRows(y))), -1/float64(N))
	default:
		o.fail(fmt.Errorf("unknown loss %v", kind), "readout")
	}
	return loss, y
}
