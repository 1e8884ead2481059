package fastmath

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"sync"
	"testing"
)

// refSigmoid and refTanh are the float64 results rounded to float32.
func refSigmoid(x float32) float32 { return float32(1 / (1 + math.Exp(-float64(x)))) }
func refTanh(x float32) float32    { return float32(math.Tanh(float64(x))) }

// ulps is the distance between a and b in float32 steps (0 for +0 and −0; subnormals
// are steps of 2^−149). Two NaNs are 0 apart, a NaN and a number MaxInt64.
func ulps(a, b float32) int64 {
	an, bn := a != a, b != b
	if an || bn {
		if an && bn {
			return 0
		}
		return math.MaxInt64
	}
	d := ord(a) - ord(b)
	if d < 0 {
		d = -d
	}
	return d
}

// ord maps float32 values to integers in the same order, one apart for adjacent floats.
func ord(f float32) int64 {
	b := math.Float32bits(f)
	if b&0x80000000 != 0 {
		return -int64(b & 0x7fffffff)
	}
	return int64(b)
}

// impls are the code paths that this build and CPU can run.
func impls() []string {
	if hasAVX2 {
		return []string{"avx2", "go"}
	}
	return []string{"go"}
}

// use makes impl the active code path until the test ends.
func use(tb testing.TB, impl string) {
	old := useVector
	useVector = impl == "avx2"
	tb.Cleanup(func() { useVector = old })
	if Kernel() != impl {
		tb.Fatalf("Kernel() = %q, want %q", Kernel(), impl)
	}
}

var inf = float32(math.Inf(1))

// testInputs is a dense grid on [−100, 100] with step 1/4096, the powers of two from
// 2^−149 to 2^7 with both signs, tiny values, special values, 2000 neighbours on each
// side of the points where the kernels switch formulas or clamp or where results turn
// subnormal, and a million random bit patterns.
func testInputs() []float32 {
	var in []float32
	for i := -100 * 4096; i <= 100*4096; i++ {
		in = append(in, float32(i)/4096)
	}
	for k := -149; k <= 7; k++ {
		p := float32(math.Ldexp(1, k))
		in = append(in, p, -p)
	}
	for _, v := range []float32{1e-38, 1e-30, 1e-20, 1e-10, 1e-5, 1e-3, 0.01, 0.1, 1e10, 1e30} {
		in = append(in, v, -v)
	}
	in = append(in, 0, float32(math.Copysign(0, -1)), inf, -inf, float32(math.NaN()),
		math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32)
	for _, c := range []float32{0.625, 1.0 / 4096, 9.01, 9.5, 87.33, 88.72, 103.28, 103.97, 104} {
		for _, s := range []float32{c, -c} {
			up, down := s, s
			for i := 0; i < 2000; i++ {
				in = append(in, up, down)
				up = math.Nextafter32(up, inf)
				down = math.Nextafter32(down, -inf)
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 1<<20; i++ {
		in = append(in, math.Float32frombits(r.Uint32()))
	}
	return in
}

type errStats struct {
	max   int64   // largest error in ulps
	at    float32 // an input where it occurs
	over1 int     // how many results are more than 1 ulp off
}

// measure compares f with ref on in; with normalOnly it skips inputs whose reference
// result is subnormal or zero.
func measure(f func(out, x []float32), ref func(float32) float32, in []float32, normalOnly bool) errStats {
	out := make([]float32, len(in))
	f(out, in)
	var s errStats
	for i, x := range in {
		want := ref(x)
		if normalOnly && math.Abs(float64(want)) < 0x1p-126 {
			continue
		}
		e := ulps(out[i], want)
		if e > 1 {
			s.over1++
		}
		if e > s.max {
			s.max, s.at = e, x
		}
	}
	return s
}

func TestKernel(t *testing.T) {
	want := "go"
	if hasAVX2 {
		want = "avx2"
	}
	if got := Kernel(); got != want {
		t.Errorf("Kernel() = %q, want %q", got, want)
	}
	t.Logf("Kernel() = %q", Kernel())
}

func TestSigmoidAccuracy(t *testing.T) {
	in := testInputs()
	for _, impl := range impls() {
		t.Run(impl, func(t *testing.T) {
			use(t, impl)
			s := measure(Sigmoid, refSigmoid, in, true)
			t.Logf("normal results: max error %d ulp (x = %g), %d over 1 ulp, %d inputs", s.max, s.at, s.over1, len(in))
			if s.max > 2 {
				t.Errorf("Sigmoid(%g) is %d ulp off (want ≤ 2)", s.at, s.max)
			}
			s = measure(Sigmoid, refSigmoid, in, false)
			t.Logf("all results (subnormal ones in steps of 2^-149): max error %d ulp (x = %g)", s.max, s.at)
			if s.max > 2 {
				t.Errorf("Sigmoid(%g) is %d ulp off (want ≤ 2)", s.at, s.max)
			}
		})
	}
}

func TestTanhAccuracy(t *testing.T) {
	in := testInputs()
	for _, impl := range impls() {
		t.Run(impl, func(t *testing.T) {
			use(t, impl)
			s := measure(Tanh, refTanh, in, false)
			t.Logf("max error %d ulp (x = %g), %d over 1 ulp, %d inputs", s.max, s.at, s.over1, len(in))
			if s.max > 2 {
				t.Errorf("Tanh(%g) is %d ulp off (want ≤ 2)", s.at, s.max)
			}
		})
	}
}

// TestTanhTiny checks tanh x = x (exactly) for 0 < |x| ≤ 2^−13, down to 1e−30 and
// into the subnormals.
func TestTanhTiny(t *testing.T) {
	var in []float32
	for x := float32(0x1p-13); x > 1e-30; x *= 0.9 {
		in = append(in, x, -x)
	}
	in = append(in, 1e-30, -1e-30, 1e-40, -1e-40, math.SmallestNonzeroFloat32)
	for _, impl := range impls() {
		use(t, impl)
		out := make([]float32, len(in))
		Tanh(out, in)
		for i, x := range in {
			if out[i] != x {
				t.Errorf("%s: Tanh(%g) = %g, want %g", impl, x, out[i], x)
			}
		}
	}
}

func TestSpecialValues(t *testing.T) {
	nan := float32(math.NaN())
	snan := math.Float32frombits(0x7f800001) // a signalling NaN
	negZero := float32(math.Copysign(0, -1))
	cases := []struct {
		name    string
		f       func(out, x []float32)
		x, want float32
	}{
		{"Sigmoid", Sigmoid, 0, 0.5},
		{"Sigmoid", Sigmoid, negZero, 0.5},
		{"Sigmoid", Sigmoid, inf, 1},
		{"Sigmoid", Sigmoid, -inf, 0},
		{"Sigmoid", Sigmoid, math.MaxFloat32, 1},
		{"Sigmoid", Sigmoid, -math.MaxFloat32, 0},
		{"Sigmoid", Sigmoid, 20, 1},
		{"Sigmoid", Sigmoid, -104, 0},
		{"Sigmoid", Sigmoid, math.SmallestNonzeroFloat32, 0.5},
		{"Sigmoid", Sigmoid, nan, nan},
		{"Sigmoid", Sigmoid, -nan, nan},
		{"Sigmoid", Sigmoid, snan, nan},
		{"Tanh", Tanh, 0, 0},
		{"Tanh", Tanh, negZero, negZero},
		{"Tanh", Tanh, inf, 1},
		{"Tanh", Tanh, -inf, -1},
		{"Tanh", Tanh, math.MaxFloat32, 1},
		{"Tanh", Tanh, -math.MaxFloat32, -1},
		{"Tanh", Tanh, 9.5, 1},
		{"Tanh", Tanh, -20, -1},
		{"Tanh", Tanh, 1e-30, 1e-30},
		{"Tanh", Tanh, nan, nan},
		{"Tanh", Tanh, -nan, nan},
		{"Tanh", Tanh, snan, nan},
	}
	for _, impl := range impls() {
		use(t, impl)
		for _, c := range cases {
			// Alone (the padded tail) and in a full vector of eight.
			for _, n := range []int{1, 8, 19} {
				x := make([]float32, n)
				for i := range x {
					x[i] = c.x
				}
				out := make([]float32, n)
				c.f(out, x)
				for i, got := range out {
					same := math.Float32bits(got) == math.Float32bits(c.want) || (got != got && c.want != c.want)
					if !same {
						t.Errorf("%s: %s(%g) = %g (element %d of %d), want %g", impl, c.name, c.x, got, i, n, c.want)
					}
				}
			}
		}
	}
}

// TestLengths checks every length from 0 to 40 (whole vectors and tails): each result
// equals the one for the same input alone, elements past len(out) are left alone, x
// may be longer than out, and out may be x itself.
func TestLengths(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, impl := range impls() {
		use(t, impl)
		for _, fn := range []struct {
			name string
			f    func(out, x []float32)
		}{{"Sigmoid", Sigmoid}, {"Tanh", Tanh}} {
			for n := 0; n <= 40; n++ {
				x := make([]float32, n+5)
				for i := range x {
					x[i] = float32(r.NormFloat64() * 4)
				}
				const sentinel = -12345
				buf := make([]float32, n+9)
				for i := range buf {
					buf[i] = sentinel
				}
				out := buf[:n]
				fn.f(out, x)
				for i := range out {
					var one [1]float32
					fn.f(one[:], x[i:i+1])
					if math.Float32bits(out[i]) != math.Float32bits(one[0]) {
						t.Errorf("%s %s, n=%d: element %d is %g, alone %g", impl, fn.name, n, i, out[i], one[0])
					}
				}
				for i := n; i < len(buf); i++ {
					if buf[i] != sentinel {
						t.Errorf("%s %s, n=%d: wrote element %d past the end", impl, fn.name, n, i)
					}
				}
				y := append([]float32(nil), x[:n]...)
				fn.f(y, y)
				for i := range y {
					if math.Float32bits(y[i]) != math.Float32bits(out[i]) {
						t.Errorf("%s %s, n=%d, in place: element %d is %g, want %g", impl, fn.name, n, i, y[i], out[i])
					}
				}
			}
		}
	}
}

func TestShortInputPanics(t *testing.T) {
	for _, impl := range impls() {
		use(t, impl)
		for _, f := range []func(out, x []float32){Sigmoid, Tanh} {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%s: no panic for len(x) < len(out)", impl)
					}
				}()
				f(make([]float32, 9), make([]float32, 8))
			}()
		}
	}
}

func TestNoAllocs(t *testing.T) {
	x := make([]float32, 37)
	out := make([]float32, 37)
	for _, impl := range impls() {
		use(t, impl)
		if a := testing.AllocsPerRun(100, func() { Sigmoid(out, x); Tanh(out, x) }); a != 0 {
			t.Errorf("%s: %v allocations per call", impl, a)
		}
	}
}

// TestExhaustive compares each code path with the reference on all 2^32 float32
// inputs. It takes a few minutes, so it runs only with FASTMATH_EXHAUSTIVE=1.
func TestExhaustive(t *testing.T) {
	if os.Getenv("FASTMATH_EXHAUSTIVE") != "1" {
		t.Skip("set FASTMATH_EXHAUSTIVE=1 to check all 2^32 inputs")
	}
	for _, impl := range impls() {
		for _, fn := range []struct {
			name string
			f    func(out, x []float32)
			ref  func(float32) float32
		}{{"Sigmoid", Sigmoid, refSigmoid}, {"Tanh", Tanh, refTanh}} {
			t.Run(impl+"/"+fn.name, func(t *testing.T) {
				use(t, impl)
				const chunk = 1 << 16
				workers := runtime.GOMAXPROCS(0)
				stats := make([]errStats, workers)
				hist := make([][4]int64, workers) // errors of 0, 1, 2 and more ulps
				var wg sync.WaitGroup
				for w := range workers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						in := make([]float32, chunk)
						out := make([]float32, chunk)
						for c := uint64(w); c < 1<<32/chunk; c += uint64(workers) {
							for i := range in {
								in[i] = math.Float32frombits(uint32(c*chunk) + uint32(i))
							}
							fn.f(out, in)
							for i, x := range in {
								e := ulps(out[i], fn.ref(x))
								hist[w][min(e, 3)]++
								if e > stats[w].max {
									stats[w].max, stats[w].at = e, x
								}
							}
						}
					}()
				}
				wg.Wait()
				var s errStats
				var h [4]int64
				for w := range stats {
					if stats[w].max > s.max {
						s = stats[w]
					}
					for i := range h {
						h[i] += hist[w][i]
					}
				}
				t.Logf("max error %d ulp (x = %g); inputs off by 0, 1, 2, >2 ulp: %v", s.max, s.at, h)
				if s.max > 2 {
					t.Errorf("%s(%g) is %d ulp off (want ≤ 2)", fn.name, s.at, s.max)
				}
			})
		}
	}
}

func benchmark(b *testing.B, impl string, f func(out, x []float32), n int) {
	use(b, impl)
	r := rand.New(rand.NewPCG(3, 4))
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64() * 3)
	}
	out := make([]float32, n)
	b.SetBytes(int64(8 * n))
	for b.Loop() {
		f(out, x)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/elem")
}

func BenchmarkSigmoid(b *testing.B) {
	for _, impl := range impls() {
		for _, n := range []int{4096, 16384} {
			b.Run(fmt.Sprintf("%s/n=%d", impl, n), func(b *testing.B) { benchmark(b, impl, Sigmoid, n) })
		}
	}
}

func BenchmarkTanh(b *testing.B) {
	for _, impl := range impls() {
		for _, n := range []int{4096, 16384} {
			b.Run(fmt.Sprintf("%s/n=%d", impl, n), func(b *testing.B) { benchmark(b, impl, Tanh, n) })
		}
	}
}
