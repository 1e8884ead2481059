package results

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"gonum.org/v1/plot"

	"github.com/expctl/expctl/experiments"
	"github.com/expctl/expctl/results/report"
	"github.com/expctl/expctl/results/trialdir"
)

// gradFixture is a small adding sweep (rnn, lstm, gru; T 10 and 30; seeds 1 and 2; 300
// steps, evaluated every 100) whose trials have gradflow.csv and spectra.csv.
const gradFixture = "testdata/gradfixture"

func loadGradFixture(t *testing.T) *Collection {
	t.Helper()
	c, err := Load(gradFixture)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Trials) != 12 || len(c.Problems) != 0 {
		t.Fatalf("gradfixture: %d trials, problems %v", len(c.Trials), c.Problems)
	}
	return c
}

func findTrial(t *testing.T, c *Collection, fields map[string]string) []*Trial {
	t.Helper()
	var out []*Trial
	for _, tr := range c.Trials {
		ok := true
		for k, v := range fields {
			ok = ok && tr.Field(k) == v
		}
		if ok {
			out = append(out, tr)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no trial with %v", fields)
	}
	return out
}

func TestDiagnostics(t *testing.T) {
	c := loadGradFixture(t)
	for _, tr := range c.Trials {
		flow, spectra, err := c.Diagnostics(tr)
		if err != nil {
			t.Fatalf("%s: %v", tr.ID, err)
		}
		T := tr.Field("T")
		// Steps 0, 100, 200 and 300, one row per time step each.
		if want := 4 * map[string]int{"10": 10, "30": 30}[T]; len(flow) != want {
			t.Errorf("%s: %d gradient-flow rows, want %d", tr.ID, len(flow), want)
		}
		if want := 4 * map[string]int{"rnn": 1, "lstm": 4, "gru": 3}[tr.Field("cell")]; len(spectra) != want {
			t.Errorf("%s: %d spectra rows, want %d", tr.ID, len(spectra), want)
		}
	}
	// Without files, or without a directory: nothing and no error.
	old := loadPlotFixture(t)
	for _, tr := range append(old.Trials[:1], &Trial{ID: "never-started", State: Missing}) {
		if flow, spectra, err := old.Diagnostics(tr); flow != nil || spectra != nil || err != nil {
			t.Errorf("%s: %v, %v, %v", tr.ID, flow, spectra, err)
		}
	}
	// A corrupt file is an error naming it; the other file is still read.
	dir := t.TempDir()
	copyDir(t, findTrial(t, c, map[string]string{"cell": "rnn", "T": "10", "seed": "1"})[0].Dir, dir)
	os.WriteFile(filepath.Join(dir, trialdir.GradFlowFile), []byte("nonsense\n"), 0o644)
	flow, spectra, err := c.Diagnostics(&Trial{Dir: dir})
	if err == nil || !strings.Contains(err.Error(), trialdir.GradFlowFile) || flow != nil || len(spectra) != 4 {
		t.Errorf("corrupt gradflow.csv: %v, %d flow rows, %d spectra rows", err, len(flow), len(spectra))
	}
}

func TestPlotGradFlowFixture(t *testing.T) {
	c := loadGradFixture(t)
	for _, T := range []string{"10", "30"} {
		for _, which := range []string{FlowInit, FlowFinal} {
			ch, err := gradFlowChart(c, Query{}, "adding", T, which)
			if err != nil {
				t.Fatal(err)
			}
			// One line per cell, in the colours of the other figures (the table's row order).
			names := plotSeriesNames(ch)
			if len(names) != 3 {
				t.Fatalf("T=%s %s: lines %v", T, which, names)
			}
			for i, cell := range []string{"rnn", "lstm", "gru"} {
				want := cell + " (2 trials)"
				if which == FlowFinal {
					want = cell + " (2 trials, step 300)"
				}
				if names[i] != want || ch.Series[i].Style != i {
					t.Errorf("T=%s %s: line %d is %q (style %d), want %q", T, which, i, names[i], ch.Series[i].Style, want)
				}
				if s := ch.Series[i]; len(s.X) != len(s.Y) || s.X[0] != 0 || s.X[len(s.X)-1] != map[string]float64{"10": 9, "30": 29}[T] {
					t.Errorf("T=%s %s %s: lags %v", T, which, cell, s.X)
				}
			}
			if !ch.LogY {
				t.Error("the norm axis is not logarithmic")
			}
			wantTitle := "adding, T=" + T + ": ‖∂C/∂h‖ vs lag at init"
			if which == FlowFinal {
				wantTitle = "adding, T=" + T + ": ‖∂C/∂h‖ vs lag at the end of training"
			}
			if ch.Title != wantTitle {
				t.Errorf("title %q, want %q", ch.Title, wantTitle)
			}
			p, err := PlotGradFlow(c, Query{}, "adding", T, which)
			if err != nil || p.Title.Text != wantTitle {
				t.Errorf("PlotGradFlow: %v", err)
			}
		}
	}
	// The vanishing gradient: at init the rnn's gradient reaching the first input of a
	// T=30 sequence is smaller than the one at the last.
	ch, err := gradFlowChart(c, Query{}, "adding", "30", FlowInit)
	if err != nil {
		t.Fatal(err)
	}
	rnn := ch.Series[0]
	if first, last := rnn.Y[0], rnn.Y[len(rnn.Y)-1]; !(last < first) {
		t.Errorf("rnn, T=30, init: ‖∂C/∂h‖ %g at lag 0 and %g at lag 29", first, last)
	}
	// Each point is the median over the seeds: with two, the mean of the two norms.
	var at0 []float64
	for _, tr := range findTrial(t, c, map[string]string{"cell": "rnn", "T": "30"}) {
		flow, _, _ := c.Diagnostics(tr)
		for _, p := range flow {
			if p.Step == 0 && p.Lag == 0 {
				at0 = append(at0, p.Norm)
			}
		}
	}
	if len(at0) != 2 || math.Abs(rnn.Y[0]-(at0[0]+at0[1])/2) > 1e-12 {
		t.Errorf("rnn lag 0: %g, seeds %v", rnn.Y[0], at0)
	}

	// Bad arguments.
	for _, tc := range []struct {
		q          Query
		task, col  string
		which, msg string
	}{
		{Query{}, "adding", "30", "middle", "unknown gradient-flow record"},
		{Query{}, "copy", "30", FlowInit, "no trials"},
		{Query{}, "adding", "7", FlowInit, "no trials"},
		{Query{Rows: "colour"}, "adding", "30", FlowInit, "unknown field"},
	} {
		if _, err := PlotGradFlow(c, tc.q, tc.task, tc.col, tc.which); err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%v %s %s %s: %v, want %q", tc.q, tc.task, tc.col, tc.which, err, tc.msg)
		}
	}
	// Trials without records: a figure without lines.
	old := loadPlotFixture(t)
	if _, n, err := gradFlowPlot(old, Query{}, "adding", "5", FlowInit); err != nil || n != 0 {
		t.Errorf("fixture without records: %d lines, %v", n, err)
	}
}

// gradTrial writes a trial directory with a config, gradient flow, spectra and curve.
func gradTrial(t *testing.T, root, id, cell string, seed int, flow []FlowPoint, spectra []Spectrum, curve []Point) *Trial {
	t.Helper()
	dir := filepath.Join(root, id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if flow != nil {
		if err := trialdir.GradFlow.Append(dir, flow); err != nil {
			t.Fatal(err)
		}
	}
	if spectra != nil {
		if err := trialdir.Spectra.Append(dir, spectra); err != nil {
			t.Fatal(err)
		}
	}
	return &Trial{ID: id, Dir: dir, State: Unsolved, Curve: curve, Config: trialdir.Config{
		Config: experiments.Config{Task: "adding", T: 3, Cell: cell, Seed: uint64(seed)},
		Keys:   []string{"task", "T", "cell", "seed"},
	}}
}

// flowRows gives the norms of one step by lag (lag 0 first) over a sequence of len(norms).
func flowRows(step int, norms ...float64) []FlowPoint {
	var out []FlowPoint
	L := len(norms)
	for lag, v := range norms {
		out = append(out, FlowPoint{Step: step, T: L - 1 - lag, Lag: lag, Norm: v})
	}
	return out
}

func TestPlotGradFlowMedians(t *testing.T) {
	root := t.TempDir()
	nan, inf := math.NaN(), math.Inf(1)
	c := &Collection{Trials: []*Trial{
		gradTrial(t, root, "a1", "a", 1, append(flowRows(0, 1, 0.5, 0.25), flowRows(100, 2, 2, 2)...), nil, nil),
		gradTrial(t, root, "a2", "a", 2, append(flowRows(0, 3, 0.1, 0), flowRows(200, 4, 4, nan)...), nil, nil),
		gradTrial(t, root, "a3", "a", 3, flowRows(0, 2, inf, 0.75), nil, nil), // never past step 0
		gradTrial(t, root, "b1", "b", 1, nil, nil, nil),                       // no records: no line
		gradTrial(t, root, "c1", "c", 1, flowRows(0, 0.5, 0.05, 0.005), nil, nil),
		// two of three underflow at lag 1: the median is 0, not drawn on the log axis
		gradTrial(t, root, "d1", "d", 1, flowRows(0, 1, 0, 1), nil, nil),
		gradTrial(t, root, "d2", "d", 2, flowRows(0, 1, 0, 1), nil, nil),
		gradTrial(t, root, "d3", "d", 3, flowRows(0, 1, 1, 1), nil, nil),
	}}
	ch, err := gradFlowChart(c, Query{}, "adding", "3", FlowInit)
	if err != nil {
		t.Fatal(err)
	}
	if names := plotSeriesNames(ch); strings.Join(names, "|") != "a (3 trials)|c (1 trial)|d (3 trials)" {
		t.Fatalf("lines %v", names)
	}
	a := ch.Series[0]
	// lag 0: median of 1, 3, 2; lag 1: of 0.5, 0.1 and +Inf; lag 2: of 0.25, 0 and 0.75.
	// A norm that underflowed to 0 or overflowed counts: leaving it out would give the
	// mean of the other two (0.3 and 0.5).
	if want := []float64{2, 0.5, 0.25}; !floatsEqual(a.X, []float64{0, 1, 2}) || !floatsEqual(a.Y, want) {
		t.Errorf("a at init: %v %v, want %v", a.X, a.Y, want)
	}
	if d := ch.Series[2]; !floatsEqual(d.X, []float64{0, 2}) || !floatsEqual(d.Y, []float64{1, 1}) {
		t.Errorf("d at init: %v %v, want lag 1 (median 0) left out", d.X, d.Y)
	}
	if ch.Series[1].Style != 2 {
		t.Errorf("c's style %d: the colour must follow the row's place among all rows", ch.Series[1].Style)
	}
	// At the end: each trial's last record after step 0 (a3 has none); NaN dropped.
	ch, err = gradFlowChart(c, Query{}, "adding", "3", FlowFinal)
	if err != nil {
		t.Fatal(err)
	}
	if names := plotSeriesNames(ch); strings.Join(names, "|") != "a (2 trials, steps 100–200)" {
		t.Fatalf("lines at the end %v", names)
	}
	if a := ch.Series[0]; !floatsEqual(a.Y, []float64{3, 3, 2}) {
		t.Errorf("a at the end: %v", a.Y)
	}
	// Drawable on the log axis, NaN, zero and infinite norms notwithstanding.
	if _, err := PlotGradFlow(c, Query{}, "adding", "3", FlowInit); err != nil {
		t.Error(err)
	}
	if _, err := report.PNG(mustPlot(t, c, FlowFinal)); err != nil {
		t.Error(err)
	}
}

func mustPlot(t *testing.T, c *Collection, which string) *plot.Plot {
	t.Helper()
	p, err := PlotGradFlow(c, Query{}, "adding", "3", which)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func floatsEqual(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-12 {
			return false
		}
	}
	return true
}

func TestGradientTableMarks(t *testing.T) {
	root := t.TempDir()
	spec := func(step int, gate, act string, sigma, thr float64) Spectrum {
		return Spectrum{Step: step, Param: "W", Gate: gate, Act: act, SigmaMax: sigma, Threshold: thr}
	}
	// Three seeds of an rnn: h at init 0.8, 0.9, 1.5 (median 0.9, below 1) and at the end
	// 1.3, 1.2, 1.4 (median 1.3, above).
	rnn := func(i int, init, final float64, curve []Point) *Trial {
		return gradTrial(t, root, "rnn"+string(rune('0'+i)), "rnn", i, nil,
			[]Spectrum{spec(0, "h", "tanh", init, 1), spec(100, "h", "tanh", 1, 1), spec(300, "h", "tanh", final, 1)}, curve)
	}
	nan := math.NaN()
	curve := func(r1, r2 float64) []Point {
		return []Point{{Step: 0, ClipRate: nan}, {Step: 100, ClipRate: r1}, {Step: 300, ClipRate: r2}}
	}
	// An lstm whose gates straddle their thresholds: sigmoid gates against 4, the tanh one
	// against 1, one exactly at it.
	lstm := gradTrial(t, root, "lstm1", "lstm", 1, nil, []Spectrum{
		spec(0, "i", "sigmoid", 3.9, 4), spec(0, "f", "sigmoid", 4.5, 4), spec(0, "o", "sigmoid", 4, 4), spec(0, "g", "tanh", 0.5, 1),
		spec(200, "i", "sigmoid", 4.2, 4), spec(200, "f", "sigmoid", 1.25, 4), spec(200, "o", "sigmoid", 4, 4), spec(200, "g", "tanh", 2, 1),
	}, nil)
	c := &Collection{Trials: []*Trial{
		rnn(1, 0.8, 1.3, curve(0.5, 0)),   // clip rate (0.5·100 + 0·200)/300 = 1/6
		rnn(2, 0.9, 1.2, curve(0.2, 0.2)), // 0.2
		rnn(3, 1.5, 1.4, nil),             // no curve
		lstm,
		gradTrial(t, root, "gru1", "gru", 1, nil, nil, curve(1, 1)), // clip rates but no spectra
	}}
	ts, err := c.GradientTables(Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 1 || strings.Join(ts[0].Rows, " ") != "rnn lstm gru" || strings.Join(ts[0].Cols, " ") != "3" {
		t.Fatalf("tables %+v", ts)
	}
	g := ts[0]
	cell := g.Cells[0][0]
	if cell.N != 3 || cell.Recorded != 3 || len(cell.Blocks) != 1 {
		t.Fatalf("rnn cell %+v", cell)
	}
	h := cell.Blocks[0]
	if h.InitMedian != 0.9 || h.FinalMedian != 1.3 || h.Side(h.InitMedian) != -1 || h.Side(h.FinalMedian) != 1 {
		t.Errorf("rnn h: %+v", h)
	}
	if !floatsEqual(cell.ClipRates, []float64{1.0 / 6, 0.2}) || math.Abs(cell.ClipRate-(1.0/6+0.2)/2) > 1e-12 {
		t.Errorf("rnn clip rates %v, median %g", cell.ClipRates, cell.ClipRate)
	}
	if got, want := strings.Join(cell.Lines(), "|"), "h 0.9↓ → 1.3↑ (1/γ=1)|clip rate 18% (2/3)"; got != want {
		t.Errorf("rnn: %q, want %q", got, want)
	}
	if got, want := strings.Join(g.Cells[1][0].Lines(), "|"),
		"i 3.9↓ → 4.2↑ (1/γ=4)|f 4.5↑ → 1.25↓ (1/γ=4)|o 4 → 4 (1/γ=4)|g 0.5↓ → 2↑ (1/γ=1)"; got != want {
		t.Errorf("lstm: %q, want %q", got, want)
	}
	if got, want := strings.Join(g.Cells[2][0].Lines(), "|"), "clip rate 100%|no σ_max records"; got != want {
		t.Errorf("gru: %q, want %q", got, want)
	}
	for _, b := range g.Cells[1][0].Blocks {
		if b.Mark(nan) != "" || b.Side(nan) != 0 {
			t.Error("NaN is marked")
		}
	}
	// The text formats show the marks; JSON names the sides, with null for no value.
	var buf bytes.Buffer
	if err := WriteGradientTables(&buf, ts, JSON); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tables []struct {
			Cells [][]*struct {
				Blocks []struct {
					Gate  string
					Init  struct{ Side *string }
					Final struct {
						Side  *string
						Steps []int
					}
				}
				ClipRate struct{ Median *float64 } `json:"clip_rate"`
			}
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	var sides []string
	for _, b := range doc.Tables[0].Cells[1][0].Blocks {
		sides = append(sides, b.Gate+":"+*b.Init.Side+">"+*b.Final.Side)
	}
	if got := strings.Join(sides, " "); got != "i:below>above f:above>below o:at>at g:below>above" {
		t.Errorf("JSON sides %s", got)
	}
	if steps := doc.Tables[0].Cells[1][0].Blocks[0].Final.Steps; len(steps) != 1 || steps[0] != 200 {
		t.Errorf("final steps %v", steps)
	}
	if doc.Tables[0].Cells[1][0].ClipRate.Median != nil {
		t.Error("a cell without clip rates has a median clip rate")
	}
	// Notes: the last records are at differing steps.
	if notes := strings.Join(gradientNotes(g), " "); !strings.Contains(notes, "steps 200–300") {
		t.Errorf("notes %q", notes)
	}
}

func TestClipRateOf(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		curve []Point
		want  float64
		ok    bool
	}{
		{nil, nan, false},
		{[]Point{{Step: 0, ClipRate: nan}}, nan, false},
		{[]Point{{Step: 0, ClipRate: nan}, {Step: 50, ClipRate: 1}, {Step: 250, ClipRate: 0.5}}, (50 + 100) / 250.0, true},
		// A row without a clip rate leaves its steps out.
		{[]Point{{Step: 0, ClipRate: nan}, {Step: 100, ClipRate: nan}, {Step: 200, ClipRate: 0.25}}, 0.25, true},
	} {
		got, ok := clipRateOf(tc.curve)
		if ok != tc.ok || (ok && math.Abs(got-tc.want) > 1e-12) {
			t.Errorf("%v: %g %v, want %g %v", tc.curve, got, ok, tc.want, tc.ok)
		}
	}
}

func renderGradients(t *testing.T, ts []*GradientTable, f Format) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteGradientTables(&buf, ts, f); err != nil {
		t.Fatalf("%s: %v", f, err)
	}
	return buf.Bytes()
}

// TestGradientGolden renders gradfixture's gradient tables in every format.
func TestGradientGolden(t *testing.T) {
	c := loadGradFixture(t)
	ts, err := c.GradientTables(Query{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range Formats {
		t.Run(string(f), func(t *testing.T) {
			checkGolden(t, "gradients."+goldenExt[f], renderGradients(t, ts, f))
		})
	}
}

// TestGradientGoldenContent checks gradfixture's table against its files, so that a
// regenerated golden file cannot silently go wrong.
func TestGradientGoldenContent(t *testing.T) {
	c := loadGradFixture(t)
	ts, err := c.GradientTables(Query{})
	if err != nil {
		t.Fatal(err)
	}
	g := ts[0]
	for r, row := range g.Rows {
		for col, T := range g.Cols {
			cell := g.Cells[r][col]
			trials := findTrial(t, c, map[string]string{"cell": row, "T": T})
			// σ_max of each block: the median of the seeds' values at steps 0 and 300.
			for _, b := range cell.Blocks {
				var init, final []float64
				for _, tr := range trials {
					_, spectra, _ := c.Diagnostics(tr)
					for _, s := range spectra {
						if s.Gate == b.Gate && s.Param == b.Param {
							switch s.Step {
							case 0:
								init = append(init, s.SigmaMax)
							case 300:
								final = append(final, s.SigmaMax)
							}
						}
					}
				}
				_, _, mi, _, _ := Summarize(init)
				_, _, mf, _, _ := Summarize(final)
				if len(init) != 2 || len(final) != 2 || b.InitMedian != mi || b.FinalMedian != mf {
					t.Errorf("%s T=%s %s: %g→%g, want %g→%g", row, T, b.Gate, b.InitMedian, b.FinalMedian, mi, mf)
				}
				wantThr := map[string]float64{"tanh": 1, "sigmoid": 4}[b.Act]
				if b.Threshold != wantThr {
					t.Errorf("%s %s (%s): threshold %g", row, b.Gate, b.Act, b.Threshold)
				}
			}
			// Clip rate: per seed the mean of clip_rate over its three rows (100 steps
			// each), then the median.
			var rates []float64
			for _, tr := range trials {
				s := 0.0
				for _, p := range tr.Curve[1:] {
					s += p.ClipRate
				}
				rates = append(rates, s/3)
			}
			sort.Float64s(rates)
			if want := (rates[0] + rates[1]) / 2; math.Abs(cell.ClipRate-want) > 1e-12 {
				t.Errorf("%s T=%s: clip rate %g, want %g", row, T, cell.ClipRate, want)
			}
		}
	}
	gates := map[string]string{"rnn": "h", "lstm": "i f o g", "gru": "z r n"}
	for r, row := range g.Rows {
		var got []string
		for _, b := range g.Cells[r][0].Blocks {
			got = append(got, b.Gate)
		}
		if strings.Join(got, " ") != gates[row] {
			t.Errorf("%s: gates %v", row, got)
		}
	}
	out := string(renderGradients(t, ts, Terminal))
	for _, want := range []string{
		"adding: σ_max of the recurrent blocks at init → at the end, and clip rate, medians over seeds (12 trials, 12 with σ_max records)",
		"│ rnn  │ h 1.75↑ → 1.99↑ (1/γ=1) │ h 1.75↑ → 1.82↑ (1/γ=1) │",
		"End: each trial's last record (step 300).",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal output lacks %q\n%s", want, out)
		}
	}
}

func TestGradientFormats(t *testing.T) {
	c := loadGradFixture(t)
	ts, err := c.GradientTables(Query{})
	if err != nil {
		t.Fatal(err)
	}
	// JSON: one document, no NaN.
	b := renderGradients(t, ts, JSON)
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil || bytes.Contains(b, []byte("NaN")) {
		t.Fatalf("JSON: %v", err)
	}
	// LaTeX: balanced, symbols spelled as commands, nothing left unescaped.
	tex := string(renderGradients(t, ts, LaTeX))
	checkBalanced(t, tex)
	for _, r := range "σγ→↓↑‖∂" {
		if strings.ContainsRune(tex, r) {
			t.Errorf("LaTeX output holds %q", r)
		}
	}
	for _, line := range strings.Split(tex, "\n") {
		if strings.HasPrefix(line, `\label{`) || strings.HasPrefix(line, "%") {
			continue
		}
		if m := regexp.MustCompile(`(^|[^\\])[&%#]`).FindString(strings.ReplaceAll(line, " & ", " ")); m != "" {
			t.Errorf("unescaped %q in %q", m, line)
		}
	}
	// Markdown and CSV: one line per table row.
	md := string(renderGradients(t, ts, Markdown))
	if !strings.Contains(md, "| rnn  | h 1.75↑ → 1.99↑ (1/γ=1); clip rate 34%") {
		t.Errorf("markdown:\n%s", md)
	}
	csvOut := string(renderGradients(t, ts, CSV))
	if !strings.Contains(csvOut, "\nrnn,h 1.75↑ → 1.99↑ (1/γ=1); clip rate 34%,") {
		t.Errorf("csv:\n%s", csvOut)
	}
	// No tables, an unknown format.
	if out := string(renderGradients(t, nil, Terminal)); !strings.Contains(out, noTrials) {
		t.Errorf("no tables: %q", out)
	}
	var buf bytes.Buffer
	if err := WriteGradientTables(&buf, ts, Format("html")); err == nil {
		t.Error("no error for an unknown format")
	}
	// An unknown field is an error; the metric does not matter.
	if _, err := c.GradientTables(Query{Cols: "colour"}); err == nil {
		t.Error("no error for an unknown field")
	}
	if _, err := c.GradientTables(Query{Metric: "nosuch", Agg: "mode"}); err != nil {
		t.Errorf("the metric matters: %v", err)
	}
}

// TestGradientTableUnreadable: a corrupt spectra.csv is listed, not fatal.
func TestGradientTableUnreadable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sweep")
	copyDir(t, gradFixture, dir)
	c, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	bad := findTrial(t, c, map[string]string{"cell": "gru", "T": "10", "seed": "1"})[0]
	os.WriteFile(filepath.Join(bad.Dir, trialdir.SpectraFile), []byte("step,param\n1,2\n"), 0o644)
	ts, err := c.GradientTables(Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ts[0].Problems) != 1 || ts[0].Problems[0].Path != bad.Dir {
		t.Fatalf("problems %v", ts[0].Problems)
	}
	if cell := ts[0].Cells[2][0]; cell.Recorded != 1 || !strings.Contains(cell.Text(), "(σ_max of 1/2 trials)") {
		t.Errorf("cell %q", cell.Text())
	}
	if out := string(renderGradients(t, ts, Terminal)); !strings.Contains(out, "1 unreadable gradient record") {
		t.Errorf("no problem listed:\n%s", out)
	}
}

func TestSaveGradientPlots(t *testing.T) {
	c := loadGradFixture(t)
	dir := filepath.Join(t.TempDir(), "plots")
	paths, err := SaveGradientPlots(dir, c, Query{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range paths {
		names = append(names, filepath.Base(p))
	}
	want := "gradflow-adding-T10-final.png gradflow-adding-T10-final.svg gradflow-adding-T10-init.png gradflow-adding-T10-init.svg " +
		"gradflow-adding-T30-final.png gradflow-adding-T30-final.svg gradflow-adding-T30-init.png gradflow-adding-T30-init.svg"
	if strings.Join(names, " ") != want {
		t.Errorf("files %v", names)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil || len(b) == 0 {
			t.Errorf("%s: %v", p, err)
		}
		if filepath.Ext(p) == ".svg" && !bytes.Contains(b, []byte("‖∂C/∂h‖ vs lag")) {
			t.Errorf("%s lacks its title", p)
		}
	}
	// Without records, nothing.
	if paths, err := SaveGradientPlots(filepath.Join(t.TempDir(), "none"), loadPlotFixture(t), Query{}); err != nil || len(paths) != 0 {
		t.Errorf("fixture without records: %v, %v", paths, err)
	}
}

// TestPlotGradFlowFloat32Floor: in a float32 trial a norm below the smallest normal
// float32 counts as underflowed (the subnormals level off at about 1.4e-45 instead of
// falling), so its line stops there; a float64 trial's line goes on.
func TestPlotGradFlowFloat32Floor(t *testing.T) {
	root := t.TempDir()
	norms := flowRows(0, 1, 1e-20, 1e-37, 1e-40, 7e-44, 7e-44)
	c := &Collection{}
	for _, d := range []struct{ cell, dtype string }{{"f32", "float32"}, {"f64", "float64"}} {
		tr := gradTrial(t, root, d.cell, d.cell, 1, norms, nil, nil)
		tr.Config.Dtype, tr.Config.Keys = d.dtype, append(tr.Config.Keys, "dtype")
		c.Trials = append(c.Trials, tr)
	}
	ch, err := gradFlowChart(c, Query{}, "adding", "3", FlowInit)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Series) != 2 {
		t.Fatalf("%d lines", len(ch.Series))
	}
	if f32 := ch.Series[0]; !floatsEqual(f32.X, []float64{0, 1, 2}) {
		t.Errorf("float32 line at lags %v, want 0, 1, 2 (below 1.18e-38 it has underflowed)", f32.X)
	}
	if f64 := ch.Series[1]; !floatsEqual(f64.X, []float64{0, 1, 2, 3, 4, 5}) {
		t.Errorf("float64 line at lags %v, want every lag", f64.X)
	}
}
