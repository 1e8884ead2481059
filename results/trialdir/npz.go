package trialdir

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"codeberg.org/sbinet/npyio/npy"
	"codeberg.org/sbinet/npyio/npz"
)

// ParamsFile is params.npz: the trial's final parameters in NumPy's .npz format (see
// [WriteParams]).
const ParamsFile = "params.npz"

// Array is one named array of an .npz file: its shape and its values in row-major (C)
// order. Dtype is the NumPy type it is stored as: "float32", "float64" or "int64" (whose
// values Data holds exactly).
type Array struct {
	Name  string
	Shape []int
	Dtype string
	Data  []float64
}

// size is the number of elements the shape holds.
func (a Array) size() int {
	n := 1
	for _, d := range a.Shape {
		n *= d
	}
	return n
}

// nested returns the values as nested slices of the array's Go element type, the form in
// which package npy writes a shape; a 0-dimensional array is not used.
func (a Array) nested() any {
	switch a.Dtype {
	case "float32":
		v := make([]float32, len(a.Data))
		for i, x := range a.Data {
			v[i] = float32(x)
		}
		return nest(v, a.Shape)
	case "int64":
		v := make([]int64, len(a.Data))
		for i, x := range a.Data {
			v[i] = int64(x)
		}
		return nest(v, a.Shape)
	}
	return nest(slices.Clone(a.Data), a.Shape)
}

// nest reshapes flat into nested slices of the given shape (row-major); flat is shared.
func nest[T any](flat []T, shape []int) any {
	if len(shape) <= 1 {
		return flat
	}
	inner := 1
	for _, d := range shape[1:] {
		inner *= d
	}
	parts := make([]any, shape[0])
	for i := range parts {
		parts[i] = nest(flat[i*inner:(i+1)*inner], shape[1:])
	}
	return typed(parts, len(shape))
}

// typed converts parts, the rows of an array of rank dims, to a slice of their own type:
// [][]T for dims 2, [][][]T for 3, and so on up to 4.
func typed(parts []any, dims int) any {
	switch p := parts[0].(type) {
	case []float32:
		return collect[[]float32](parts, p)
	case []float64:
		return collect[[]float64](parts, p)
	case []int64:
		return collect[[]int64](parts, p)
	case [][]float32:
		return collect[[][]float32](parts, p)
	case [][]float64:
		return collect[[][]float64](parts, p)
	case [][]int64:
		return collect[[][]int64](parts, p)
	case [][][]float32:
		return collect[[][][]float32](parts, p)
	case [][][]float64:
		return collect[[][][]float64](parts, p)
	case [][][]int64:
		return collect[[][][]int64](parts, p)
	}
	panic(fmt.Sprintf("trialdir: arrays of rank %d are not supported", dims)) // WriteArrays checks the rank
}

func collect[T any](parts []any, _ T) []T {
	out := make([]T, len(parts))
	for i, p := range parts {
		out[i] = p.(T)
	}
	return out
}

// WriteArrays writes the arrays as an .npz archive at path, atomically (see
// [WriteFileAtomic]): one member <name>.npy per array, in the given order, each a NumPy
// .npy file (format 2.0, little-endian, C order). numpy.load(path)[name] reads one. The
// archive holds no time stamps: equal arrays give equal bytes. Arrays have 1 to 4
// dimensions, none of them 0.
func WriteArrays(path string, arrays []Array) error {
	var buf bytes.Buffer
	w := npz.NewWriter(&buf)
	for _, a := range arrays {
		if len(a.Shape) < 1 || len(a.Shape) > 4 || slices.Contains(a.Shape, 0) || a.size() != len(a.Data) {
			return fmt.Errorf("write %s: array %s of shape %v with %d values: want 1 to 4 dimensions, none empty, holding every value",
				path, a.Name, a.Shape, len(a.Data))
		}
		if a.Dtype != "float32" && a.Dtype != "float64" && a.Dtype != "int64" {
			return fmt.Errorf("write %s: array %s: dtype %q, want float32, float64 or int64", path, a.Name, a.Dtype)
		}
		if err := w.Write(a.Name+".npy", a.nested()); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return WriteFileAtomic(path, buf.Bytes())
}

// ReadArrays reads every array of the .npz archive at path, in archive order, and the
// SHA-256 of the file's bytes (lower-case hex). Arrays of NumPy's float32, float64 and
// integer types are read; their values convert to float64 exactly. Member names lose
// their ".npy", as with numpy.load.
func ReadArrays(path string) (arrays []Array, sum string, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	h := sha256.Sum256(b)
	r, err := npz.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, "", fmt.Errorf("%s: not an .npz file: %w", path, err)
	}
	for _, key := range r.Keys() {
		var arr npy.Array
		if err := r.Read(key, &arr); err != nil {
			return nil, "", fmt.Errorf("%s: %w", path, err)
		}
		if arr.Fortran() {
			return nil, "", fmt.Errorf("%s: array %s is in Fortran order; save it in C order (numpy.ascontiguousarray)", path, key)
		}
		a := Array{Name: strings.TrimSuffix(key, ".npy"), Shape: slices.Clone(arr.Shape())}
		switch d := arr.Data().(type) {
		case []float32:
			a.Dtype, a.Data = "float32", widen(d)
		case []float64:
			a.Dtype, a.Data = "float64", slices.Clone(d)
		case []int64:
			a.Dtype, a.Data = "int64", widen(d)
		case []int32:
			a.Dtype, a.Data = "int32", widen(d)
		default:
			return nil, "", fmt.Errorf("%s: array %s has type %T; want float32, float64 or integers", path, a.Name, d)
		}
		arrays = append(arrays, a)
	}
	return arrays, hex.EncodeToString(h[:]), nil
}

func widen[T float32 | int64 | int32](d []T) []float64 {
	out := make([]float64, len(d))
	for i, v := range d {
		out[i] = float64(v)
	}
	return out
}

// WriteParams writes dir/params.npz (see [WriteArrays]) with the mode [FileMode]: one
// array per parameter, named as the network names it ("cell/W", "readout/V", ...), of
// shape (rows, cols), in the trial's dtype.
func WriteParams(dir string, params []Array) error {
	return WriteArrays(filepath.Join(dir, ParamsFile), params)
}
