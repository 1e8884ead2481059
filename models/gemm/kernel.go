package gemm

import "unsafe"

// kernArgs describes one tile of C for a micro-kernel:
//
//	C[r][j] = alpha·Σ_{p<k} A(r,p)·B(p,j) + beta·C[r][j]   for r < rows, j < cols
//
// with cols = (vecs-1)·W + tail, W being the kernel's vector width in elements. A(r,p) is at
// a + r·rsa + p·csa, B(p,j) at b + p·ldb + j·size and C[r][j] at c + r·ldc + j·size; all
// strides are in bytes. When betaZero is set, C is written without being read. The layout
// is shared with the assembly kernels (see gen_kernels.go); TestKernArgsLayout checks it.
type kernArgs[T float32 | float64] struct {
	a, b, c  unsafe.Pointer
	k        int
	rsa, csa int
	ldb, ldc int
	rows     int
	vecs     int
	tail     int            // elements used in the last vector, 1..W
	kmask    uint64         // AVX-512: lane mask of the last vector, 1<<tail - 1
	maskp    unsafe.Pointer // AVX2: W lanes whose first tail are all ones
	betaZero int
	alpha    T
	beta     T
}

// avx2Mask backs kernArgs.maskp: the 32 bytes from offset 32-tail·size have their first
// tail elements set to all ones and the others to zero.
var avx2Mask = [16]int32{-1, -1, -1, -1, -1, -1, -1, -1}

// Kernel kinds.
const (
	kindGo = iota
	kindAVX2
	kindAVX512
)

// impl is one micro-kernel family and its tile shape: tiles are rmax rows by vmax vectors
// of lanes elements (lanes32 for float32, lanes64 for float64).
type impl struct {
	name    string
	kind    int
	rmax    int
	vmax    int
	lanes32 int
	lanes64 int
}

var (
	implGo     = impl{name: "go", kind: kindGo, rmax: goRows, vmax: 1, lanes32: goLanes, lanes64: goLanes}
	implAVX2   = impl{name: "avx2", kind: kindAVX2, rmax: 6, vmax: 2, lanes32: 8, lanes64: 4}
	implAVX512 = impl{name: "avx512", kind: kindAVX512, rmax: 12, vmax: 2, lanes32: 16, lanes64: 8}
)

// Tile shape of the portable kernel.
const (
	goRows  = 2
	goLanes = 4
)

// goKernel is the portable micro-kernel: the same contract as the assembly kernels, with
// tiles of at most goRows×goLanes.
func goKernel[T float32 | float64](p *kernArgs[T]) {
	esz := int(unsafe.Sizeof(p.alpha))
	cols := (p.vecs-1)*goLanes + p.tail
	var acc [goRows][goLanes]T
	if p.rows == goRows && cols == goLanes {
		goKernel2x4(p, &acc)
	} else {
		for l := 0; l < p.k; l++ {
			ap := unsafe.Add(p.a, l*p.csa)
			bp := unsafe.Add(p.b, l*p.ldb)
			for r := 0; r < p.rows; r++ {
				av := *(*T)(unsafe.Add(ap, r*p.rsa))
				for j := 0; j < cols; j++ {
					acc[r][j] += av * *(*T)(unsafe.Add(bp, j*esz))
				}
			}
		}
	}
	for r := 0; r < p.rows; r++ {
		for j := 0; j < cols; j++ {
			cp := (*T)(unsafe.Add(p.c, r*p.ldc+j*esz))
			if p.betaZero != 0 {
				*cp = p.alpha * acc[r][j]
			} else {
				*cp = p.alpha*acc[r][j] + p.beta**cp
			}
		}
	}
}

// goKernel2x4 accumulates a full 2×4 tile in eight scalars, few enough to stay in
// registers.
func goKernel2x4[T float32 | float64](p *kernArgs[T], acc *[goRows][goLanes]T) {
	esz := int(unsafe.Sizeof(p.alpha))
	var c00, c01, c02, c03, c10, c11, c12, c13 T
	rsa := p.rsa
	for l := 0; l < p.k; l++ {
		ap := unsafe.Add(p.a, l*p.csa)
		bp := unsafe.Add(p.b, l*p.ldb)
		b0 := *(*T)(bp)
		b1 := *(*T)(unsafe.Add(bp, esz))
		b2 := *(*T)(unsafe.Add(bp, 2*esz))
		b3 := *(*T)(unsafe.Add(bp, 3*esz))
		a0 := *(*T)(ap)
		a1 := *(*T)(unsafe.Add(ap, rsa))
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
	}
	*acc = [goRows][goLanes]T{
		{c00, c01, c02, c03},
		{c10, c11, c12, c13},
	}
}
