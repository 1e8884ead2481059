//go:build !amd64 || purego

package gemm

// Without assembly kernels (other architectures, or the purego build tag) only the
// portable Go kernel exists.
var (
	hasAVX2   = false
	hasAVX512 = false
)

func bestImpl() impl { return implGo }

func asmKernel[T float32 | float64](kind int, p *kernArgs[T]) {
	panic("gemm: no assembly kernels in this build")
}

func packBTAsm[T float32 | float64](kind int, dst, b []T, ldb, pc, kb, jc, ncb, nr int) bool {
	return false
}

func asmDot[T float32 | float64](kind int, p *kernArgs[T]) {
	panic("gemm: no assembly kernels in this build")
}
