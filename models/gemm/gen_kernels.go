//go:build ignore

// Command gen_kernels writes kernels_amd64.s, the AVX2/FMA and AVX-512 micro-kernels of
// package gemm. Run it from this directory after changing it:
//
//	go run gen_kernels.go
//
// Each kernel computes one tile of C, rows×(vecs·W) elements, W being the number of lanes
// of a vector register:
//
//	C[r][j] = alpha·Σ_p A(r,p)·B(p,j) + beta·C[r][j]   (beta·C dropped when betaZero)
//
// where A(r,p) is read at a + r·rsa + p·csa (byte strides, so one kernel serves A and Aᵀ),
// the row p of the B panel at b + p·ldb, and row r of C at c + r·ldc. The last vector of a
// row may be partial (tail lanes); it is then loaded and stored under a mask, so nothing
// outside the tile is read or written. All kernels of one ISA and element type share one
// TEXT symbol that takes a *kernArgs and branches on rows, vecs and the tail.
package main

import (
	"bytes"
	"fmt"
	"os"
)

// Byte offsets of the fields of kernArgs (kernel.go); TestKernArgsLayout checks them.
const (
	offA        = 0
	offB        = 8
	offC        = 16
	offK        = 24
	offRSA      = 32
	offCSA      = 40
	offLDB      = 48
	offLDC      = 56
	offRows     = 64
	offVecs     = 72
	offTail     = 80
	offKMask    = 88
	offMaskP    = 96
	offBetaZero = 104
	offAlpha    = 112
)

type variant struct {
	name   string // Go function name
	avx512 bool
	f64    bool
	rmax   int // rows per tile
	vmax   int // vectors per tile row
}

func (v variant) size() int {
	if v.f64 {
		return 8
	}
	return 4
}

// lanes is W, the elements in one vector register.
func (v variant) lanes() int {
	if v.avx512 {
		return 64 / v.size()
	}
	return 32 / v.size()
}

func (v variant) vbytes() int { return v.lanes() * v.size() }

func (v variant) nregs() int {
	if v.avx512 {
		return 32
	}
	return 16
}

func (v variant) reg(i int) string {
	if v.avx512 {
		return fmt.Sprintf("Z%d", i)
	}
	return fmt.Sprintf("Y%d", i)
}

func (v variant) op(base string) string {
	if v.f64 {
		return base + "PD"
	}
	return base + "PS"
}

func (v variant) bcast() string {
	if v.f64 {
		return "VBROADCASTSD"
	}
	return "VBROADCASTSS"
}

func (v variant) mov() string {
	if v.f64 {
		return "VMOVUPD"
	}
	return "VMOVUPS"
}

func (v variant) zero(r string) string {
	if v.avx512 {
		return fmt.Sprintf("VPXORD %s, %s, %s", r, r, r)
	}
	return fmt.Sprintf("VXORPS %s, %s, %s", r, r, r)
}

type gen struct {
	buf bytes.Buffer
}

func (g *gen) p(format string, args ...any) {
	fmt.Fprintf(&g.buf, "\t"+format+"\n", args...)
}

func (g *gen) label(l string) {
	fmt.Fprintf(&g.buf, "%s:\n", l)
}

// rowAddr is the address of A(r, p) for the current p: rows 0-4 hang off AX, 5-9 off
// BX and 10-14 off CX, at offsets 0, rsa, 2·rsa, 3·rsa, 4·rsa (R8 = rsa, R9 = 3·rsa).
func rowAddr(r int) string {
	base := []string{"AX", "BX", "CX"}[r/5]
	switch r % 5 {
	case 0:
		return "(" + base + ")"
	case 1:
		return "(" + base + ")(R8*1)"
	case 2:
		return "(" + base + ")(R8*2)"
	case 3:
		return "(" + base + ")(R9*1)"
	default:
		return "(" + base + ")(R8*4)"
	}
}

func labelName(v variant, rows, vecs int, masked bool) string {
	m := ""
	if masked {
		m = "m"
	}
	return fmt.Sprintf("r%dv%d%s", rows, vecs, m)
}

// kernel emits the tile kernel for rows×vecs vectors. masked (AVX2 only) selects masked
// loads and stores for the last vector; AVX-512 kernels always mask the last vector with K1.
func (g *gen) kernel(v variant, rows, vecs int, masked bool) {
	g.label(labelName(v, rows, vecs, masked))
	nacc := rows * vecs
	acc := func(r, j int) string { return v.reg(r*vecs + j) }
	breg := func(j int) string { return v.reg(nacc + j) }
	limit := v.nregs()
	maskReg := ""
	if masked {
		limit--
		maskReg = v.reg(limit)
	}
	var bc []string
	for i := nacc + vecs; i < limit && len(bc) < 2; i++ {
		bc = append(bc, v.reg(i))
	}
	if len(bc) == 0 {
		panic("no broadcast register")
	}
	// Epilogue temporaries: alpha, beta and a C vector.
	var tmp []string
	for i := nacc; i < limit && len(tmp) < 3; i++ {
		tmp = append(tmp, v.reg(i))
	}
	if len(tmp) < 3 {
		panic("not enough epilogue registers")
	}
	alphaR, betaR, cR := tmp[0], tmp[1], tmp[2]
	vb := v.vbytes()
	last := vecs - 1

	if masked {
		g.p("MOVQ %d(R14), R11 // maskp", offMaskP)
		g.p("VMOVDQU (R11), %s", maskReg)
	}
	if v.avx512 {
		g.p("KMOVW %d(R14), K1 // kmask", offKMask)
	}
	g.p("MOVQ %d(R14), AX // a", offA)
	g.p("MOVQ %d(R14), R8 // rsa", offRSA)
	g.p("MOVQ %d(R14), DX // csa", offCSA)
	g.p("LEAQ (R8)(R8*2), R9")
	if rows > 5 {
		g.p("LEAQ (AX)(R8*4), BX")
		g.p("ADDQ R8, BX")
	}
	if rows > 10 {
		g.p("LEAQ (BX)(R8*4), CX")
		g.p("ADDQ R8, CX")
	}
	g.p("MOVQ %d(R14), SI // b", offB)
	g.p("MOVQ %d(R14), DI // ldb", offLDB)
	g.p("MOVQ %d(R14), R10 // k", offK)
	g.p("MOVQ %d(R14), R12 // c", offC)
	g.p("MOVQ %d(R14), R13 // ldc", offLDC)
	// Bring the C tile towards L1 while the products run.
	g.p("MOVQ R12, R11")
	for r := 0; r < rows; r++ {
		g.p("PREFETCHT0 (R11)")
		if vecs*vb > 64 {
			g.p("PREFETCHT0 %d(R11)", vecs*vb-1)
		}
		if r < rows-1 {
			g.p("ADDQ R13, R11")
		}
	}
	for i := 0; i < nacc; i++ {
		g.p("%s", v.zero(v.reg(i)))
	}
	loop := labelName(v, rows, vecs, masked) + "loop"
	g.label(loop)
	for j := 0; j < vecs; j++ {
		switch {
		case j == last && v.avx512:
			g.p("%s.Z %d(SI), K1, %s", v.mov(), j*vb, breg(j))
		case j == last && masked:
			g.p("%s %d(SI), %s, %s", v.op("VMASKMOV"), j*vb, maskReg, breg(j))
		default:
			g.p("%s %d(SI), %s", v.mov(), j*vb, breg(j))
		}
	}
	for r := 0; r < rows; r++ {
		x := bc[r%len(bc)]
		g.p("%s %s, %s", v.bcast(), rowAddr(r), x)
		for j := 0; j < vecs; j++ {
			g.p("%s %s, %s, %s", v.op("VFMADD231"), breg(j), x, acc(r, j))
		}
	}
	g.p("ADDQ DX, AX")
	if rows > 5 {
		g.p("ADDQ DX, BX")
	}
	if rows > 10 {
		g.p("ADDQ DX, CX")
	}
	g.p("ADDQ DI, SI")
	g.p("DECQ R10")
	g.p("JNZ %s", loop)

	offAlphaV := offAlpha
	offBetaV := offAlpha + v.size()
	bz := labelName(v, rows, vecs, masked) + "bz"
	g.p("%s %d(R14), %s // alpha", v.bcast(), offAlphaV, alphaR)
	g.p("CMPQ %d(R14), $0 // betaZero", offBetaZero)
	g.p("JNE %s", bz)
	g.p("%s %d(R14), %s // beta", v.bcast(), offBetaV, betaR)
	for r := 0; r < rows; r++ {
		for j := 0; j < vecs; j++ {
			a := acc(r, j)
			g.p("%s %s, %s, %s", v.op("VMUL"), alphaR, a, a)
			switch {
			case j == last && v.avx512:
				g.p("%s.Z %d(R12), K1, %s", v.mov(), j*vb, cR)
				g.p("%s %s, %s, %s", v.op("VFMADD231"), cR, betaR, a)
				g.p("%s %s, K1, %d(R12)", v.mov(), a, j*vb)
			case j == last && masked:
				g.p("%s %d(R12), %s, %s", v.op("VMASKMOV"), j*vb, maskReg, cR)
				g.p("%s %s, %s, %s", v.op("VFMADD231"), cR, betaR, a)
				g.p("%s %s, %s, %d(R12)", v.op("VMASKMOV"), a, maskReg, j*vb)
			default:
				g.p("%s %d(R12), %s, %s", v.op("VFMADD231"), j*vb, betaR, a)
				g.p("%s %s, %d(R12)", v.mov(), a, j*vb)
			}
		}
		if r < rows-1 {
			g.p("ADDQ R13, R12")
		}
	}
	g.p("VZEROUPPER")
	g.p("RET")
	g.label(bz)
	for r := 0; r < rows; r++ {
		for j := 0; j < vecs; j++ {
			a := acc(r, j)
			g.p("%s %s, %s, %s", v.op("VMUL"), alphaR, a, a)
			switch {
			case j == last && v.avx512:
				g.p("%s %s, K1, %d(R12)", v.mov(), a, j*vb)
			case j == last && masked:
				g.p("%s %s, %s, %d(R12)", v.op("VMASKMOV"), a, maskReg, j*vb)
			default:
				g.p("%s %s, %d(R12)", v.mov(), a, j*vb)
			}
		}
		if r < rows-1 {
			g.p("ADDQ R13, R12")
		}
	}
	g.p("VZEROUPPER")
	g.p("RET")
}

func (g *gen) function(v variant) {
	typ := "float32"
	if v.f64 {
		typ = "float64"
	}
	fmt.Fprintf(&g.buf, "\n// func %s(p *kernArgs[%s])\n", v.name, typ)
	fmt.Fprintf(&g.buf, "TEXT ·%s(SB), NOSPLIT, $0-8\n", v.name)
	g.p("MOVQ p+0(FP), R14")
	g.p("MOVQ %d(R14), R10 // rows", offRows)
	g.p("MOVQ %d(R14), R11 // vecs", offVecs)
	type group struct {
		vecs   int
		masked bool
	}
	var groups []group
	for vecs := 1; vecs <= v.vmax; vecs++ {
		groups = append(groups, group{vecs, false})
		if !v.avx512 {
			groups = append(groups, group{vecs, true})
		}
	}
	if !v.avx512 {
		g.p("MOVQ %d(R14), R12 // tail", offTail)
	}
	for gi, gr := range groups {
		next := fmt.Sprintf("g%d", gi+1)
		g.label(fmt.Sprintf("g%d", gi))
		g.p("CMPQ R11, $%d", gr.vecs)
		g.p("JNE %s", next)
		if !v.avx512 {
			g.p("CMPQ R12, $%d", v.lanes())
			if gr.masked {
				g.p("JEQ %s", next)
			} else {
				g.p("JNE %s", next)
			}
		}
		for r := 1; r <= v.rmax; r++ {
			g.p("CMPQ R10, $%d", r)
			g.p("JEQ %s", labelName(v, r, gr.vecs, gr.masked))
		}
		g.p("JMP %s", next)
	}
	g.label(fmt.Sprintf("g%d", len(groups)))
	g.p("RET // unreachable: the caller passes 1 ≤ rows ≤ %d, 1 ≤ vecs ≤ %d", v.rmax, v.vmax)
	for _, gr := range groups {
		for r := 1; r <= v.rmax; r++ {
			g.kernel(v, r, gr.vecs, gr.masked)
		}
	}
}

// dot emits the kernel for rows×cols dot products C[r][j] = alpha·Σ_p A(r,p)·Bt(j,p) +
// beta·C[r][j] of A rows (row stride rsa) and B rows (row stride ldb), both contiguous
// along p: the narrow right edge of A·Bᵀ, where a broadcast kernel would leave most lanes
// idle. Here k counts full vectors and tail the elements of a last partial one (under
// K1 or the AVX2 mask); the vector sums are reduced to scalars at the end.
func (g *gen) dot(v variant, rows, cols int) {
	lbl := fmt.Sprintf("d%dc%d", rows, cols)
	g.label(lbl)
	nacc := rows * cols
	acc := func(r, j int) string { return v.reg(r*cols + j) }
	var breg, areg, tmp []string
	next := nacc
	take := func(n int) []string {
		var l []string
		for i := 0; i < n; i++ {
			l = append(l, v.reg(next))
			next++
		}
		return l
	}
	breg = take(cols)
	areg = take(1)
	maskReg := ""
	if v.avx512 {
		if next < 28 {
			areg = append(areg, v.reg(next))
			next++
		}
		tmp = []string{"Z28", "Z29", "Z30", "Z31"}
	} else {
		maskReg = "Y15"
		if next > 15 {
			panic("dot: too many registers")
		}
		tmp = []string{breg[0], areg[0]}
	}
	vb := v.vbytes()
	xs := func(r string) string { return "X" + r[1:] }
	ss := "SS"
	if v.f64 {
		ss = "SD"
	}

	if v.avx512 {
		g.p("KMOVW %d(R14), K1 // kmask", offKMask)
	} else {
		g.p("MOVQ %d(R14), R11 // maskp", offMaskP)
		g.p("VMOVDQU (R11), %s", maskReg)
	}
	g.p("MOVQ %d(R14), AX // a", offA)
	g.p("MOVQ %d(R14), R8 // rsa", offRSA)
	g.p("LEAQ (R8)(R8*2), R9")
	if rows > 5 {
		g.p("LEAQ (AX)(R8*4), BX")
		g.p("ADDQ R8, BX")
	}
	if rows > 10 {
		g.p("LEAQ (BX)(R8*4), CX")
		g.p("ADDQ R8, CX")
	}
	g.p("MOVQ %d(R14), SI // b", offB)
	g.p("MOVQ %d(R14), DI // ldb", offLDB)
	g.p("MOVQ %d(R14), R10 // k: full vectors", offK)
	for i := 0; i < nacc; i++ {
		g.p("%s", v.zero(v.reg(i)))
	}
	body := func(masked bool) {
		for j := 0; j < cols; j++ {
			addr := "(SI)"
			if j == 1 {
				addr = "(SI)(DI*1)"
			}
			switch {
			case masked && v.avx512:
				g.p("%s.Z %s, K1, %s", v.mov(), addr, breg[j])
			case masked:
				g.p("%s %s, %s, %s", v.op("VMASKMOV"), addr, maskReg, breg[j])
			default:
				g.p("%s %s, %s", v.mov(), addr, breg[j])
			}
		}
		for r := 0; r < rows; r++ {
			x := areg[r%len(areg)]
			switch {
			case masked && v.avx512:
				g.p("%s.Z %s, K1, %s", v.mov(), rowAddr(r), x)
			case masked:
				g.p("%s %s, %s, %s", v.op("VMASKMOV"), rowAddr(r), maskReg, x)
			default:
				g.p("%s %s, %s", v.mov(), rowAddr(r), x)
			}
			for j := 0; j < cols; j++ {
				g.p("%s %s, %s, %s", v.op("VFMADD231"), breg[j], x, acc(r, j))
			}
		}
	}
	g.p("TESTQ R10, R10")
	g.p("JZ %srem", lbl)
	g.label(lbl + "loop")
	body(false)
	g.p("ADDQ $%d, AX", vb)
	if rows > 5 {
		g.p("ADDQ $%d, BX", vb)
	}
	if rows > 10 {
		g.p("ADDQ $%d, CX", vb)
	}
	g.p("ADDQ $%d, SI", vb)
	g.p("DECQ R10")
	g.p("JNZ %sloop", lbl)
	g.label(lbl + "rem")
	g.p("CMPQ %d(R14), $0 // tail", offTail)
	g.p("JEQ %sred", lbl)
	body(true)
	g.label(lbl + "red")
	// Horizontal sums: each accumulator ends with its total in lane 0.
	for i := 0; i < nacc; i++ {
		a := v.reg(i)
		t := tmp[i%len(tmp)]
		if v.avx512 {
			g.p("VSHUFF64X2 $0x4E, %s, %s, %s", a, a, t)
			g.p("%s %s, %s, %s", v.op("VADD"), t, a, a)
			g.p("VSHUFF64X2 $0xB1, %s, %s, %s", a, a, t)
			g.p("%s %s, %s, %s", v.op("VADD"), t, a, a)
		} else {
			g.p("VPERM2F128 $0x01, %s, %s, %s", a, a, t)
			g.p("%s %s, %s, %s", v.op("VADD"), t, a, a)
		}
		if v.f64 {
			g.p("VPERMILPD $0x55, %s, %s", a, t)
			g.p("%s %s, %s, %s", v.op("VADD"), t, a, a)
		} else {
			g.p("VPERMILPS $0x4E, %s, %s", a, t)
			g.p("%s %s, %s, %s", v.op("VADD"), t, a, a)
			g.p("VPERMILPS $0xB1, %s, %s", a, t)
			g.p("%s %s, %s, %s", v.op("VADD"), t, a, a)
		}
	}
	alphaX, betaX := xs(breg[0]), xs(areg[0])
	if !v.avx512 {
		alphaX, betaX = "X12", "X13"
		if cols == 1 {
			alphaX, betaX = "X12", "X14"
		}
	}
	g.p("VMOV%s %d(R14), %s // alpha", ss, offAlpha, alphaX)
	g.p("VMOV%s %d(R14), %s // beta", ss, offAlpha+v.size(), betaX)
	g.p("MOVQ %d(R14), R12 // c", offC)
	g.p("MOVQ %d(R14), R13 // ldc", offLDC)
	g.p("CMPQ %d(R14), $0 // betaZero", offBetaZero)
	g.p("JNE %sbz", lbl)
	store := func(beta bool) {
		for r := 0; r < rows; r++ {
			for j := 0; j < cols; j++ {
				x := xs(acc(r, j))
				off := j * v.size()
				g.p("VMUL%s %s, %s, %s", ss, alphaX, x, x)
				if beta {
					g.p("VFMADD231%s %d(R12), %s, %s", ss, off, betaX, x)
				}
				g.p("VMOV%s %s, %d(R12)", ss, x, off)
			}
			if r < rows-1 {
				g.p("ADDQ R13, R12")
			}
		}
		g.p("VZEROUPPER")
		g.p("RET")
	}
	store(true)
	g.label(lbl + "bz")
	store(false)
}

func (g *gen) dotFunction(v variant) {
	typ := "float32"
	if v.f64 {
		typ = "float64"
	}
	name := "dot" + v.name[len("kern"):]
	fmt.Fprintf(&g.buf, "\n// func %s(p *kernArgs[%s])\n", name, typ)
	fmt.Fprintf(&g.buf, "TEXT ·%s(SB), NOSPLIT, $0-8\n", name)
	g.p("MOVQ p+0(FP), R14")
	g.p("MOVQ %d(R14), R10 // rows", offRows)
	g.p("MOVQ %d(R14), R11 // cols", offVecs)
	for cols := 1; cols <= 2; cols++ {
		g.label(fmt.Sprintf("c%d", cols))
		g.p("CMPQ R11, $%d", cols)
		g.p("JNE c%d", cols+1)
		for r := 1; r <= v.rmax; r++ {
			g.p("CMPQ R10, $%d", r)
			g.p("JEQ d%dc%d", r, cols)
		}
	}
	g.label("c3")
	g.p("RET // unreachable: the caller passes 1 ≤ rows ≤ %d, 1 ≤ cols ≤ 2", v.rmax)
	for cols := 1; cols <= 2; cols++ {
		for r := 1; r <= v.rmax; r++ {
			g.dot(v, r, cols)
		}
	}
}

func main() {
	variants := []variant{
		{name: "kernAVX512F32", avx512: true, rmax: 12, vmax: 2},
		{name: "kernAVX512F64", avx512: true, f64: true, rmax: 12, vmax: 2},
		{name: "kernAVX2F32", rmax: 6, vmax: 2},
		{name: "kernAVX2F64", f64: true, rmax: 6, vmax: 2},
	}
	g := &gen{}
	g.buf.WriteString("// Code generated by gen_kernels.go; DO NOT EDIT.\n\n")
	g.buf.WriteString("//go:build !purego\n\n")
	g.buf.WriteString("#include \"textflag.h\"\n")
	for _, v := range variants {
		g.function(v)
		g.dotFunction(v)
	}
	if err := os.WriteFile("kernels_amd64.s", g.buf.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
