//go:build !openblas

package engine

import (
	"gonum.org/v1/gonum/blas"

	"github.com/expctl/expctl/models/fastmath"
	kernels "github.com/expctl/expctl/models/gemm"
)

// BLAS names the matrix-product kernels this build uses: "go" in the default, pure-Go
// build (no cgo), whose products are package gemm's (Go assembly with AVX-512 or AVX2+FMA
// where the processor has them, portable Go elsewhere). Build with -tags openblas for
// OpenBLAS.
const BLAS = "go"

// Kernels names the code that does this process's arithmetic, which decides its rounding:
// the matrix-product kernel of package gemm and the kernel of the vectorised sigmoid and
// tanh, e.g. "gemm avx512, fastmath avx2". Results computed by other kernels differ in the
// last digits.
func Kernels() string { return "gemm " + kernels.Kernel() + ", fastmath " + fastmath.Kernel() }

func sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	kernels.Sgemm(tA == blas.Trans, tB == blas.Trans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	kernels.Dgemm(tA == blas.Trans, tB == blas.Trans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}
