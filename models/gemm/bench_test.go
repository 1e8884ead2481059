package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// benchShape is a product of recurrent training with hidden size h, batch 32:
// "rec" is the recurrent product W·[h;x;1] (gates·h rows, h+2 inner), "recT" its
// transpose Wᵀ·δ, and "grad" the weight gradient over 1000 steps, δ·[h;x;1]ᵀ with
// k = batch·steps.
type benchShape struct {
	name    string
	tA, tB  bool
	m, n, k int
}

func benchShapes() []benchShape {
	var l []benchShape
	for _, h := range []int{64, 128, 256} {
		for _, g := range []struct {
			cell  string
			gates int
		}{{"lstm", 4}, {"gru", 3}, {"rnn", 1}} {
			if h != 128 && g.cell != "lstm" {
				continue
			}
			rows := g.gates * h
			pre := fmt.Sprintf("%s%d/", g.cell, h)
			l = append(l,
				benchShape{pre + "rec", false, false, rows, 32, h + 2},
				benchShape{pre + "recT", true, false, h + 2, 32, rows},
				benchShape{pre + "grad", false, true, rows, h + 2, 32 * 1000},
			)
		}
	}
	return l
}

func (s benchShape) String() string {
	t := func(b bool) string {
		if b {
			return "T"
		}
		return "N"
	}
	return fmt.Sprintf("%s/%s%s_%dx%dx%d", s.name, t(s.tA), t(s.tB), s.m, s.n, s.k)
}

func benchOperands(s benchShape) (a, b, c []float32, lda, ldb, ldc int) {
	rng := rand.New(rand.NewPCG(1, 2))
	lda, ldb, ldc = s.k, s.n, s.n
	if s.tA {
		lda = s.m
	}
	if s.tB {
		ldb = s.k
	}
	r := func(n int) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(rng.Float64()*2 - 1)
		}
		return x
	}
	return r(s.m * s.k), r(s.k * s.n), r(s.m * s.n), lda, ldb, ldc
}

// BenchmarkSgemm times Sgemm on each kernel family this CPU runs, next to gonum's
// Sgemm, on the shapes of recurrent training (beta = 1, as when gradients accumulate).
func BenchmarkSgemm(b *testing.B) {
	for _, s := range benchShapes() {
		a, bm, c, lda, ldb, ldc := benchOperands(s)
		flops := 2 * float64(s.m) * float64(s.n) * float64(s.k)
		report := func(b *testing.B) {
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		}
		for _, ik := range impls() {
			b.Run(s.String()+"/"+ik.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					gemm(ik, s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, bm, ldb, 1, c, ldc)
				}
				report(b)
			})
		}
		b.Run(s.String()+"/gonum", func(b *testing.B) {
			tA, tB := blas.NoTrans, blas.NoTrans
			if s.tA {
				tA = blas.Trans
			}
			if s.tB {
				tB = blas.Trans
			}
			b.ReportAllocs()
			for b.Loop() {
				gonum.Implementation{}.Sgemm(tA, tB, s.m, s.n, s.k, 1, a, lda, bm, ldb, 1, c, ldc)
			}
			report(b)
		})
	}
}

// BenchmarkDgemm times Dgemm next to gonum's Dgemm on the H = 128 LSTM shapes (the
// gradient over 100 steps).
func BenchmarkDgemm(b *testing.B) {
	for _, s := range benchShapes()[3:6] {
		if s.tB {
			s.k = 32 * 100
		}
		a32, b32, c32, lda, ldb, ldc := benchOperands(s)
		f64 := func(x []float32) []float64 {
			y := make([]float64, len(x))
			for i, v := range x {
				y[i] = float64(v)
			}
			return y
		}
		a, bm, c := f64(a32), f64(b32), f64(c32)
		flops := 2 * float64(s.m) * float64(s.n) * float64(s.k)
		report := func(b *testing.B) {
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		}
		for _, ik := range impls() {
			b.Run(s.String()+"/"+ik.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					gemm(ik, s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, bm, ldb, 1, c, ldc)
				}
				report(b)
			})
		}
		b.Run(s.String()+"/gonum", func(b *testing.B) {
			tA, tB := blas.NoTrans, blas.NoTrans
			if s.tA {
				tA = blas.Trans
			}
			if s.tB {
				tB = blas.Trans
			}
			b.ReportAllocs()
			for b.Loop() {
				gonum.Implementation{}.Dgemm(tA, tB, s.m, s.n, s.k, 1, a, lda, bm, ldb, 1, c, ldc)
			}
			report(b)
		})
	}
}
