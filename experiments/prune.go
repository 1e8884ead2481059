package experiments

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Pruning stops unpromising trials before the end of their budget. Two rules exist, and
// a spec's prune section sets either or both:
//
//	prune:
//	  plateau:            # per trial
//	    delta: 0.01       # relative improvement of the best test loss that counts
//	    patience: 8       # evaluations without it before the trial is pruned
//	    min_steps: 2000   # never before this step
//	  halving:            # successive halving over groups of trials
//	    over: [lr]        # the keys that vary within a group
//	    rungs: [500, 1000, 2000]
//	    factor: 3         # at each rung the best ⌈n/3⌉ of a group's n trials go on
//
// Both decide from the trials' recorded learning curves only, so a sweep prunes the same
// trials whatever its number of workers, its kills and resumes, and its shards.

// Plateau is the per-trial plateau rule: a trial is pruned at an evaluation at step ≥
// MinSteps when the best test loss of its last Patience evaluations is not below the best
// test loss before them by more than the fraction Delta of it.
type Plateau struct {
	Patience int     // evaluations; 0 disables the rule
	Delta    float64 // relative improvement, in [0, 1)
	MinSteps int
}

// Plateau returns the config's plateau rule; its Patience is 0 when the rule is off.
func (c Config) Plateau() Plateau {
	return Plateau{Patience: c.PlateauPatience, Delta: c.PlateauDelta, MinSteps: c.PlateauMinSteps}
}

// Check applies the rule to a learning curve: steps[i] and losses[i] are the step and
// test loss of evaluation i, in order, the last one just made. It reports whether the
// trial is pruned there and, if so, why in words. Non-finite losses never count as an
// improvement.
func (p Plateau) Check(steps []int, losses []float64) (prune bool, reason string) {
	n := len(losses)
	if p.Patience <= 0 || n <= p.Patience || steps[n-1] < p.MinSteps {
		return false, ""
	}
	before, at := bestLoss(steps[:n-p.Patience], losses[:n-p.Patience])
	recent, _ := bestLoss(steps[n-p.Patience:], losses[n-p.Patience:])
	if math.IsInf(before, 1) {
		return false, "" // nothing finite to improve on yet
	}
	if recent < before*(1-p.Delta) {
		return false, ""
	}
	return true, fmt.Sprintf("best test loss %.4g (step %d) not improved by %s in the %d evaluations to step %d",
		before, at, percent(p.Delta), p.Patience, steps[n-1])
}

// bestLoss is the lowest finite loss and its step; +Inf and -1 when there is none.
func bestLoss(steps []int, losses []float64) (best float64, step int) {
	best, step = math.Inf(1), -1
	for i, l := range losses {
		if !math.IsNaN(l) && !math.IsInf(l, 0) && l < best {
			best, step = l, steps[i]
		}
	}
	return best, step
}

func percent(f float64) string {
	return strconv.FormatFloat(f*100, 'g', 4, 64) + "%"
}

// Halving is a successive-halving policy. The trials of a sweep that agree on every
// field except those in Over form a group. At each rung (a step count) the group's trials
// that are still in the race are ranked, and the best ⌈n/Factor⌉ of those n go on to the
// next rung; the others still training are pruned at that step. After the last rung the
// survivors run to the end of their budget.
type Halving struct {
	Over   []string // field keys that vary within a group, in field order
	Rungs  []int    // increasing steps, multiples of eval_every, below steps
	Factor int      // ≥ 2
}

const halvingWant = "over=KEY[,KEY...];rungs=STEP[,STEP...];factor=N with known field keys, increasing rungs that are multiples of eval_every and below steps, and N ≥ 2"

// ParseHalving parses the form [Halving.String] writes, e.g.
// "over=lr;rungs=500,1000;factor=3".
func ParseHalving(s string) (Halving, error) {
	var h Halving
	bad := func(why string) (Halving, error) {
		return Halving{}, &ConfigError{Field: "halving", Value: strconv.Quote(s), Want: halvingWant + " (" + why + ")"}
	}
	parts := strings.Split(s, ";")
	if len(parts) != 3 {
		return bad("three parts separated by ';'")
	}
	for i, want := range []string{"over", "rungs", "factor"} {
		k, v, ok := strings.Cut(parts[i], "=")
		if !ok || k != want || v == "" {
			return bad("part " + strconv.Itoa(i+1) + " is " + want + "=...")
		}
		switch k {
		case "over":
			h.Over = strings.Split(v, ",")
		case "rungs":
			for _, r := range strings.Split(v, ",") {
				n, err := strconv.Atoi(r)
				if err != nil {
					return bad("rung " + strconv.Quote(r) + " is not an integer")
				}
				h.Rungs = append(h.Rungs, n)
			}
		case "factor":
			n, err := strconv.Atoi(v)
			if err != nil {
				return bad("factor is not an integer")
			}
			h.Factor = n
		}
	}
	if why := h.check(); why != "" {
		return bad(why)
	}
	return h, nil
}

// check returns what is wrong with h on its own, "" if nothing.
func (h Halving) check() string {
	if len(h.Over) == 0 {
		return "over names no key"
	}
	last := -1
	for _, k := range h.Over {
		f, ok := fieldByKey(k)
		switch {
		case !ok:
			return "over: unknown field " + strconv.Quote(k)
		case f.SpecKey != "" || strings.HasPrefix(k, "plateau_"):
			return "over: " + k + " is part of the prune policy"
		case f.index <= last:
			return "over: keys in field order, each once"
		}
		last = f.index
	}
	if len(h.Rungs) == 0 {
		return "no rung"
	}
	for i, r := range h.Rungs {
		if r < 1 || (i > 0 && r <= h.Rungs[i-1]) {
			return "rungs are increasing steps ≥ 1"
		}
	}
	if h.Factor < 2 {
		return "factor ≥ 2"
	}
	return ""
}

// fieldByKey is LookupField, through a variable: the field table's checks use it, so
// referring to the table directly would make its initialisation circular.
var fieldByKey func(key string) (*Field, bool)

func init() { fieldByKey = LookupField }

// String is the canonical form of h, the value of the halving field.
func (h Halving) String() string {
	rungs := make([]string, len(h.Rungs))
	for i, r := range h.Rungs {
		rungs[i] = strconv.Itoa(r)
	}
	return fmt.Sprintf("over=%s;rungs=%s;factor=%d", strings.Join(h.Over, ","), strings.Join(rungs, ","), h.Factor)
}

// HalvingPolicy returns the config's successive-halving policy; ok is false when it has none.
func (c Config) HalvingPolicy() (h Halving, ok bool, err error) {
	if c.Halving == "" {
		return Halving{}, false, nil
	}
	h, err = ParseHalving(c.Halving)
	return h, err == nil, err
}

// checkHalving runs after steps and eval_every are valid.
func checkHalving(c Config, v any) string {
	s := v.(string)
	if s == "" {
		return ""
	}
	h, err := ParseHalving(s)
	if err != nil {
		return halvingWant
	}
	if s != h.String() {
		return "the canonical form " + strconv.Quote(h.String())
	}
	for _, r := range h.Rungs {
		if r%c.EvalEvery != 0 || r >= c.Steps {
			return fmt.Sprintf("rungs that are multiples of eval_every %d and below steps %d (rung %d is not)", c.EvalEvery, c.Steps, r)
		}
	}
	return ""
}

// Group names the halving group of a config: configs with equal groups differ only in
// the fields the policy's Over lists. Without a policy every config is its own group.
func (c Config) Group() string {
	h, ok, _ := c.HalvingPolicy()
	if !ok {
		return c.ID()
	}
	for _, k := range h.Over {
		f := fieldIndex[k]
		zero := Config{}
		f.Set(&c, f.Value(zero))
	}
	return string(c.Canonical())
}

// RungPoint is one evaluation of a trial's learning curve, as successive halving reads it.
type RungPoint struct {
	Step     int
	TestLoss float64 // NaN or ±Inf when the trial diverged
	Solved   bool    // the trial's solve criterion holds at this evaluation
}

// RungTrial is a trial of a halving group as its records show it.
type RungTrial struct {
	ID       string
	Curve    []RungPoint // its evaluations so far, in order
	Finished bool        // it has a result (any status): it trains no more
	Failed   bool        // its result is a failure: it ranks last
}

// Decision is what successive halving has decided for a group so far.
type Decision struct {
	// Decided is the number of rungs decided: every trial still in the race at rung k
	// < Decided had reached it (or finished) when it was ranked.
	Decided int
	// Pruned maps the id of each trial pruned so far to the index of its rung.
	Pruned map[string]int
	// Reasons gives, for each pruned trial, why in words.
	Reasons map[string]string
}

// Decide ranks the group's trials at each rung in turn, as far as their curves allow:
// rung k is decided once every trial still in the race has an evaluation at step
// Rungs[k] or later, or has finished. Every trial starts in the race; one ranked below
// the best ⌈n/Factor⌉ at a rung leaves it. A trial's rank at a rung comes from its evaluations up to the
// rung: first the trials solved by then, then by lowest finite test loss (a trial that
// diverged or failed by then ranks last), then by id. The best ⌈n/Factor⌉ of the n
// trials in the race go on; the others still training are pruned at the rung, except
// those solved (with keep_going they train on). A finished trial keeps its place in the
// race by its rank. The decision depends on the curves only, not on the order in
// which the trials ran.
func (h Halving) Decide(group []RungTrial) Decision {
	d := Decision{Pruned: map[string]int{}, Reasons: map[string]string{}}
	type ranked struct {
		t      *RungTrial
		solved bool
		best   float64
	}
	out := map[string]bool{} // ranked out of the race at an earlier rung
	for k, rung := range h.Rungs {
		var race []ranked
		for i := range group {
			t := &group[i]
			if out[t.ID] {
				continue
			}
			if !t.Finished && (len(t.Curve) == 0 || t.Curve[len(t.Curve)-1].Step < rung) {
				return d // not there yet
			}
			r := ranked{t: t, best: math.Inf(1)}
			broken := t.Failed
			for _, p := range t.Curve {
				if p.Step > rung {
					break
				}
				r.solved = r.solved || p.Solved
				switch {
				case math.IsNaN(p.TestLoss) || math.IsInf(p.TestLoss, 0):
					broken = true
				case p.TestLoss < r.best:
					r.best = p.TestLoss
				}
			}
			if broken && !r.solved {
				r.best = math.Inf(1)
			}
			race = append(race, r)
		}
		slices.SortFunc(race, func(a, b ranked) int {
			switch {
			case a.solved != b.solved:
				if a.solved {
					return -1
				}
				return 1
			case a.best != b.best:
				if a.best < b.best {
					return -1
				}
				return 1
			}
			return strings.Compare(a.t.ID, b.t.ID)
		})
		keep := (len(race) + h.Factor - 1) / h.Factor
		for i, r := range race {
			if i < keep || r.solved {
				continue
			}
			out[r.t.ID] = true
			if r.t.Finished {
				continue // it trains no more anyway
			}
			d.Pruned[r.t.ID] = k
			d.Reasons[r.t.ID] = fmt.Sprintf("ranked %d of %d in its group at step %d (best test loss %.4g); the best %d went on",
				i+1, len(race), rung, r.best, keep)
		}
		d.Decided = k + 1
	}
	return d
}
