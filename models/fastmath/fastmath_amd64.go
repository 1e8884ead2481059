//go:build !purego

package fastmath

import "golang.org/x/sys/cpu"

// hasAVX2 tells whether this CPU and OS run the AVX2/FMA kernels.
var hasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// sigmoidAVX2 and tanhAVX2 (fastmath_amd64.s) compute the first len(out)/8·8 elements
// of Sigmoid and Tanh; len(x) ≥ len(out).

//go:noescape
func sigmoidAVX2(out, x []float32)

//go:noescape
func tanhAVX2(out, x []float32)
