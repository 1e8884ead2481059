package datasets_test

import (
	"math"
	"testing"

	"github.com/expctl/expctl/datasets"
)

// symbolAt returns the one-hot symbol of sequence s at step tt, failing unless exactly
// one channel is 1 and the others 0.
func symbolAt(t *testing.T, b *datasets.Batch, tt, s int) int {
	t.Helper()
	sym := -1
	for d := range b.InDim {
		switch b.X[(tt*b.InDim+d)*b.Size+s] {
		case 0:
		case 1:
			if sym >= 0 {
				t.Fatalf("step %d seq %d: two hot channels", tt, s)
			}
			sym = d
		default:
			t.Fatalf("step %d seq %d: input not one-hot", tt, s)
		}
	}
	if sym < 0 {
		t.Fatalf("step %d seq %d: no hot channel", tt, s)
	}
	return sym
}

func TestTemporalOrderLayout(t *testing.T) {
	for _, tc := range []struct {
		name    string
		windows [][2]int // percent of T, inclusive
	}{
		{"temporal-order", [][2]int{{10, 20}, {50, 60}}},
		{"temporal-order3", [][2]int{{10, 20}, {33, 43}, {66, 76}}},
	} {
		task := mustLookup(t, tc.name)
		const B = 300
		for _, T := range []int{10, 11, 33, 100, 157} {
			b := mustTrain(t, task, 5, T, B, 1)
			checkShape(t, task, b, T, B)
			if len(b.LossSteps) != 1 || b.LossSteps[0] != T-1 || len(b.Labels) != B || b.Y != nil {
				t.Fatalf("%s T=%d: LossSteps %v, %d labels", tc.name, T, b.LossSteps, len(b.Labels))
			}
			seen := make([]map[int]bool, len(tc.windows))
			for i := range seen {
				seen[i] = map[int]bool{}
			}
			counts := make([]int, task.OutDim)
			for s := range B {
				if symbolAt(t, b, 0, s) != 4 || symbolAt(t, b, T-1, s) != 5 {
					t.Fatalf("%s T=%d seq %d: does not start with B and end with E", tc.name, T, s)
				}
				var rel []int
				label := 0
				for tt := 1; tt < T-1; tt++ {
					switch sym := symbolAt(t, b, tt, s); {
					case sym == 6 || sym == 7:
						rel = append(rel, tt)
						label = 2*label + sym - 6
					case sym < 4:
					default:
						t.Fatalf("%s T=%d seq %d step %d: symbol %d inside the sequence", tc.name, T, s, tt, sym)
					}
				}
				if len(rel) != len(tc.windows) {
					t.Fatalf("%s T=%d seq %d: relevant steps %v", tc.name, T, s, rel)
				}
				for i, w := range tc.windows {
					if lo, hi := w[0]*T/100, w[1]*T/100; rel[i] < lo || rel[i] > hi {
						t.Fatalf("%s T=%d seq %d: relevant step %d not in [%d, %d]", tc.name, T, s, rel[i], lo, hi)
					}
					seen[i][rel[i]] = true
				}
				if b.Labels[s] != label {
					t.Fatalf("%s T=%d seq %d: label %d, want %d", tc.name, T, s, b.Labels[s], label)
				}
				counts[label]++
			}
			for i, w := range tc.windows {
				if n := w[1]*T/100 - w[0]*T/100 + 1; len(seen[i]) != n {
					t.Errorf("%s T=%d: window %d used %d of %d positions", tc.name, T, i, len(seen[i]), n)
				}
			}
			for c, n := range counts {
				if n == 0 {
					t.Errorf("%s T=%d: class %d never drawn", tc.name, T, c)
				}
			}
		}
	}
	// The paper's windows at T=100.
	if lo, hi := 10*100/100, 20*100/100; lo != 10 || hi != 20 {
		t.Fatal("window arithmetic")
	}
}

func TestLongLagLayout(t *testing.T) {
	task := mustLookup(t, "long-lag")
	const B = 64
	for _, T := range []int{1, 2, 5, 100} {
		b := mustTrain(t, task, 8, T, B, 0)
		checkShape(t, task, b, T, B)
		if len(b.LossSteps) != 1 || b.LossSteps[0] != T-1 || len(b.Labels) != B {
			t.Fatalf("T=%d: LossSteps %v", T, b.LossSteps)
		}
		for s := range B {
			if first := symbolAt(t, b, 0, s); first != 1+b.Labels[s] {
				t.Fatalf("T=%d seq %d: first symbol %d, label %d", T, s, first, b.Labels[s])
			}
			for tt := 1; tt < T; tt++ {
				if symbolAt(t, b, tt, s) != 0 {
					t.Fatalf("T=%d seq %d step %d: not the distractor", T, s, tt)
				}
			}
		}
	}
}

// The uniform prediction reaches the analytic cross-entropy within 1% on 1e5 sequences
// (exact here: it does not depend on the data), the empirical class frequencies are
// uniform, and the best single-class bet reaches the documented chance of the metric.
func TestOrderEmpiricalBaseline(t *testing.T) {
	for _, name := range []string{"temporal-order", "temporal-order3", "long-lag"} {
		task := mustLookup(t, name)
		T, B, batches := 20, 5000, 20
		if testing.Short() {
			batches = 2
		}
		K := task.OutDim
		counts := make([]int, K)
		var ce float64
		for i := range batches {
			b := mustTrain(t, task, 7, T, B, i)
			for _, l := range b.Labels {
				counts[l]++
			}
			// Uniform logits: CE = ln K per sequence.
			ce += float64(len(b.Labels)) * math.Log(float64(K))
		}
		n := float64(B * batches)
		// The best memoryless predictor outputs the empirical class frequencies; its
		// cross-entropy is their entropy.
		var h float64
		best := 0
		for c, k := range counts {
			p := float64(k) / n
			if p > 0 {
				h -= p * math.Log(p)
			}
			if k > counts[best] {
				best = c
			}
		}
		want := task.Baseline(T)
		t.Logf("%s: entropy of the labels %.5f, analytic %.5f; best bet %.4f, chance %.4f", name, h, want, float64(counts[best])/n, task.Chance)
		if math.Abs(h-want) > 0.01*want || math.Abs(ce/n-want) > 1e-12 {
			t.Errorf("%s: memoryless CE %.5f, want %.5f ± 1%%", name, h, want)
		}
		// Betting everything on one class: acc@tol equals that class's frequency.
		b := mustTrain(t, task, 7, T, B, 0)
		out := make([]float64, K*B)
		for s := range B {
			out[best*B+s] = 50
		}
		var freq int
		for _, l := range b.Labels {
			if l == best {
				freq++
			}
		}
		if got := task.Metric(b, out); got != float64(freq)/float64(B) || math.Abs(got-task.Chance) > 0.02 {
			t.Errorf("%s: single-class bet scores %.4f, want its frequency %.4f ≈ chance %.4f", name, got, float64(freq)/float64(B), task.Chance)
		}
	}
}

func TestConfidentMetric(t *testing.T) {
	for _, tc := range []struct {
		name string
		tol  float64
	}{{"temporal-order", 0.3}, {"long-lag", 0.25}} {
		task := mustLookup(t, tc.name)
		b := mustTrain(t, task, 3, 40, 4, 0)
		K := task.OutDim
		// Logits giving probability p to the true class and the rest spread evenly.
		score := func(p float64) float64 {
			out := make([]float64, K*b.Size)
			for s, l := range b.Labels {
				for k := range K {
					q := (1 - p) / float64(K-1)
					if k == l {
						q = p
					}
					out[k*b.Size+s] = math.Log(q)
				}
			}
			return task.Metric(b, out)
		}
		if got := score(1 - tc.tol + 0.01); got != 1 {
			t.Errorf("%s: p = 1-tol+0.01 scores %v, want 1", tc.name, got)
		}
		if got := score(1 - tc.tol - 0.01); got != 0 {
			t.Errorf("%s: p = 1-tol-0.01 scores %v, want 0", tc.name, got)
		}
		if !task.Solved(math.NaN(), 0.99) || task.Solved(0, 0.98) || task.Solved(0, math.NaN()) {
			t.Errorf("%s: Solved does not follow metric ≥ 0.99", tc.name)
		}
	}
}
