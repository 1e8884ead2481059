package engine

import "math"

// sigmoid32 is 1/(1+e^−x) rounded to float32 (computed in float64).
func sigmoid32(x float32) float32 { return float32(1 / (1 + math.Exp(-float64(x)))) }

// tanh32 is tanh x rounded to float32, computed in float64: an odd polynomial near zero,
// where 1 − 2/(e^2x + 1) would lose relative precision, and the exponential form elsewhere.
func tanh32(x float32) float32 {
	v := float64(x)
	a := math.Abs(v)
	if a < 0.125 {
		v2 := v * v
		return float32(v * (1 + v2*(-1.0/3+v2*(2.0/15+v2*(-17.0/315+v2*(62.0/2835))))))
	}
	t := 1 - 2/(math.Exp(2*a)+1)
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
