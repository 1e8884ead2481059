//go:build !amd64 || purego

package fastmath

// Without the assembly kernels (other architectures, or the purego build tag) only the
// portable code exists.
const hasAVX2 = false

func sigmoidAVX2(out, x []float32) { panic("fastmath: no assembly kernels in this build") }

func tanhAVX2(out, x []float32) { panic("fastmath: no assembly kernels in this build") }
