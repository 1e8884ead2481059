package results

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

func init() {
	// Column widths must not depend on the locale of the machine running the tests.
	twwidth.SetEastAsian(false)
}

var goldenExt = map[Format]string{Terminal: "txt", Markdown: "md", CSV: "csv", LaTeX: "tex", JSON: "json"}

func fixtureReport(t *testing.T, q Query, minSolved int) *Report {
	t.Helper()
	c, err := Load(fixture)
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewReport(c, q, minSolved)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func render(t *testing.T, r *Report, f Format) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteTables(&buf, r, f); err != nil {
		t.Fatalf("%s: %v", f, err)
	}
	return buf.Bytes()
}

// checkGolden compares got with testdata/golden/name, or rewrites it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./results -run Golden -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./results -run Golden -update rewrites it)\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// TestGolden renders the fixture's report in every format.
func TestGolden(t *testing.T) {
	r := fixtureReport(t, Query{}, 0)
	for _, f := range Formats {
		t.Run(string(f), func(t *testing.T) {
			checkGolden(t, "report."+goldenExt[f], render(t, r, f))
		})
	}
	t.Run("median-T-by-cell", func(t *testing.T) {
		r := fixtureReport(t, Query{Agg: Median, Rows: "T", Cols: "cell"}, 0)
		checkGolden(t, "report-median-T-by-cell.md", render(t, r, Markdown))
	})
}

// TestGoldenContent checks the fixture's numbers against its result.json files, so that a
// regenerated golden file cannot silently go wrong.
func TestGoldenContent(t *testing.T) {
	r := fixtureReport(t, Query{}, 0)
	out := string(render(t, r, Terminal))
	for _, want := range []string{
		// adding, lstm, T=5: test losses 0.006574 and 0.000977 (both solved at step 200)
		"│ lstm     │ 0.00378 ± 0.00396 │ 0.00312 (1/2, 1 failed)    │",
		// adding, rnn, T=10: one unsolved at 0.02557, one interrupted
		"│ rnn      │ 0.00789 ± 0.00111 │ 0.0256 (1/2, 1 incomplete) │",
		"│ baseline │ 0.167             │ 0.167                      │", // 1/6
		"│ lstm │ 200 (2/2 solved) │ 200 (1/2 solved, 1 failed) │",
		"│ rnn  │ 400 (2/2 solved) │ 0/2 solved, 1 incomplete   │",
		"lstm: longest T solved in all seeds: 5 (2/2)",
		// copy: T=5 lstm seed 2 never started, T=10 rnn seed 1 diverged
		"│ lstm     │ 0.779 (1/2, 1 missing) │ 0.697 ± 0.000637        │",
		"│ baseline │ 0.832                  │ 0.693                   │", // 10·ln 8/(T+20)
		"rnn: longest T solved in all seeds: none",
		"adding: test_loss, mean ± sd over seeds (8 trials: 5 solved, 1 unsolved, 1 failed, 1 incomplete)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal output lacks %q\n%s", want, out)
		}
	}
	r1 := fixtureReport(t, Query{Where: map[string]string{"task": "adding"}}, 1)
	if out := string(render(t, r1, Terminal)); !strings.Contains(out, "lstm: longest T solved in ≥ 1 seed: 10 (1/2)") {
		t.Errorf("summary with k = 1:\n%s", out)
	}
}

func TestJSONParses(t *testing.T) {
	r := fixtureReport(t, Query{}, 0)
	b := render(t, r, JSON)
	if bytes.Contains(b, []byte("NaN")) || bytes.Contains(b, []byte("Inf")) {
		t.Error("NaN or Inf in the JSON document")
	}
	var doc struct {
		Query struct {
			Rows, Cols, Metric, Agg string
			Where                   map[string]string
		}
		Tables []struct {
			Task, Metric string
			Rows, Cols   []string
			Baseline     []*float64
			Over         []string
			Cells        [][]*struct {
				N        int
				Values   []float64
				Mean, SD *float64
				States   map[string]int
				Text     string
			}
			StepsToSolve [][]*struct {
				N      int
				Median *float64
				Text   string
			} `json:"steps_to_solve"`
			LongestSolved []struct {
				Row    string
				Col    *string
				Solved int
				Of     int
			} `json:"longest_solved"`
		}
		Problems []Problem
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Query.Rows != "cell" || doc.Query.Cols != "T" || doc.Query.Metric != TestLoss || doc.Query.Agg != Mean || doc.Query.Where == nil {
		t.Errorf("query %+v", doc.Query)
	}
	if len(doc.Tables) != 2 || doc.Problems == nil {
		t.Fatalf("%d tables, problems %v", len(doc.Tables), doc.Problems)
	}
	add := doc.Tables[0]
	lstm5 := add.Cells[1][0] // rows rnn, lstm as the spec lists them
	if add.Task != "adding" || *add.Baseline[0] != 1.0/6 || lstm5.N != 2 || len(lstm5.Values) != 2 ||
		math.Abs(*lstm5.Mean-0.0037754413788206875) > 1e-15 || lstm5.States[Solved] != 2 || lstm5.Text != "0.00378 ± 0.00396" {
		t.Errorf("adding table %+v, cell %+v", add, lstm5)
	}
	if c := add.Cells[1][1]; c.SD != nil || len(c.Values) != 1 { // one value: no SD
		t.Errorf("lstm T=10 %+v", c)
	}
	if s := add.StepsToSolve[0][1]; s.Median != nil || s.Text != "0/2 solved, 1 incomplete" {
		t.Errorf("rnn T=10 steps %+v", s)
	}
	if l := add.LongestSolved[1]; l.Row != "lstm" || l.Col == nil || *l.Col != "5" || l.Solved != 2 || l.Of != 2 {
		t.Errorf("longest solved %+v", add.LongestSolved)
	}
	if l := doc.Tables[1].LongestSolved[0]; l.Col != nil {
		t.Errorf("copy is never solved, yet %+v", l)
	}
}

// edgeReport is the fixture with a column whose baseline varies, a learning rate that
// differs within a cell, and a problem.
func edgeReport(t *testing.T) *Report {
	t.Helper()
	c, err := Load(fixture)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range c.Trials {
		if tr.Field("task") == "adding" && tr.Field("T") == "5" && tr.Field("cell") == "rnn" && tr.Field("seed") == "2" {
			tr.Config.LR = 0.01
			tr.Result.Baseline = 0.2
		}
	}
	c.Problems = append(c.Problems, Problem{Path: "sweep/x_1/result.json", Msg: "corrupt: unexpected EOF"})
	r, err := NewReport(c, Query{Where: map[string]string{"task": "adding"}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestEdgeCases(t *testing.T) {
	r := edgeReport(t)
	out := string(render(t, r, Terminal))
	for _, want := range []string{
		"mean ± sd over trials", "Aggregated over differing lr.", "│ baseline │ varies", "≥ 1 trial: 10 (1/2)",
		"1 problem in the results", "sweep/x_1/result.json: corrupt: unexpected EOF",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal output lacks %q\n%s", want, out)
		}
	}
	b := render(t, r, JSON)
	var doc struct {
		Tables []struct {
			Baseline []*float64
			Over     []string
		}
		Problems []Problem
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if tb := doc.Tables[0]; tb.Baseline[0] != nil || *tb.Baseline[1] != 1.0/6 || strings.Join(tb.Over, ",") != "lr" {
		t.Errorf("baseline %v over %v", tb.Baseline, tb.Over)
	}
	if len(doc.Problems) != 1 || doc.Problems[0].Msg != "corrupt: unexpected EOF" {
		t.Errorf("problems %+v", doc.Problems)
	}
	for _, f := range []Format{Markdown, CSV, LaTeX} {
		if out := string(render(t, r, f)); !strings.Contains(out, "x_1") && !strings.Contains(out, `x\_1`) {
			t.Errorf("%s does not report the problem:\n%s", f, out)
		}
	}

	// A metric that is not a loss has no baseline row; with T as rows the summary is per
	// column; without a numeric axis there is none.
	c, _ := Load(fixture)
	r, err := NewReport(c, Query{Metric: TestMetric, Rows: "T", Cols: "cell"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	out = string(render(t, r, Terminal))
	if strings.Contains(out, "│ baseline") || !strings.Contains(out, "lstm: longest T solved in all seeds: 5 (2/2)") ||
		!strings.Contains(out, "copy: recall_acc (test_metric), mean ± sd") || !strings.Contains(out, "│ 10 │ 0.22 (1/2, 1 incomplete) │ 0.56 (1/2, 1 failed) │") {
		t.Errorf("test_metric by T:\n%s", out)
	}
	r, err = NewReport(c, Query{Rows: "cell", Cols: "clip"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if out := string(render(t, r, Terminal)); strings.Contains(out, "longest") || strings.Contains(out, "largest") {
		t.Errorf("summary over clip:\n%s", out)
	}

	// A query that matches nothing still renders.
	r, err = NewReport(c, Query{Where: map[string]string{"task": "nope"}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range Formats {
		if b := render(t, r, f); len(b) == 0 {
			t.Errorf("%s: empty output", f)
		}
	}
}

func TestLaTeX(t *testing.T) {
	r := fixtureReport(t, Query{}, 0)
	out := string(render(t, r, LaTeX))
	if !strings.Contains(out, `test\_loss`) {
		t.Error("test_loss is not escaped")
	}
	tabulars := strings.Count(out, `\begin{tabular}`)
	if tabulars != 6 || strings.Count(out, `\toprule`) != tabulars || strings.Count(out, `\bottomrule`) != tabulars ||
		strings.Count(out, `\midrule`) < tabulars {
		t.Errorf("%d tabulars, booktabs rules missing:\n%s", tabulars, out)
	}
	checkBalanced(t, out)
	// Outside commands, no special character is left unescaped.
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, `\label{`) || strings.HasPrefix(line, "%") {
			continue
		}
		if m := regexp.MustCompile(`(^|[^\\])[_&%#]`).FindString(strings.ReplaceAll(line, " & ", " ")); m != "" {
			t.Errorf("unescaped %q in %q", m, line)
		}
	}
	if !strings.Contains(out, `\emph{0/2 solved, 1 incomplete}`) || !strings.Contains(out, `0.00312 \emph{(1/2, 1 failed)}`) {
		t.Error("non-numeric entries are not emphasized")
	}
	// Row values are escaped too.
	e := edgeReport(t)
	e.Tables[0].Rows[0] = "lstm_ln&1"
	if out := string(render(t, e, LaTeX)); !strings.Contains(out, `lstm\_ln\&1 &`) {
		t.Errorf("row value not escaped:\n%s", out)
	}
}

// checkBalanced checks that every \begin{env} has its \end{env}, properly nested.
func checkBalanced(t *testing.T, tex string) {
	t.Helper()
	var stack []string
	for _, m := range regexp.MustCompile(`\\(begin|end)\{([a-z*]+)\}`).FindAllStringSubmatch(tex, -1) {
		if m[1] == "begin" {
			stack = append(stack, m[2])
			continue
		}
		if len(stack) == 0 || stack[len(stack)-1] != m[2] {
			t.Fatalf(`\end{%s} does not close %v`, m[2], stack)
		}
		stack = stack[:len(stack)-1]
	}
	if len(stack) > 0 {
		t.Fatalf("unclosed %v", stack)
	}
}

func TestCSV(t *testing.T) {
	r := fixtureReport(t, Query{}, 0)
	out := render(t, r, CSV)
	blocks := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n\n")
	if len(blocks) != 8 { // per task: metric, steps, why (both tasks have unsolved trials), summary
		t.Fatalf("%d blocks:\n%s", len(blocks), out)
	}
	for _, b := range blocks {
		cr := csv.NewReader(strings.NewReader(b))
		cr.Comment = '#'
		recs, err := cr.ReadAll()
		if err != nil {
			t.Fatalf("%v in\n%s", err, b)
		}
		if recs[0][0] != "cell" || !strings.HasPrefix(b, "# ") {
			t.Errorf("block without title or row field:\n%s", b)
		}
	}
	cr := csv.NewReader(strings.NewReader(blocks[0]))
	cr.Comment = '#'
	recs, _ := cr.ReadAll()
	want := [][]string{{"cell", "T=5", "T=10"}, {"rnn", "0.00789 ± 0.00111", "0.0256 (1/2, 1 incomplete)"},
		{"lstm", "0.00378 ± 0.00396", "0.00312 (1/2, 1 failed)"}, {"baseline", "0.167", "0.167"}}
	for i := range want {
		if strings.Join(recs[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("record %d = %q, want %q", i, recs[i], want[i])
		}
	}
}

func TestParseFormat(t *testing.T) {
	for _, f := range Formats {
		if got, err := ParseFormat(strings.ToUpper(string(f))); got != f || err != nil {
			t.Errorf("ParseFormat(%q) = %q, %v", f, got, err)
		}
	}
	_, err := ParseFormat("html")
	if err == nil || !strings.Contains(err.Error(), "terminal, markdown, csv, latex, json") {
		t.Errorf("error %v does not list the formats", err)
	}
	if err := WriteTables(io.Discard, fixtureReport(t, Query{}, 0), "html"); err == nil {
		t.Error("WriteTables accepted an unknown format")
	}
}

func ExampleNewReport() {
	c, err := Load("testdata/fixture")
	if err != nil {
		panic(err)
	}
	r, err := NewReport(c, Query{Where: map[string]string{"task": "adding"}}, 1)
	if err != nil {
		panic(err)
	}
	if err := WriteTables(os.Stdout, r, Markdown); err != nil {
		panic(err)
	}
	// Output:
	// **adding**: `test_loss`, mean ± sd over seeds (8 trials: 5 solved, 1 unsolved, 1 failed, 1 incomplete)
	//
	// | cell     | T=5               | T=10                       |
	// |:---------|:------------------|:---------------------------|
	// | rnn      | 0.00789 ± 0.00111 | 0.0256 (1/2, 1 incomplete) |
	// | lstm     | 0.00378 ± 0.00396 | 0.00312 (1/2, 1 failed)    |
	// | baseline | 0.167             | 0.167                      |
	//
	// Legend: baseline = loss of the best memoryless predictor; (k/n, …) = k of n trials have a value; failed = could not run; incomplete = stopped before finishing.
	//
	// **adding**: steps to solve, median [min–max] over solved trials (5/8 solved)
	//
	// | cell | T=5              | T=10                       |
	// |:-----|:-----------------|:---------------------------|
	// | rnn  | 400 (2/2 solved) | 0/2 solved, 1 incomplete   |
	// | lstm | 200 (2/2 solved) | 200 (1/2 solved, 1 failed) |
	//
	// Legend: failed = could not run; incomplete = stopped before finishing.
	//
	// **adding**: unsolved trials: why, from each learning curve (1 unsolved)
	//
	// | cell | T=5 | T=10      |
	// |:-----|:----|:----------|
	// | rnn  | —   | 1 falling |
	// | lstm | —   | —         |
	//
	// Why, from each trial's test loss per evaluation: falling = the best test loss of the last quarter of the evaluations is more than 5% below the best before it (the budget ran out while it learnt); stalled = not falling, best test loss below 0.9 × baseline (learnt something, then stopped); at baseline = best test loss of the whole curve ≥ 0.9 × the memoryless baseline (learnt nothing).
	//
	// Legend: — = no unsolved or pruned trial.
	//
	// - rnn: longest T solved in ≥ 1 seed: 5 (2/2)
	// - lstm: longest T solved in ≥ 1 seed: 10 (1/2)
}
