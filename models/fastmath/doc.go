// Package fastmath owns the element-wise float32 activation functions of the recurrent
// networks' training loops: [Sigmoid] and [Tanh] over whole slices, in pure Go (no cgo).
//
// On amd64 CPUs with AVX2 and FMA (detected at start-up; [Kernel] tells which code runs)
// both are computed eight lanes at a time by Go assembly kernels. The exponential uses
// the range reduction t = n·ln2 + r with a two-part ln 2, a degree-6 minimax polynomial
// for e^r on |r| ≤ ln2/2 evaluated with fused multiply-adds, and 2^n built in the
// exponent field. Sigmoid is 1/(1+z) for x ≥ 0 and z/(1+z) for x < 0 with z = e^−|x|,
// so nothing overflows; Tanh is (1−z)/(1+z) with z = e^−2|x| for |x| ≥ 0.625 and an odd
// minimax polynomial below, so that tanh x = x for tiny x. Each quotient is a true
// division whose result is corrected, with exact residuals from fused multiply-adds,
// for the rounding of its numerator and denominator. Slices whose length is not a
// multiple of eight are finished by the same kernel on a padded copy, so an element's
// result depends only on its input, not on its position or on the slice's length. The
// kernels use only correctly rounded IEEE operations, so every AVX2/FMA CPU gives
// bit-identical results.
//
// Other architectures, CPUs without AVX2 or FMA, and builds with the purego tag compute
// each element in float64 with math.Exp and round it once to float32; this is slower
// (about 6–9 ns per element on a current x86 server, against 0.4–0.6 ns for the
// kernels) but within 1 ulp as well.
//
// Accuracy, against the exact result rounded to float32: every one of the 2^32 float32
// inputs gives a result within 1 ulp, for both functions and both code paths (the
// package's tests hold them to 2 ulp on a dense sample; an opt-in test, run with
// FASTMATH_EXHAUSTIVE=1, checks all inputs against float64 references). For
// Sigmoid this includes the subnormal results of x between about −103.9 and −87.3
// (counted in steps of the smallest subnormal, 2^−149); below that the result is 0.
// Sigmoid(+Inf) = 1, Sigmoid(−Inf) = 0, Tanh(±Inf) = ±1, Tanh(±0) = ±0, and NaN gives
// NaN. If the process runs with the SSE flush-to-zero or denormals-are-zero modes set
// (as cgo code may arrange), subnormal results become 0 and subnormal inputs count as 0.
//
// It owns these element-wise functions and imports nothing of expctl.
package fastmath
