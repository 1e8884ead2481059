package runner

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/expctl/expctl/datasets"
	"github.com/expctl/expctl/models"
	"github.com/expctl/expctl/models/cellref"
)

// referenceForward computes the loss and the readout outputs of net on b from the
// reference equations of package cellref: the cell run from the zero state, y = V h + c at
// the loss steps, and the task's loss.
func referenceForward(t *testing.T, net *Network, b *datasets.Batch) (loss float64, y []float64) {
	t.Helper()
	cfg := net.Cell.Config()
	D, H, B, K := cfg.In, cfg.Hidden, b.Size, net.Out
	p := map[string][]float64{}
	nc := len(net.Cell.Params())
	for i, s := range net.Specs[:nc] {
		p[s.Name] = float64s(net.Params[i])
	}
	xs := make([][]float64, b.Len)
	for i := range xs {
		xs[i] = b.Input(i)
	}
	states, err := cellref.Run(net.Cell.Name(), D, H, B, p, xs, nil)
	if err != nil {
		t.Fatal(err)
	}
	N := len(b.LossSteps) * B
	hs := make([]float64, H*N)
	for j, step := range b.LossSteps {
		h := states[step][0]
		for r := 0; r < H; r++ {
			for s := 0; s < B; s++ {
				hs[r*N+j*B+s] = h[r*B+s]
			}
		}
	}
	y = cellref.Readout(K, H, N, float64s(net.Params[nc]), float64s(net.Params[nc+1]), hs)
	switch net.Loss {
	case datasets.MSE:
		return cellref.MSE(y, b.Y), y
	case datasets.CrossEntropy:
		return cellref.CrossEntropy(K, N, y, b.Labels), y
	}
	t.Fatalf("unknown loss %v", net.Loss)
	return 0, nil
}

// boundedParams replaces the parameters of net with values that keep every pre-activation
// of order one and the recurrence from expanding over hundreds of steps (an expanding one,
// such as an IRNN at its identity initialisation plus noise, amplifies rounding until a
// comparison at 1e-12 says nothing): matrices U(−1, 1)/√cols, vectors U(−1, 1), so that
// no bias or peephole is zero.
func boundedParams(net *Network, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 23))
	for i, s := range net.Specs {
		scale := 1.0
		if s.Cols > 1 {
			scale = 1 / math.Sqrt(float64(s.Cols))
		}
		v := make([]float64, s.Size())
		for j := range v {
			v[j] = (2*rng.Float64() - 1) * scale
		}
		net.Params[i] = dense(net.Dtype, s.Rows, s.Cols, v)
	}
}

// TestNetworkMatchesEquations: for every cell under both losses (adding: MSE at the last
// step; copy: cross-entropy at every step), the network's loss and every readout output
// over sequences of 300 and 320 steps equal those of the reference equations to 1e-12
// relative. The parameters are those of boundedParams. Sequences longer than 256 steps are where per-step nodes of a naively
// unrolled Gorgonia graph would be merged by slice hashing; float64 rounding on both
// sides stays near 1e-15.
func TestNetworkMatchesEquations(t *testing.T) {
	for _, cell := range models.Names() {
		for _, task := range []string{"adding", "copy"} {
			t.Run(cell+"/"+task, func(t *testing.T) {
				net, tk := testNet(t, cell, task, 8, 5)
				boundedParams(net, 5)
				b, err := datasets.TrainBatch(tk, 9, 300, 3, 0)
				if err != nil {
					t.Fatal(err)
				}
				out, err := net.Forward(b)
				if err != nil {
					t.Fatal(err)
				}
				loss, y := referenceForward(t, net, b)
				if e := math.Abs(out.Loss-loss) / math.Abs(loss); !(e <= 1e-12) {
					t.Fatalf("loss %.17g, equations give %.17g (relative difference %.2g)", out.Loss, loss, e)
				}
				worst := 0.0
				for i := range y {
					e := math.Abs(out.Y[i]-y[i]) / math.Max(1, math.Abs(y[i]))
					worst = math.Max(worst, e)
					if !(e <= 1e-12) {
						t.Fatalf("output %d of %d: %.17g, equations give %.17g", i, len(y), out.Y[i], y[i])
					}
				}
				t.Logf("L=%d: loss %.6g, worst output difference %.2g", b.Len, loss, worst)
			})
		}
	}
}
