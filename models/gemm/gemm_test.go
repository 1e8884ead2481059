package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// impls lists the kernel families this machine can run, the portable one first.
func impls() []*impl {
	l := []*impl{&implGo}
	if hasAVX2 {
		l = append(l, &implAVX2)
	}
	if hasAVX512 {
		l = append(l, &implAVX512)
	}
	return l
}

// eps is the unit roundoff of T.
func eps[T float32 | float64]() float64 {
	var z T
	if unsafe.Sizeof(z) == 4 {
		return 0x1p-24
	}
	return 0x1p-53
}

// problem is one GEMM call with its operands stored in slices that are longer than the
// matrices need: rows are padded (lda > row length) and guard elements follow.
type problem[T float32 | float64] struct {
	tA, tB        bool
	m, n, k       int
	alpha, beta   T
	a, b, c, c0   []T
	lda, ldb, ldc int
}

const guard = 7 // elements after each matrix, checked to be untouched

// sentinel fills the padding of C; a write there shows up as a changed value.
const sentinel = -12345.5

func newProblem[T float32 | float64](rng *rand.Rand, tA, tB bool, m, n, k int, alpha, beta T, pad bool) *problem[T] {
	p := &problem[T]{tA: tA, tB: tB, m: m, n: n, k: k, alpha: alpha, beta: beta}
	rowA, colA := m, k
	if tA {
		rowA, colA = k, m
	}
	rowB, colB := k, n
	if tB {
		rowB, colB = n, k
	}
	ld := func(cols int) int {
		if pad {
			return max(1, cols) + rng.IntN(5)
		}
		return max(1, cols)
	}
	p.lda, p.ldb, p.ldc = ld(colA), ld(colB), ld(n)
	fill := func(rows, cols, ld int) []T {
		s := make([]T, max(0, (rows-1)*ld+cols)+guard)
		for i := range s {
			s[i] = T(rng.Float64()*2 - 1)
		}
		return s
	}
	p.a = fill(rowA, colA, p.lda)
	p.b = fill(rowB, colB, p.ldb)
	p.c = fill(m, n, p.ldc)
	for i := range p.c {
		if i%p.ldc >= n || i >= len(p.c)-guard {
			p.c[i] = sentinel
		}
	}
	p.c0 = append([]T(nil), p.c...)
	return p
}

func (p *problem[T]) aAt(i, l int) float64 {
	if p.tA {
		return float64(p.a[l*p.lda+i])
	}
	return float64(p.a[i*p.lda+l])
}

func (p *problem[T]) bAt(l, j int) float64 {
	if p.tB {
		return float64(p.b[j*p.ldb+l])
	}
	return float64(p.b[l*p.ldb+j])
}

func (p *problem[T]) run(ik *impl) {
	gemm(ik, p.tA, p.tB, p.m, p.n, p.k, p.alpha, p.a[:len(p.a)-guard], p.lda, p.b[:len(p.b)-guard], p.ldb, p.beta, p.c[:len(p.c)-guard], p.ldc)
}

// check compares C with a float64 triple loop. The bound allows for summation in T in
// blocks of kc terms with a final sum over the blocks.
func (p *problem[T]) check(t *testing.T, name string) {
	t.Helper()
	blocks := (p.k + kc - 1) / kc
	tol := float64(min(p.k, kc)+blocks+4) * eps[T]()
	bad := 0
	// Very large problems check a sample of rows that meets every row offset in a tile.
	sample := p.m*p.n*p.k > 500_000_000
	for i := 0; i < p.m; i++ {
		if sample && i%13 != 0 && i%12 != 11 && i != p.m-1 {
			continue
		}
		for j := 0; j < p.n; j++ {
			var sum, mag float64
			for l := 0; l < p.k && p.alpha != 0; l++ {
				x, y := p.aAt(i, l), p.bAt(l, j)
				sum += x * y
				mag += math.Abs(x * y)
			}
			want := float64(p.alpha) * sum
			bound := math.Abs(float64(p.alpha)) * mag
			if p.beta != 0 {
				c0 := float64(p.c0[i*p.ldc+j])
				want += float64(p.beta) * c0
				bound += math.Abs(float64(p.beta) * c0)
			}
			got := float64(p.c[i*p.ldc+j])
			if !(math.Abs(got-want) <= tol*bound+1e-30) {
				if bad < 5 {
					t.Errorf("%s: C[%d][%d] = %v, want %v (tolerance %.3g)", name, i, j, got, want, tol*bound)
				}
				bad++
			}
		}
	}
	for i, v := range p.c {
		inside := i < len(p.c)-guard && i%p.ldc < p.n
		if !inside && v != p.c0[i] {
			t.Fatalf("%s: C[%d] outside the matrix changed from %v to %v", name, i, p.c0[i], v)
		}
	}
	if bad > 0 {
		t.Fatalf("%s: %d wrong elements", name, bad)
	}
}

func (p *problem[T]) String() string {
	return fmt.Sprintf("tA=%v tB=%v m=%d n=%d k=%d alpha=%v beta=%v lda=%d ldb=%d ldc=%d", p.tA, p.tB, p.m, p.n, p.k, p.alpha, p.beta, p.lda, p.ldb, p.ldc)
}

var scalars = []float64{0, 1, -0.5, 2}

func testShapes[T float32 | float64](t *testing.T, ik *impl, shapes [][3]int, seed uint64, pad bool) {
	rng := rand.New(rand.NewPCG(seed, 1))
	for _, s := range shapes {
		for tr := 0; tr < 4; tr++ {
			alpha := T(scalars[1+rng.IntN(3)])
			beta := T(scalars[rng.IntN(4)])
			p := newProblem(rng, tr&1 != 0, tr&2 != 0, s[0], s[1], s[2], alpha, beta, pad && rng.IntN(2) == 0)
			p.run(ik)
			p.check(t, ik.name+" "+p.String())
		}
	}
}

// TestSmall covers every m, n in 1..20 with several k: all the edge tiles.
func TestSmall(t *testing.T) {
	var shapes [][3]int
	for m := 1; m <= 20; m++ {
		for n := 1; n <= 20; n++ {
			for _, k := range []int{1, 2, 5, 13, 20} {
				shapes = append(shapes, [3]int{m, n, k})
			}
		}
	}
	for _, ik := range impls() {
		t.Run(ik.name, func(t *testing.T) {
			testShapes[float32](t, ik, shapes, 1, true)
			testShapes[float64](t, ik, shapes, 2, true)
		})
	}
}

// TestSmallK covers every k in 1..20 on a few tile shapes.
func TestSmallK(t *testing.T) {
	var shapes [][3]int
	for k := 1; k <= 20; k++ {
		for _, mn := range [][2]int{{1, 1}, {3, 17}, {12, 32}, {13, 33}, {7, 16}} {
			shapes = append(shapes, [3]int{mn[0], mn[1], k})
		}
	}
	for _, ik := range impls() {
		t.Run(ik.name, func(t *testing.T) {
			testShapes[float32](t, ik, shapes, 3, true)
			testShapes[float64](t, ik, shapes, 4, true)
		})
	}
}

// TestMedium crosses tile, panel and block boundaries (kc, nc, the packing threshold).
func TestMedium(t *testing.T) {
	shapes := [][3]int{
		{11, 31, 255}, {12, 32, 256}, {13, 33, 257}, {25, 47, 100}, {48, 48, 48},
		{49, 65, 513}, {60, 130, 300}, {130, 49, 17}, {7, 600, 40}, {64, 1030, 9},
		{97, 515, 260}, {200, 64, 64},
	}
	for _, ik := range impls() {
		t.Run(ik.name, func(t *testing.T) {
			testShapes[float32](t, ik, shapes, 5, true)
			testShapes[float64](t, ik, shapes, 6, true)
		})
	}
}

// TestRecurrentShapes covers the products of recurrent training: the recurrent product
// and its transpose for H = 128 (LSTM, GRU and plain gates) and the merged weight
// gradient over a long sequence.
func TestRecurrentShapes(t *testing.T) {
	type shape struct {
		tA, tB  bool
		m, n, k int
	}
	shapes := []shape{
		{false, false, 512, 32, 130}, {true, false, 130, 32, 512}, {false, true, 512, 130, 2000},
		{false, false, 384, 32, 130}, {true, false, 130, 32, 384},
		{false, false, 128, 32, 130}, {true, false, 130, 32, 128},
		{false, false, 256, 32, 66}, {true, false, 66, 32, 256}, {false, true, 256, 66, 1000},
	}
	if !testing.Short() {
		shapes = append(shapes, shape{false, true, 512, 130, 32000})
	}
	rng := rand.New(rand.NewPCG(7, 7))
	for _, ik := range impls() {
		for _, s := range shapes {
			if s.k > 2000 && ik.kind != active.kind {
				continue
			}
			for _, beta := range []float32{0, 1} {
				p := newProblem(rng, s.tA, s.tB, s.m, s.n, s.k, 1, beta, false)
				p.run(ik)
				p.check(t, ik.name+" "+p.String())
			}
		}
	}
}

// TestScalars runs every pair of alpha and beta in {0, 1, -0.5, 2} on every transpose.
func TestScalars(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	for _, ik := range impls() {
		for _, alpha := range scalars {
			for _, beta := range scalars {
				for tr := 0; tr < 4; tr++ {
					for _, s := range [][3]int{{5, 7, 3}, {29, 45, 70}} {
						p := newProblem(rng, tr&1 != 0, tr&2 != 0, s[0], s[1], s[2], float32(alpha), float32(beta), true)
						p.run(ik)
						p.check(t, ik.name+" "+p.String())
						q := newProblem(rng, tr&1 != 0, tr&2 != 0, s[0], s[1], s[2], alpha, beta, true)
						q.run(ik)
						q.check(t, ik.name+" "+q.String())
					}
				}
			}
		}
	}
}

// TestNaN checks that C is not read when beta is 0 and that A and B are not read when
// alpha is 0, as in BLAS.
func TestNaN(t *testing.T) {
	nan := float32(math.NaN())
	rng := rand.New(rand.NewPCG(9, 9))
	for _, ik := range impls() {
		for tr := 0; tr < 4; tr++ {
			p := newProblem[float32](rng, tr&1 != 0, tr&2 != 0, 19, 37, 11, 2, 0, true)
			for i := 0; i < p.m; i++ {
				for j := 0; j < p.n; j++ {
					p.c[i*p.ldc+j] = nan
				}
			}
			p.run(ik)
			p.check(t, ik.name+" NaN in C, "+p.String())

			q := newProblem[float32](rng, tr&1 != 0, tr&2 != 0, 19, 37, 11, 0, -0.5, true)
			for i := range q.a {
				q.a[i] = nan
			}
			for i := range q.b {
				q.b[i] = nan
			}
			q.run(ik)
			q.check(t, ik.name+" NaN in A and B, alpha 0, "+q.String())

			r := newProblem[float32](rng, tr&1 != 0, tr&2 != 0, 19, 37, 0, 1, 0, true)
			for i := 0; i < r.m; i++ {
				for j := 0; j < r.n; j++ {
					r.c[i*r.ldc+j] = nan
				}
			}
			r.run(ik)
			r.check(t, ik.name+" k=0, beta 0, "+r.String())
		}
	}
}

// TestZeroSizes checks quick returns on empty matrices.
func TestZeroSizes(t *testing.T) {
	for _, ik := range impls() {
		gemm[float32](ik, false, false, 0, 5, 5, 1, nil, 5, make([]float32, 25), 5, 0, nil, 5)
		gemm[float32](ik, false, false, 5, 0, 5, 1, make([]float32, 25), 5, nil, 1, 0, nil, 1)
		c := []float32{1, 2, 3, 4}
		gemm[float32](ik, true, false, 2, 2, 0, 1, nil, 2, nil, 2, 3, c, 2)
		if c[0] != 3 || c[3] != 12 {
			t.Errorf("%s: k=0 gave %v, want C scaled by beta", ik.name, c)
		}
	}
}

// TestPanics checks the argument checks.
func TestPanics(t *testing.T) {
	s := make([]float32, 100)
	cases := []struct {
		name string
		f    func()
	}{
		{"m<0", func() { Sgemm(false, false, -1, 2, 2, 1, s, 2, s, 2, 0, s, 2) }},
		{"lda", func() { Sgemm(false, false, 2, 2, 3, 1, s, 2, s, 2, 0, s, 2) }},
		{"ldaT", func() { Sgemm(true, false, 4, 2, 3, 1, s, 3, s, 2, 0, s, 2) }},
		{"ldb", func() { Sgemm(false, true, 2, 2, 3, 1, s, 3, s, 2, 0, s, 2) }},
		{"ldc", func() { Sgemm(false, false, 2, 3, 2, 1, s, 2, s, 3, 0, s, 2) }},
		{"shortA", func() { Sgemm(false, false, 20, 2, 10, 1, s[:190], 10, s, 2, 0, s, 2) }},
		{"shortB", func() { Sgemm(false, false, 2, 10, 20, 1, s, 20, s[:99], 5+5, 0, s, 10) }},
		{"shortC", func() { Sgemm(false, false, 10, 10, 2, 1, s, 2, s, 10, 0, s[:99], 10) }},
	}
	for _, c := range cases {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", c.name)
				}
			}()
			c.f()
		}()
	}
}

// TestExported checks that Sgemm and Dgemm use the chosen kernels.
func TestExported(t *testing.T) {
	t.Logf("kernel: %s", Kernel())
	rng := rand.New(rand.NewPCG(10, 10))
	p := newProblem[float32](rng, false, true, 40, 50, 60, 1, 0.5, true)
	Sgemm(p.tA, p.tB, p.m, p.n, p.k, p.alpha, p.a[:len(p.a)-guard], p.lda, p.b[:len(p.b)-guard], p.ldb, p.beta, p.c[:len(p.c)-guard], p.ldc)
	p.check(t, "Sgemm")
	q := newProblem[float64](rng, true, false, 40, 50, 60, -0.5, 2, true)
	Dgemm(q.tA, q.tB, q.m, q.n, q.k, q.alpha, q.a[:len(q.a)-guard], q.lda, q.b[:len(q.b)-guard], q.ldb, q.beta, q.c[:len(q.c)-guard], q.ldc)
	q.check(t, "Dgemm")
}

func TestKernArgsLayout(t *testing.T) {
	var p32 kernArgs[float32]
	var p64 kernArgs[float64]
	got := []uintptr{
		unsafe.Offsetof(p32.a), unsafe.Offsetof(p32.b), unsafe.Offsetof(p32.c), unsafe.Offsetof(p32.k),
		unsafe.Offsetof(p32.rsa), unsafe.Offsetof(p32.csa), unsafe.Offsetof(p32.ldb), unsafe.Offsetof(p32.ldc),
		unsafe.Offsetof(p32.rows), unsafe.Offsetof(p32.vecs), unsafe.Offsetof(p32.tail), unsafe.Offsetof(p32.kmask),
		unsafe.Offsetof(p32.maskp), unsafe.Offsetof(p32.betaZero), unsafe.Offsetof(p32.alpha), unsafe.Offsetof(p32.beta),
		unsafe.Offsetof(p64.alpha), unsafe.Offsetof(p64.beta),
	}
	want := []uintptr{0, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 116, 112, 120}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("kernArgs field %d at offset %d, gen_kernels.go assumes %d", i, got[i], want[i])
		}
	}
}

func TestAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 11))
	for tr := 0; tr < 4; tr++ {
		p := newProblem[float32](rng, tr&1 != 0, tr&2 != 0, 100, 70, 300, 1, 1, false)
		f := func() {
			Sgemm(p.tA, p.tB, p.m, p.n, p.k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, p.c, p.ldc)
		}
		f()
		if n := testing.AllocsPerRun(20, f); n != 0 {
			t.Errorf("tA=%v tB=%v: %v allocations per call", p.tA, p.tB, n)
		}
	}
}

// TestConcurrent runs products that pack B on several goroutines at once: each call has
// its own packing buffer.
func TestConcurrent(t *testing.T) {
	done := make(chan *problem[float32])
	for g := 0; g < 4; g++ {
		go func() {
			rng := rand.New(rand.NewPCG(uint64(g), 13))
			p := newProblem[float32](rng, g%2 == 1, true, 50+g, 70+g, 600, 1, 0.5, true)
			for range 20 {
				copy(p.c, p.c0)
				p.run(&active)
			}
			done <- p
		}()
	}
	for range 4 {
		p := <-done
		p.check(t, "concurrent "+p.String())
	}
}
