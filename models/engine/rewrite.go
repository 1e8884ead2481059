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
