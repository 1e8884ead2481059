package datasets_test

import (
	"math"
	"testing"
)

func TestAddingLayout(t *testing.T) {
	task := mustLookup(t, "adding")
	const B = 257
	for _, T := range []int{2, 3, 4, 5, 7, 10, 101, 200} {
		for i := range 3 {
			b := mustTrain(t, task, 42, T, B, i)
			checkShape(t, task, b, T, B)
			if len(b.LossSteps) != 1 || b.LossSteps[0] != T-1 {
				t.Fatalf("T=%d: LossSteps = %v, want [%d]", T, b.LossSteps, T-1)
			}
			half := T / 2
			for s := range B {
				var first, second []int
				var sum float64
				for tt := range T {
					v := b.X[(tt*2+0)*B+s]
					m := b.X[(tt*2+1)*B+s]
					if v < 0 || v >= 1 {
						t.Fatalf("T=%d seq %d step %d: value %v not in [0,1)", T, s, tt, v)
					}
					switch m {
					case 0:
					case 1:
						sum += v
						if tt < half {
							first = append(first, tt)
						} else {
							second = append(second, tt)
						}
					default:
						t.Fatalf("T=%d seq %d step %d: marker %v not 0 or 1", T, s, tt, m)
					}
				}
				if len(first) != 1 || len(second) != 1 {
					t.Fatalf("T=%d seq %d: markers in first half %v, second half %v; want one each", T, s, first, second)
				}
				if y := b.Y[s]; y != sum {
					t.Fatalf("T=%d seq %d: target %v, want sum of marked values %v", T, s, y, sum)
				}
			}
		}
	}
}

// Every position of each half is used as a marker position.
func TestAddingMarkerCoverage(t *testing.T) {
	task := mustLookup(t, "adding")
	const T, B = 9, 2000 // halves [0,4) and [4,9)
	b := mustTrain(t, task, 1, T, B, 0)
	var count [T]int
	for tt := range T {
		for s := range B {
			if b.X[(tt*2+1)*B+s] == 1 {
				count[tt]++
			}
		}
	}
	for tt, c := range count {
		n := 5
		if tt < T/2 {
			n = 4
		}
		want := float64(B) / float64(n)
		if math.Abs(float64(c)-want) > 0.2*want {
			t.Errorf("position %d marked %d times, want about %.0f", tt, c, want)
		}
	}
}

// Predicting 1.0 on 1e5 sequences gives MSE within 1% of 1/6.
func TestAddingEmpiricalBaseline(t *testing.T) {
	task := mustLookup(t, "adding")
	const T, B, batches = 20, 5000, 20
	var sum float64
	for i := range batches {
		b := mustTrain(t, task, 7, T, B, i)
		for _, y := range b.Y {
			sum += (1 - y) * (1 - y)
		}
	}
	got, want := sum/(B*batches), task.Baseline(T)
	t.Logf("empirical %.5f, analytic %.5f", got, want)
	if math.Abs(got-want) > 0.01*want {
		t.Errorf("empirical MSE of predicting 1.0 = %.5f, want %.5f ± 1%%", got, want)
	}
}

func TestAddingMetric(t *testing.T) {
	task := mustLookup(t, "adding")
	b := mustTrain(t, task, 3, 50, 100, 0)
	for _, tc := range []struct {
		name  string
		shift func(i int) float64
		want  float64
	}{
		{"perfect", func(int) float64 { return 0 }, 1},
		{"off by +0.05", func(int) float64 { return 0.05 }, 0},
		{"off by -0.05", func(int) float64 { return -0.05 }, 0},
		{"within 0.03", func(int) float64 { return 0.03 }, 1},
		{"half off", func(i int) float64 { return float64(i%2) * 0.05 }, 0.5},
	} {
		out := make([]float64, len(b.Y))
		for i, y := range b.Y {
			out[i] = y + tc.shift(i)
		}
		if got := task.Metric(b, out); got != tc.want {
			t.Errorf("%s: metric = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestMetricPanicsOnShapeMismatch(t *testing.T) {
	for _, name := range []string{"adding", "copy"} {
		task := mustLookup(t, name)
		b := mustTrain(t, task, 3, 5, 4, 0)
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Metric with short out did not panic", name)
				}
			}()
			task.Metric(b, make([]float64, 3))
		}()
	}
	// A batch of another task is rejected.
	cb := mustTrain(t, mustLookup(t, "copy"), 3, 5, 4, 0)
	func() {
		defer func() {
			if recover() == nil {
				t.Error("adding.Metric on a copy batch did not panic")
			}
		}()
		mustLookup(t, "adding").Metric(cb, make([]float64, len(cb.Labels)*10))
	}()
}
