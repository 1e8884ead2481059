package experiments_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/expctl/expctl/experiments"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/expand")

// expandLines lists a sweep's trials, one line each: the ID, then the varying fields.
func expandLines(s *experiments.Spec, trials []experiments.Config) string {
	var b strings.Builder
	for _, c := range trials {
		fmt.Fprintf(&b, "%s %s\n", c.ID(), s.Label(c))
	}
	return b.String()
}

// TestExpandGolden expands every spec under testdata/expand and compares the trials with
// the matching .golden file. Rewrite the golden files with -update.
func TestExpandGolden(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "expand", "*.yaml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no specs under testdata/expand: %v", err)
	}
	for _, path := range paths {
		name := strings.TrimSuffix(filepath.Base(path), ".yaml")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			s, err := experiments.ParseSpec(path, name, data)
			if err != nil {
				t.Fatal(err)
			}
			trials, err := s.Expand(0)
			if err != nil {
				t.Fatal(err)
			}
			got := expandLines(s, trials)
			golden := strings.TrimSuffix(path, ".yaml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./runner -run TestExpandGolden -update)", err)
			}
			if got != string(want) {
				t.Errorf("%s: expansion differs from %s (rerun with -update if intended)\ngot:\n%s\nwant:\n%s", path, golden, got, want)
			}
		})
	}
}

func mustParse(t *testing.T, src string) *experiments.Spec {
	t.Helper()
	s, err := experiments.ParseSpec("test.yaml", "test", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustExpand(t *testing.T, s *experiments.Spec) []experiments.Config {
	t.Helper()
	trials, err := s.Expand(0)
	if err != nil {
		t.Fatal(err)
	}
	return trials
}

func TestSpecGridOrder(t *testing.T) {
	s := mustParse(t, `
name: order
description: the grid order
fixed: {hidden: 8}
grid:
  seed: [2, 1]
  cell: [rnn, lstm]
  T: [10, 20, 30]
`)
	if s.Name != "order" || s.Description != "the grid order" || s.Source != "test.yaml" {
		t.Errorf("Name, Description, Source = %q, %q, %q", s.Name, s.Description, s.Source)
	}
	if got, want := s.Axes(), []string{"T", "cell", "seed"}; !slices.Equal(got, want) {
		t.Errorf("Axes() = %v, want %v (Config field order)", got, want)
	}
	trials := mustExpand(t, s)
	var got []string
	for _, c := range trials {
		got = append(got, s.Label(c))
		if c.Hidden != 8 {
			t.Errorf("%s: hidden = %d, want 8", c.ID(), c.Hidden)
		}
	}
	var want []string
	for _, T := range []int{10, 20, 30} {
		for _, cell := range []string{"rnn", "lstm"} {
			for _, seed := range []int{2, 1} {
				want = append(want, fmt.Sprintf("T=%d cell=%s seed=%d", T, cell, seed))
			}
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("trial order:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestSpecNameDefault(t *testing.T) {
	s, err := experiments.ParseSpec("dir/my.yaml", "my", []byte("grid: {T: [10]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "my" || s.Source != "dir/my.yaml" {
		t.Errorf("Name, Source = %q, %q; want my, dir/my.yaml", s.Name, s.Source)
	}
}

func TestSpecLayers(t *testing.T) {
	s := mustParse(t, `
budget:
  steps: 700
  eval_every: 70
  test_size: 300
  early_stop: false
solve:
  test_loss: 0.02
  test_metric: 0.9
fixed:
  optimizer: sgd
  momentum: 0.5
  forget_bias: -1
  dtype: float64
grid:
  cell: [lstm, gru]
`)
	trials := mustExpand(t, s)
	if len(trials) != 2 {
		t.Fatalf("%d trials, want 2", len(trials))
	}
	want := experiments.DefaultConfig()
	want.Steps, want.EvalEvery, want.TestSize, want.KeepGoing = 700, 70, 300, true
	loss, metric := 0.02, 0.9
	want.SolveLoss, want.SolveMetric = &loss, &metric
	want.Optimizer, want.Momentum, want.ForgetBias, want.Dtype = "sgd", 0.5, -1, "float64"
	for i, cell := range []string{"lstm", "gru"} {
		want.Cell = cell
		if got := trials[i]; string(got.Canonical()) != string(want.Canonical()) {
			t.Errorf("trial %d:\n got %s\nwant %s", i, got.Canonical(), want.Canonical())
		}
	}
	// Pointer fields are not shared between trials.
	*trials[0].SolveLoss = 5
	if *trials[1].SolveLoss != 0.02 {
		t.Errorf("trials share SolveLoss")
	}

	s = mustParse(t, "budget: {early_stop: true}\ngrid: {T: [10]}\n")
	if c := mustExpand(t, s)[0]; c.KeepGoing {
		t.Errorf("early_stop: true gave keep_going")
	}
	s = mustParse(t, "fixed: {keep_going: true, solve_loss: 0.5}\ngrid: {solve_metric: [0.5, 0.75]}\n")
	trials = mustExpand(t, s)
	if c := trials[1]; !c.KeepGoing || c.SolveLoss == nil || *c.SolveLoss != 0.5 || c.SolveMetric == nil || *c.SolveMetric != 0.75 {
		t.Errorf("fixed keep_going and solve_loss, grid solve_metric: got %s", c.Canonical())
	}
	if got := s.Label(trials[0]); got != "solve_metric=0.5" {
		t.Errorf("Label = %q", got)
	}
}

// TestSpecRandomDraws checks the documented sampling: sample i draws its params in
// field-name order from rand.New(rand.NewPCG(seed, i)).
func TestSpecRandomDraws(t *testing.T) {
	const src = `
seed: 7
random:
  n: 6
  params:
    optimizer: {choice: [sgd, rmsprop]}
    momentum: {uniform: [0, 0.9]}
    lr: {log_uniform: [1.0e-4, 1.0e-2]}
    hidden: {int: [16, 64]}
    seed: {int: [1, 1000]}
`
	s := mustParse(t, src)
	if got, want := s.Axes(), []string{"hidden", "optimizer", "lr", "momentum", "seed"}; !slices.Equal(got, want) {
		t.Errorf("Axes() = %v, want %v", got, want)
	}
	trials := mustExpand(t, s)
	if len(trials) != 6 {
		t.Fatalf("%d trials, want 6", len(trials))
	}
	for i, c := range trials {
		r := rand.New(rand.NewPCG(7, uint64(i)))
		// Sorted names: hidden, lr, momentum, optimizer, seed.
		hidden := 16 + r.IntN(64-16+1)
		lr := math.Exp(math.Log(1e-4) + (math.Log(1e-2)-math.Log(1e-4))*r.Float64())
		momentum := 0 + (0.9-0)*r.Float64()
		optimizer := []string{"sgd", "rmsprop"}[r.IntN(2)]
		seed := uint64(1 + r.IntN(1000))
		if c.Hidden != hidden || c.LR != lr || c.Momentum != momentum || c.Optimizer != optimizer || c.Seed != seed {
			t.Errorf("sample %d: got %s\nwant hidden=%d lr=%v momentum=%v optimizer=%s seed=%d", i, s.Label(c), hidden, lr, momentum, optimizer, seed)
		}
	}

	// Another sampler seed gives other samples.
	s.Seed = 8
	other := mustExpand(t, s)
	for i := range other {
		if other[i].LR == trials[i].LR {
			t.Errorf("sample %d: lr %v with both seeds", i, other[i].LR)
		}
	}
}

func TestSpecRandomRanges(t *testing.T) {
	s := mustParse(t, `
random:
  n: 2000
  params:
    lr: {log_uniform: [1.0e-3, 1.1e-3]}
    momentum: {uniform: [0.25, 0.5]}
    hidden: {int: [3, 5]}
    seed: {int: [18446744073709551614, 18446744073709551615]}
    T: {int: [7, 7]}
`)
	trials, err := s.Expand(0)
	if err != nil {
		t.Fatal(err)
	}
	hidden := map[int]int{}
	seeds := map[uint64]int{}
	for _, c := range trials {
		if c.LR < 1e-3 || c.LR > 1.1e-3 || c.Momentum < 0.25 || c.Momentum >= 0.5 || c.T != 7 {
			t.Fatalf("out of range: %s", s.Label(c))
		}
		hidden[c.Hidden]++
		seeds[c.Seed]++
	}
	if len(hidden) != 3 || hidden[3] == 0 || hidden[5] == 0 || len(seeds) != 2 {
		t.Errorf("int draws not inclusive: hidden %v, seeds %v", hidden, seeds)
	}
}

func TestSpecDeterminism(t *testing.T) {
	for _, name := range append(experiments.Names(), "testdata/expand/grid_random.yaml") {
		var data []byte
		var err error
		if strings.HasSuffix(name, ".yaml") {
			data, err = os.ReadFile(name)
		} else {
			data, err = experiments.Read(name)
		}
		if err != nil {
			t.Fatal(err)
		}
		var lists [2]string
		for i := range lists {
			s, err := experiments.ParseSpec(name, name, data)
			if err != nil {
				t.Fatal(err)
			}
			trials, err := s.Expand(0)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range trials {
				lists[i] += string(c.Canonical()) + "\n"
			}
		}
		if lists[0] != lists[1] {
			t.Errorf("%s: two expansions differ", name)
		}
	}
}

func TestSpecDedup(t *testing.T) {
	s := mustParse(t, `
random:
  n: 50
  params:
    cell: {choice: [rnn, lstm, rnn]}
`)
	trials := mustExpand(t, s)
	var got []string
	for _, c := range trials {
		got = append(got, c.Cell)
	}
	if len(got) != 2 || got[0] == got[1] {
		t.Errorf("cells %v, want rnn and lstm once each", got)
	}
}

func TestSpecBuiltins(t *testing.T) {
	names := experiments.Names()
	if !slices.Contains(names, "quick") {
		t.Fatalf("no built-in quick spec: %v", names)
	}
	for _, name := range names {
		data, err := experiments.Read(name)
		if err != nil {
			t.Fatal(err)
		}
		s, err := experiments.ParseSpec(name, name, data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if s.Name != name || s.Description == "" {
			t.Errorf("%s: Name %q, Description %q", name, s.Name, s.Description)
		}
		trials, err := s.Expand(0)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if name == "quick" {
			// adding: 5 lengths × 3 cells × 2 seeds at H=32; copy: 2 lengths × 3 cells × 2
			// seeds at H=128.
			if len(trials) != 42 {
				t.Fatalf("quick: %d trials, want 42", len(trials))
			}
			for i, c := range trials {
				task, hidden, lr := "adding", 32, 0.01
				if i >= 30 {
					task, hidden, lr = "copy", 128, 0.005
				}
				if c.Task != task || c.Steps != 5000 || c.Hidden != hidden || c.Batch != 32 || c.Optimizer != "adam" || c.LR != lr ||
					c.Clip != "norm:1" || c.TestSize != 500 || c.EvalEvery != 100 {
					t.Errorf("quick: trial %d: %s; want task %s, hidden %d, lr %g", i, c.Canonical(), task, hidden, lr)
				}
			}
			if got := s.Label(trials[30]); !strings.Contains(got, "task=copy") || !strings.Contains(got, "T=10") || !strings.Contains(got, "cell=rnn") {
				t.Errorf("quick: Label(trials[30]) = %q, want the first copy trial", got)
			}
		}
	}
}

func TestSpecLimit(t *testing.T) {
	s := mustParse(t, "grid:\n  T: [10, 20, 30]\n  cell: [rnn, lstm, gru]\nrandom:\n  n: 2\n  params: {lr: {uniform: [0.001, 0.002]}}\n")
	if trials, err := s.Expand(18); err != nil || len(trials) != 18 {
		t.Errorf("Expand(18) = %d trials, %v", len(trials), err)
	}
	_, err := s.Expand(17)
	if !errors.Is(err, experiments.ErrSpec) || !strings.Contains(fmt.Sprint(err), "18") || !strings.Contains(fmt.Sprint(err), "17") {
		t.Errorf("Expand(17) = %v, want an error naming 18 trials and the limit 17", err)
	}
	// Repeated random samples do not count against the limit.
	s = mustParse(t, "random:\n  n: 100\n  params: {cell: {choice: [rnn, lstm]}}\n")
	if trials, err := s.Expand(2); err != nil || len(trials) != 2 {
		t.Errorf("Expand(2) = %d trials, %v", len(trials), err)
	}
}

// TestSpecSubGrids checks a grid list: the trials of each sub-grid in turn, a trial
// repeated in a later sub-grid listed once, and the union of the axes.
func TestSpecSubGrids(t *testing.T) {
	s := mustParse(t, `
fixed: {hidden: 16}
grid:
  - task: [adding]
    cell: [rnn, lstm]
    T: [10, 20]
  - task: [copy]
    T: [5]
    seed: [2, 1]
  - T: [20]
    cell: [lstm]
`)
	if got, want := s.Axes(), []string{"task", "T", "cell", "seed"}; !slices.Equal(got, want) {
		t.Errorf("Axes() = %v, want %v", got, want)
	}
	var got []string
	for _, c := range mustExpand(t, s) {
		got = append(got, s.Label(c))
		if c.Hidden != 16 {
			t.Errorf("%s: hidden = %d, want 16", c.ID(), c.Hidden)
		}
	}
	// The third sub-grid's one trial (adding, T=20, lstm, seed 1 by default) is the
	// first sub-grid's fourth.
	want := []string{
		"task=adding T=10 cell=rnn seed=1",
		"task=adding T=10 cell=lstm seed=1",
		"task=adding T=20 cell=rnn seed=1",
		"task=adding T=20 cell=lstm seed=1",
		"task=copy T=5 cell=lstm seed=2",
		"task=copy T=5 cell=lstm seed=1",
	}
	if !slices.Equal(got, want) {
		t.Errorf("trials:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// A sub-grid repeated by alias adds nothing.
	s = mustParse(t, "grid:\n  - &g {T: [10, 20]}\n  - *g\n")
	if trials := mustExpand(t, s); len(trials) != 2 {
		t.Errorf("a repeated sub-grid: %d trials, want 2", len(trials))
	}
	// A one-element list is the same sweep as the mapping.
	list, mapping := mustParse(t, "grid:\n  - {T: [10, 20], cell: [rnn, gru]}\n"), mustParse(t, "grid: {T: [10, 20], cell: [rnn, gru]}\n")
	if a, b := expandLines(list, mustExpand(t, list)), expandLines(mapping, mustExpand(t, mapping)); a != b {
		t.Errorf("one sub-grid:\n%s\nthe mapping:\n%s", a, b)
	}
}

// TestSpecSubGridOverride checks that an axis of a sub-grid overrides budget and fixed
// for that sub-grid's trials only, while the mapping form still rejects the duplicate.
func TestSpecSubGridOverride(t *testing.T) {
	s := mustParse(t, `
fixed: {hidden: 32, lr: 0.01}
budget: {steps: 1500, eval_every: 100}
grid:
  - task: [adding]
    T: [10, 20]
  - task: [copy]
    T: [5, 10]
    steps: [1000]
  - task: [copy]
    T: [20]
    hidden: [64]
`)
	trials := mustExpand(t, s)
	if len(trials) != 5 {
		t.Fatalf("%d trials, want 5", len(trials))
	}
	for i, c := range trials {
		steps, hidden := 1500, 32
		switch {
		case i == 2 || i == 3:
			steps = 1000
		case i == 4:
			hidden = 64
		}
		if c.Steps != steps || c.Hidden != hidden || c.EvalEvery != 100 || c.LR != 0.01 {
			t.Errorf("trial %d: %s; want steps %d, hidden %d", i, c.Canonical(), steps, hidden)
		}
	}
	if got, want := s.Label(trials[0]), "task=adding T=10 hidden=32 steps=1500"; got != want {
		t.Errorf("Label(trials[0]) = %q, want %q", got, want)
	}
	if got, want := s.Label(trials[2]), "task=copy T=5 hidden=32 steps=1000"; got != want {
		t.Errorf("Label(trials[2]) = %q, want %q", got, want)
	}

	// The override works in either order of the keys, and for early_stop's keep_going.
	s = mustParse(t, "grid:\n  - {T: [10]}\n  - {T: [20], keep_going: [true]}\nbudget: {steps: 700, early_stop: true}\n")
	trials = mustExpand(t, s)
	if len(trials) != 2 || trials[0].KeepGoing || !trials[1].KeepGoing || trials[1].Steps != 700 {
		t.Errorf("keep_going override: %d trials, %v", len(trials), trials)
	}

	_, err := experiments.ParseSpec("bad.yaml", "bad", []byte("budget: {steps: 1500}\ngrid:\n  task: [copy]\n  steps: [1000]\n"))
	if se := checkSpecError(t, err); se.Line != 4 || se.Path != "grid.steps" || !strings.Contains(se.Msg, "duplicate axis steps") {
		t.Errorf("the mapping form: %v, want a duplicate axis at line 4", err)
	}
}

func TestSpecSubGridLimit(t *testing.T) {
	// 12 trials in the sub-grids, 10 distinct.
	s := mustParse(t, "grid:\n  - T: [2, 3, 4, 5, 6, 7]\n  - T: [6, 7, 8, 9, 10, 11]\n")
	if trials, err := s.Expand(10); err != nil || len(trials) != 10 {
		t.Errorf("Expand(10) = %d trials, %v; want 10", len(trials), err)
	}
	_, err := s.Expand(9)
	if checkSpecError(t, err); !strings.Contains(fmt.Sprint(err), "has 10 trials, more than the limit of 9") {
		t.Errorf("Expand(9) = %v, want an error naming 10 trials and the limit 9", err)
	}
	// With random search: 10 points × 3 samples.
	s = mustParse(t, "grid:\n  - T: [2, 3, 4, 5, 6, 7]\n  - T: [6, 7, 8, 9, 10, 11]\nrandom:\n  n: 3\n  params: {lr: {uniform: [0.001, 0.002]}}\n")
	if trials, err := s.Expand(30); err != nil || len(trials) != 30 {
		t.Errorf("with random search: Expand(30) = %d trials, %v; want 30", len(trials), err)
	}
	if _, err := s.Expand(29); !strings.Contains(fmt.Sprint(err), "has 30 trials, more than the limit of 29") {
		t.Errorf("with random search: Expand(29) = %v", err)
	}
	// Two large sub-grids are not counted to the end.
	var seeds, lengths []string
	for i := range 512 {
		seeds = append(seeds, fmt.Sprint(i+1))
	}
	for i := range 256 {
		lengths = append(lengths, fmt.Sprint(i+2))
	}
	big := fmt.Sprintf("grid:\n  - {seed: [%s], T: [%s]}\n  - {seed: [%s], T: [%s], cell: [gru]}\n",
		strings.Join(seeds, ", "), strings.Join(lengths, ", "), strings.Join(seeds, ", "), strings.Join(lengths, ", "))
	s = mustParse(t, big)
	_, err = s.Expand(10)
	if checkSpecError(t, err); !strings.Contains(fmt.Sprint(err), "the sweep has more than ") || !strings.HasSuffix(fmt.Sprint(err), "more than the limit of 10") {
		t.Errorf("Expand(10) of 2 × 131072 trials = %v", err)
	}
}

// TestSpecSubGridValues checks the bound on grid values when sub-grids repeat by alias.
func TestSpecSubGridValues(t *testing.T) {
	var b strings.Builder
	b.WriteString("grid:\n  - &g\n    T: [")
	for i := range 1000 {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprint(&b, i+2)
	}
	b.WriteString("]\n")
	for range 1100 {
		b.WriteString("  - *g\n")
	}
	_, err := experiments.ParseSpec("bad.yaml", "bad", []byte(b.String()))
	if se := checkSpecError(t, err); se.Line != 3 || se.Path != "grid[1048].T" || !strings.Contains(se.Msg, "more than 1048576 values") {
		t.Errorf("error %v; want line 3, grid[1048].T and the limit", err)
	}
}

func TestSpecSubGridConfigErrorCause(t *testing.T) {
	s := mustParse(t, "fixed: {hidden: 8}\nbudget: {steps: 100}\ngrid:\n  - {T: [10]}\n  - task: [copy]\n    T: [0]\n")
	_, err := s.Expand(0)
	var ce *experiments.ConfigError
	if !errors.As(err, &ce) || ce.Field != "T" {
		t.Errorf("error %v does not wrap the *ConfigError of T", err)
	}
	if got, want := err.Error(), "test.yaml:6: grid[1].T: invalid T 0: want an integer ≥ 1 for copy"; got != want {
		t.Errorf("error %q, want %q", got, want)
	}
}

// specErrorCase is an invalid spec and where its error must point.
type specErrorCase struct {
	name string
	src  string // YAML; a leading newline is dropped so that line 1 is the first line shown
	line int    // 0: no line
	path string
	msg  string // a substring of the error
}

var specErrorCases = []specErrorCase{
	// Unknown keys.
	{"unknown top-level key", "grid: {T: [10]}\ngrdi:\n  T: [10]\n", 2, "", `unknown key "grdi"`},
	{"unknown budget key", "grid: {T: [10]}\nbudget:\n  stepz: 10\n", 3, "budget", `unknown key "stepz"`},
	{"unknown solve key", "grid: {T: [10]}\nsolve:\n  test_acc: 0.9\n", 3, "solve", `unknown key "test_acc"`},
	{"unknown random key", "random:\n  n: 2\n  params: {lr: {uniform: [0.001, 0.01]}}\n  seed: 3\n", 4, "random", `unknown key "seed"`},
	{"unknown distribution", "random:\n  n: 2\n  params:\n    lr: {gauss: [0, 1]}\n", 4, "random.params.lr", `unknown distribution "gauss"`},
	{"unknown fixed field", "fixed:\n  hiden: 3\ngrid: {T: [10]}\n", 2, "fixed.hiden", `unknown field "hiden"; the fields are task, T, cell, hidden`},
	{"unknown grid field", "grid:\n  T: [10]\n  t: [10]\n", 3, "grid.t", `unknown field "t" (did you mean T?)`},
	{"unknown random field", "random:\n  n: 2\n  params:\n    learning_rate: {uniform: [0.1, 0.2]}\n", 4, "random.params.learning_rate", `unknown field "learning_rate"`},

	// Wrong types.
	{"string for int", "fixed:\n  hidden: abc\ngrid: {T: [10]}\n", 2, "fixed.hidden", `want an integer, got "abc"`},
	{"float for int", "fixed:\n  hidden: 3.5\ngrid: {T: [10]}\n", 2, "fixed.hidden", `want an integer, got "3.5"`},
	{"quoted int", "grid:\n  T: ['10']\n", 2, "grid.T", `want an integer`},
	{"list for string", "fixed:\n  cell: [rnn]\ngrid: {T: [10]}\n", 2, "fixed.cell", `want a string, got a list`},
	{"number for string", "grid:\n  cell: [rnn, 5]\n", 2, "grid.cell", `want a string, got "5"`},
	{"string for float", "fixed:\n  lr: fast\ngrid: {T: [10]}\n", 2, "fixed.lr", `want a number`},
	{"null value", "fixed:\n  lr:\ngrid: {T: [10]}\n", 2, "fixed.lr", `want a number, got nothing`},
	{"yes for bool", "fixed:\n  keep_going: yes\ngrid: {T: [10]}\n", 2, "fixed.keep_going", `want true or false`},
	{"negative seed", "grid:\n  seed: [1, -1]\n", 2, "grid.seed", `want a non-negative integer, got "-1"`},
	{"int overflow", "grid:\n  T: [99999999999999999999]\n", 2, "grid.T", `want an integer`},
	{"sampler seed", "seed: -3\ngrid: {T: [10]}\n", 1, "seed", `want a non-negative integer`},
	{"name not a string", "name: [a]\ngrid: {T: [10]}\n", 1, "name", `want a string`},
	{"empty name", "name: ''\ngrid: {T: [10]}\n", 1, "name", `want a name of at most 100 letters, digits`},
	{"name with a slash", "grid: {T: [10]}\nname: ../escape\n", 2, "name", `got "../escape"`},
	{"name with a space", "grid: {T: [10]}\nname: my sweep\n", 2, "name", `it names the sweep's directory`},
	{"axis not a list", "grid:\n  T: 5\n", 2, "grid.T", `want a list of values`},
	{"fixed not a mapping", "fixed: [hidden, 3]\ngrid: {T: [10]}\n", 1, "fixed", `want a mapping`},
	{"grid a scalar", "grid: 5\n", 1, "grid", `want a mapping of fields to lists of values, or a list of such mappings (sub-grids); got "5"`},
	{"spec a list", "- grid\n- random\n", 1, "", `want a mapping with keys name, description`},
	{"spec a scalar", "hello\n", 1, "", `want a mapping`},
	{"distribution a number", "random:\n  n: 2\n  params:\n    lr: 0.01\n", 4, "random.params.lr", `want a distribution`},
	{"distribution a list", "random:\n  n: 2\n  params:\n    lr: [0.01, 0.1]\n", 4, "random.params.lr", `want a distribution`},
	{"distribution empty", "random:\n  n: 2\n  params:\n    lr: {}\n", 4, "random.params.lr", `want a distribution`},
	{"two distributions", "random:\n  n: 2\n  params:\n    lr:\n      uniform: [0.1, 0.2]\n      log_uniform: [0.1, 0.2]\n", 6, "random.params.lr", `both uniform and log_uniform`},
	{"bounds not a pair", "random:\n  n: 2\n  params:\n    lr: {uniform: [0.1]}\n", 4, "random.params.lr.uniform", `want two bounds [lo, hi], got a list of 1`},
	{"bounds a string", "random:\n  n: 2\n  params:\n    lr: {uniform: [0.1, high]}\n", 4, "random.params.lr.uniform", `want a number, got "high"`},
	{"int bounds floats", "random:\n  n: 2\n  params:\n    hidden: {int: [1.5, 4]}\n", 4, "random.params.hidden.int", `want an integer`},
	{"choice wrong type", "random:\n  n: 2\n  params:\n    hidden:\n      choice: [16, big]\n", 5, "random.params.hidden.choice", `want an integer, got "big"`},
	{"random n a string", "random:\n  n: many\n  params: {lr: {uniform: [0.1, 0.2]}}\n", 2, "random.n", `want an integer`},

	// Duplicates.
	{"duplicate axis fixed and grid", "fixed:\n  hidden: 32\ngrid:\n  hidden: [16, 32]\n", 4, "grid.hidden", `duplicate axis hidden: set at line 2 (fixed.hidden) and line 4 (grid.hidden)`},
	{"duplicate axis grid and random", "grid:\n  lr: [0.1]\nrandom:\n  n: 2\n  params:\n    lr: {uniform: [0.1, 0.2]}\n", 6, "random.params.lr", `duplicate axis lr: set at line 2 (grid.lr) and line 6 (random.params.lr)`},
	{"duplicate axis fixed and random", "random:\n  n: 2\n  params:\n    lr: {uniform: [0.1, 0.2]}\nfixed: {lr: 0.1}\n", 5, "fixed.lr", `duplicate axis lr: set at line 4 (random.params.lr) and line 5 (fixed.lr)`},
	{"duplicate axis budget and fixed", "budget:\n  steps: 100\nfixed:\n  steps: 200\ngrid: {T: [10]}\n", 4, "fixed.steps", `duplicate axis steps: set at line 2 (budget.steps) and line 4 (fixed.steps)`},
	{"duplicate axis keep_going and early_stop", "fixed:\n  keep_going: true\nbudget:\n  early_stop: true\ngrid: {T: [10]}\n", 4, "budget.early_stop", `duplicate axis keep_going: set at line 2 (fixed.keep_going) and line 4 (budget.early_stop)`},
	{"duplicate axis solve_loss and test_loss", "grid: {T: [10]}\nsolve:\n  test_loss: 0.1\nfixed:\n  solve_loss: 0.2\n", 5, "fixed.solve_loss", `duplicate axis solve_loss: set at line 3 (solve.test_loss) and line 5 (fixed.solve_loss)`},
	{"duplicate axis grid and budget", "grid:\n  eval_every: [10, 20]\nbudget:\n  eval_every: 10\n", 4, "budget.eval_every", `duplicate axis eval_every`},
	{"duplicate YAML key", "grid:\n  T: [10]\n  T: [20]\n", 3, "grid", `duplicate key "T" (first at line 2)`},
	{"duplicate top-level key", "grid: {T: [10]}\nname: a\ngrid: {T: [20]}\n", 3, "", `duplicate key "grid" (first at line 1)`},
	{"duplicate key in distribution", "random:\n  n: 2\n  params:\n    lr:\n      uniform: [0.1, 0.2]\n      uniform: [0.1, 0.3]\n", 6, "random.params.lr", `duplicate key "uniform" (first at line 5)`},
	{"duplicate grid value", "grid:\n  T:\n    - 10\n    - 20\n    - 10\n", 5, "grid.T", `duplicate value 10 (also at line 3)`},
	{"duplicate grid value float", "grid:\n  lr: [0.01, 1e-2]\n", 2, "grid.lr", `duplicate value 0.01`},

	// Sub-grids (grid as a list of mappings).
	{"empty grid list", "name: x\ngrid: []\n", 2, "grid", `empty grid; add at least one sub-grid`},
	{"empty sub-grid", "grid:\n  - T: [10]\n  - {}\n", 3, "grid[1]", `empty sub-grid; add at least one axis`},
	{"null sub-grid", "grid:\n  - T: [10]\n  -\n  - T: [20]\n", 3, "grid[1]", `empty sub-grid`},
	{"sub-grid a list", "grid:\n  - T: [10]\n  - [T, 10]\n", 3, "grid[1]", `want a sub-grid: a mapping of fields to lists of values; got a list`},
	{"sub-grid a scalar", "grid: [T]\n", 1, "grid[0]", `want a sub-grid`},
	{"unknown sub-grid field", "grid:\n  - T: [10]\n  - task: [copy]\n    t: [10]\n", 4, "grid[1].t", `unknown field "t" (did you mean T?)`},
	{"empty sub-grid axis", "grid:\n  - T: [10]\n  - cell: [rnn]\n    T: []\n", 4, "grid[1].T", `empty list`},
	{"sub-grid axis not a list", "grid:\n  - T: [10]\n  - T: 20\n", 3, "grid[1].T", `want a list of values`},
	{"sub-grid wrong type", "grid:\n  - T: [10]\n  - cell: [rnn]\n    hidden: [8, big]\n", 4, "grid[1].hidden", `want an integer, got "big"`},
	{"duplicate sub-grid value", "grid:\n  - T: [10]\n  - T:\n      - 20\n      - 20\n", 5, "grid[1].T", `duplicate value 20 (also at line 4)`},
	{"duplicate sub-grid key", "grid:\n  - T: [10]\n  - T: [20]\n    cell: [rnn]\n    T: [30]\n", 5, "grid[1]", `duplicate key "T" (first at line 3)`},
	{"duplicate axis sub-grid and random", "grid:\n  - T: [10]\n  - lr: [0.1]\nrandom:\n  n: 2\n  params:\n    lr: {uniform: [0.1, 0.2]}\n", 7, "random.params.lr", `duplicate axis lr: set at line 3 (grid[1].lr) and line 7 (random.params.lr)`},
	{"duplicate axis random and sub-grid", "random:\n  n: 2\n  params:\n    lr: {uniform: [0.1, 0.2]}\ngrid:\n  - T: [10]\n  - cell: [rnn]\n    lr: [0.1]\n", 8, "grid[1].lr", `duplicate axis lr: set at line 4 (random.params.lr) and line 8 (grid[1].lr)`},
	{"duplicate axis sub-grids and random", "grid:\n  - lr: [0.1]\n  - lr: [0.2]\nrandom:\n  n: 2\n  params:\n    lr: {uniform: [0.1, 0.2]}\n", 7, "random.params.lr", `set at line 2 (grid[0].lr) and line 7`},
	{"invalid sub-grid value", "fixed: {hidden: 8}\ngrid:\n  - T: [10]\n  - task: [copy]\n    T: [5, 0]\n", 5, "grid[1].T", `invalid T 0: want an integer ≥ 1 for copy`},
	{"invalid fixed value in a sub-grid", "fixed: {T: 1}\ngrid:\n  - task: [copy]\n  - task: [adding]\n", 1, "fixed.T", `invalid T 1: want an integer ≥ 2 for adding`},
	{"invalid budget value not overridden", "budget:\n  eval_every: 0\ngrid:\n  - eval_every: [10]\n  - T: [10]\n", 2, "budget.eval_every", `invalid eval_every 0`},
	{"too many sub-grid trials", "grid:\n  - T: [2, 3, 4, 5, 6, 7]\n  - T: [6, 7, 8, 9, 10, 11, 12]\n", 0, "", `the sweep has 11 trials, more than the limit of 10`},

	// Empty sweeps.
	{"empty grid", "name: x\ngrid: {}\n", 2, "grid", `empty grid`},
	{"null grid", "name: x\ngrid:\n", 2, "grid", `empty grid`},
	{"empty axis", "grid:\n  T: []\n  cell: [rnn]\n", 2, "grid.T", `empty list`},
	{"empty choice", "random:\n  n: 2\n  params:\n    cell: {choice: []}\n", 4, "random.params.cell.choice", `empty list`},
	{"random n zero", "random:\n  n: 0\n  params: {lr: {uniform: [0.1, 0.2]}}\n", 2, "random.n", `want a number of samples from 1`},
	{"random n too large", "random:\n  n: 100000000\n  params: {lr: {uniform: [0.1, 0.2]}}\n", 2, "random.n", `want a number of samples from 1 to 10000`},
	{"random without n", "grid: {T: [10]}\nrandom:\n  params: {lr: {uniform: [0.1, 0.2]}}\n", 2, "random", `missing n`},
	{"random without params", "grid: {T: [10]}\nrandom:\n  n: 3\n", 2, "random", `missing params`},
	{"random empty params", "random:\n  n: 3\n  params: {}\n", 3, "random.params", `no params`},
	{"nothing to sweep", "name: x\nfixed: {hidden: 3}\n", 0, "", `nothing to sweep: add grid axes or random search (for a single trial use 'expctl run trial')`},
	{"empty input", "", 0, "", `nothing to sweep`},
	{"only comments", "# nothing\n", 0, "", `nothing to sweep`},

	// Ranges and kinds of distributions.
	{"uniform lo = hi", "random:\n  n: 2\n  params:\n    lr: {uniform: [0.1, 0.1]}\n", 4, "random.params.lr.uniform", `want [lo, hi] with lo < hi, got [0.1, 0.1]`},
	{"uniform lo > hi", "random:\n  n: 2\n  params:\n    momentum: {uniform: [0.9, 0]}\n", 4, "random.params.momentum.uniform", `lo < hi`},
	{"log_uniform lo = 0", "random:\n  n: 2\n  params:\n    lr: {log_uniform: [0, 0.1]}\n", 4, "random.params.lr.log_uniform", `0 < lo < hi`},
	{"log_uniform lo < 0", "random:\n  n: 2\n  params:\n    lr: {log_uniform: [-1, 0.1]}\n", 4, "random.params.lr.log_uniform", `0 < lo < hi`},
	{"log_uniform lo > hi", "random:\n  n: 2\n  params:\n    lr: {log_uniform: [0.1, 0.01]}\n", 4, "random.params.lr.log_uniform", `0 < lo < hi`},
	{"int lo > hi", "random:\n  n: 2\n  params:\n    hidden: {int: [64, 16]}\n", 4, "random.params.hidden.int", `lo ≤ hi, got [64, 16]`},
	{"infinite bound", "random:\n  n: 2\n  params:\n    lr: {uniform: [0.1, .inf]}\n", 4, "random.params.lr.uniform", `finite bounds`},
	{"NaN bound", "random:\n  n: 2\n  params:\n    lr: {log_uniform: [.nan, 0.1]}\n", 4, "random.params.lr.log_uniform", `finite bounds`},
	{"too wide", "random:\n  n: 2\n  params:\n    forget_bias: {uniform: [-1.0e308, 1.0e308]}\n", 4, "random.params.forget_bias.uniform", `too wide`},
	{"uniform on int field", "random:\n  n: 2\n  params:\n    hidden: {uniform: [16, 64]}\n", 4, "random.params.hidden", `uniform needs a float field, and hidden is an integer field; use choice or int`},
	{"log_uniform on string field", "random:\n  n: 2\n  params:\n    cell: {log_uniform: [1, 2]}\n", 4, "random.params.cell", `log_uniform needs a float field`},
	{"int on float field", "random:\n  n: 2\n  params:\n    lr: {int: [1, 2]}\n", 4, "random.params.lr", `int needs an integer field, and lr is a float field`},
	{"int on bool field", "random:\n  n: 2\n  params:\n    keep_going: {int: [0, 1]}\n", 4, "random.params.keep_going", `int needs an integer field`},

	// Trials that fail Config.Validate, at the line that set the field.
	{"invalid grid value", "name: my\nfixed:\n  hidden: 16\ngrid:\n  cell: [rnn]\n  task: [copy, adding]\n  T: [1, 10]\n", 7, "grid.T", `invalid T 1: want an integer ≥ 2 for adding`},
	{"invalid fixed value", "fixed:\n  hidden: 0\ngrid: {T: [10]}\n", 2, "fixed.hidden", `invalid hidden 0: want an integer ≥ 1`},
	{"invalid fixed string", "fixed:\n  clip: norm:0\ngrid: {T: [10]}\n", 2, "fixed.clip", `invalid clip "norm:0"`},
	{"invalid budget value", "grid: {T: [10]}\nbudget:\n  eval_every: 0\n", 3, "budget.eval_every", `invalid eval_every 0`},
	{"invalid solve value", "grid: {T: [10]}\nsolve:\n  test_metric: .nan\n", 3, "solve.test_metric", `invalid solve_metric NaN`},
	{"invalid random value", "random:\n  n: 8\n  params:\n    momentum: {uniform: [0.9, 9]}\n", 4, "random.params.momentum", `invalid momentum`},
	{"invalid random choice", "random:\n  n: 8\n  params:\n    optimizer: {choice: [adam, adagrad]}\n", 4, "random.params.optimizer", `invalid optimizer "adagrad"`},
	{"invalid grid task", "grid:\n  task: [adding, parity]\n", 2, "grid.task", `invalid task "parity": want one of adding, adding-hochreiter, copy, long-lag, multiply, temporal-order, temporal-order3`},

	// Pruning.
	{"prune not a mapping", "grid: {T: [10]}\nprune: [plateau]\n", 2, "prune", `want a mapping`},
	{"unknown prune rule", "grid: {T: [10]}\nprune:\n  asha: {}\n", 3, "prune", `unknown key "asha"; want one of plateau, halving`},
	{"plateau without patience", "grid: {T: [10]}\nprune:\n  plateau: {delta: 0.01}\n", 3, "prune.plateau", `want patience`},
	{"unknown plateau key", "grid: {T: [10]}\nprune:\n  plateau: {patience: 3, min_step: 100}\n", 3, "prune.plateau", `unknown key "min_step"; want one of delta, patience, min_steps (did you mean "min_steps"?)`},
	{"plateau patience a string", "grid: {T: [10]}\nprune:\n  plateau: {patience: many}\n", 3, "prune.plateau.patience", `want an integer`},
	{"plateau delta too large", "grid: {T: [10]}\nprune:\n  plateau: {patience: 3, delta: 1.5}\n", 3, "prune.plateau.delta", `invalid plateau_delta 1.5: want a number in [0, 1)`},
	{"halving without over", "grid: {lr: [0.1, 0.01]}\nprune:\n  halving: {rungs: [100]}\n", 3, "prune.halving", `want over: the fields that vary within a group`},
	{"halving without rungs", "grid: {lr: [0.1, 0.01]}\nprune:\n  halving: {over: [lr]}\n", 3, "prune.halving", `want rungs`},
	{"halving over unknown field", "grid: {lr: [0.1, 0.01]}\nprune:\n  halving: {over: [rate], rungs: [100]}\n", 3, "prune.halving.over", `unknown field "rate"`},
	{"halving over halving", "grid: {lr: [0.1, 0.01]}\nprune:\n  halving: {over: [halving], rungs: [100]}\n", 3, "prune.halving.over", `field "halving" cannot vary within a group`},
	{"halving factor 1", "grid: {lr: [0.1, 0.01]}\nprune:\n  halving: {over: [lr], rungs: [100], factor: 1}\n", 3, "prune.halving", `(factor ≥ 2)`},
	{"halving rungs decreasing", "grid: {lr: [0.1, 0.01]}\nprune:\n  halving: {over: [lr], rungs: [200, 100]}\n", 3, "prune.halving", `(rungs are increasing steps ≥ 1)`},
	{"halving rung off the evaluations", "budget: {steps: 1000, eval_every: 100}\ngrid: {lr: [0.1, 0.01]}\nprune:\n  halving:\n    over: [lr]\n    rungs: [150]\n", 4, "prune.halving", `rungs that are multiples of eval_every 100 and below steps 1000 (rung 150 is not)`},
	{"halving rung at the budget", "budget: {steps: 1000, eval_every: 100}\ngrid: {lr: [0.1, 0.01]}\nprune:\n  halving: {over: [lr], rungs: [1000]}\n", 4, "prune.halving", `below steps 1000`},
	{"halving set in fixed", "fixed: {halving: 'over=lr;rungs=100;factor=3'}\ngrid: {lr: [0.1, 0.01]}\n", 1, "fixed.halving", `field "halving" is set by prune.halving, not here`},
	{"halving as an axis", "grid: {halving: ['over=lr;rungs=100;factor=3']}\n", 1, "grid.halving", `is set by prune.halving`},

	// The document itself.
	{"YAML syntax", "grid: {T: [10]}\nfixed:\n  clip: norm:1 x: 3\n", 3, "", `invalid YAML: mapping values are not allowed`},
	{"YAML tab", "grid:\n\tT: [10]\n", 2, "", `invalid YAML`},
	{"two documents", "grid: {T: [10]}\n---\ngrid: {T: [20]}\n", 3, "", `a second YAML document`},
	{"too many trials", "grid:\n  T: [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]\n", 0, "", `the sweep has 11 trials, more than the limit of 10`},
}

func checkSpecError(t *testing.T, err error) *experiments.SpecError {
	t.Helper()
	if !errors.Is(err, experiments.ErrSpec) {
		t.Fatalf("error %q (%T) does not wrap ErrSpec", err, err)
	}
	var se *experiments.SpecError
	if !errors.As(err, &se) {
		t.Fatalf("error %q is not a *SpecError", err)
	}
	return se
}

func TestParseSpecErrors(t *testing.T) {
	for _, tc := range specErrorCases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := experiments.ParseSpec("bad.yaml", "bad", []byte(tc.src))
			if err == nil {
				_, err = s.Expand(10)
			}
			if err == nil {
				t.Fatalf("no error for\n%s", tc.src)
			}
			t.Log(err)
			se := checkSpecError(t, err)
			if se.Line != tc.line || se.Path != tc.path || se.Source != "bad.yaml" {
				t.Errorf("line %d, path %q, source %q; want line %d, path %q\n(error: %v)", se.Line, se.Path, se.Source, tc.line, tc.path, err)
			}
			prefix := "bad.yaml: "
			if tc.line > 0 {
				prefix = fmt.Sprintf("bad.yaml:%d: ", tc.line)
			}
			if tc.path != "" {
				prefix += tc.path + ": "
			}
			if msg := err.Error(); !strings.HasPrefix(msg, prefix) || !strings.Contains(msg, tc.msg) {
				t.Errorf("error %q\nwant the prefix %q and %q", msg, prefix, tc.msg)
			}
		})
	}
}

func TestSpecConfigErrorCause(t *testing.T) {
	s := mustParse(t, "grid:\n  T: [0]\n")
	_, err := s.Expand(0)
	var ce *experiments.ConfigError
	if !errors.As(err, &ce) || ce.Field != "T" {
		t.Errorf("error %v does not wrap the *ConfigError of T", err)
	}
	if got, want := err.Error(), "test.yaml:2: grid.T: invalid T 0: want an integer ≥ 2 for adding"; got != want {
		t.Errorf("error %q, want %q", got, want)
	}
}

func TestParseSpecTooLarge(t *testing.T) {
	data := append([]byte("grid: {T: [10]}\n"), bytes.Repeat([]byte("# padding\n"), experiments.MaxSpecSize/10)...)
	_, err := experiments.ParseSpec("big.yaml", "big", data)
	se := checkSpecError(t, err)
	if !strings.Contains(se.Msg, "1 MiB") {
		t.Errorf("error %q does not name the limit", err)
	}
	if _, err := experiments.ParseSpec("ok.yaml", "ok", data[:experiments.MaxSpecSize]); err != nil {
		t.Errorf("a spec of exactly MaxSpecSize bytes: %v", err)
	}
}

// TestParseSpecAliases checks that YAML anchors and aliases work, and that an alias
// cycle is an error rather than a hang.
func TestParseSpecAliases(t *testing.T) {
	s := mustParse(t, "fixed: {hidden: &h 48}\ngrid:\n  batch: [*h, 64]\n  T: &lengths [10, 20]\n")
	trials := mustExpand(t, s)
	if len(trials) != 4 || trials[0].Hidden != 48 || trials[0].Batch != 48 || trials[3].T != 20 {
		t.Errorf("trials with aliases: %d, first %s", len(trials), trials[0].Canonical())
	}
	for _, src := range []string{
		"grid: &g\n  T: *g\n",
		"grid:\n  T: &t [10, *t]\n",
		"random: &r\n  n: 2\n  params:\n    lr: *r\n",
		"grid:\n  T: *missing\n",
	} {
		_, err := experiments.ParseSpec("alias.yaml", "alias", []byte(src))
		if err == nil {
			t.Errorf("no error for\n%s", src)
			continue
		}
		checkSpecError(t, err)
	}
}

// FuzzParseSpec checks that ParseSpec and Expand never panic, that every error is a
// *SpecError wrapping ErrSpec, and that every trial is valid and listed once.
func FuzzParseSpec(f *testing.F) {
	for _, name := range experiments.Names() {
		data, err := experiments.Read(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, tc := range specErrorCases[:10] {
		f.Add([]byte(tc.src))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := experiments.ParseSpec("fuzz.yaml", "fuzz", data)
		if err != nil {
			checkSpecError(t, err)
			return
		}
		trials, err := s.Expand(10000)
		if err != nil {
			checkSpecError(t, err)
			return
		}
		if len(trials) == 0 || len(trials) > 10000 {
			t.Fatalf("%d trials", len(trials))
		}
		ids := map[string]bool{}
		for _, c := range trials {
			if err := c.Validate(); err != nil {
				t.Fatalf("invalid trial %s: %v", c.Canonical(), err)
			}
			if ids[c.ID()] {
				t.Fatalf("trial %s listed twice", c.ID())
			}
			ids[c.ID()] = true
			_ = s.Label(c)
		}
		if len(s.Axes()) == 0 {
			t.Fatalf("a valid spec with no axes")
		}
	})
}

func ExampleParseSpec() {
	spec, err := experiments.ParseSpec("demo.yaml", "demo", []byte(`
description: rnn against lstm at two lengths
fixed: {hidden: 32}
budget: {steps: 500}
grid:
  cell: [rnn, lstm]
  T: [10, 20]
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	trials, err := spec.Expand(100)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(spec.Name, len(trials), "trials over", spec.Axes())
	fmt.Println(trials[0].ID())
	fmt.Println(trials[1].ID())
	// Output:
	// demo 4 trials over [T cell]
	// adding-T10-rnn-h32-s1-42e0b911d420
	// adding-T10-lstm-h32-s1-bbf8ae68cbf8
}

// TestExpandResolvesParameterBudget: with params set, each cell gets its own hidden size.
func TestExpandResolvesParameterBudget(t *testing.T) {
	spec, err := experiments.ParseSpec("budget.yaml", "budget", []byte("fixed: {params: 16000}\ngrid: {cell: [rnn, lstm, gru]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	trials, err := spec.Expand(0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, c := range trials {
		got[c.Cell] = c.Hidden
	}
	if got["rnn"] != 124 || got["lstm"] != 61 || got["gru"] != 71 {
		t.Fatalf("hidden sizes %v", got)
	}
	tiny, _ := experiments.ParseSpec("b.yaml", "b", []byte("fixed: {params: 5}\ngrid: {cell: [lstm]}\n"))
	if _, err := tiny.Expand(0); err == nil || !strings.Contains(err.Error(), "b.yaml:1: fixed.params") {
		t.Errorf("budget too small: %v", err)
	}
}

// The experiments of the Hochreiter & Schmidhuber tasks: each covers its tasks with rnn,
// lstm and gru, a few seeds and several T.
func TestSpecTaskExperiments(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tasks  []string
		trials int
	}{
		{"hochreiter", []string{"adding-hochreiter", "multiply"}, 36},
		{"temporal-order", []string{"temporal-order", "temporal-order3"}, 36},
		{"long-lag", []string{"long-lag"}, 30},
	} {
		data, err := experiments.Read(tc.name)
		if err != nil {
			t.Fatal(err)
		}
		s, err := experiments.ParseSpec(tc.name, tc.name, data)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		trials, err := s.Expand(0)
		if err != nil || len(trials) != tc.trials {
			t.Fatalf("%s: %d trials, %v; want %d", tc.name, len(trials), err, tc.trials)
		}
		tasks, cells, seeds, Ts := map[string]bool{}, map[string]bool{}, map[uint64]bool{}, map[int]bool{}
		for _, c := range trials {
			tasks[c.Task], cells[c.Cell], seeds[c.Seed], Ts[c.T] = true, true, true, true
		}
		for _, task := range tc.tasks {
			if !tasks[task] {
				t.Errorf("%s: no trial of %s", tc.name, task)
			}
		}
		for _, cell := range []string{"rnn", "lstm", "gru"} {
			if !cells[cell] {
				t.Errorf("%s: no trial of %s", tc.name, cell)
			}
		}
		if len(tasks) != len(tc.tasks) || len(seeds) < 2 || len(Ts) < 3 {
			t.Errorf("%s: tasks %v, %d seeds, %d lengths", tc.name, tasks, len(seeds), len(Ts))
		}
	}
}

func TestSpecPrune(t *testing.T) {
	s := mustParse(t, `
budget: {steps: 1000, eval_every: 50}
prune:
  plateau: {patience: 6, delta: 0.01, min_steps: 300}
  halving: {over: [seed, lr], rungs: [100, 400], factor: 2}
grid: {lr: [0.1, 0.01], seed: [1, 2]}
`)
	trials, err := s.Expand(0)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range trials {
		if c.PlateauPatience != 6 || c.PlateauDelta != 0.01 || c.PlateauMinSteps != 300 {
			t.Errorf("plateau rule of %s: %d %g %d", c.ID(), c.PlateauPatience, c.PlateauDelta, c.PlateauMinSteps)
		}
		// over is kept in field order (lr before seed), whatever order the spec gives.
		if c.Halving != "over=lr,seed;rungs=100,400;factor=2" {
			t.Errorf("halving of %s: %q", c.ID(), c.Halving)
		}
		if c.Group() != trials[0].Group() {
			t.Errorf("%s is not in the group of %s", c.ID(), trials[0].ID())
		}
	}
	// The prune policy is part of the trial's identity; a spec without one gives the ids
	// it always gave.
	plain := mustParse(t, "budget: {steps: 1000, eval_every: 50}\ngrid: {lr: [0.1, 0.01], seed: [1, 2]}\n")
	others, err := plain.Expand(0)
	if err != nil {
		t.Fatal(err)
	}
	if others[0].ID() == trials[0].ID() || strings.Contains(string(others[0].Canonical()), "plateau") ||
		strings.Contains(string(others[0].Canonical()), "halving") {
		t.Errorf("config without pruning: %s", others[0].Canonical())
	}
}
