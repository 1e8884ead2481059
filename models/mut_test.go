package models

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestMUT2IsGRU: mut2, whose reset gate reads a learned embedding of the input, is the
// reset-before GRU in the other gate convention. Mapping its weights to the GRU's
// (W_z^GRU = −[W_xz W_hz], b_z^GRU = −b_z, W_r^GRU = [E W_hr], b_r^GRU = b_r, W_n = Wh,
// b_n = bh) gives the same hidden states at every step.
func TestMUT2IsGRU(t *testing.T) {
	const D, H, B, T = 3, 5, 2, 30
	mut, _ := New("mut2", Config{In: D, Hidden: H})
	gru, _ := New("gru", Config{In: D, Hidden: H})
	rng := rand.New(rand.NewPCG(5, 5))
	p := equationParams(mut, rng)
	neg := func(v []float64) []float64 {
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = -x
		}
		return out
	}
	// W_r^GRU row by row: the row of E, then the row of W_hr.
	var wr []float64
	for i := 0; i < H; i++ {
		wr = append(wr, p["E"][i*D:(i+1)*D]...)
		wr = append(wr, p["Whr"][i*H:(i+1)*H]...)
	}
	q := map[string][]float64{
		"Wzr": append(neg(p["Wz"]), wr...),
		"bzr": append(neg(p["bz"]), p["br"]...),
		"Wn":  p["Wh"],
		"bn":  p["bh"],
	}
	xs := make([][]float64, T)
	for i := range xs {
		xs[i] = uniform(rng, D*B, 1)
	}
	init := [][]float64{uniform(rng, H*B, 1)}
	a := runSequence(t, mut, p, xs, init, B)
	b := runSequence(t, gru, q, xs, init, B)
	for step := range a {
		for i := range a[step][0] {
			if d := math.Abs(a[step][0][i] - b[step][0][i]); !(d <= 1e-12) {
				t.Fatalf("step %d, h[%d]: mut2 %.17g, gru %.17g", step, i, a[step][0][i], b[step][0][i])
			}
		}
	}
}
