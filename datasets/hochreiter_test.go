package datasets_test

import (
	"math"
	"testing"

	"github.com/expctl/expctl/datasets"
)

func TestHochreiterLayout(t *testing.T) {
	for _, name := range []string{"adding-hochreiter", "multiply"} {
		task := mustLookup(t, name)
		mul := name == "multiply"
		const B = 101
		for _, T := range []int{20, 21, 37, 100, 250} {
			lens := map[int]bool{}
			for i := range 30 {
				b := mustTrain(t, task, 42, T, B, i)
				L := b.Len
				lens[L] = true
				if L < T || L > T+T/10 {
					t.Fatalf("%s T=%d: length %d not in [T, T+T/10]", name, T, L)
				}
				if b.Size != B || b.InDim != 2 || b.OutDim != 1 || len(b.X) != L*2*B || len(b.Y) != B || b.Labels != nil {
					t.Fatalf("%s T=%d: bad shape", name, T)
				}
				if len(b.LossSteps) != 1 || b.LossSteps[0] != L-1 {
					t.Fatalf("%s T=%d: LossSteps = %v, want [%d]", name, T, b.LossSteps, L-1)
				}
				for s := range B {
					var marked []int
					for tt := range L {
						v, m := b.X[(tt*2)*B+s], b.X[(tt*2+1)*B+s]
						lo := -1.0
						if mul {
							lo = 0
						}
						if v < lo || v >= 1 {
							t.Fatalf("%s T=%d seq %d step %d: value %v out of range", name, T, s, tt, v)
						}
						switch {
						case m == 1:
							marked = append(marked, tt)
						case m == -1 && (tt == 0 || tt == L-1):
						case m == 0 && tt != 0 && tt != L-1:
						default:
							t.Fatalf("%s T=%d seq %d step %d: marker %v", name, T, s, tt, m)
						}
					}
					if len(marked) != 2 || marked[0] >= T/2 || marked[1] >= T/2 {
						t.Fatalf("%s T=%d seq %d: marked %v, want two in [0, T/2)", name, T, s, marked)
					}
					if marked[0] >= 10 {
						t.Fatalf("%s T=%d seq %d: marked %v, none among the first 10", name, T, s, marked)
					}
					x1, x2 := b.X[(marked[0]*2)*B+s], b.X[(marked[1]*2)*B+s]
					// X1 = 0 when the first pair is X1 cannot be told from the inputs; the
					// baseline test checks it (without it the MSE would be 1/24, not 19/480).
					want := 0.5 + (x1+x2)/4
					if mul {
						want = x1 * x2
					}
					if b.Y[s] != want {
						t.Fatalf("%s T=%d seq %d: target %v, want %v", name, T, s, b.Y[s], want)
					}
				}
			}
			if T >= 100 && len(lens) < 3 {
				t.Errorf("%s T=%d: only lengths %v in 30 batches", name, T, lens)
			}
		}
	}
}

// The test set has one length, and the runner's chunks of it (Slice) keep it.
func TestHochreiterTestSetChunks(t *testing.T) {
	task := mustLookup(t, "adding-hochreiter")
	test, err := datasets.TestSet(task, 3, 100, 600)
	if err != nil {
		t.Fatal(err)
	}
	for lo := 0; lo < test.Size; lo += 250 {
		c := test.Slice(lo, min(lo+250, test.Size))
		if c.Len != test.Len || c.LossSteps[0] != test.Len-1 {
			t.Fatalf("chunk at %d: Len %d, loss step %v; test set Len %d", lo, c.Len, c.LossSteps, test.Len)
		}
	}
}

// The constant predictors of the baselines reach the analytic MSE within 1% on 1e5
// sequences, and the analytic chance of the metric within 0.01.
func TestHochreiterEmpiricalBaseline(t *testing.T) {
	for _, tc := range []struct {
		name  string
		guess float64
	}{{"adding-hochreiter", 0.5}, {"multiply", 0.25}} {
		task := mustLookup(t, tc.name)
		const T, B, batches = 20, 5000, 20
		var sum float64
		var ok int
		for i := range batches {
			b := mustTrain(t, task, 7, T, B, i)
			for _, y := range b.Y {
				sum += (tc.guess - y) * (tc.guess - y)
			}
			out := make([]float64, B)
			for n := range out {
				out[n] = tc.guess
			}
			ok += int(math.Round(task.Metric(b, out) * B))
		}
		got, want := sum/(B*batches), task.Baseline(T)
		acc := float64(ok) / (B * batches)
		t.Logf("%s: MSE empirical %.5f, analytic %.5f; acc@0.04 empirical %.4f, analytic %.4f", tc.name, got, want, acc, task.Chance)
		if math.Abs(got-want) > 0.01*want {
			t.Errorf("%s: empirical MSE of predicting %v = %.5f, want %.5f ± 1%%", tc.name, tc.guess, got, want)
		}
		if math.Abs(acc-task.Chance) > 0.01 {
			t.Errorf("%s: empirical acc@0.04 of predicting %v = %.4f, want %.4f ± 0.01", tc.name, tc.guess, acc, task.Chance)
		}
	}
}

// No constant beats the documented one: the MSE of a constant c is Var + (c − mean)².
func TestHochreiterBaselineIsBest(t *testing.T) {
	for _, tc := range []struct {
		name string
		mean float64
	}{{"adding-hochreiter", 0.5}, {"multiply", 0.25}} {
		task := mustLookup(t, tc.name)
		b := mustTrain(t, task, 9, 40, 50000, 0)
		var m float64
		for _, y := range b.Y {
			m += y
		}
		m /= float64(len(b.Y))
		if math.Abs(m-tc.mean) > 0.003 {
			t.Errorf("%s: mean target %.4f, want %.4f", tc.name, m, tc.mean)
		}
	}
}

func TestHochreiterSolved(t *testing.T) {
	task := mustLookup(t, "multiply")
	if !task.Solved(0.01, 0) || task.Solved(0.0101, 1) || task.Solved(math.NaN(), 1) {
		t.Error("multiply: Solved does not follow test MSE ≤ 0.01")
	}
}
