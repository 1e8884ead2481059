//go:build openblas

package engine

/*
#cgo LDFLAGS: -lopenblas
void openblas_set_num_threads(int num_threads);
*/
import "C"

import (
	"os"

	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"
	"gorgonia.org/gorgonia"
)

// BLAS names the BLAS implementation this build uses: "openblas" when built with
// -tags openblas, which routes Gorgonia's and gonum's matrix products through the
// system's OpenBLAS library (cgo).
const BLAS = "openblas"

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
