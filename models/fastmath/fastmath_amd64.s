//go:build !purego

#include "textflag.h"

// Every constant is a vector of eight equal float32 (or int32) lanes, so that it can
// be a memory operand of a YMM instruction.
#define VEC8(name, bits) \
	DATA name<>+0x00(SB)/4, $bits; \
	DATA name<>+0x04(SB)/4, $bits; \
	DATA name<>+0x08(SB)/4, $bits; \
	DATA name<>+0x0c(SB)/4, $bits; \
	DATA name<>+0x10(SB)/4, $bits; \
	DATA name<>+0x14(SB)/4, $bits; \
	DATA name<>+0x18(SB)/4, $bits; \
	DATA name<>+0x1c(SB)/4, $bits; \
	GLOBL name<>(SB), RODATA|NOPTR, $32

VEC8(absmask, 0x7fffffff)
VEC8(one, 0x3f800000)       // 1
VEC8(log2e, 0x3fb8aa3b)     // log2 e
VEC8(ln2hi, 0x3f317218)     // ln 2 rounded to float32
VEC8(ln2lo, 0xb102e308)     // ln 2 − ln2hi
VEC8(exp2, 0x3efffffe)      // e^r − 1 ≈ r + r²·(exp2 + r·(exp3 + … + r·exp6)) for |r| ≤ ln2/2,
VEC8(exp3, 0x3e2aaa49)      // a minimax fit for relative error
VEC8(exp4, 0x3d2aac78)
VEC8(exp5, 0x3c091ced)
VEC8(exp6, 0x3ab512ef)
VEC8(shift127, 0x4b40007f)  // 1.5·2^23 + 127: adding it rounds −T·log2e to n, n+127 in the low bits
VEC8(shift191, 0x4b4000bf)  // 1.5·2^23 + 191: likewise with n+191, for 2^(n+64)
VEC8(twom64, 0x1f800000)    // 2^−64
VEC8(sigclamp, 0x42d00000)  // 104: e^−104 is below half the smallest subnormal float32
VEC8(tanhclamp, 0x41180000) // 9.5: tanh x rounds to 1 in float32 for x > 9.01
VEC8(tanhsmall, 0x3f200000) // 0.625: below it Tanh uses the odd polynomial
VEC8(tanh0, 0xbeaaaa99)     // tanh a ≈ a + a³·(tanh0 + s·(tanh1 + … + s·tanh4)), s = a², a < 0.625
VEC8(tanh1, 0x3e088393)
VEC8(tanh2, 0xbd5c1e2d)
VEC8(tanh3, 0x3ca9134e)
VEC8(tanh4, 0xbbbaf0e7)

// EXP sets P = 2^k·e^−T for T ≥ 0 (NaN stays NaN), using N and U as scratch; T is
// overwritten. SHIFT is shift127 (k = 0, for T ≤ 87) or shift191 (k = 64, for
// T ≤ 104). −T = n·ln2 + r with n = round(−T·log2 e), found by adding SHIFT, and a
// two-part ln 2, so r is exact but for the tiny ln2lo term; q = e^r − 1 comes from
// the polynomial, and the result 2^(n+k) + 2^(n+k)·q is rounded once.
#define EXP(T, P, N, U, SHIFT) \
	VMOVUPS      SHIFT, N; \
	VFNMADD231PS log2e<>(SB), T, N; \
	VSUBPS       SHIFT, N, U; \
	VFNMSUB231PS ln2hi<>(SB), U, T; \
	VFNMADD231PS ln2lo<>(SB), U, T; \
	VMOVUPS      exp6<>(SB), P; \
	VFMADD213PS  exp5<>(SB), T, P; \
	VFMADD213PS  exp4<>(SB), T, P; \
	VFMADD213PS  exp3<>(SB), T, P; \
	VFMADD213PS  exp2<>(SB), T, P; \
	VMULPS       T, T, U; \
	VFMADD213PS  T, U, P; \
	VPSLLD       $23, N, N; \
	VFMADD213PS  N, N, P

// SIGMOID sets P = 1/(1+e^−X) from X (kept), with scratch T, N, U, A.
// With z = e^−|x| ≤ 1 the result is num/(1+z), num being 1 for x ≥ 0 and z for x < 0,
// so nothing overflows; z is computed as 2^64·z and scaled back by one multiplication,
// which rounds results in the subnormal range correctly. The quotient is corrected for
// the roundings of d = 1+z and of q = num·(1/d): with e = (1−d)+z (exact, d+e = 1+z)
// and the exact residual num − q·d from an FMA, result = q + (num − q·d − q·e)/d,
// rounded once.
// ONE holds 1.0 and CLAMP 104.0 in every lane.
#define SIGMOID(X, T, P, N, U, A, ONE, CLAMP) \
	VANDPS       absmask<>(SB), X, T; \
	VMINPS       T, CLAMP, T; \
	EXP(T, P, N, U, shift191<>(SB)); \
	VMULPS       twom64<>(SB), P, P; \
	VADDPS       ONE, P, U; \
	VSUBPS       U, ONE, N; \
	VADDPS       P, N, N; \
	VBLENDVPS    X, P, ONE, P; \
	VDIVPS       U, ONE, T; \
	VMULPS       T, P, A; \
	VFNMADD231PS A, U, P; \
	VFNMADD231PS A, N, P; \
	VFMADD213PS  A, T, P

// TANH sets N = tanh X from X (overwritten), with scratch A, T, P, U, B.
// For |x| ≥ 0.625, tanh|x| = (1−z)/(1+z) with z = e^−2|x| ≤ 1, |x| clamped to 9.5
// (where the float32 result is already 1). As in SIGMOID the quotient is corrected for
// the roundings of num = 1−z, d = 1+z and q = num·(1/d), with the exact errors
// en = (1−num)−z and ed = (1−d)+z: result = q + (num − q·d + en − q·ed)/d. For |x| < 0.625,
// tanh|x| = a + a³·p(a²) with a minimax polynomial p, so that tanh x = x for tiny x.
// The sign of x is put back last.
// ONE holds 1.0 and CLAMP 9.5 in every lane.
#define TANH(X, A, T, P, N, U, B, ONE, CLAMP) \
	VANDPS       absmask<>(SB), X, A; \
	VMINPS       A, CLAMP, T; \
	VADDPS       T, T, T; \
	EXP(T, P, N, U, shift127<>(SB)); \
	VADDPS       ONE, P, U; \
	VSUBPS       P, ONE, N; \
	VSUBPS       U, ONE, T; \
	VADDPS       P, T, T; \
	VSUBPS       N, ONE, B; \
	VSUBPS       P, B, B; \
	VDIVPS       U, ONE, P; \
	VMULPS       P, N, A; \
	VFNMADD231PS A, U, N; \
	VADDPS       B, N, N; \
	VFNMADD231PS A, T, N; \
	VFMADD213PS  A, P, N; \
	VANDPS       absmask<>(SB), X, A; \
	VMULPS       A, A, T; \
	VMOVUPS      tanh4<>(SB), P; \
	VFMADD213PS  tanh3<>(SB), T, P; \
	VFMADD213PS  tanh2<>(SB), T, P; \
	VFMADD213PS  tanh1<>(SB), T, P; \
	VFMADD213PS  tanh0<>(SB), T, P; \
	VMULPS       A, T, T; \
	VFMADD213PS  A, T, P; \
	VCMPPS       $1, tanhsmall<>(SB), A, U; \
	VBLENDVPS    U, P, N, N; \
	VXORPS       A, X, X; \
	VORPS        X, N, N

// func sigmoidAVX2(out, x []float32)
// It computes the first len(out)/8·8 elements; len(x) ≥ len(out).
TEXT ·sigmoidAVX2(SB), NOSPLIT, $0-48
	MOVQ    out_base+0(FP), DI
	MOVQ    out_len+8(FP), CX
	MOVQ    x_base+24(FP), SI
	SHRQ    $3, CX
	JZ      sigdone
	VMOVUPS one<>(SB), Y15
	VMOVUPS sigclamp<>(SB), Y14

sigloop2:
	CMPQ    CX, $2
	JB      sigloop1
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y6
	SIGMOID(Y0, Y1, Y2, Y3, Y4, Y5, Y15, Y14)
	SIGMOID(Y6, Y7, Y8, Y9, Y10, Y11, Y15, Y14)
	VMOVUPS Y2, (DI)
	VMOVUPS Y8, 32(DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	SUBQ    $2, CX
	JMP     sigloop2

sigloop1:
	TESTQ   CX, CX
	JZ      sigend
	VMOVUPS (SI), Y0
	SIGMOID(Y0, Y1, Y2, Y3, Y4, Y5, Y15, Y14)
	VMOVUPS Y2, (DI)

sigend:
	VZEROUPPER

sigdone:
	RET

// func tanhAVX2(out, x []float32)
// It computes the first len(out)/8·8 elements; len(x) ≥ len(out).
TEXT ·tanhAVX2(SB), NOSPLIT, $0-48
	MOVQ    out_base+0(FP), DI
	MOVQ    out_len+8(FP), CX
	MOVQ    x_base+24(FP), SI
	SHRQ    $3, CX
	JZ      tanhdone
	VMOVUPS one<>(SB), Y15
	VMOVUPS tanhclamp<>(SB), Y14

tanhloop2:
	CMPQ    CX, $2
	JB      tanhloop1
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y7
	TANH(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y15, Y14)
	TANH(Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y15, Y14)
	VMOVUPS Y4, (DI)
	VMOVUPS Y11, 32(DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	SUBQ    $2, CX
	JMP     tanhloop2

tanhloop1:
	TESTQ   CX, CX
	JZ      tanhend
	VMOVUPS (SI), Y0
	TANH(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y15, Y14)
	VMOVUPS Y4, (DI)

tanhend:
	VZEROUPPER

tanhdone:
	RET
