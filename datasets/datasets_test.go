package datasets_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/expctl/expctl/datasets"
)

func mustLookup(t *testing.T, name string) datasets.Task {
	t.Helper()
	task, err := datasets.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return task
}

func mustTrain(t *testing.T, task datasets.Task, seed uint64, T, B, i int) *datasets.Batch {
	t.Helper()
	b, err := datasets.TrainBatch(task, seed, T, B, i)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkShape verifies the sizes of all slices of b against the task.
func checkShape(t *testing.T, task datasets.Task, b *datasets.Batch, T, B int) {
	t.Helper()
	L, D, K := task.Len(T), task.InDim, task.OutDim
	if b.Len != L || b.Size != B || b.InDim != D || b.OutDim != K {
		t.Fatalf("shape: Len=%d Size=%d InDim=%d OutDim=%d, want %d %d %d %d",
			b.Len, b.Size, b.InDim, b.OutDim, L, B, D, K)
	}
	if len(b.X) != L*D*B {
		t.Fatalf("len(X)=%d, want %d", len(b.X), L*D*B)
	}
	if !slices.IsSorted(b.LossSteps) {
		t.Fatalf("LossSteps not ascending: %v", b.LossSteps)
	}
	N := len(b.LossSteps) * B
	switch task.Loss {
	case datasets.MSE:
		if b.Labels != nil || len(b.Y) != K*N {
			t.Fatalf("MSE task: len(Y)=%d (want %d), Labels nil=%v", len(b.Y), K*N, b.Labels == nil)
		}
	case datasets.CrossEntropy:
		if b.Y != nil || len(b.Labels) != N {
			t.Fatalf("CE task: len(Labels)=%d (want %d), Y nil=%v", len(b.Labels), N, b.Y == nil)
		}
		for n, c := range b.Labels {
			if c < 0 || c >= K {
				t.Fatalf("Labels[%d]=%d not in [0,%d)", n, c, K)
			}
		}
	}
}

func TestLossString(t *testing.T) {
	for _, tc := range []struct {
		l    datasets.Loss
		want string
	}{
		{datasets.MSE, "mse"},
		{datasets.CrossEntropy, "cross-entropy"},
		{datasets.Loss(7), "Loss(7)"},
	} {
		if got := tc.l.String(); got != tc.want {
			t.Errorf("Loss(%d).String() = %q, want %q", int(tc.l), got, tc.want)
		}
	}
}

func TestRegistry(t *testing.T) {
	if got, want := datasets.Names(), []string{"adding", "adding-hochreiter", "copy", "long-lag", "multiply", "temporal-order", "temporal-order3"}; !slices.Equal(got, want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
	for _, tc := range []struct {
		name, metric string
		in, out      int
		loss         datasets.Loss
		minT         int
		lenAt100     int
	}{
		{"adding", "acc@0.04", 2, 1, datasets.MSE, 2, 100},
		{"copy", "recall_acc", 10, 10, datasets.CrossEntropy, 1, 120},
		{"adding-hochreiter", "acc@0.04", 2, 1, datasets.MSE, 20, 100},
		{"multiply", "acc@0.04", 2, 1, datasets.MSE, 20, 100},
		{"temporal-order", "acc@0.3", 8, 4, datasets.CrossEntropy, 10, 100},
		{"temporal-order3", "acc@0.3", 8, 8, datasets.CrossEntropy, 10, 100},
		{"long-lag", "acc@0.25", 3, 2, datasets.CrossEntropy, 1, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			task := mustLookup(t, tc.name)
			if task.Name != tc.name || task.MetricName != tc.metric ||
				task.InDim != tc.in || task.OutDim != tc.out ||
				task.Loss != tc.loss || task.MinT != tc.minT || task.Len(100) != tc.lenAt100 {
				t.Errorf("got name=%q metric=%q D=%d K=%d loss=%v minT=%d Len(100)=%d",
					task.Name, task.MetricName, task.InDim, task.OutDim,
					task.Loss, task.MinT, task.Len(100))
			}
			for _, s := range []string{task.Description, task.BaselineNote, task.Criterion} {
				if s == "" || strings.Contains(s, "\n") {
					t.Errorf("want a non-empty single line, got %q", s)
				}
			}
			if !math.IsNaN(task.Baseline(task.MinT - 1)) {
				t.Errorf("Baseline(MinT-1) = %v, want NaN", task.Baseline(task.MinT-1))
			}
		})
	}
}

func TestBaselineValues(t *testing.T) {
	adding, cp := mustLookup(t, "adding"), mustLookup(t, "copy")
	for _, tc := range []struct {
		task datasets.Task
		T    int
		want float64 // rounded to 4 decimals
	}{
		{adding, 2, 0.1667},
		{adding, 1000, 0.1667},
		{cp, 100, 0.1733},
		{cp, 200, 0.0945},
		{cp, 500, 0.0400},
		{cp, 1000, 0.0204},
	} {
		got := tc.task.Baseline(tc.T)
		if math.Abs(got-tc.want) > 0.00005 {
			t.Errorf("%s.Baseline(%d) = %.6f, want %.4f", tc.task.Name, tc.T, got, tc.want)
		}
	}
	if got := adding.Baseline(50); got != 1.0/6 {
		t.Errorf("adding baseline = %v, want exactly 1/6", got)
	}
}

func TestSolved(t *testing.T) {
	adding, cp := mustLookup(t, "adding"), mustLookup(t, "copy")
	nan := math.NaN()
	for _, tc := range []struct {
		task         datasets.Task
		loss, metric float64
		want         bool
	}{
		{adding, 0.01, 0, true},
		{adding, 0.0005, 1, true},
		{adding, 0.0101, 1, false},
		{adding, 1.0 / 6, 0.1, false},
		{adding, nan, 1, false},
		{cp, 5, 0.99, true},
		{cp, 0, 1, true},
		{cp, 0, 0.989, false},
		{cp, 0, nan, false},
	} {
		if got := tc.task.Solved(tc.loss, tc.metric); got != tc.want {
			t.Errorf("%s.Solved(%v, %v) = %v, want %v", tc.task.Name, tc.loss, tc.metric, got, tc.want)
		}
	}
}

func TestBadInput(t *testing.T) {
	adding, cp := mustLookup(t, "adding"), mustLookup(t, "copy")
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name string
		run  func() error
		want []string // substrings of the error message
	}{
		{"adding T=1", func() error { _, err := adding.Generate(rng, 1, 4); return err }, []string{"adding", "T=1", "T ≥ 2"}},
		{"adding T=0", func() error { _, err := adding.Generate(rng, 0, 4); return err }, []string{"T=0", "T ≥ 2"}},
		{"adding T=-3", func() error { _, err := datasets.TrainBatch(adding, 1, -3, 4, 0); return err }, []string{"T=-3", "T ≥ 2"}},
		{"copy T=0", func() error { _, err := cp.Generate(rng, 0, 4); return err }, []string{"copy", "T=0", "T ≥ 1"}},
		{"adding B=0", func() error { _, err := adding.Generate(rng, 10, 0); return err }, []string{"B=0", "B ≥ 1"}},
		{"copy B=-1", func() error { _, err := datasets.TrainBatch(cp, 1, 10, -1, 0); return err }, []string{"B=-1", "B ≥ 1"}},
		{"train i=-1", func() error { _, err := datasets.TrainBatch(cp, 1, 10, 4, -1); return err }, []string{"i=-1", "i ≥ 0"}},
		{"test n=0", func() error { _, err := datasets.TestSet(adding, 1, 10, 0); return err }, []string{"n=0", "n ≥ 1"}},
		{"test T=1", func() error { _, err := datasets.TestSet(adding, 1, 1, 10); return err }, []string{"T=1", "T ≥ 2"}},
		{"huge T", func() error { _, err := cp.Generate(rng, math.MaxInt-5, 1); return err }, []string{"does not fit"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			if err == nil {
				t.Fatal("want an error")
			}
			if !errors.Is(err, datasets.ErrOutOfRange) {
				t.Errorf("error %q does not wrap ErrOutOfRange", err)
			}
			for _, s := range tc.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}

	_, err := datasets.Lookup("x")
	if err == nil || !errors.Is(err, datasets.ErrUnknownTask) {
		t.Fatalf("Lookup(\"x\") error = %v, want ErrUnknownTask", err)
	}
	if got, want := err.Error(), `unknown task "x" (known: adding, adding-hochreiter, copy, long-lag, multiply, temporal-order, temporal-order3)`; got != want {
		t.Errorf("Lookup(\"x\") error = %q, want %q", got, want)
	}
	if _, err := datasets.TrainBatch(datasets.Task{}, 1, 10, 4, 0); err == nil {
		t.Error("TrainBatch(nil task): want an error")
	}
	if _, err := datasets.TestSet(datasets.Task{}, 1, 10, 4); err == nil {
		t.Error("TestSet(nil task): want an error")
	}
}

func TestInput(t *testing.T) {
	for _, name := range datasets.Names() {
		task := mustLookup(t, name)
		b := mustTrain(t, task, 3, max(5, task.MinT), 7, 0)
		for tt := 0; tt < b.Len; tt++ {
			in := b.Input(tt)
			if len(in) != b.InDim*b.Size {
				t.Fatalf("%s: len(Input(%d)) = %d", name, tt, len(in))
			}
			for d := 0; d < b.InDim; d++ {
				for s := 0; s < b.Size; s++ {
					if in[d*b.Size+s] != b.X[(tt*b.InDim+d)*b.Size+s] {
						t.Fatalf("%s: Input(%d)[%d*B+%d] != X[(t*D+d)*B+b]", name, tt, d, s)
					}
				}
			}
		}
	}
}

func TestSlice(t *testing.T) {
	for _, tc := range []struct {
		name   string
		T      int
		lo, hi int
	}{
		{"adding", 7, 0, 3},
		{"adding", 7, 2, 8},
		{"adding", 2, 7, 8},
		{"copy", 1, 0, 8},
		{"copy", 5, 3, 6},
	} {
		task := mustLookup(t, tc.name)
		b := mustTrain(t, task, 11, tc.T, 8, 2)
		s := b.Slice(tc.lo, tc.hi)
		B, nb := b.Size, tc.hi-tc.lo
		checkShape(t, task, s, tc.T, nb)
		if !slices.Equal(s.LossSteps, b.LossSteps) {
			t.Fatalf("%s: LossSteps %v, want %v", tc.name, s.LossSteps, b.LossSteps)
		}
		for r := 0; r < b.Len*b.InDim; r++ {
			for j := 0; j < nb; j++ {
				if s.X[r*nb+j] != b.X[r*B+tc.lo+j] {
					t.Fatalf("%s [%d,%d): X mismatch at row %d col %d", tc.name, tc.lo, tc.hi, r, j)
				}
			}
		}
		N, sN := len(b.LossSteps)*B, len(b.LossSteps)*nb
		for js := range b.LossSteps {
			for j := 0; j < nb; j++ {
				for k := 0; k < b.OutDim && b.Y != nil; k++ {
					if s.Y[k*sN+js*nb+j] != b.Y[k*N+js*B+tc.lo+j] {
						t.Fatalf("%s: Y mismatch", tc.name)
					}
				}
				if b.Labels != nil && s.Labels[js*nb+j] != b.Labels[js*B+tc.lo+j] {
					t.Fatalf("%s: Labels mismatch", tc.name)
				}
			}
		}
		// The copy is deep.
		s.X[0] = 42
		s.LossSteps[0] = 42
		if b.X[tc.lo] == 42 || b.LossSteps[0] == 42 {
			t.Fatalf("%s: Slice shares memory with the original", tc.name)
		}
	}
}

// The first b sequences of a batch do not depend on the batch size, so a
// slice of a large batch equals a smaller batch from the same stream.
func TestPrefixStable(t *testing.T) {
	for _, name := range datasets.Names() {
		task := mustLookup(t, name)
		T := max(9, task.MinT)
		big := mustTrain(t, task, 5, T, 16, 3)
		small := mustTrain(t, task, 5, T, 5, 3)
		if !batchEqual(big.Slice(0, 5), small) {
			t.Errorf("%s: TrainBatch(B=16).Slice(0,5) != TrainBatch(B=5)", name)
		}
		bigTest, err := datasets.TestSet(task, 5, T, 20)
		if err != nil {
			t.Fatal(err)
		}
		smallTest, err := datasets.TestSet(task, 5, T, 4)
		if err != nil {
			t.Fatal(err)
		}
		if !batchEqual(bigTest.Slice(0, 4), smallTest) {
			t.Errorf("%s: TestSet(20).Slice(0,4) != TestSet(4)", name)
		}
	}
}

func TestSlicePanics(t *testing.T) {
	b := mustTrain(t, mustLookup(t, "adding"), 1, 4, 4, 0)
	for _, r := range [][2]int{{-1, 2}, {0, 5}, {2, 2}, {3, 1}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Slice(%d, %d) did not panic", r[0], r[1])
				}
			}()
			b.Slice(r[0], r[1])
		}()
	}
}
