package fastmath

import "math"

// useVector selects the assembly kernels; it is fixed at start-up from the CPU's
// features (tests switch it off to check the portable code).
var useVector = hasAVX2

// Kernel names the code that Sigmoid and Tanh run in this process: "avx2" (AVX2 and FMA
// assembly on amd64) or "go" (portable float64 code, also the choice under the purego
// build tag and on other architectures).
func Kernel() string {
	if useVector {
		return "avx2"
	}
	return "go"
}

// Sigmoid sets out[i] = 1/(1+e^(−x[i])) for i < len(out); x must be at least as long,
// or Sigmoid panics. out and x may be the same slice but must not otherwise overlap.
// Each result is within 1 ulp of the exact value rounded to float32 (for subnormal
// results, within 2^−149); the package documentation lists the special values.
func Sigmoid(out, x []float32) {
	x = x[:len(out)]
	if useVector {
		vector(false, out, x)
		return
	}
	sigmoidGo(out, x)
}

// Tanh sets out[i] = tanh(x[i]) for i < len(out); x must be at least as long, or Tanh
// panics. out and x may be the same slice but must not otherwise overlap. Each result
// is within 1 ulp of the exact value rounded to float32.
func Tanh(out, x []float32) {
	x = x[:len(out)]
	if useVector {
		vector(true, out, x)
		return
	}
	tanhGo(out, x)
}

// vector runs the Tanh (tanh true) or Sigmoid assembly kernel, which handles whole groups
// of eight elements, on out and x (of equal length), finishing the last len(out)%8
// elements on a zero-padded copy.
func vector(tanh bool, out, x []float32) {
	n := len(out) &^ 7
	if n > 0 {
		kernel(tanh, out[:n], x[:n])
	}
	if n < len(out) {
		var buf [8]float32
		copy(buf[:], x[n:])
		kernel(tanh, buf[:], buf[:])
		copy(out[n:], buf[:])
	}
}

func kernel(tanh bool, out, x []float32) {
	if tanh {
		tanhAVX2(out, x)
	} else {
		sigmoidAVX2(out, x)
	}
}

// sigmoidGo is the portable Sigmoid: computed in float64 and rounded once.
func sigmoidGo(out, x []float32) {
	x = x[:len(out)]
	for i, v := range x {
		out[i] = float32(1 / (1 + math.Exp(-float64(v))))
	}
}

// tanhGo is the portable Tanh, computed in float64 and rounded once: an odd polynomial
// for |x| < 0.125, where 1 − 2/(e^2|x|+1) would lose relative precision, and the
// exponential form elsewhere (exact 1 beyond |x| = 20, where e^2|x| would only grow).
func tanhGo(out, x []float32) {
	x = x[:len(out)]
	for i, v := range x {
		out[i] = tanh32(v)
	}
}

func tanh32(x float32) float32 {
	v := float64(x)
	a := math.Abs(v)
	var t float64
	switch {
	case a < 0.125:
		s := a * a
		t = a + a*s*(-1.0/3+s*(2.0/15+s*(-17.0/315+s*(62.0/2835+s*(-1382.0/155925)))))
	case a < 20:
		t = 1 - 2/(math.Exp(2*a)+1)
	case a >= 20:
		t = 1
	default: // NaN
		return x
	}
	if math.Signbit(v) {
		t = -t
	}
	return float32(t)
}
