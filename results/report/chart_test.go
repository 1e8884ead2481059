package report

import "testing"

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
