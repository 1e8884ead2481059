package engine

import (
	"math"
	"testing"
)

// ulps is the distance between two float32 values in units in the last place.
func ulps(a, b float32) int64 {
	ia, ib := int64(int32(math.Float32bits(a))), int64(int32(math.Float32bits(b)))
	if ia < 0 {
		ia = math.MinInt32 - ia
	}
	if ib < 0 {
		ib = math.MinInt32 - ib
	}
	d := ia - ib
	if d < 0 {
		d = -d
	}
	return d
}

// TestFloat32Nonlinearities: sigmoid and tanh in float32 are within one unit in the last
// place of the correctly rounded value over a dense grid and at the extremes.
func TestFloat32Nonlinearities(t *testing.T) {
	var xs []float32
	for x := -40.0; x <= 40; x += 1.0 / 1024 {
		xs = append(xs, float32(x))
	}
	for e := -40; e <= 0; e++ { // small magnitudes, where tanh x ≈ x
		v := float32(math.Ldexp(1.37, e))
		xs = append(xs, v, -v)
	}
	xs = append(xs, 0, 88, -88, 100, -100, 1e30, -1e30, float32(math.Inf(1)), float32(math.Inf(-1)))
	for _, x := range xs {
		want := float32(1 / (1 + math.Exp(-float64(x))))
		if got := sigmoid32(x); ulps(got, want) > 1 {
			t.Fatalf("sigmoid(%g) = %g, want %g", x, got, want)
		}
		want = float32(math.Tanh(float64(x)))
		if got := tanh32(x); ulps(got, want) > 1 {
			t.Fatalf("tanh(%g) = %g, want %g", x, got, want)
		}
	}
}

func BenchmarkSigmoid32(b *testing.B) {
	x := make([]float32, 4096)
	for i := range x {
		x[i] = float32(i%200-100) / 17
	}
	out := make([]float32, len(x))
	for i := 0; i < b.N; i++ {
		sigmoidKernel(out, x)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(x)), "ns/elem")
}

func BenchmarkTanh32(b *testing.B) {
	x := make([]float32, 4096)
	for i := range x {
		x[i] = float32(i%200-100) / 17
	}
	out := make([]float32, len(x))
	for i := 0; i < b.N; i++ {
		tanhKernel(out, x)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(x)), "ns/elem")
}
