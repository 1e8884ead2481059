package report

import (
	"math"
	"testing"
)

func TestPlotLogTicks(t *testing.T) {
	for _, r := range [][2]float64{{0.69, 0.84}, {0.003, 1}, {0.69, 2.4}, {1e-6, 1e3}, {1e-12, 1e12}, {150, 400}} {
		ticks := logTicks{}.Ticks(r[0], r[1])
		var labels []string
		for _, tk := range ticks {
			if tk.Label != "" {
				labels = append(labels, tk.Label)
				if tk.Value < r[0]*(1-1e-9) || tk.Value > r[1]*(1+1e-9) {
					t.Errorf("%v: tick %v out of range", r, tk.Value)
				}
			}
		}
		if len(labels) < 2 || len(labels) > 14 {
			t.Errorf("%v: labels %v", r, labels)
		}
	}
}

// TestPlotLogTicksWideRange: over tens of decades (gradient norms that fall from 1 to
// 1e-45) the ticks are the powers of ten, not nine a decade, which draw a solid bar.
func TestPlotLogTicksWideRange(t *testing.T) {
	ticks := logTicks{}.Ticks(1e-45, 1e3)
	if len(ticks) != 49 {
		t.Errorf("%d ticks over 48 decades, want 49 (the powers of ten)", len(ticks))
	}
	for _, tk := range ticks {
		if e := math.Log10(tk.Value); math.Abs(e-math.Round(e)) > 1e-9 {
			t.Errorf("tick %v is not a power of ten", tk.Value)
		}
	}
	// A few decades keep the ticks between the powers of ten.
	if n := len(logTicks{}.Ticks(1e-3, 1e3)); n != 55 {
		t.Errorf("%d ticks over 6 decades, want 55", n)
	}
}
