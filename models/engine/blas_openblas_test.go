//go:build openblas

package engine_test

import (
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"
	"gorgonia.org/gorgonia"

	"github.com/expctl/expctl/models/engine"
)

// TestOpenBLASInUse: an openblas build routes Gorgonia's and gonum's BLAS calls to
// OpenBLAS, and its matrix product is right.
func TestOpenBLASInUse(t *testing.T) {
	if engine.BLAS != "openblas" {
		t.Errorf("BLAS = %q, want openblas", engine.BLAS)
	}
	if _, ok := gorgonia.WhichBLAS().(netlib.Implementation); !ok {
		t.Errorf("gorgonia uses %T, want netlib.Implementation", gorgonia.WhichBLAS())
	}
	if _, ok := blas32.Implementation().(netlib.Implementation); !ok {
		t.Errorf("blas32 uses %T, want netlib.Implementation", blas32.Implementation())
	}
	if _, ok := blas64.Implementation().(netlib.Implementation); !ok {
		t.Errorf("blas64 uses %T, want netlib.Implementation", blas64.Implementation())
	}
	// (1 2; 3 4) · (5 6; 7 8) = (19 22; 43 50)
	a := blas32.General{Rows: 2, Cols: 2, Stride: 2, Data: []float32{1, 2, 3, 4}}
	b := blas32.General{Rows: 2, Cols: 2, Stride: 2, Data: []float32{5, 6, 7, 8}}
	c := blas32.General{Rows: 2, Cols: 2, Stride: 2, Data: make([]float32, 4)}
	blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, a, b, 0, c)
	for i, want := range []float32{19, 22, 43, 50} {
		if c.Data[i] != want {
			t.Fatalf("Gemm = %v, want [19 22 43 50]", c.Data)
		}
	}
}
