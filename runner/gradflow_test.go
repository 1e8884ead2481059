package runner

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/expctl/expctl/datasets"
	"github.com/expctl/expctl/models"
)

// linearCell is h_t = W h_{t-1} + U x_t: a recurrence whose gradient flow has a closed
// form, ∂C/∂h_t = (Wᵀ)^(L−1−t) ∂C/∂h_{L−1} when the loss reads only the last state.
type linearCell struct{ cfg models.Config }

func (c *linearCell) Name() string          { return "linear" }
func (c *linearCell) Config() models.Config { return c.cfg }
func (c *linearCell) States() []string      { return []string{"h"} }
func (c *linearCell) Params() []models.ParamSpec {
	return []models.ParamSpec{
		{Name: "W", Rows: c.cfg.Hidden, Cols: c.cfg.Hidden, Init: models.Normal(0.5)},
		{Name: "U", Rows: c.cfg.Hidden, Cols: c.cfg.In, Init: models.Normal(1)},
	}
}
func (c *linearCell) Step(o *models.Ops, p models.Params, x *G.Node, prev models.States) []*G.Node {
	return []*G.Node{o.Add(o.MatMul(p.Get("W"), prev.Get("h")), o.MatMul(p.Get("U"), x))}
}

// TestGradFlowClosedForm: the recorded ‖∂C/∂h_t‖ of a linear recurrence equals
// ‖(Wᵀ)^k g‖ computed directly, for every lag k.
func TestGradFlowClosedForm(t *testing.T) {
	task, _ := datasets.Lookup("adding")
	const H, B, T = 5, 3, 30
	cell := &linearCell{models.Config{In: task.InDim, Hidden: H}}
	net, err := NewNetwork(cell, datasets.MSE, 1, tensor.Float64, rand.New(rand.NewPCG(3, 3)))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := datasets.TrainBatch(task, 1, T, B, 0)
	g, err := net.Backprop(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	// ∂C/∂h_{L−1} from the readout: 2/N · Vᵀ (y − target), computed directly.
	out, _ := net.Forward(b)
	V := net.Params[2].Data().([]float64)
	W := net.Params[0].Data().([]float64)
	grad := make([]float64, H*B)
	for k := 0; k < H; k++ {
		for s := 0; s < B; s++ {
			grad[k*B+s] = 2 / float64(B) * V[k] * (out.Y[s] - b.Y[s])
		}
	}
	for lag := 0; lag < T; lag++ {
		norm := 0.0
		for _, v := range grad {
			norm += v * v
		}
		norm = math.Sqrt(norm)
		got := g.HNorm[T-1-lag]
		if math.Abs(got-norm) > 1e-9*math.Max(norm, 1e-300) {
			t.Fatalf("lag %d: recorded %.12g, closed form %.12g", lag, got, norm)
		}
		next := make([]float64, H*B) // g ← Wᵀ g
		for i := 0; i < H; i++ {
			for j := 0; j < H; j++ {
				for s := 0; s < B; s++ {
					next[j*B+s] += W[i*H+j] * grad[i*B+s]
				}
			}
		}
		grad = next
	}
	t.Logf("‖∂C/∂h‖ at lag 0: %.3g, at lag %d: %.3g", g.HNorm[T-1], T-1, g.HNorm[0])
}
