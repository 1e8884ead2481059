package engine

import "math"

// The float32 nonlinearities are computed in float64 arithmetic from a polynomial
// exponential accurate to about 1e-9 relative, so their float32 results are within one
// unit in the last place of the correctly rounded value; float64 graphs use package math.

const (
	ln2Hi  = 6.93147180369123816490e-01
	ln2Lo  = 1.90821492927058770002e-10
	log2e  = 1.44269504088896338700e+00
	expMax = 88.8 // exp(88.8) > MaxFloat32: sigmoid and tanh are saturated well before
)

// exp64 is e^x for |x| ≤ expMax with a relative error below 1e-9: x = k·ln2 + r with
// |r| ≤ ln2/2, e^r from its degree-8 Taylor polynomial, times 2^k.
func exp64(x float64) float64 {
	if x > expMax {
		x = expMax
	} else if x < -expMax {
		x = -expMax
	}
	k := math.Floor(x*log2e + 0.5)
	r := (x - k*ln2Hi) - k*ln2Lo
	p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720+r*(1.0/5040+r*(1.0/40320))))))))
	return p * math.Float64frombits(uint64(int64(k)+1023)<<52)
}

// sigmoid32 is 1/(1+e^−x) rounded to float32.
func sigmoid32(x float32) float32 { return float32(1 / (1 + exp64(-float64(x)))) }

// tanh32 is tanh x rounded to float32: an odd polynomial near zero, where 1 − 2/(e^2x + 1)
// would lose relative precision, and the exponential form elsewhere.
func tanh32(x float32) float32 {
	v := float64(x)
	a := math.Abs(v)
	if a < 0.125 {
		v2 := v * v
		return float32(v * (1 + v2*(-1.0/3+v2*(2.0/15+v2*(-17.0/315+v2*(62.0/2835))))))
	}
	t := 1 - 2/(exp64(2*a)+1)
	if v < 0 {
		t = -t
	}
	return float32(t)
}

func sigmoidKernel[T Float](out, x []T) {
	switch o := any(out).(type) {
	case []float32:
		in := any(x).([]float32)[:len(o)]
		for i, v := range in {
			o[i] = sigmoid32(v)
		}
	case []float64:
		in := any(x).([]float64)[:len(o)]
		for i, v := range in {
			o[i] = 1 / (1 + math.Exp(-v))
		}
	}
}

func tanhKernel[T Float](out, x []T) {
	switch o := any(out).(type) {
	case []float32:
		in := any(x).([]float32)[:len(o)]
		for i, v := range in {
			o[i] = tanh32(v)
		}
	case []float64:
		in := any(x).([]float64)[:len(o)]
		for i, v := range in {
			o[i] = math.Tanh(v)
		}
	}
}
