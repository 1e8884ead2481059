package results

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/expctl/expctl/results/report"
)

func loadPlotFixture(t *testing.T) *Collection {
	t.Helper()
	c, err := Load(filepath.Join("testdata", "fixture"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func plotFixtureTables(t *testing.T, c *Collection, q Query) map[string]*Table {
	t.Helper()
	tables, err := c.Tables(q)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]*Table{}
	for _, tb := range tables {
		m[tb.Task] = tb
	}
	if len(m) != 2 || m["adding"] == nil || m["copy"] == nil {
		t.Fatalf("fixture tables: %v", m)
	}
	return m
}

func plotSeriesNames(ch *report.Chart) []string {
	var names []string
	for _, s := range ch.Series {
		names = append(names, s.Name)
	}
	return names
}

func TestPlotFinalFixture(t *testing.T) {
	c := loadPlotFixture(t)
	tables := plotFixtureTables(t, c, Query{})
	for _, task := range []string{"adding", "copy"} {
		tb := tables[task]
		p, n, err := finalPlot(tb)
		if err != nil {
			t.Fatalf("%s: %v", task, err)
		}
		if want := task + ": final test_loss vs T"; p.Title.Text != want {
			t.Errorf("title %q, want %q", p.Title.Text, want)
		}
		if n != 2 {
			t.Errorf("%s: %d lines, want 2 (rnn, lstm)", task, n)
		}
		if p2, err := PlotFinal(tb); err != nil || p2 == nil {
			t.Errorf("PlotFinal(%s) = %v, %v", task, p2, err)
		}
		ch := finalChart(tb)
		if got := strings.Join(plotSeriesNames(ch), ","); got != "rnn,lstm" {
			t.Errorf("%s: lines %s", task, got)
		}
		if ch.LogX || !ch.LogY {
			t.Errorf("%s: logX %v logY %v, want linear x (5–10) and log y", task, ch.LogX, ch.LogY)
		}
		// Every line has a point per column: each cell has at least one value.
		for _, s := range ch.Series {
			if len(s.X) != 2 || s.X[0] != 5 || s.X[1] != 10 {
				t.Errorf("%s %s: x %v, want [5 10]", task, s.Name, s.X)
			}
		}
	}
	// adding's baseline is the same for all T: a horizontal line; copy's depends on T.
	if ch := finalChart(tables["adding"]); math.Abs(ch.HLine-1.0/6) > 1e-9 || ch.BaselineX != nil {
		t.Errorf("adding baseline: hline %v, polyline %v", ch.HLine, ch.BaselineY)
	}
	if ch := finalChart(tables["copy"]); !math.IsNaN(ch.HLine) || len(ch.BaselineY) != 2 || ch.BaselineY[0] <= ch.BaselineY[1] {
		t.Errorf("copy baseline: hline %v, polyline %v", ch.HLine, ch.BaselineY)
	}
	// The mean ± sd of adding/rnn at T=5 (two solved trials).
	ch := finalChart(tables["adding"])
	cell := tables["adding"].Cells[1][0]
	if s := ch.Series[1]; s.Y[0] != cell.Mean || s.Lo[0] != cell.Mean-cell.SD || s.Hi[0] != cell.Mean+cell.SD {
		t.Errorf("rnn T=5: y %v [%v, %v], cell %+v", s.Y[0], s.Lo[0], s.Hi[0], cell)
	}
	// lstm at T=10 has one value (the other trial failed): a point without error bar.
	if s := ch.Series[0]; !math.IsNaN(s.Lo[1]) || s.Y[1] != tables["adding"].Cells[0][1].Values[0] {
		t.Errorf("lstm T=10: y %v lo %v", s.Y[1], s.Lo[1])
	}
}

func TestPlotFinalMedian(t *testing.T) {
	c := loadPlotFixture(t)
	tb := plotFixtureTables(t, c, Query{Agg: Median})["adding"]
	ch := finalChart(tb)
	cell := tb.Cells[1][0]
	if s := ch.Series[1]; s.Y[0] != cell.Median || s.Lo[0] != cell.Min || s.Hi[0] != cell.Max {
		t.Errorf("median: %v [%v, %v], cell %+v", s.Y[0], s.Lo[0], s.Hi[0], cell)
	}
	if !strings.Contains(ch.YLabel, "median") {
		t.Errorf("y label %q", ch.YLabel)
	}
}

// plotCell builds a cell from values and states.
func plotCell(vals []float64, states map[string]int) *Aggregate {
	c := &Aggregate{Values: vals, States: states, Baseline: 0.5}
	for _, n := range states {
		c.N += n
	}
	c.Mean, c.SD, c.Median, c.Min, c.Max = Summarize(vals)
	return c
}

func TestPlotFinalSkipsCellsWithoutValues(t *testing.T) {
	tb := &Table{
		Task: "adding", Query: Query{}.withDefaults(), MetricName: TestLoss,
		Rows: []string{"gru", "rnn"}, Cols: []string{"10", "100", "1000"},
		Cells: [][]*Aggregate{
			{plotCell(nil, map[string]int{Missing: 1}), nil, plotCell(nil, map[string]int{Running: 1})},
			{plotCell([]float64{0.01, 0.02}, map[string]int{Solved: 2}), plotCell(nil, map[string]int{Diverged: 2}), plotCell([]float64{0.3}, map[string]int{Unsolved: 1, Failed: 1})},
		},
		ColBaseline: []float64{0.5, 0.5, 0.5},
	}
	ch := finalChart(tb)
	if len(ch.Series) != 1 || ch.Series[0].Name != "rnn" {
		t.Fatalf("lines %v, want only rnn", plotSeriesNames(ch))
	}
	if s := ch.Series[0]; len(s.X) != 2 || s.X[0] != 10 || s.X[1] != 1000 {
		t.Errorf("rnn x %v, want [10 1000] (the diverged cell left out)", s.X)
	}
	if ch.Series[0].Style != 1 {
		t.Errorf("rnn drawn in style %d, want that of the second row", ch.Series[0].Style)
	}
	if !ch.LogX {
		t.Error("x spans 100×, want a log axis")
	}
	if ch.HLine != 0.5 {
		t.Errorf("baseline %v", ch.HLine)
	}
	p, n, err := finalPlot(tb)
	if err != nil || n != 1 {
		t.Fatalf("finalPlot: %d lines, %v", n, err)
	}
	if _, err := report.SVG(p); err != nil {
		t.Fatal(err)
	}
}

func TestPlotFinalAllNonNumeric(t *testing.T) {
	for _, metric := range []string{TestLoss, TestMetric} {
		tb := &Table{
			Task: "copy", Query: Query{Metric: metric}.withDefaults(), MetricName: metric,
			Rows: []string{"lstm", "rnn"}, Cols: []string{"a", "b"},
			Cells: [][]*Aggregate{
				{plotCell(nil, map[string]int{Diverged: 1}), plotCell(nil, map[string]int{Failed: 2})},
				{nil, plotCell(nil, map[string]int{Missing: 1})},
			},
			ColBaseline: []float64{math.NaN(), math.NaN()},
		}
		p, n, err := finalPlot(tb)
		if err != nil {
			t.Fatalf("%s: %v", metric, err)
		}
		if n != 0 {
			t.Errorf("%s: %d lines, want none", metric, n)
		}
		if p, err := PlotFinal(tb); err != nil || p == nil {
			t.Errorf("PlotFinal: %v", err)
		}
		if svg, err := report.SVG(p); err != nil || !bytes.Contains(svg, []byte("copy: final "+metric+" vs T")) {
			t.Errorf("%s: svg %v", metric, err)
		}
		if _, err := report.PNG(p); err != nil {
			t.Error(err)
		}
	}
}

func TestPlotCurvesFixture(t *testing.T) {
	c := loadPlotFixture(t)
	for _, tc := range []struct {
		task, col string
		lines     []string
	}{
		// adding T=10: lstm s2 failed without a curve; rnn s2 is incomplete but has one.
		{"adding", "10", []string{"rnn (2 trials)", "lstm (1 trial)"}},
		{"adding", "5", []string{"rnn (2 trials)", "lstm (2 trials)"}},
		// copy T=5: lstm s2 is missing.
		{"copy", "5", []string{"rnn (2 trials)", "lstm (1 trial)"}},
		{"copy", "10", []string{"rnn (2 trials)", "lstm (2 trials)"}},
	} {
		p, n, err := curvesPlot(c, Query{}, tc.task, tc.col)
		if err != nil {
			t.Fatalf("%s T=%s: %v", tc.task, tc.col, err)
		}
		if want := tc.task + ", T=" + tc.col + ": test loss vs step"; p.Title.Text != want {
			t.Errorf("title %q, want %q", p.Title.Text, want)
		}
		if n != len(tc.lines) {
			t.Errorf("%s T=%s: %d lines", tc.task, tc.col, n)
		}
		ch, err := curvesChart(c, Query{}, tc.task, tc.col)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := strings.Join(plotSeriesNames(ch), "|"), strings.Join(tc.lines, "|"); got != want {
			t.Errorf("%s T=%s: lines %s, want %s", tc.task, tc.col, got, want)
		}
		if !plotFinite(ch.HLine) || !ch.LogY {
			t.Errorf("%s T=%s: baseline %v, log y %v", tc.task, tc.col, ch.HLine, ch.LogY)
		}
		if pp, err := PlotCurves(c, Query{}, tc.task, tc.col); err != nil || pp == nil {
			t.Errorf("PlotCurves: %v", err)
		}
	}

	// The median at each step over the trials that reached it.
	ch, _ := curvesChart(c, Query{}, "adding", "10")
	rnn := ch.Series[0]
	var first []float64
	for _, tr := range c.Trials {
		if tr.Field("task") == "adding" && tr.Field("T") == "10" && tr.Field("cell") == "rnn" {
			first = append(first, tr.Curve[0].TestLoss)
		}
	}
	if len(first) != 2 || rnn.X[0] != 0 || math.Abs(rnn.Y[0]-(first[0]+first[1])/2) > 1e-12 {
		t.Errorf("rnn at step 0: %v, trials %v", rnn.Y[0], first)
	}
	lstm := ch.Series[1]
	if lstm.X[len(lstm.X)-1] != 200 {
		t.Errorf("lstm (solved at 200) runs to step %v", lstm.X[len(lstm.X)-1])
	}

	if _, err := PlotCurves(c, Query{}, "nosuchtask", "10"); err == nil {
		t.Error("no error for a task without trials")
	}
	if _, err := PlotCurves(c, Query{Rows: "nosuchfield"}, "adding", "10"); err == nil {
		t.Error("no error for an unknown field")
	}
	// Where applies: only seed 1.
	ch, err := curvesChart(c, Query{Where: map[string]string{"seed": "1"}}, "adding", "10")
	if err != nil || strings.Join(plotSeriesNames(ch), "|") != "rnn (1 trial)|lstm (1 trial)" {
		t.Errorf("where seed=1: %v, %v", plotSeriesNames(ch), err)
	}
	// Where seed=2, lstm's trial has no curve: rnn's line alone.
	ch, err = curvesChart(c, Query{Where: map[string]string{"seed": "2"}}, "adding", "10")
	if err != nil || len(ch.Series) != 1 || ch.Series[0].Name != "rnn (1 trial)" || ch.Series[0].Style != 0 {
		t.Errorf("where seed=2: %v (style %v), %v", plotSeriesNames(ch), ch.Series, err)
	}
	// A row keeps its style where a row before it has no curve.
	for _, tr := range c.Trials {
		if tr.Field("task") == "adding" && tr.Field("T") == "10" && tr.Field("cell") == "rnn" {
			tr.Curve = nil
		}
	}
	ch, err = curvesChart(c, Query{}, "adding", "10")
	if err != nil || len(ch.Series) != 1 || ch.Series[0].Name != "lstm (1 trial)" || ch.Series[0].Style != 1 {
		t.Errorf("rnn without curves: %v (style %v), %v", plotSeriesNames(ch), ch.Series, err)
	}
}

func TestSavePlots(t *testing.T) {
	c := loadPlotFixture(t)
	dir := filepath.Join(t.TempDir(), "plots")
	paths, err := SavePlots(dir, c, Query{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range paths {
		names = append(names, filepath.Base(p))
	}
	var want []string
	titles := map[string]string{}
	for _, f := range []struct{ name, title string }{
		{"final-adding-test_loss", "adding: final test_loss vs T"},
		{"final-copy-test_loss", "copy: final test_loss vs T"},
		{"curves-adding-T5", "adding, T=5: test loss vs step"},
		{"curves-adding-T10", "adding, T=10: test loss vs step"},
		{"curves-copy-T5", "copy, T=5: test loss vs step"},
		{"curves-copy-T10", "copy, T=10: test loss vs step"},
	} {
		want = append(want, f.name+".png", f.name+".svg")
		titles[f.name+".svg"] = f.title
	}
	sort.Strings(want)
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("files\n%v\nwant\n%v", names, want)
	}
	if !sort.StringsAreSorted(paths) {
		t.Error("paths not sorted")
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) == 0 {
			t.Errorf("%s is empty", p)
		}
		switch filepath.Ext(p) {
		case ".png":
			if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
				t.Errorf("%s is not a PNG", p)
			}
		case ".svg":
			if !bytes.Contains(b, []byte("<svg")) || !bytes.Contains(b, []byte(titles[filepath.Base(p)])) {
				t.Errorf("%s lacks <svg> or its title %q", p, titles[filepath.Base(p)])
			}
			if !bytes.Contains(b, []byte(">baseline<")) {
				t.Errorf("%s has no baseline in its legend", p)
			}
		}
	}
	// Bad queries fail.
	if _, err := SavePlots(dir, c, Query{Metric: "nosuchmetric"}); err == nil {
		t.Error("no error for an unknown metric")
	}
}

func TestPlotFileName(t *testing.T) {
	if got := plotFileName("curves", "a/b c", "T10"); got != "curves-a_b_c-T10" {
		t.Errorf("got %q", got)
	}
}
