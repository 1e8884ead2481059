//go:build openblas && ftz && amd64

package engine

/*
#include <xmmintrin.h>

// expctl_flush_subnormals sets the FTZ (flush-to-zero) and DAZ (denormals-are-zero) bits
// of the SSE control register. It runs as a constructor, before the Go runtime starts
// its threads, which inherit the setting.
__attribute__((constructor)) static void expctl_flush_subnormals(void) {
	_mm_setcsr(_mm_getcsr() | 0x8040);
}
*/
import "C"

// FlushSubnormals tells whether this build flushes subnormal floating-point numbers to
// zero. It is true when built with -tags 'openblas ftz' on amd64: every thread computes
// with FTZ and DAZ set, so a result too small to be a normal float becomes 0 and a
// subnormal input counts as 0, which keeps vanishing gradients from slowing arithmetic
// down. The results then differ from an IEEE-exact build's where subnormals occur.
const FlushSubnormals = true
