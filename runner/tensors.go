package runner

import (
	"fmt"

	"gorgonia.org/tensor"
)

// Helpers over dense float32/float64 matrices. Gorgonia values are *tensor.Dense; these keep
// the element-type switch in one place.

func dense(dt tensor.Dtype, rows, cols int, vals []float64) *tensor.Dense {
	t := tensor.New(tensor.WithShape(rows, cols), tensor.Of(dt))
	if vals != nil {
		setFloat64s(t, vals)
	}
	return t
}

func setFloat64s(t *tensor.Dense, vals []float64) {
	switch d := t.Data().(type) {
	case []float32:
		for i, v := range vals {
			d[i] = float32(v)
		}
	case []float64:
		copy(d, vals)
	}
}

func float64s(t *tensor.Dense) []float64 {
	switch d := t.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	case []float64:
		return append([]float64(nil), d...)
	}
	panic(fmt.Sprintf("runner: unsupported tensor data %T", t.Data()))
}

// addInto adds src to dst element-wise.
func addInto(dst, src *tensor.Dense) {
	switch d := dst.Data().(type) {
	case []float32:
		s := src.Data().([]float32)
		for i := range d {
			d[i] += s[i]
		}
	case []float64:
		s := src.Data().([]float64)
		for i := range d {
			d[i] += s[i]
		}
	}
}

// sumSquares returns Σ t_i² in float64.
func sumSquares(t *tensor.Dense) float64 {
	s := 0.0
	switch d := t.Data().(type) {
	case []float32:
		for _, v := range d {
			s += float64(v) * float64(v)
		}
	case []float64:
		for _, v := range d {
			s += v * v
		}
	}
	return s
}

// copyColumns copies all columns of src (rows, B) into columns [off, off+B) of dst (rows, N),
// or, with toSrc, the other way round.
func copyColumns(dst, src *tensor.Dense, off int, toSrc bool) {
	rows, B, N := src.Shape()[0], src.Shape()[1], dst.Shape()[1]
	switch d := dst.Data().(type) {
	case []float32:
		copyCols(d, src.Data().([]float32), rows, B, N, off, toSrc)
	case []float64:
		copyCols(d, src.Data().([]float64), rows, B, N, off, toSrc)
	}
}

func copyCols[T float32 | float64](dst, src []T, rows, B, N, off int, toSrc bool) {
	for r := 0; r < rows; r++ {
		if toSrc {
			copy(src[r*B:(r+1)*B], dst[r*N+off:r*N+off+B])
		} else {
			copy(dst[r*N+off:r*N+off+B], src[r*B:(r+1)*B])
		}
	}
}
