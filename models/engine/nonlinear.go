package engine

import (
	"math"

	"github.com/expctl/expctl/models/fastmath"
)

// sigmoidKernel and tanhKernel use package fastmath's vector kernels in float32 (within
// one unit in the last place of the correctly rounded value) and package math in float64.
func sigmoidKernel[T Float](out, x []T) {
	switch o := any(out).(type) {
	case []float32:
		fastmath.Sigmoid(o, any(x).([]float32))
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
		fastmath.Tanh(o, any(x).([]float32))
	case []float64:
		in := any(x).([]float64)[:len(o)]
		for i, v := range in {
			o[i] = math.Tanh(v)
		}
	}
}
