package results

import (
	"math"
	"testing"
)

func TestSummarize(t *testing.T) {
	for _, tc := range []struct {
		in                         []float64
		mean, sd, median, min, max float64
	}{
		{[]float64{2, 4, 4, 4, 5, 5, 7, 9}, 5, math.Sqrt(32.0 / 7), 4.5, 2, 9},
		{[]float64{3, 1, 2}, 2, 1, 2, 1, 3},
		{[]float64{0.5}, 0.5, math.NaN(), 0.5, 0.5, 0.5},
	} {
		mean, sd, med, lo, hi := Summarize(tc.in)
		for _, p := range [][2]float64{{mean, tc.mean}, {sd, tc.sd}, {med, tc.median}, {lo, tc.min}, {hi, tc.max}} {
			if !(p[0] == p[1] || math.IsNaN(p[0]) && math.IsNaN(p[1]) || math.Abs(p[0]-p[1]) < 1e-12) {
				t.Errorf("Summarize(%v) = %v %v %v %v %v", tc.in, mean, sd, med, lo, hi)
				break
			}
		}
	}
	if m, _, _, _, _ := Summarize(nil); !math.IsNaN(m) {
		t.Error("mean of nothing is a number")
	}
}

func TestCellText(t *testing.T) {
	mk := func(vals []float64, states map[string]int) *Aggregate {
		c := &Aggregate{Values: vals, States: states}
		for _, n := range states {
			c.N += n
		}
		c.Mean, c.SD, c.Median, c.Min, c.Max = Summarize(vals)
		return c
	}
	for _, tc := range []struct {
		c    *Aggregate
		agg  string
		want string
	}{
		{mk([]float64{0.01, 0.02}, map[string]int{Solved: 2}), Mean, "0.015 ± 0.00707"},
		{mk([]float64{0.01, 0.02, 0.06}, map[string]int{Solved: 3}), Median, "0.02 [0.01–0.06]"},
		{mk([]float64{0.1}, map[string]int{Unsolved: 1, Diverged: 1}), Mean, "0.1 (1/2, 1 diverged)"},
		{mk(nil, map[string]int{Diverged: 2}), Mean, "2 diverged"},
		{mk(nil, map[string]int{Missing: 1, Running: 1}), Mean, "1 running, 1 missing"},
		{mk(nil, map[string]int{Unsolved: 2}), Mean, "—"},
		{mk(nil, map[string]int{Unsolved: 1, Missing: 1}), Median, "1 unsolved, 1 missing"},
		{mk([]float64{200, 200}, map[string]int{Solved: 2}), Median, "200"},
		{nil, Mean, "·"},
	} {
		if got := tc.c.Text(tc.agg); got != tc.want {
			t.Errorf("Text = %q, want %q", got, tc.want)
		}
	}
}

func TestWhereComparesNumbers(t *testing.T) {
	c, _ := Load(fixture)
	tables, err := c.Tables(Query{Where: map[string]string{"lr": "0.020", "task": "adding"}})
	if err != nil || len(tables) != 1 {
		t.Fatalf("%v, %d tables", err, len(tables))
	}
}
