//go:build openblas && ftz && amd64

package engine_test

import (
	"math"
	"testing"

	"github.com/expctl/expctl/models/engine"
)

// Operands are variables, not constants, so that the products are computed at run time.
var (
	tiny      = float32(1e-20)                   // tiny*tiny = 1e-40 is subnormal in float32
	subnormal = math.Float32frombits(0x00000001) // the smallest positive subnormal
	one       = float32(1)
)

// TestFlushSubnormalsProduct: with -tags 'openblas ftz' a float32 product that would be
// subnormal is 0 (FTZ), and a subnormal operand counts as 0 (DAZ).
func TestFlushSubnormalsProduct(t *testing.T) {
	if !engine.FlushSubnormals {
		t.Fatal("FlushSubnormals is false in an openblas ftz build")
	}
	if p := tiny * tiny; p != 0 {
		t.Errorf("1e-20 * 1e-20 = %g (bits %#x), want 0", p, math.Float32bits(p))
	}
	if p := subnormal * one; p != 0 {
		t.Errorf("subnormal * 1 = %g (bits %#x), want 0", p, math.Float32bits(p))
	}
	done := make(chan float32)
	go func() { done <- tiny * tiny }()
	if p := <-done; p != 0 {
		t.Errorf("in another goroutine: 1e-20 * 1e-20 = %g, want 0", p)
	}
}
