package experiments

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

func TestPlateauCheck(t *testing.T) {
	steps := []int{0, 100, 200, 300, 400, 500}
	p := Plateau{Patience: 3, Delta: 0.01, MinSteps: 0}
	for _, tc := range []struct {
		name   string
		losses []float64
		rule   Plateau
		prune  bool
	}{
		// best before the last 3: 0.5 (step 200); best of the last 3 must be < 0.495
		{"flat", []float64{1, 0.6, 0.5, 0.5, 0.499, 0.496}, p, true},
		{"just improving", []float64{1, 0.6, 0.5, 0.5, 0.499, 0.4949}, p, false},
		{"rising", []float64{1, 0.6, 0.5, 0.7, 0.8, 0.9}, p, true},
		{"delta 0: any improvement counts", []float64{1, 0.6, 0.5, 0.5, 0.5, 0.49999}, Plateau{Patience: 3}, false},
		{"delta 0: equal is no improvement", []float64{1, 0.6, 0.5, 0.5, 0.5, 0.5}, Plateau{Patience: 3}, true},
		{"before min_steps", []float64{1, 0.6, 0.5, 0.5, 0.5, 0.5}, Plateau{Patience: 3, Delta: 0.01, MinSteps: 600}, false},
		{"at min_steps", []float64{1, 0.6, 0.5, 0.5, 0.5, 0.5}, Plateau{Patience: 3, Delta: 0.01, MinSteps: 500}, true},
		{"too few evaluations", []float64{1, 0.6, 0.5, 0.5, 0.5, 0.5}, Plateau{Patience: 6, Delta: 0.01}, false},
		{"off", []float64{1, 1, 1, 1, 1, 1}, Plateau{}, false},
		{"NaN is no improvement", []float64{1, 0.6, 0.5, math.NaN(), math.NaN(), math.NaN()}, p, true},
		{"nothing finite before", []float64{math.NaN(), math.NaN(), math.NaN(), 0.5, 0.5, 0.5}, p, false},
	} {
		got, why := tc.rule.Check(steps, tc.losses)
		if got != tc.prune {
			t.Errorf("%s: prune %v (%s), want %v", tc.name, got, why, tc.prune)
		}
		if got && !strings.Contains(why, "not improved") {
			t.Errorf("%s: reason %q", tc.name, why)
		}
	}
	_, why := p.Check(steps, []float64{1, 0.6, 0.5, 0.5, 0.499, 0.496})
	if want := "best test loss 0.5 (step 200) not improved by 1% in the 3 evaluations to step 500"; why != want {
		t.Errorf("reason %q, want %q", why, want)
	}
}

func TestParseHalving(t *testing.T) {
	h, err := ParseHalving("over=lr,seed;rungs=500,1000;factor=3")
	if err != nil {
		t.Fatal(err)
	}
	if h.String() != "over=lr,seed;rungs=500,1000;factor=3" || h.Factor != 3 || len(h.Rungs) != 2 || h.Over[1] != "seed" {
		t.Errorf("parsed %+v", h)
	}
	for _, bad := range []string{"", "over=lr;rungs=500", "rungs=500;over=lr;factor=3", "over=;rungs=500;factor=3",
		"over=nope;rungs=500;factor=3", "over=seed,lr;rungs=500;factor=3", "over=lr,lr;rungs=500;factor=3",
		"over=halving;rungs=500;factor=3", "over=plateau_delta;rungs=500;factor=3",
		"over=lr;rungs=500,500;factor=3", "over=lr;rungs=0;factor=3", "over=lr;rungs=x;factor=3",
		"over=lr;rungs=500;factor=1", "over=lr;rungs=500;factor=two"} {
		var ce *ConfigError
		if _, err := ParseHalving(bad); !errors.As(err, &ce) || ce.Field != "halving" {
			t.Errorf("%q: %v", bad, err)
		}
	}
	c := DefaultConfig() // steps 3000, eval_every 100
	for s, ok := range map[string]bool{
		"over=lr;rungs=500,1000;factor=3": true,
		"over=lr;rungs=550;factor=3":      false, // not a multiple of eval_every
		"over=lr;rungs=3000;factor=3":     false, // not below steps
		"over=lr;rungs=0500;factor=3":     false, // not canonical
	} {
		c.Halving = s
		if err := c.Validate(); (err == nil) != ok {
			t.Errorf("halving %q: Validate %v", s, err)
		}
	}
}

func TestGroup(t *testing.T) {
	a := DefaultConfig()
	a.Halving = "over=lr;rungs=500;factor=2"
	b := a
	b.LR = 0.01
	c := a
	c.Seed = 2
	if a.Group() != b.Group() {
		t.Error("configs that differ in lr only are in different groups")
	}
	if a.Group() == c.Group() {
		t.Error("configs that differ in seed are in the same group")
	}
	a.Halving, b.Halving = "", ""
	if a.Group() == b.Group() {
		t.Error("without halving, two configs share a group")
	}
}

// curve builds a learning curve from losses evaluated every 100 steps from step 0.
func curve(losses ...float64) []RungPoint {
	out := make([]RungPoint, len(losses))
	for i, l := range losses {
		out[i] = RungPoint{Step: 100 * i, TestLoss: l}
	}
	return out
}

func TestHalvingDecide(t *testing.T) {
	h := Halving{Over: []string{"lr"}, Rungs: []int{100, 300}, Factor: 2}
	group := []RungTrial{
		{ID: "a", Curve: curve(1, 0.9, 0.8, 0.7)},
		{ID: "b", Curve: curve(1, 0.5, 0.5, 0.6)},
		{ID: "c", Curve: curve(1, 0.95)},
		{ID: "d", Curve: curve(1, 0.92, 0.2, 0.1)},
	}
	d := h.Decide(group)
	// rung 100: b 0.5, a 0.9, d 0.92, c 0.95 → keep 2: b, a. rung 300: a 0.7, b 0.5 → keep b.
	if d.Decided != 2 || len(d.Pruned) != 3 || d.Pruned["c"] != 0 || d.Pruned["d"] != 0 || d.Pruned["a"] != 1 {
		t.Errorf("decision %+v", d)
	}
	if _, ok := d.Pruned["b"]; ok {
		t.Errorf("b, the best, pruned: %+v", d)
	}
	if want := "ranked 3 of 4 in its group at step 100 (best test loss 0.92); the best 2 went on"; d.Reasons["d"] != want {
		t.Errorf("reason %q", d.Reasons["d"])
	}

	// The order of the group's trials does not matter.
	rev := []RungTrial{group[3], group[2], group[1], group[0]}
	if d2 := h.Decide(rev); d2.Decided != d.Decided || len(d2.Pruned) != len(d.Pruned) || d2.Pruned["a"] != 1 {
		t.Errorf("reversed group: %+v", d2)
	}

	// A rung waits for every trial in the race: c has not reached 100.
	short := []RungTrial{group[0], group[1], {ID: "c", Curve: curve(1)}}
	if d := h.Decide(short); d.Decided != 0 || len(d.Pruned) != 0 {
		t.Errorf("undecidable rung decided: %+v", d)
	}
	// ... unless it has finished (here: diverged, ranked last, so a and b go on at 100).
	short[2] = RungTrial{ID: "c", Curve: []RungPoint{{Step: 0, TestLoss: 1}, {Step: 50, TestLoss: math.NaN()}}, Finished: true}
	d = h.Decide(short)
	if d.Decided != 2 || len(d.Pruned) != 1 || d.Pruned["a"] != 1 {
		t.Errorf("finished trial: %+v", d)
	}

	// A solved trial ranks first and is never pruned; ties go by id.
	solved := []RungTrial{
		{ID: "x", Curve: []RungPoint{{0, 1, false}, {100, 0.3, true}}, Finished: true},
		{ID: "y", Curve: curve(1, 0.1)},
		{ID: "z", Curve: curve(1, 0.1)},
	}
	d = (Halving{Over: []string{"lr"}, Rungs: []int{100}, Factor: 3}).Decide(solved)
	if len(d.Pruned) != 2 || d.Pruned["y"] != 0 || d.Pruned["z"] != 0 {
		t.Errorf("solved first: %+v", d)
	}
	solved[1].Curve[1].TestLoss = 0.09
	d = (Halving{Over: []string{"lr"}, Rungs: []int{100}, Factor: 2}).Decide(solved)
	if len(d.Pruned) != 1 || d.Pruned["z"] != 0 {
		t.Errorf("keep 2 of 3: %+v", d)
	}
}

// A group of three learning rates ranked at step 100, the best ⌈3/2⌉ = 2 going on.
func ExampleHalving_Decide() {
	h := Halving{Over: []string{"lr"}, Rungs: []int{100}, Factor: 2}
	d := h.Decide([]RungTrial{
		{ID: "lr=0.001", Curve: []RungPoint{{0, 1.2, false}, {100, 0.16, false}}},
		{ID: "lr=0.01", Curve: []RungPoint{{0, 1.2, false}, {100, 0.05, false}}},
		{ID: "lr=0.1", Curve: []RungPoint{{0, 1.2, false}, {100, 0.9, false}}},
	})
	fmt.Println(d.Decided, d.Pruned)
	fmt.Println(d.Reasons["lr=0.1"])
	// Output:
	// 1 map[lr=0.1:0]
	// ranked 3 of 3 in its group at step 100 (best test loss 0.9); the best 2 went on
}
