//go:build !purego

package gemm

import "golang.org/x/sys/cpu"

// The assembly micro-kernels (kernels_amd64.s, written by gen_kernels.go). Each computes
// the tile that p describes.

//go:noescape
func kernAVX512F32(p *kernArgs[float32])

//go:noescape
func kernAVX512F64(p *kernArgs[float64])

//go:noescape
func kernAVX2F32(p *kernArgs[float32])

//go:noescape
func kernAVX2F64(p *kernArgs[float64])

// transposeF32 transposes blocks 8×8 blocks side by side: for t < blocks, i < 8, r < 8,
// dst[(8t+i)·ldd + r] = src[r·lds + 8t + i], and prefetches each source row pf bytes
// ahead. It needs AVX (implied by hasAVX2).
//
//go:noescape
func transposeF32(dst *float32, ldd int, src *float32, lds int, blocks int, pf int)

// The dot-product kernels (same file): C[r][j] = alpha·Σ_p A(r,p)·Bt(j,p) + beta·C[r][j]
// for up to two columns j, A and Bt both read along their rows; see gen_kernels.go.

//go:noescape
func dotAVX512F32(p *kernArgs[float32])

//go:noescape
func dotAVX512F64(p *kernArgs[float64])

//go:noescape
func dotAVX2F32(p *kernArgs[float32])

//go:noescape
func dotAVX2F64(p *kernArgs[float64])

// hasAVX2, hasAVX512 tell whether this CPU and OS run the AVX2/FMA and AVX-512F kernels.
var (
	hasAVX2   = cpu.X86.HasAVX2 && cpu.X86.HasFMA
	hasAVX512 = hasAVX2 && cpu.X86.HasAVX512F
)

// bestImpl is the fastest kernel family this CPU runs.
func bestImpl() impl {
	switch {
	case hasAVX512:
		return implAVX512
	case hasAVX2:
		return implAVX2
	}
	return implGo
}

// packBTAsm is packBT with the 8×8 blocks of float32 transposed by transposeF32. It
// returns false, having done nothing, when it cannot serve the call.
func packBTAsm[T float32 | float64](kind int, dst, b []T, ldb, pc, kb, jc, ncb, nr int) bool {
	if kind == kindGo || kb < 8 {
		return false
	}
	d, ok := any(dst).([]float32)
	if !ok {
		return false
	}
	s := any(b).([]float32)
	blocks := kb / 8
	for q := 0; q*nr < ncb; q++ {
		w := min(nr, ncb-q*nr)
		panel := d[q*kb*nr : (q+1)*kb*nr]
		j := 0
		for ; j+8 <= w; j += 8 {
			r := (jc+q*nr+j)*ldb + pc
			// Check that the block's last row is in B, and prefetch the next block of k.
			_ = s[r+7*ldb+kb-1]
			transposeF32(&panel[j], nr, &s[r], ldb, blocks, 4*kb)
			for p := blocks * 8; p < kb; p++ {
				row := panel[p*nr+j : p*nr+j+8]
				for i := range row {
					row[i] = s[r+i*ldb+p]
				}
			}
		}
		for ; j < w; j++ {
			r := (jc+q*nr+j)*ldb + pc
			for p, v := range s[r : r+kb] {
				panel[p*nr+j] = v
			}
		}
	}
	return true
}

// asmDot runs the assembly dot-product kernel of the given kind on p.
func asmDot[T float32 | float64](kind int, p *kernArgs[T]) {
	switch q := any(p).(type) {
	case *kernArgs[float32]:
		if kind == kindAVX512 {
			dotAVX512F32(q)
		} else {
			dotAVX2F32(q)
		}
	case *kernArgs[float64]:
		if kind == kindAVX512 {
			dotAVX512F64(q)
		} else {
			dotAVX2F64(q)
		}
	}
}

// asmKernel runs the assembly kernel of the given kind on p.
func asmKernel[T float32 | float64](kind int, p *kernArgs[T]) {
	switch q := any(p).(type) {
	case *kernArgs[float32]:
		if kind == kindAVX512 {
			kernAVX512F32(q)
		} else {
			kernAVX2F32(q)
		}
	case *kernArgs[float64]:
		if kind == kindAVX512 {
			kernAVX512F64(q)
		} else {
			kernAVX2F64(q)
		}
	}
}
