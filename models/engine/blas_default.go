//go:build !openblas

package engine

// BLAS names the BLAS implementation this build uses: "gonum" in the default, pure-Go
// build (no cgo), whose matrix products are gonum's native Go kernels. Build with
// -tags openblas for OpenBLAS.
const BLAS = "gonum"
