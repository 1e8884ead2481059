//go:build openblas

package engine

/*
#cgo LDFLAGS: -lopenblas
void openblas_set_num_threads(int num_threads);
*/
import "C"

import (
	"os"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"
	"gorgonia.org/gorgonia"

	"github.com/expctl/expctl/models/fastmath"
)

// BLAS names the BLAS implementation this build uses: "openblas" when built with
// -tags openblas, which routes Gorgonia's and gonum's matrix products through the
// system's OpenBLAS library (cgo).
const BLAS = "openblas"

// Kernels names the code that does this process's arithmetic, which decides its rounding:
// OpenBLAS, whose own kernels depend on the processor, and the kernel of the vectorised
// sigmoid and tanh, e.g. "openblas, fastmath avx2".
func Kernels() string { return "openblas, fastmath " + fastmath.Kernel() }

// init makes OpenBLAS the BLAS of Gorgonia (tensor products) and of gonum (blas32,
// blas64, and so gonum/mat), and runs it on one thread: a trial computes on one core,
// and a sweep runs several trials at once in separate processes. An explicit
// OPENBLAS_NUM_THREADS in the environment, which OpenBLAS reads itself, is left in force.
func init() {
	if _, set := os.LookupEnv("OPENBLAS_NUM_THREADS"); !set {
		C.openblas_set_num_threads(1)
	}
	impl := netlib.Implementation{}
	blas32.Use(impl)
	blas64.Use(impl)
	gorgonia.Use(impl)
}

func sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	blas32.Implementation().Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	blas64.Implementation().Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}
