//go:build !(openblas && ftz && amd64)

package engine

// FlushSubnormals tells whether this build flushes subnormal floating-point numbers to
// zero. It is false here: arithmetic follows IEEE 754, subnormals included. Build with
// -tags 'openblas ftz' (amd64) to flush them.
const FlushSubnormals = false
