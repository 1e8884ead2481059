package datasets_test

import (
	"math"
	"testing"
)

func TestCopyLayout(t *testing.T) {
	task := mustLookup(t, "copy")
	const B, D = 33, 10
	for _, T := range []int{1, 2, 3, 10, 57, 100} {
		b := mustTrain(t, task, 9, T, B, 1)
		checkShape(t, task, b, T, B)
		L := T + 20
		if len(b.LossSteps) != L {
			t.Fatalf("T=%d: %d loss steps, want %d", T, len(b.LossSteps), L)
		}
		for j, step := range b.LossSteps {
			if step != j {
				t.Fatalf("T=%d: LossSteps[%d] = %d, want %d", T, j, step, j)
			}
		}
		for s := range B {
			syms := make([]int, L)
			for tt := range L {
				hot, ones := -1, 0
				for d := range D {
					switch b.X[(tt*D+d)*B+s] {
					case 0:
					case 1:
						hot, ones = d, ones+1
					default:
						t.Fatalf("T=%d seq %d step %d: non-binary input", T, s, tt)
					}
				}
				if ones != 1 {
					t.Fatalf("T=%d seq %d step %d: %d ones, want one-hot", T, s, tt, ones)
				}
				syms[tt] = hot
			}
			for tt, sym := range syms {
				var ok bool
				switch {
				case tt < 10:
					ok = sym >= 1 && sym <= 8
				case tt == T+9:
					ok = sym == 9
				default: // blanks at 10..T+8 and T+10..T+19
					ok = sym == 0
				}
				if !ok {
					t.Fatalf("T=%d seq %d: input symbol %d at step %d", T, s, sym, tt)
				}
			}
			for tt := range L {
				want := 0
				if tt >= T+10 {
					want = syms[tt-(T+10)]
				}
				if got := b.Labels[tt*B+s]; got != want {
					t.Fatalf("T=%d seq %d step %d: label %d, want %d", T, s, tt, got, want)
				}
			}
		}
	}
}

// The cross-entropy of the best memoryless predictor (the per-step empirical
// marginal of the targets) on 1e5 sequences is within 1% of 10·ln 8/(T+20).
func TestCopyEmpiricalBaseline(t *testing.T) {
	task := mustLookup(t, "copy")
	const B, batches, K = 5000, 20, 10
	for _, T := range []int{10, 100} {
		L := T + 20
		counts := make([][K]float64, L)
		for i := range batches {
			b := mustTrain(t, task, 13, T, B, i)
			for j := range b.LossSteps {
				for s := range B {
					counts[j][b.Labels[j*B+s]]++
				}
			}
		}
		const total = B * batches
		var ce float64
		for j := range L {
			for _, c := range counts[j] {
				if c > 0 {
					p := c / total
					ce -= c * math.Log(p)
				}
			}
		}
		ce /= total * float64(L)
		want := task.Baseline(T)
		t.Logf("T=%d: empirical %.5f, analytic %.5f", T, ce, want)
		if math.Abs(ce-want) > 0.01*want {
			t.Errorf("T=%d: empirical memoryless CE = %.5f, want %.5f ± 1%%", T, ce, want)
		}
	}
}

func TestCopyMetric(t *testing.T) {
	task := mustLookup(t, "copy")
	const T, B, K = 15, 2000, 10
	b := mustTrain(t, task, 21, T, B, 0)
	N := len(b.LossSteps) * B
	logits := func(f func(n int) int) []float64 {
		out := make([]float64, K*N)
		for n := range N {
			for k := range K {
				out[k*N+n] = -1
			}
			if c := f(n); c >= 0 {
				out[c*N+n] = 2
			}
		}
		return out
	}
	perfect := logits(func(n int) int { return b.Labels[n] })
	if got := task.Metric(b, perfect); got != 1 {
		t.Errorf("perfect logits: recall_acc = %v, want 1", got)
	}
	// Always predicting the same data symbol is right about 1/8 of the time.
	for _, c := range []int{1, 5, 8} {
		got := task.Metric(b, logits(func(int) int { return c }))
		if math.Abs(got-0.125) > 0.02 {
			t.Errorf("constant logits for symbol %d: recall_acc = %.4f, want about 1/8", c, got)
		}
	}
	// All-equal logits: ties go to class 0 (blank), never a data symbol.
	if got := task.Metric(b, logits(func(int) int { return -1 })); got != 0 {
		t.Errorf("all-equal logits: recall_acc = %v, want 0", got)
	}
	// Perfect on the blanks but wrong on the recall steps scores 0: only the
	// last 10 steps count.
	wrong := logits(func(n int) int {
		if n/B >= T+10 {
			return 9
		}
		return b.Labels[n]
	})
	if got := task.Metric(b, wrong); got != 0 {
		t.Errorf("wrong recall: recall_acc = %v, want 0", got)
	}
	// The metric reads only recall steps, so a slice scores the same.
	sb := b.Slice(0, 10)
	sN := len(sb.LossSteps) * 10
	sout := make([]float64, K*sN)
	for n := range sN {
		sout[sb.Labels[n]*sN+n] = 1
	}
	if got := task.Metric(sb, sout); got != 1 {
		t.Errorf("sliced perfect logits: recall_acc = %v, want 1", got)
	}
}
