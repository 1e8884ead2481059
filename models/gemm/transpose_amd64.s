//go:build !purego

#include "textflag.h"

// func transposeF32(dst *float32, ldd int, src *float32, lds int, blocks int, pf int)
//
// Transposes blocks 8×8 blocks side by side: for t < blocks, i < 8, r < 8,
// dst[(8t+i)·ldd + r] = src[r·lds + 8t + i]. Strides are in elements. Each source row
// is also prefetched pf bytes ahead. Needs AVX.
TEXT ·transposeF32(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ ldd+8(FP), DX
	SHLQ $2, DX
	MOVQ src+16(FP), SI
	MOVQ lds+24(FP), BX
	SHLQ $2, BX
	MOVQ blocks+32(FP), CX
	MOVQ pf+40(FP), R12
	LEAQ (BX)(BX*2), R8
	LEAQ (DX)(DX*2), R9
	TESTQ CX, CX
	JZ done

loop:
	// Eight rows of the source block.
	MOVQ SI, R10
	VMOVUPS (R10), Y0
	VMOVUPS (R10)(BX*1), Y1
	VMOVUPS (R10)(BX*2), Y2
	VMOVUPS (R10)(R8*1), Y3
	LEAQ (R10)(BX*4), R10
	VMOVUPS (R10), Y4
	VMOVUPS (R10)(BX*1), Y5
	VMOVUPS (R10)(BX*2), Y6
	VMOVUPS (R10)(R8*1), Y7
	PREFETCHT0 (R10)(R12*1)
	ADDQ BX, R10
	PREFETCHT0 (R10)(R12*1)
	ADDQ BX, R10
	PREFETCHT0 (R10)(R12*1)
	ADDQ BX, R10
	PREFETCHT0 (R10)(R12*1)
	MOVQ SI, R10
	PREFETCHT0 (R10)(R12*1)
	ADDQ BX, R10
	PREFETCHT0 (R10)(R12*1)
	ADDQ BX, R10
	PREFETCHT0 (R10)(R12*1)
	ADDQ BX, R10
	PREFETCHT0 (R10)(R12*1)

	// Interleave pairs of rows, then pairs of pairs, within each 128-bit lane.
	VUNPCKLPS Y1, Y0, Y8
	VUNPCKHPS Y1, Y0, Y9
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13
	VUNPCKLPS Y7, Y6, Y14
	VUNPCKHPS Y7, Y6, Y15
	VSHUFPS $0x44, Y10, Y8, Y0
	VSHUFPS $0xEE, Y10, Y8, Y1
	VSHUFPS $0x44, Y11, Y9, Y2
	VSHUFPS $0xEE, Y11, Y9, Y3
	VSHUFPS $0x44, Y14, Y12, Y4
	VSHUFPS $0xEE, Y14, Y12, Y5
	VSHUFPS $0x44, Y15, Y13, Y6
	VSHUFPS $0xEE, Y15, Y13, Y7

	// Join the lanes: columns 0-3 from the low lanes, 4-7 from the high ones.
	VPERM2F128 $0x20, Y4, Y0, Y8
	VPERM2F128 $0x20, Y5, Y1, Y9
	VPERM2F128 $0x20, Y6, Y2, Y10
	VPERM2F128 $0x20, Y7, Y3, Y11
	VPERM2F128 $0x31, Y4, Y0, Y12
	VPERM2F128 $0x31, Y5, Y1, Y13
	VPERM2F128 $0x31, Y6, Y2, Y14
	VPERM2F128 $0x31, Y7, Y3, Y15

	MOVQ DI, R11
	VMOVUPS Y8, (R11)
	VMOVUPS Y9, (R11)(DX*1)
	VMOVUPS Y10, (R11)(DX*2)
	VMOVUPS Y11, (R11)(R9*1)
	LEAQ (R11)(DX*4), R11
	VMOVUPS Y12, (R11)
	VMOVUPS Y13, (R11)(DX*1)
	VMOVUPS Y14, (R11)(DX*2)
	VMOVUPS Y15, (R11)(R9*1)

	ADDQ $32, SI
	LEAQ (DI)(DX*8), DI
	DECQ CX
	JNZ loop

done:
	VZEROUPPER
	RET
