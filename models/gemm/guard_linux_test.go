//go:build linux

package gemm

import (
	"math/rand/v2"
	"syscall"
	"testing"
	"unsafe"
)

// guarded returns n elements that end where an inaccessible page begins, so that any
// read or write past the end faults.
func guarded[T float32 | float64](t *testing.T, n int) []T {
	t.Helper()
	var z T
	esz := int(unsafe.Sizeof(z))
	page := syscall.Getpagesize()
	size := (n*esz+page-1)/page*page + page
	mem, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skipf("mmap: %v", err)
	}
	t.Cleanup(func() { syscall.Munmap(mem) })
	if err := syscall.Mprotect(mem[size-page:], syscall.PROT_NONE); err != nil {
		t.Skipf("mprotect: %v", err)
	}
	end := unsafe.Pointer(&mem[size-page-1])
	start := unsafe.Add(end, 1-n*esz)
	return unsafe.Slice((*T)(start), n)
}

// TestGuardPage runs products on matrices of exactly the length BLAS requires, each
// ending at an inaccessible page: the masked loads and stores of partial tiles must not
// touch memory past the last element.
func TestGuardPage(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	shapes := [][3]int{{1, 1, 1}, {3, 5, 7}, {13, 17, 9}, {12, 33, 20}, {7, 47, 300}, {25, 130, 40}, {5, 3, 1}}
	for _, ik := range impls() {
		for _, s := range shapes {
			for tr := 0; tr < 4; tr++ {
				testGuarded[float32](t, rng, ik, tr&1 != 0, tr&2 != 0, s[0], s[1], s[2])
				testGuarded[float64](t, rng, ik, tr&1 != 0, tr&2 != 0, s[0], s[1], s[2])
			}
		}
	}
}

func testGuarded[T float32 | float64](t *testing.T, rng *rand.Rand, ik *impl, tA, tB bool, m, n, k int) {
	p := newProblem[T](rng, tA, tB, m, n, k, 1.5, -0.5, false)
	ga := guarded[T](t, len(p.a)-guard)
	gb := guarded[T](t, len(p.b)-guard)
	gc := guarded[T](t, len(p.c)-guard)
	copy(ga, p.a)
	copy(gb, p.b)
	copy(gc, p.c)
	gemm(ik, tA, tB, m, n, k, p.alpha, ga, p.lda, gb, p.ldb, p.beta, gc, p.ldc)
	copy(p.c, gc)
	p.check(t, ik.name+" guarded "+p.String())
}
