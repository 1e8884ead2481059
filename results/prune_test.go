package results

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/expctl/expctl/experiments"
	"github.com/expctl/expctl/results/trialdir"
)

// fakeTrial is a finished trial to write into a sweep directory.
type fakeTrial struct {
	cell   string
	T      int
	seed   uint64
	status string
	loss   float64 // final test loss
	solved int     // solved_at_step, 0 for none
	curve  []float64
	pruned *Pruning
	// forgetBias and clip set the config's fields when not zero.
	forgetBias float64
	clip       string
}

// writeSweep writes a sweep directory of the adding task holding the trials, each with a
// config.json, a curve.csv (one evaluation every 100 steps from step 0 with the given
// test losses) and a result.json, and returns its path.
func writeSweep(t *testing.T, trials []fakeTrial) string {
	t.Helper()
	sweep := t.TempDir()
	list := &TrialList{Name: "prune"}
	for _, ft := range trials {
		cfg := experiments.DefaultConfig()
		cfg.Task, cfg.T, cfg.Cell, cfg.Hidden, cfg.Seed, cfg.Steps, cfg.EvalEvery = "adding", ft.T, ft.cell, 16, ft.seed, 1000, 100
		if ft.forgetBias != 0 {
			cfg.ForgetBias = ft.forgetBias
		}
		if ft.clip != "" {
			cfg.Clip = ft.clip
		}
		id := cfg.ID()
		raw, err := json.Marshal(cfg)
		if err != nil {
			t.Fatal(err)
		}
		list.Trials = append(list.Trials, ListedTrial{ID: id, Config: raw})
		dir := trialdir.TrialPath(sweep, id)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := trialdir.WriteConfig(dir, cfg); err != nil {
			t.Fatal(err)
		}
		var pts []Point
		for i, l := range ft.curve {
			pts = append(pts, Point{Step: 100 * i, TrainLoss: math.NaN(), TestLoss: l, TestMetric: 0.5, GradNorm: math.NaN(), ClipRate: math.NaN(), Seconds: float64(i)})
		}
		if len(pts) > 0 {
			if err := trialdir.Curve.Append(dir, pts); err != nil {
				t.Fatal(err)
			}
		}
		loss, metric := ft.loss, 0.5
		r := &Result{ID: id, Status: ft.status, StepsRun: 100 * max(len(ft.curve)-1, 0), TestLoss: &loss, TestMetric: &metric,
			Metric: "acc@0.04", Baseline: 1.0 / 6, Criterion: "test MSE ≤ 0.01", Params: 100, Version: "test", Pruned: ft.pruned}
		if ft.solved > 0 {
			s := ft.solved
			r.SolvedAtStep = &s
		}
		if err := trialdir.WriteResult(dir, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := trialdir.WriteTrialList(sweep, list); err != nil {
		t.Fatal(err)
	}
	return sweep
}

// pruneSweep: lstm at T=5 has two solved seeds and one that the plateau rule pruned with
// a far larger loss; rnn at T=5 has an unsolved seed whose loss was still falling, one
// stuck at the baseline and one halving pruned after it learnt something.
func pruneSweep(t *testing.T) string {
	t.Helper()
	return writeSweep(t, []fakeTrial{
		{cell: "lstm", T: 5, seed: 1, status: Solved, loss: 0.004, solved: 300, curve: []float64{0.3, 0.1, 0.02, 0.004}},
		{cell: "lstm", T: 5, seed: 2, status: Solved, loss: 0.006, solved: 500, curve: []float64{0.3, 0.15, 0.08, 0.03, 0.01, 0.006}},
		{cell: "lstm", T: 5, seed: 3, status: Pruned, loss: 0.12, curve: []float64{0.3, 0.16, 0.13, 0.12, 0.12},
			pruned: &Pruning{Step: 400, Rule: PrunePlateau, Reason: "best test loss 0.12 improved by less than 1% over 3 evaluations"}},
		{cell: "rnn", T: 5, seed: 1, status: Unsolved, loss: 0.05, curve: []float64{0.3, 0.16, 0.15, 0.12, 0.1, 0.09, 0.08, 0.07, 0.06, 0.055, 0.05}},
		{cell: "rnn", T: 5, seed: 2, status: Unsolved, loss: 0.17, curve: []float64{0.3, 0.17, 0.168, 0.167, 0.166, 0.167, 0.17, 0.168, 0.167, 0.168, 0.17}},
		{cell: "rnn", T: 5, seed: 3, status: Pruned, loss: 0.09, curve: []float64{0.3, 0.1, 0.09, 0.09, 0.09},
			pruned: &Pruning{Step: 400, Rule: PruneHalving, Reason: "ranked 3rd of 3 at the rung of step 400"}},
	})
}

func pruneReport(t *testing.T, q Query) *Report {
	t.Helper()
	c, err := Load(pruneSweep(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Problems) > 0 {
		t.Fatalf("problems: %v", c.Problems)
	}
	r, err := NewReport(c, q, 0)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestPrunedNotAveraged: a pruned trial's numbers never enter a cell's values, for any
// metric, and the cell's note counts it.
func TestPrunedNotAveraged(t *testing.T) {
	for _, tc := range []struct {
		metric, agg string
		values      []float64 // lstm at T=5
		text        string
	}{
		{TestLoss, Mean, []float64{0.004, 0.006}, "0.005 ± 0.00141 (2/3, 1 pruned)"},
		{TestLoss, Median, []float64{0.004, 0.006}, "0.005 [0.004–0.006] (2/3, 1 pruned)"},
		{TestMetric, Mean, []float64{0.5, 0.5}, "0.5 ± 0 (2/3, 1 pruned)"},
		{BestTestLoss, Mean, []float64{0.004, 0.006}, "0.005 ± 0.00141 (2/3, 1 pruned)"},
		{StepsToSolve, Median, []float64{300, 500}, "400 [300–500] (2/3, 1 pruned)"},
	} {
		r := pruneReport(t, Query{Metric: tc.metric, Agg: tc.agg})
		tb := r.Tables[0]
		lstm := tb.Cells[0][0]
		if tb.Rows[0] != "lstm" || lstm.N != 3 || lstm.Count(Pruned) != 1 {
			t.Fatalf("%s: rows %v, lstm cell %+v", tc.metric, tb.Rows, lstm)
		}
		if !floatsEqual(lstm.Values, tc.values) {
			t.Errorf("%s: values %v, want %v (the pruned trial's left out)", tc.metric, lstm.Values, tc.values)
		}
		if got := lstm.Text(tc.agg); got != tc.text {
			t.Errorf("%s %s: %q, want %q", tc.metric, tc.agg, got, tc.text)
		}
	}

	r := pruneReport(t, Query{})
	out := string(render(t, r, Terminal))
	for _, want := range []string{
		"(6 trials: 2 solved, 2 unsolved, 2 pruned)",
		"│ lstm     │ 0.005 ± 0.00141 (2/3, 1 pruned) │",
		"│ rnn      │ 0.11 ± 0.0849 (2/3, 1 pruned)   │", // 0.05 and 0.17, not 0.09
		"│ lstm │ 400 [300–500] (2/3 solved, 1 pruned) │",
		"│ rnn  │ 0/3 solved, 1 pruned                 │",
		"pruned = stopped early by the sweep's prune rule (plateau or halving)",
		"lstm: longest T solved in all seeds: none",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal output lacks %q\n%s", want, out)
		}
	}
	for _, f := range []Format{Markdown, CSV, LaTeX} {
		if out := string(render(t, r, f)); !strings.Contains(out, "2/3, 1 pruned") || !strings.Contains(out, "pruned = stopped early") {
			t.Errorf("%s does not count the pruned trial:\n%s", f, out)
		}
	}
	var doc struct {
		Tables []struct {
			Cells [][]struct {
				Values []float64
				States map[string]int
			}
			Why [][]struct {
				Unsolved, Pruned map[string]int
				Text             string
			}
		}
	}
	if err := json.Unmarshal(render(t, r, JSON), &doc); err != nil {
		t.Fatal(err)
	}
	if c := doc.Tables[0].Cells[0][0]; len(c.Values) != 2 || c.States[Pruned] != 1 || c.States[Solved] != 2 {
		t.Errorf("JSON lstm cell: %+v", c)
	}
	if w := doc.Tables[0].Why[1][0]; w.Unsolved[Falling] != 1 || w.Unsolved[AtBaseline] != 1 || w.Pruned[Stalled] != 1 {
		t.Errorf("JSON rnn why: %+v", w)
	}

	c, err := Load(pruneSweep(t))
	if err != nil {
		t.Fatal(err)
	}
	var page bytes.Buffer
	if err := WriteHTML(&page, c, Query{}, 0); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Trials stopped by the prune rule", "pruned (plateau @ 400)", "pruned (halving @ 400)",
		"ranked 3rd of 3 at the rung of step 400", `title="3 trials: 2 solved, 1 pruned"><span class="nb">0.005</span>`, "unsolved trials: why"} {
		if !strings.Contains(strings.ToLower(page.String()), strings.ToLower(want)) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page.String(), "did not finish normally") {
		t.Error("pruned trials listed as not finished normally")
	}
}

// TestWhyTable: the third table of a task counts each cell's unsolved and pruned trials
// by the class of their curves, and defines the classes with their thresholds.
func TestWhyTable(t *testing.T) {
	r := pruneReport(t, Query{})
	out := string(render(t, r, Terminal))
	for _, want := range []string{
		"adding: unsolved trials: why, from each learning curve (2 unsolved, 2 pruned)",
		"│ lstm │ 1 pruned: 1 stalled  ",
		"│ rnn  │ 1 falling, 1 at baseline; 1 pruned: 1 stalled │",
		"more than 5% below the best before it",
		"≥ 0.9 × the memoryless baseline",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal output lacks %q\n%s", want, out)
		}
	}
	md := string(render(t, r, Markdown))
	if !strings.Contains(md, "| rnn  | 1 falling, 1 at baseline; 1 pruned: 1 stalled |") {
		t.Errorf("Markdown why table:\n%s", md)
	}

	// No unsolved or pruned trial: no such table.
	c, err := Load(writeSweep(t, []fakeTrial{{cell: "lstm", T: 5, seed: 1, status: Solved, loss: 0.004, solved: 300, curve: []float64{0.3, 0.004}}}))
	if err != nil {
		t.Fatal(err)
	}
	r, err = NewReport(c, Query{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if out := string(render(t, r, Terminal)); strings.Contains(out, "why") {
		t.Errorf("all solved, yet a why table:\n%s", out)
	}
}

// TestAttribute classifies curves on both sides of each threshold (baseline 1).
func TestAttribute(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name  string
		curve []float64
		want  string
	}{
		// 8 evaluations: the last quarter is the last 2, compared with the best of the first 6.
		{"falling, 6% below", []float64{2, 0.8, 0.7, 0.6, 0.55, 0.5, 0.48, 0.47}, Falling},      // 0.47 vs 0.5: −6%
		{"stalled, 4% below", []float64{2, 0.8, 0.7, 0.6, 0.55, 0.5, 0.49, 0.48}, Stalled},      // −4%
		{"stalled, flat", []float64{2, 0.5, 0.4, 0.35, 0.34, 0.34, 0.35, 0.34}, Stalled},        // −0%
		{"falling from the baseline", []float64{2, 1, 1, 1, 0.99, 1, 1, 0.92}, Falling},         // −7% though ≥ 0.9
		{"at baseline, 0.91", []float64{2, 1.1, 1.0, 0.95, 0.91, 0.93, 0.92, 0.91}, AtBaseline}, // best 0.91 ≥ 0.9
		{"stalled, 0.89", []float64{2, 1.1, 1.0, 0.95, 0.89, 0.93, 0.92, 0.9}, Stalled},         // best 0.89 < 0.9
		{"at baseline, exactly 0.9", []float64{2, 1.1, 1.0, 0.95, 0.9, 0.93, 0.92, 0.9}, AtBaseline},
		{"at baseline, above it", []float64{2, 1.2, 1.1, 1.05, 1.02, 1.01, 1.03, 1.04}, AtBaseline},
		{"NaN evaluations ignored", []float64{2, nan, 0.6, 0.5, nan, 0.5, 0.45}, Falling}, // 5 finite: last 1 vs 4
		{"two evaluations", []float64{2, 0.5}, Falling},
		{"one evaluation", []float64{0.5}, NoCurve},
		{"none", nil, NoCurve},
	} {
		var pts []Point
		for i, l := range tc.curve {
			pts = append(pts, Point{Step: 100 * i, TestLoss: l})
		}
		if got := Attribute(pts, 1); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	// Without a baseline a curve that is not falling is stalled.
	if got := Attribute([]Point{{TestLoss: 1}, {TestLoss: 1}}, math.NaN()); got != Stalled {
		t.Errorf("no baseline: %q", got)
	}
}

// TestPausedState: an unfinished trial whose last attempt paused at a rung reads as
// paused, is counted as such and is not averaged; one interrupted reads as incomplete.
func TestPausedState(t *testing.T) {
	sweep := writeSweep(t, []fakeTrial{
		{cell: "lstm", T: 5, seed: 1, status: Solved, loss: 0.004, solved: 300, curve: []float64{0.2, 0.1, 0.05, 0.004}},
		{cell: "lstm", T: 5, seed: 2, status: Solved, loss: 0.006, solved: 300, curve: []float64{0.2, 0.1, 0.05, 0.006}},
		{cell: "lstm", T: 5, seed: 3, status: Solved, loss: 0.005, solved: 300, curve: []float64{0.2, 0.1, 0.05, 0.005}},
	})
	list, err := trialdir.ReadTrialList(sweep)
	if err != nil {
		t.Fatal(err)
	}
	// Trial 2 paused at step 200 of a halving rung, trial 3 was interrupted there.
	for i, how := range map[int]string{1: trialdir.Paused, 2: trialdir.Interrupted} {
		dir := trialdir.TrialPath(sweep, list.Trials[i].ID)
		os.Remove(filepath.Join(dir, trialdir.ResultFile))
		if err := trialdir.BeginAttempt(dir, 0, false, time.Unix(0, 0)); err != nil {
			t.Fatal(err)
		}
		trialdir.EndAttempt(dir, trialdir.AttemptEnd{Step: 200, How: how})
	}
	c, err := Load(sweep)
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]int{}
	for _, tr := range c.Trials {
		states[tr.State]++
	}
	if states[Paused] != 1 || states[Incomplete] != 1 || states[Solved] != 1 {
		t.Fatalf("states %v", states)
	}
	r, err := NewReport(c, Query{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := string(render(t, r, Terminal))
	if !strings.Contains(out, "0.004 (1/3, 1 paused, 1 incomplete)") || !strings.Contains(out, "paused = waiting at a rung") {
		t.Errorf("report:\n%s", out)
	}
}
