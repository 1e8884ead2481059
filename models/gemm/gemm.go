package gemm

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

// Blocking. A pass over k covers at most kc steps, so that a tile's row panel of A
// (rows×kc) stays in L1 while it meets every column panel of B; the packed block of B
// (kc×nc) is meant to stay in L2.
const (
	kc = 256
	nc = 512
)

// active is the kernel family in use, chosen once from the CPU's features.
var active = bestImpl()

// Kernel names the micro-kernel family this process uses: "avx512" (AVX-512F), "avx2"
// (AVX2 and FMA) or "go" (portable Go, also the choice under the purego build tag and
// on other architectures).
func Kernel() string { return active.name }

// Sgemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices, op(X) = X or Xᵀ.
//
// op(A) is m×k, op(B) is k×n and C is m×n. A is stored m×k with row stride lda when
// transA is false and k×m when it is true; likewise B is k×n (ldb) or n×k, and C is m×n
// with row stride ldc. As in BLAS, A and B are not read when alpha is 0 or k is 0, C is
// not read when beta is 0 (so NaNs already there are overwritten), and arguments that do
// not describe valid matrices make it panic. It runs on the calling goroutine only, and
// calls may run concurrently on distinct C.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gemm(&active, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Dgemm is Sgemm for float64.
func Dgemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	gemm(&active, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// checkArgs panics unless the arguments describe valid matrices, with the messages of
// gonum's BLAS.
func checkArgs(transA, transB bool, m, n, k, lda, ldb, ldc, lenA, lenB, lenC int) {
	if m < 0 {
		panic("gemm: m < 0")
	}
	if n < 0 {
		panic("gemm: n < 0")
	}
	if k < 0 {
		panic("gemm: k < 0")
	}
	rowA, colA := m, k
	if transA {
		rowA, colA = k, m
	}
	if lda < max(1, colA) {
		panic("gemm: bad leading dimension of A")
	}
	rowB, colB := k, n
	if transB {
		rowB, colB = n, k
	}
	if ldb < max(1, colB) {
		panic("gemm: bad leading dimension of B")
	}
	if ldc < max(1, n) {
		panic("gemm: bad leading dimension of C")
	}
	if m == 0 || n == 0 {
		return
	}
	if lenA < lda*(rowA-1)+colA {
		panic("gemm: insufficient length of A")
	}
	if lenB < ldb*(rowB-1)+colB {
		panic("gemm: insufficient length of B")
	}
	if lenC < ldc*(m-1)+n {
		panic("gemm: insufficient length of C")
	}
}

// scale sets C = beta·C, writing zeros when beta is 0.
func scale[T float32 | float64](m, n int, beta T, c []T, ldc int) {
	if beta == 1 {
		return
	}
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// Buffers for packed panels of B, one set per element type (index 0 float32, 1 float64):
// one buffer kept aside that the garbage collector never drops, so that a single caller
// in a steady state never allocates, and a pool for concurrent callers.
var (
	packSlots [2]atomic.Pointer[[]byte]
	packPools [2]sync.Pool
)

// getBuf returns a buffer of at least n elements of T.
func getBuf[T float32 | float64](n int) *[]byte {
	var z T
	esz := int(unsafe.Sizeof(z))
	i := esz / 8
	x := packSlots[i].Swap(nil)
	if x == nil {
		x, _ = packPools[i].Get().(*[]byte)
	}
	if x == nil || len(*x) < n*esz+64 { // 64 bytes of room for alignment
		s := make([]byte, n*esz+64)
		x = &s
	}
	return x
}

// putBuf gives back a buffer from getBuf.
func putBuf[T float32 | float64](x *[]byte) {
	var z T
	i := unsafe.Sizeof(z) / 8
	if !packSlots[i].CompareAndSwap(nil, x) {
		packPools[i].Put(x)
	}
}

// elems views a buffer from getBuf as n elements of T, aligned to 64 bytes.
func elems[T float32 | float64](x *[]byte, n int) []T {
	p := unsafe.Pointer(unsafe.SliceData(*x))
	off := int(-uintptr(p) & 63)
	return unsafe.Slice((*T)(unsafe.Add(p, off)), n)[:n:n]
}

// at is the address of s[i]; i must be in range.
func at[T float32 | float64](s []T, i int) unsafe.Pointer {
	return unsafe.Pointer(&s[i])
}

// gemm is Sgemm and Dgemm on the kernel family ik.
func gemm[T float32 | float64](ik *impl, transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	checkArgs(transA, transB, m, n, k, lda, ldb, ldc, len(a), len(b), len(c))
	if m == 0 || n == 0 {
		return
	}
	if alpha == 0 || k == 0 {
		scale(m, n, beta, c, ldc)
		return
	}

	var zero T
	esz := int(unsafe.Sizeof(zero))
	w := ik.lanes32
	if esz == 8 {
		w = ik.lanes64
	}
	nr := w * ik.vmax // columns of a full tile
	mr := ik.rmax     // rows of a full tile

	// op(A)(i,p) is a[i·rsa + p·csa].
	rsa, csa := lda, 1
	if transA {
		rsa, csa = 1, lda
	}
	// At the right edge of A·Bᵀ, the columns left over from the last full panel are
	// computed as dot products along k by the dot kernels when they are at most a quarter
	// of a vector, rather than in a panel of mostly idle lanes.
	dotCols := 0
	if transB && !transA && ik.kind != kindGo {
		dotCols = w / 4
	}
	// Bᵀ is packed (transposed) unless only dot products are needed; B is packed when its
	// rows are longer than a tile, so that each column panel is contiguous, and enough
	// rows of A reuse it to pay for the copy.
	packB := (transB && n > dotCols) || (!transB && ldb > nr && m >= 4*mr)
	var packed []T
	if packB {
		size := min(k, kc) * ((min(n, nc) + nr - 1) / nr * nr)
		buf := getBuf[T](size)
		defer putBuf[T](buf)
		packed = elems[T](buf, size)
	}

	var p, d kernArgs[T]
	p.rsa = rsa * esz
	p.csa = csa * esz
	p.ldc = ldc * esz
	p.alpha = alpha
	d.rsa = p.rsa
	d.ldb = ldb * esz
	d.ldc = p.ldc
	d.alpha = alpha
	for jc := 0; jc < n; jc += nc {
		ncb := min(nc, n-jc)
		nmain := ncb // columns done by the broadcast kernels
		if t := ncb % nr; t <= dotCols {
			nmain -= t
		}
		for pc := 0; pc < k; pc += kc {
			kb := min(kc, k-pc)
			p.k = kb
			if pc == 0 {
				p.beta = beta
				p.betaZero = 0
				if beta == 0 {
					p.betaZero = 1
				}
			} else {
				p.beta, p.betaZero = 1, 0
			}
			d.beta, d.betaZero = p.beta, p.betaZero
			d.k = kb / w
			d.tail = kb % w
			d.kmask = 1<<uint(d.tail) - 1
			d.maskp = unsafe.Add(unsafe.Pointer(&avx2Mask[0]), 32-d.tail*esz)
			var bBase unsafe.Pointer
			var bPanel int // bytes from one column panel of B to the next
			switch {
			case nmain == 0:
			case packB:
				pk := packed[:kb*((nmain+nr-1)/nr*nr)]
				if transB {
					if !packBTAsm(ik.kind, pk, b, ldb, pc, kb, jc, nmain, nr) {
						packBT(pk, b, ldb, pc, kb, jc, nmain, nr)
					}
				} else {
					packBN(pk, b, ldb, pc, kb, jc, nmain, nr)
				}
				bBase = at(pk, 0)
				p.ldb = nr * esz
				bPanel = kb * nr * esz
			default:
				bBase = at(b, pc*ldb+jc)
				p.ldb = ldb * esz
				bPanel = nr * esz
			}
			for ir := 0; ir < m; ir += mr {
				p.rows = min(mr, m-ir)
				p.a = at(a, ir*rsa+pc*csa)
				for jr := 0; jr < nmain; jr += nr {
					nb := min(nr, nmain-jr)
					vecs := (nb + w - 1) / w
					tail := nb - (vecs-1)*w
					p.vecs = vecs
					p.tail = tail
					p.kmask = 1<<uint(tail) - 1
					p.maskp = unsafe.Add(unsafe.Pointer(&avx2Mask[0]), 32-tail*esz)
					p.b = unsafe.Add(bBase, jr/nr*bPanel)
					p.c = at(c, ir*ldc+jc+jr)
					if ik.kind == kindGo {
						goKernel(&p)
					} else {
						asmKernel(ik.kind, &p)
					}
				}
				d.rows = p.rows
				d.a = p.a
				for j := nmain; j < ncb; j += 2 {
					d.vecs = min(2, ncb-j)
					d.b = at(b, (jc+j)*ldb+pc)
					d.c = at(c, ir*ldc+jc+j)
					asmDot(ik.kind, &d)
				}
			}
		}
	}
}

// packBN copies op(B) = B rows pc..pc+kb, columns jc..jc+ncb into dst as column panels
// of nr: panel q holds B(pc+p, jc+q·nr+j) at q·kb·nr + p·nr + j.
func packBN[T float32 | float64](dst, b []T, ldb, pc, kb, jc, ncb, nr int) {
	for q := 0; q*nr < ncb; q++ {
		w := min(nr, ncb-q*nr)
		panel := dst[q*kb*nr : (q+1)*kb*nr]
		for p := 0; p < kb; p++ {
			src := b[(pc+p)*ldb+jc+q*nr:]
			copy(panel[p*nr:p*nr+w], src[:w])
		}
	}
}

// packBT is packBN for op(B) = Bᵀ, B stored n×k: it transposes B rows jc..jc+ncb,
// columns pc..pc+kb into the same panel layout.
func packBT[T float32 | float64](dst, b []T, ldb, pc, kb, jc, ncb, nr int) {
	for q := 0; q*nr < ncb; q++ {
		w := min(nr, ncb-q*nr)
		panel := dst[q*kb*nr : (q+1)*kb*nr]
		j := 0
		for ; j+4 <= w; j += 4 {
			r := (jc + q*nr + j) * ldb
			s0 := b[r+pc : r+pc+kb]
			s1 := b[r+ldb+pc : r+ldb+pc+kb]
			s2 := b[r+2*ldb+pc : r+2*ldb+pc+kb]
			s3 := b[r+3*ldb+pc : r+3*ldb+pc+kb]
			for p := range s0 {
				d := panel[p*nr+j : p*nr+j+4]
				d[0] = s0[p]
				d[1] = s1[p]
				d[2] = s2[p]
				d[3] = s3[p]
			}
		}
		for ; j < w; j++ {
			r := (jc+q*nr+j)*ldb + pc
			s := b[r : r+kb]
			for p, v := range s {
				panel[p*nr+j] = v
			}
		}
	}
}
