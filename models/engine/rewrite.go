package engine

import "sort"

// scatterSums compiles a sum of slice increments, Σ_k zeros(shape)[slice_k] += g_k, as
// one kernel that writes every g_k into its slice of a single buffer: Gorgonia
// differentiates a split into gate blocks as one full-size increment per block, added up.
// When the slices tile the buffer nothing is zeroed or added, only copied.
func (c *core[T]) scatterSums() {
	users := make([]int, len(c.slots))
	for _, i := range c.order {
		for _, a := range c.instrs[i].args {
			users[a]++
		}
	}
	isAdd := func(i int) bool {
		in := c.instrs[i]
		return in != nil && in.opName == "+ false" && in.fn != nil && len(in.args) == 2 &&
			c.slots[in.args[0]].size == c.slots[i].size && c.slots[in.args[1]].size == c.slots[i].size
	}
	for k := len(c.order) - 1; k >= 0; k-- {
		root := c.order[k]
		if c.instrs[root] == nil || !isAdd(root) {
			continue
		}
		var leaves []int
		ok := true
		var collect func(i int)
		collect = func(i int) {
			in := c.instrs[i]
			switch {
			case !ok:
			case in != nil && in.geom != nil && users[i] == 1 && c.slots[i].size == c.slots[root].size &&
				c.slots[in.args[1]].size == in.geom.outer*in.geom.count*in.geom.inner:
				leaves = append(leaves, i)
			case in != nil && i != root && isAdd(i) && users[i] == 1:
				collect(in.args[0])
				collect(in.args[1])
			case i == root:
				collect(in.args[0])
				collect(in.args[1])
			default:
				ok = false
			}
		}
		collect(root)
		if !ok || len(leaves) < 2 {
			continue
		}
		geoms := make([]sliceGeometry, len(leaves))
		args := make([]int, len(leaves))
		for j, l := range leaves {
			geoms[j], args[j] = *c.instrs[l].geom, c.instrs[l].args[1]
		}
		tiles := tiling(geoms)
		in := c.instrs[root]
		in.args, in.av, in.opName = args, make([][]T, len(args)), "Σ slice increments"
		in.fn = func(out []T, a [][]T) error {
			if !tiles {
				clear(out)
			}
			for j, g := range geoms {
				src, n := a[j], 0
				for o := 0; o < g.outer; o++ {
					base := o * g.dim * g.inner
					for r := 0; r < g.count; r++ {
						off := base + (g.start+r*g.step)*g.inner
						if tiles {
							copy(out[off:off+g.inner], src[n:n+g.inner])
						} else {
							addVV(out[off:off+g.inner], out[off:off+g.inner], src[n:n+g.inner])
						}
						n += g.inner
					}
				}
			}
			return nil
		}
		// The leaves and inner sums are no longer read; prune drops them.
		for _, l := range leaves {
			users[l]--
		}
	}
}

// tiling reports whether slices of one geometry cover every row exactly once.
func tiling(gs []sliceGeometry) bool {
	type span struct{ lo, hi int }
	var spans []span
	for _, g := range gs {
		if g.outer != gs[0].outer || g.dim != gs[0].dim || g.inner != gs[0].inner || (g.step != 1 && g.count != 1) {
			return false
		}
		spans = append(spans, span{g.start, g.start + g.count})
	}
	sort.Slice(spans, func(a, b int) bool { return spans[a].lo < spans[b].lo })
	next := 0
	for _, s := range spans {
		if s.lo != next {
			return false
		}
		next = s.hi
	}
	return next == gs[0].dim
}

// fuseColumnOps computes z + repeat(b) and z ⊙ repeat(b), for a column vector b broadcast
// across the columns of z (Gorgonia's BroadcastAdd and BroadcastHadamardProd: gate biases
// and peephole weights), in one pass without the repeated copy.
func (c *core[T]) fuseColumnOps() {
	users := make([]int, len(c.slots))
	for _, i := range c.order {
		if in := c.instrs[i]; in != nil {
			for _, a := range in.args {
				users[a]++
			}
		}
	}
	for _, i := range c.order {
		in := c.instrs[i]
		if in == nil || (in.opName != "+ false" && in.opName != "⊙ false") || in.fn == nil || len(in.args) != 2 || len(c.slots[i].shape) != 2 {
			continue
		}
		mul := in.opName == "⊙ false"
		for k := range 2 {
			z, r := in.args[k], in.args[1-k]
			rep := c.instrs[r]
			if rep == nil || !rep.column || users[r] != 1 || c.slots[z].size != c.slots[i].size {
				continue
			}
			rows, cols := c.slots[i].shape[0], c.slots[i].shape[1]
			in.args, in.av = []int{z, rep.args[0]}, make([][]T, 2)
			in.opName = "+ column"
			if mul {
				in.opName = "⊙ column"
			}
			in.fn = func(out []T, a [][]T) error {
				x, b := a[0], a[1]
				for r := 0; r < rows; r++ {
					v, row, src := b[r], out[r*cols:(r+1)*cols], x[r*cols:(r+1)*cols]
					if mul {
						for j := range row {
							row[j] = src[j] * v
						}
					} else {
						for j := range row {
							row[j] = src[j] + v
						}
					}
				}
				return nil
			}
			break
		}
	}
}
