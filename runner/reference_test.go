package runner

import (
	"math"
	"testing"

	"github.com/expctl/expctl/datasets"
)

// refLSTM is an independent plain-Go LSTM forward pass (gate order i, f, o, g) with the
// readout and cross-entropy loss, used to check the Gorgonia programs over long sequences.
func refLSTM(net *Network, b *datasets.Batch) float64 {
	D, H, B, K := b.InDim, net.Cell.Config().Hidden, b.Size, net.Out
	W, bias := net.Params[0].Data().([]float64), net.Params[1].Data().([]float64)
	V, c := net.Params[2].Data().([]float64), net.Params[3].Data().([]float64)
	sig := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	h, cell := make([]float64, H*B), make([]float64, H*B)
	N := len(b.LossSteps) * B
	loss, j := 0.0, 0
	for t := 0; t < b.Len; t++ {
		x := b.Input(t)
		nh, nc := make([]float64, H*B), make([]float64, H*B)
		for u := 0; u < H; u++ {
			for s := 0; s < B; s++ {
				var z [4]float64
				for k := 0; k < 4; k++ {
					row := (k*H + u) * (D + H)
					acc := bias[k*H+u]
					for d := 0; d < D; d++ {
						acc += W[row+d] * x[d*B+s]
					}
					for v := 0; v < H; v++ {
						acc += W[row+D+v] * h[v*B+s]
					}
					z[k] = acc
				}
				nc[u*B+s] = sig(z[1])*cell[u*B+s] + sig(z[0])*math.Tanh(z[3])
				nh[u*B+s] = sig(z[2]) * math.Tanh(nc[u*B+s])
			}
		}
		h, cell = nh, nc
		if j < len(b.LossSteps) && b.LossSteps[j] == t {
			for s := 0; s < B; s++ {
				y := make([]float64, K)
				mx := math.Inf(-1)
				for k := range y {
					y[k] = c[k]
					for v := 0; v < H; v++ {
						y[k] += V[k*H+v] * h[v*B+s]
					}
					mx = math.Max(mx, y[k])
				}
				z := 0.0
				for _, v := range y {
					z += math.Exp(v - mx)
				}
				loss -= y[b.Labels[j*B+s]] - mx - math.Log(z)
			}
			j++
		}
	}
	return loss / float64(N)
}

// TestForwardLongSequence compares the compiled LSTM with a plain-Go LSTM over 320 steps:
// longer than 256, where Gorgonia's slice hashing would merge per-step nodes of a naively
// unrolled graph.
func TestForwardLongSequence(t *testing.T) {
	net, task := testNet(t, "lstm", "copy", 9, 4)
	b, err := datasets.TrainBatch(task, 1, 300, 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	out, err := net.Forward(b)
	if err != nil {
		t.Fatal(err)
	}
	want := refLSTM(net, b)
	if math.Abs(out.Loss-want) > 1e-12*math.Abs(want) {
		t.Fatalf("loss %.15g, plain-Go reference %.15g", out.Loss, want)
	}
	t.Logf("T=300 (320 steps) loss %.12g, reference %.12g", out.Loss, want)
}
