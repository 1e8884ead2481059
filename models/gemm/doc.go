// Package gemm is a single-threaded, pure-Go (no cgo) general matrix multiply for
// row-major float32 and float64 matrices: [Sgemm] and [Dgemm] compute
// C = alpha·op(A)·op(B) + beta·C with the semantics of BLAS xGEMM, op(X) being X or Xᵀ.
//
// It owns the matrix products of the recurrent networks' training loops, where gonum's
// float32 GEMM is several times slower than an optimised BLAS. On amd64, register-blocked
// micro-kernels written in Go assembly compute 12×32 tiles with AVX-512F (12×16 for
// float64) or 6×16 tiles with AVX2 and FMA (6×8 for float64), chosen at start-up from the
// CPU's features ([Kernel] tells which). Other architectures, CPUs without AVX2 and FMA,
// and builds with the purego tag use a portable Go kernel (2×4 tiles) with the same
// blocking, which on amd64 runs at about two thirds of the speed of gonum's Sgemm.
//
// A is always read in place, with the row and column strides of A or Aᵀ. B is read in
// place when its rows are short or few tiles reuse them; otherwise panels of op(B),
// at most 256×512 elements at a time, are packed (Bᵀ transposed 8×8 blocks at a time) into
// a buffer that is kept between calls: one buffer per element type survives garbage
// collection (at most 512 KiB for float32, 1 MiB for float64) and concurrent calls take
// others from a sync.Pool, so a steady state does not allocate. At the right edge of
// A·Bᵀ, a few columns left over from the last full panel (such as the 2 of an n = H+2
// gradient) are computed as dot products along k. Partial tiles are handled by masked
// loads and stores and by kernels for every row count, so nothing outside the matrices is
// read or written.
//
// Results are not bitwise equal to other BLAS implementations: sums are accumulated in
// the element type, in blocks of at most 256 terms, with fused multiply-adds.
//
// It owns the matrix products and imports nothing of expctl.
package gemm
