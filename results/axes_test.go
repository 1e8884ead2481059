package results

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// forgetBiasLoss is the final test loss of the forget-bias sweep's trials: one digit per
// cell, forget-gate bias, T and seed, so that a wrong grouping shows in the aggregates.
func forgetBiasLoss(cell string, fb float64, T int, seed uint64) float64 {
	l := 0.01 * fb
	if cell == "gru" {
		l += 0.1
	}
	return l + 0.001*float64(T/10) + 0.0001*float64(seed)
}

// forgetBiasSweep: lstm and gru with forget-gate bias 1 and 5, at T=10 and T=20, two
// seeds each; only forget bias 1 solves the task, and lstm with bias 1 solves it at T=20
// too.
func forgetBiasSweep(t *testing.T) string {
	t.Helper()
	var trials []fakeTrial
	for _, cell := range []string{"lstm", "gru"} {
		for _, fb := range []float64{5, 1} {
			for _, T := range []int{20, 10} {
				for _, seed := range []uint64{1, 2} {
					ft := fakeTrial{cell: cell, T: T, seed: seed, status: Unsolved, forgetBias: fb,
						loss: forgetBiasLoss(cell, fb, T, seed), curve: []float64{0.2, 0.1, 0.05}}
					if fb == 1 && (T == 10 || cell == "lstm") {
						ft.status, ft.solved = Solved, 200+100*int(seed)
					}
					trials = append(trials, ft)
				}
			}
		}
	}
	return writeSweep(t, trials)
}

func loadReport(t *testing.T, c *Collection, q Query) *Report {
	t.Helper()
	r, err := NewReport(c, q, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Tables) != 1 {
		t.Fatalf("%d tables, want 1", len(r.Tables))
	}
	return r
}

// TestRowsOfTwoFields: --rows cell,forget_bias has a row per combination, ordered by cell
// as the trials list them (lstm before gru) then numerically by forget bias, labelled "lstm forget_bias=5", aggregating only the
// seeds of that combination; forget_bias is not "differing".
func TestRowsOfTwoFields(t *testing.T) {
	c, err := Load(forgetBiasSweep(t))
	if err != nil {
		t.Fatal(err)
	}
	r := loadReport(t, c, Query{Rows: "cell,forget_bias"})
	tb := r.Tables[0]
	wantRows := []string{"lstm forget_bias=1", "lstm forget_bias=5", "gru forget_bias=1", "gru forget_bias=5"}
	if !slices.Equal(tb.Rows, wantRows) {
		t.Fatalf("rows %q, want %q", tb.Rows, wantRows)
	}
	wantValues := [][]string{{"lstm", "1"}, {"lstm", "5"}, {"gru", "1"}, {"gru", "5"}}
	for i := range wantValues {
		if !slices.Equal(tb.RowValues[i], wantValues[i]) {
			t.Errorf("row %d values %q, want %q", i, tb.RowValues[i], wantValues[i])
		}
	}
	if !slices.Equal(tb.Cols, []string{"10", "20"}) {
		t.Errorf("cols %q", tb.Cols)
	}
	if len(tb.Over) != 0 {
		t.Errorf("over %q, want none (forget_bias is a row field)", tb.Over)
	}
	for ri, vs := range wantValues {
		fb := 1.0
		if vs[1] == "5" {
			fb = 5
		}
		for ci, T := range []int{10, 20} {
			cell := tb.Cells[ri][ci]
			if cell == nil || cell.N != 2 {
				t.Fatalf("%s T=%d: %+v, want 2 trials", tb.Rows[ri], T, cell)
			}
			want := (forgetBiasLoss(vs[0], fb, T, 1) + forgetBiasLoss(vs[0], fb, T, 2)) / 2
			if math.Abs(cell.Mean-want) > 1e-12 {
				t.Errorf("%s T=%d: mean %g, want %g", tb.Rows[ri], T, cell.Mean, want)
			}
		}
	}
	// The steps table and the summary follow the rows.
	longest := tb.LongestSolved(0)
	wantLongest := []string{"20", "", "10", ""}
	for i, l := range longest {
		if l.Row != wantRows[i] || l.Col != wantLongest[i] || !slices.Equal(l.Values, wantValues[i]) {
			t.Errorf("longest %d: %+v, want %s at %q", i, l, wantRows[i], wantLongest[i])
		}
	}
	if s := r.Steps[0].Cells[0][1]; s == nil || s.Median != 350 {
		t.Errorf("steps of lstm forget_bias=1 at T=20: %+v, want median 350", s)
	}

	out := string(render(t, r, Terminal))
	for _, want := range []string{
		"│ cell, forget_bias  │ T=10",
		"lstm forget_bias=5",
		"gru forget_bias=1: longest T solved in all seeds: 10 (2/2)",
		"lstm forget_bias=1: longest T solved in all seeds: 20 (2/2)",
		"lstm forget_bias=5: longest T solved in all seeds: none",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "differing") {
		t.Errorf("a row field is reported as differing:\n%s", out)
	}
	checkGolden(t, "report-rows-cell-forget_bias.txt", []byte(out))
	md := string(render(t, r, Markdown))
	if !strings.Contains(md, `| cell, forget\_bias  |`) || !strings.Contains(md, `| lstm forget\_bias=1 |`) {
		t.Errorf("markdown lacks the header or a row label:\n%s", md)
	}
	for _, f := range []Format{CSV, LaTeX} {
		if out := string(render(t, r, f)); !strings.Contains(out, "forget") {
			t.Errorf("%s lacks the rows:\n%s", f, out)
		}
	}
	// In CSV, the summary has a column per row field.
	if out := string(render(t, r, CSV)); !strings.Contains(out, "cell,forget_bias,longest_T,solved,of") ||
		!strings.Contains(out, "lstm,1,20,2,2") {
		t.Errorf("CSV summary lacks a column per row field:\n%s", out)
	}
}

// TestRowsOfTwoFieldsJSON: the JSON document carries each row's field values beside its
// label, in the tables and in longest_solved; a single field adds neither.
func TestRowsOfTwoFieldsJSON(t *testing.T) {
	c, err := Load(forgetBiasSweep(t))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Query  struct{ Rows string }
		Tables []struct {
			Rows          []string            `json:"rows"`
			RowFields     []string            `json:"row_fields"`
			RowValues     [][]string          `json:"row_values"`
			ColFields     []string            `json:"col_fields"`
			ColValues     [][]string          `json:"col_values"`
			Cells         [][]struct{ N int } `json:"cells"`
			LongestSolved []struct {
				Row       string   `json:"row"`
				RowValues []string `json:"row_values"`
				Col       *string  `json:"col"`
			} `json:"longest_solved"`
		}
	}
	out := render(t, loadReport(t, c, Query{Rows: "cell, forget_bias"}), JSON)
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	checkGolden(t, "report-rows-cell-forget_bias.json", out)
	tb := doc.Tables[0]
	if doc.Query.Rows != "cell,forget_bias" || !slices.Equal(tb.RowFields, []string{"cell", "forget_bias"}) {
		t.Errorf("query rows %q, row_fields %q", doc.Query.Rows, tb.RowFields)
	}
	if len(tb.RowValues) != 4 || len(tb.LongestSolved) != 4 || !slices.Equal(tb.RowValues[1], []string{"lstm", "5"}) || tb.Rows[1] != "lstm forget_bias=5" {
		t.Fatalf("rows %q, row_values %q", tb.Rows, tb.RowValues)
	}
	if tb.ColFields != nil || tb.ColValues != nil {
		t.Errorf("one column field has col_fields %q, col_values %q", tb.ColFields, tb.ColValues)
	}
	if l := tb.LongestSolved[0]; !slices.Equal(l.RowValues, []string{"lstm", "1"}) || l.Col == nil || *l.Col != "20" {
		t.Errorf("longest_solved[0] = %+v", l)
	}
	if len(tb.Cells) != 4 || tb.Cells[0][0].N != 2 {
		t.Errorf("cells %+v", tb.Cells)
	}

	single := string(render(t, loadReport(t, c, Query{}), JSON))
	for _, k := range []string{"row_fields", "row_values", "col_values"} {
		if strings.Contains(single, k) {
			t.Errorf("one row field: JSON has %q", k)
		}
	}
}

// TestRowsWithUnsetField: a field that some cells' configs do not set adds nothing to
// their rows' labels, and such a row comes before the values of the field (lstm1997
// before lstm1997 forget_bias=1, though the trials list the bias first); a field set for
// some rows only does not split the others.
func TestRowsWithUnsetField(t *testing.T) {
	var trials []fakeTrial
	for _, cell := range []string{"lstm", "gru", "lstm1997"} {
		for _, fb := range []float64{10, 5, 1} {
			if cell != "lstm" && fb != 1 {
				continue
			}
			for _, seed := range []uint64{1, 2} {
				trials = append(trials, fakeTrial{cell: cell, T: 10, seed: seed, status: Unsolved, forgetBias: fb,
					loss: forgetBiasLoss(cell, fb, 10, seed), curve: []float64{0.2, 0.1}})
			}
		}
	}
	c, err := Load(writeSweep(t, trials))
	if err != nil {
		t.Fatal(err)
	}
	// gru and one lstm1997 seed have configs without forget_bias, as a cell without a forget gate may.
	for _, tr := range c.Trials {
		if tr.Field("cell") == "gru" || (tr.Field("cell") == "lstm1997" && tr.Field("seed") == "2") {
			tr.Config.Keys = slices.DeleteFunc(slices.Clone(tr.Config.Fields()), func(k string) bool { return k == "forget_bias" })
		}
	}
	tb := loadReport(t, c, Query{Rows: "cell,forget_bias"}).Tables[0]
	want := []string{"lstm forget_bias=1", "lstm forget_bias=5", "lstm forget_bias=10", "gru", "lstm1997", "lstm1997 forget_bias=1"}
	if !slices.Equal(tb.Rows, want) {
		t.Fatalf("rows %q, want %q", tb.Rows, want)
	}
	if !slices.Equal(tb.RowValues[3], []string{"gru", ""}) {
		t.Errorf("gru's values %q", tb.RowValues[3])
	}
	for r, row := range tb.Cells {
		n := 2
		if strings.HasPrefix(tb.Rows[r], "lstm1997") {
			n = 1
		}
		if row[0] == nil || row[0].N != n {
			t.Errorf("%s: %+v, want %d trials", tb.Rows[r], row[0], n)
		}
	}

	// A field with one value for all trials is still shown, as listed.
	tb = loadReport(t, c, Query{Rows: "cell,hidden", Where: map[string]string{"cell": "gru,lstm1997"}}).Tables[0]
	if want := []string{"gru hidden=16", "lstm1997 hidden=16"}; !slices.Equal(tb.Rows, want) {
		t.Errorf("rows %q, want %q", tb.Rows, want)
	}
}

// TestRowsCellClip: rnn and lstm against clip none, value:1 and norm:1; the label of a
// word that is not the first field names its field.
func TestRowsCellClip(t *testing.T) {
	var trials []fakeTrial
	for _, cell := range []string{"rnn", "lstm"} {
		for i, clip := range []string{"value:1", "none", "norm:1"} {
			for _, seed := range []uint64{1, 2} {
				trials = append(trials, fakeTrial{cell: cell, T: 10, seed: seed, status: Unsolved, clip: clip,
					loss: 0.1*float64(i+1) + 0.001*float64(seed), curve: []float64{0.2, 0.1}})
			}
		}
	}
	c, err := Load(writeSweep(t, trials))
	if err != nil {
		t.Fatal(err)
	}
	r := loadReport(t, c, Query{Rows: "cell,clip", Where: map[string]string{"clip": "none,norm:1"}})
	want := []string{"rnn clip=none", "rnn clip=norm:1", "lstm clip=none", "lstm clip=norm:1"}
	if !slices.Equal(r.Tables[0].Rows, want) {
		t.Fatalf("rows %q, want %q", r.Tables[0].Rows, want)
	}
	if m := r.Tables[0].Cells[1][0].Mean; math.Abs(m-0.3015) > 1e-12 {
		t.Errorf("rnn clip=norm:1: mean %g, want 0.3015", m)
	}
	// Without clip among the rows, the clip rules are mixed, and the table says so.
	r = loadReport(t, c, Query{})
	if !slices.Equal(r.Tables[0].Over, []string{"clip"}) {
		t.Errorf("over %q, want clip", r.Tables[0].Over)
	}
}

// TestColsOfTwoFields: --cols T,clip has a column per combination, ordered numerically by
// T then by clip as the trials list it (norm:1 before none), headed "T=20 clip=none"; the
// curves figures follow the columns.
func TestColsOfTwoFields(t *testing.T) {
	var trials []fakeTrial
	for _, T := range []int{100, 20} {
		for _, clip := range []string{"norm:1", "none"} {
			for _, cell := range []string{"rnn", "lstm"} {
				trials = append(trials, fakeTrial{cell: cell, T: T, seed: 1, status: Unsolved, clip: clip,
					loss: float64(T) / 1000, curve: []float64{0.2, 0.1}})
			}
		}
	}
	trials = trials[1:] // no rnn at T=100 with norm:1
	c, err := Load(writeSweep(t, trials))
	if err != nil {
		t.Fatal(err)
	}
	r := loadReport(t, c, Query{Cols: "T,clip"})
	tb := r.Tables[0]
	want := []string{"T=20 clip=norm:1", "T=20 clip=none", "T=100 clip=norm:1", "T=100 clip=none"}
	if !slices.Equal(tb.Cols, want) {
		t.Fatalf("cols %q, want %q", tb.Cols, want)
	}
	if !slices.Equal(tb.ColValues[3], []string{"100", "none"}) {
		t.Errorf("col values %q", tb.ColValues[3])
	}
	if tb.Cells[1][2] != nil || tb.Cells[0][2] == nil || tb.Cells[0][2].Mean != 0.1 {
		t.Errorf("T=100 clip=norm:1: rnn %+v, lstm %+v", tb.Cells[1][2], tb.Cells[0][2])
	}
	out := string(render(t, r, Markdown))
	if !strings.Contains(out, "| cell | T=20 clip=norm:1 | T=20 clip=none | T=100 clip=norm:1 | T=100 clip=none |") {
		t.Errorf("markdown header:\n%s", out)
	}
	if strings.Contains(out, "longest") {
		t.Errorf("columns that are not numbers have a longest-solved summary:\n%s", out)
	}
	dir := t.TempDir()
	files, err := SavePlots(dir, c, Query{Cols: "T,clip"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "curves-adding-T_100_clip_norm_1.svg")); err != nil {
		t.Errorf("%v (files %q)", err, files)
	}
	ch, err := curvesChart(c, Query{Cols: "T,clip"}, "adding", "T=100 clip=norm:1")
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Series) != 1 || !strings.HasPrefix(ch.Series[0].Name, "lstm ") || ch.Title != "adding, T=100 clip=norm:1: test loss vs step" {
		t.Errorf("curves at T=100 clip=norm:1: title %q, %d series", ch.Title, len(ch.Series))
	}
}

// TestRowsFieldsErrors: an unknown field among several is named, as a single unknown field
// is; an empty or repeated field is an error too.
func TestRowsFieldsErrors(t *testing.T) {
	c, err := Load(forgetBiasSweep(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		q    Query
		want string
	}{
		{Query{Rows: "colour"}, `unknown field "colour" for --rows/--cols (fields: `},
		{Query{Rows: "cell,colour"}, `unknown field "colour" for --rows/--cols (fields: `},
		{Query{Cols: "T,colour,cell"}, `unknown field "colour" for --rows/--cols (fields: `},
		{Query{Rows: "cell,"}, `empty field in --rows/--cols "cell,"`},
		{Query{Rows: "cell,cell"}, `field "cell" listed twice`},
	} {
		_, err := NewReport(c, tc.q, 0)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%+v: error %v, want %q", tc.q, err, tc.want)
		}
		if _, err := curvesChart(c, tc.q, "adding", "10"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: curves error %v, want %q", tc.q, err, tc.want)
		}
	}
}

// TestRowsOfTwoFieldsFigures: the final-metric figure has a series per row, named by its
// label, and the HTML page shows the rows.
func TestRowsOfTwoFieldsFigures(t *testing.T) {
	c, err := Load(forgetBiasSweep(t))
	if err != nil {
		t.Fatal(err)
	}
	q := Query{Rows: "cell,forget_bias"}
	tb := loadReport(t, c, q).Tables[0]
	ch := finalChart(tb)
	var names []string
	for _, s := range ch.Series {
		names = append(names, s.Name)
	}
	if len(names) != 4 || !strings.HasPrefix(names[1], "lstm forget_bias=5") {
		t.Errorf("series %q", names)
	}
	curves, err := curvesChart(c, q, "adding", "20")
	if err != nil {
		t.Fatal(err)
	}
	if len(curves.Series) != 4 || !strings.HasPrefix(curves.Series[3].Name, "gru forget_bias=5 (2 trials") {
		t.Errorf("curves at T=20: %d series, %+v", len(curves.Series), curves.Series)
	}
	var page bytes.Buffer
	if err := WriteHTML(&page, c, q, 0); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"rows cell, forget_bias", "cell, forget_bias \\ T", "lstm forget_bias=5"} {
		if !strings.Contains(page.String(), want) {
			t.Errorf("HTML page lacks %q", want)
		}
	}
}

// TestOrderCombinations: each field's values are ordered within the combinations that
// share the fields before it: numbers numerically, words in the order of their first
// occurrence, the empty value first.
func TestOrderCombinations(t *testing.T) {
	got := orderCombinations([][]string{
		{"lstm", "10"}, {"gru", ""}, {"lstm", "5"}, {"lstm", ""}, {"gru", "none"}, {"lstm", "1"},
	})
	want := [][]string{{"lstm", ""}, {"lstm", "1"}, {"lstm", "5"}, {"lstm", "10"}, {"gru", ""}, {"gru", "none"}}
	if !slices.EqualFunc(got, want, slices.Equal[[]string]) {
		t.Errorf("got %q, want %q", got, want)
	}
	// One field: the empty value first, then numbers ascending.
	got = orderCombinations([][]string{{"10"}, {""}, {"5"}})
	if want := [][]string{{""}, {"5"}, {"10"}}; !slices.EqualFunc(got, want, slices.Equal[[]string]) {
		t.Errorf("got %q, want %q", got, want)
	}
	// A word keeps the place of its first occurrence in every group, though a later group
	// lists it in another order.
	got = orderCombinations([][]string{{"rnn", "value:1"}, {"rnn", "none"}, {"lstm", "none"}, {"lstm", "value:1"}})
	want = [][]string{{"rnn", "value:1"}, {"rnn", "none"}, {"lstm", "value:1"}, {"lstm", "none"}}
	if !slices.EqualFunc(got, want, slices.Equal[[]string]) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestSpecOrder: words come in the order in which they first occur among the trials (a
// sweep's grid order), numbers ascending: cells listed rnn, lstm, gru at T=100 then T=10
// give rows rnn, lstm, gru and columns T=10, T=100, in the table, its JSON and the
// figures' lines (whose styles follow the rows); clip rules listed none, value:1, norm:1
// keep that order within each cell.
func TestSpecOrder(t *testing.T) {
	var trials []fakeTrial
	for _, cell := range []string{"rnn", "lstm", "gru"} {
		for _, T := range []int{100, 10} {
			trials = append(trials, fakeTrial{cell: cell, T: T, seed: 1, status: Unsolved,
				loss: 0.1, curve: []float64{0.2, 0.1}})
		}
	}
	c, err := Load(writeSweep(t, trials))
	if err != nil {
		t.Fatal(err)
	}
	r := loadReport(t, c, Query{})
	tb := r.Tables[0]
	if want := []string{"rnn", "lstm", "gru"}; !slices.Equal(tb.Rows, want) {
		t.Errorf("rows %q, want %q", tb.Rows, want)
	}
	if want := []string{"10", "100"}; !slices.Equal(tb.Cols, want) {
		t.Errorf("cols %q, want %q", tb.Cols, want)
	}
	var doc struct {
		Tables []struct{ Rows, Cols []string }
	}
	if err := json.Unmarshal(render(t, r, JSON), &doc); err != nil {
		t.Fatal(err)
	}
	if got := doc.Tables[0]; !slices.Equal(got.Rows, tb.Rows) || !slices.Equal(got.Cols, tb.Cols) {
		t.Errorf("JSON rows %q, cols %q", got.Rows, got.Cols)
	}
	ch, err := curvesChart(c, Query{}, "adding", "100")
	if err != nil {
		t.Fatal(err)
	}
	for i, cell := range []string{"rnn", "lstm", "gru"} {
		if i >= len(ch.Series) || !strings.HasPrefix(ch.Series[i].Name, cell+" ") || ch.Series[i].Style != i {
			t.Errorf("curves at T=100: lines %q, want %s as line %d", plotSeriesNames(ch), cell, i)
		}
	}
	if got := plotSeriesNames(finalChart(tb)); len(got) != 3 || !strings.HasPrefix(got[0], "rnn") || !strings.HasPrefix(got[2], "gru") {
		t.Errorf("final figure: lines %q", got)
	}

	trials = nil
	for _, cell := range []string{"rnn", "lstm"} {
		for _, clip := range []string{"none", "value:1", "norm:1"} {
			trials = append(trials, fakeTrial{cell: cell, T: 10, seed: 1, status: Unsolved, clip: clip,
				loss: 0.1, curve: []float64{0.2, 0.1}})
		}
	}
	if c, err = Load(writeSweep(t, trials)); err != nil {
		t.Fatal(err)
	}
	want := []string{"rnn clip=none", "rnn clip=value:1", "rnn clip=norm:1", "lstm clip=none", "lstm clip=value:1", "lstm clip=norm:1"}
	if got := loadReport(t, c, Query{Rows: "cell,clip"}).Tables[0].Rows; !slices.Equal(got, want) {
		t.Errorf("rows %q, want %q", got, want)
	}
}

// TestGradientTableRowsOfTwoFields: the gradient tables group by several fields as the
// report's tables do.
func TestGradientTableRowsOfTwoFields(t *testing.T) {
	c, err := Load(gradFixture)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := c.GradientTables(Query{Rows: "cell,hidden"})
	if err != nil {
		t.Fatal(err)
	}
	gt := ts[0]
	if want := []string{"rnn hidden=16", "lstm hidden=16", "gru hidden=16"}; !slices.Equal(gt.Rows, want) {
		t.Fatalf("rows %q, want %q", gt.Rows, want)
	}
	for r, row := range gt.Cells {
		for col, cell := range row {
			if cell == nil || cell.N != 2 || cell.Recorded != 2 {
				t.Errorf("%s %s: %+v, want 2 recorded trials", gt.Rows[r], gt.Cols[col], cell)
			}
		}
	}
	var buf bytes.Buffer
	if err := WriteGradientTables(&buf, ts, JSON); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"row_values"`) || !strings.Contains(buf.String(), `"rows_field": "cell,hidden"`) {
		t.Errorf("gradient JSON lacks the row values:\n%.600s", buf.String())
	}
}

// TestLabelsOmitIgnoredField: in a label of several fields, forget_bias is left out for a
// cell without a forget gate (gru, lstm1997, nfg; cifg uses it), unless two combinations
// differ only in it; the field values stay as they are. One field is its value as ever.
func TestLabelsOmitIgnoredField(t *testing.T) {
	type cf struct {
		cell string
		fb   float64
	}
	usual := []cf{{"lstm", 1}, {"lstm", 5}, {"gru", 1}, {"lstm1997", 1}}
	for _, tc := range []struct {
		name       string
		trials     []cf
		q          Query
		rows, cols []string // labels; nil: not checked
		values     [][]string
	}{
		{name: "rows", trials: usual, q: Query{Rows: "cell,forget_bias"},
			rows:   []string{"lstm forget_bias=1", "lstm forget_bias=5", "gru", "lstm1997"},
			values: [][]string{{"lstm", "1"}, {"lstm", "5"}, {"gru", "1"}, {"lstm1997", "1"}}},
		{name: "gru at two biases keeps both", trials: []cf{{"gru", 1}, {"gru", 5}, {"lstm", 1}}, q: Query{Rows: "cell,forget_bias"},
			rows:   []string{"gru forget_bias=1", "gru forget_bias=5", "lstm forget_bias=1"},
			values: [][]string{{"gru", "1"}, {"gru", "5"}, {"lstm", "1"}}},
		{name: "only the clashing cell keeps it", trials: []cf{{"gru", 1}, {"gru", 5}, {"lstm1997", 1}}, q: Query{Rows: "cell,forget_bias"},
			rows: []string{"gru forget_bias=1", "gru forget_bias=5", "lstm1997"}},
		{name: "greff variants", trials: []cf{{"nfg", 1}, {"cifg", 1}, {"peephole", 1}}, q: Query{Rows: "cell,forget_bias"},
			rows: []string{"nfg", "cifg forget_bias=1", "peephole forget_bias=1"}},
		{name: "bias first", trials: usual, q: Query{Rows: "forget_bias,cell"},
			rows: []string{"forget_bias=1 cell=lstm", "cell=gru", "cell=lstm1997", "forget_bias=5 cell=lstm"}},
		{name: "one field", trials: usual, q: Query{Rows: "forget_bias"}, rows: []string{"1", "5"}},
		{name: "no cell among the fields", trials: usual, q: Query{Rows: "forget_bias,hidden"},
			rows: []string{"forget_bias=1 hidden=16", "forget_bias=5 hidden=16"}},
		{name: "columns", trials: usual, q: Query{Rows: "T", Cols: "cell,forget_bias"},
			cols:   []string{"cell=lstm forget_bias=1", "cell=lstm forget_bias=5", "cell=gru", "cell=lstm1997"},
			values: [][]string{{"lstm", "1"}, {"lstm", "5"}, {"gru", "1"}, {"lstm1997", "1"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var trials []fakeTrial
			for _, x := range tc.trials {
				trials = append(trials, fakeTrial{cell: x.cell, T: 10, seed: 1, status: Unsolved, forgetBias: x.fb,
					loss: forgetBiasLoss(x.cell, x.fb, 10, 1), curve: []float64{0.2, 0.1}})
			}
			c, err := Load(writeSweep(t, trials))
			if err != nil {
				t.Fatal(err)
			}
			tb := loadReport(t, c, tc.q).Tables[0]
			if tc.rows != nil && !slices.Equal(tb.Rows, tc.rows) {
				t.Errorf("rows %q, want %q", tb.Rows, tc.rows)
			}
			if tc.cols != nil && !slices.Equal(tb.Cols, tc.cols) {
				t.Errorf("cols %q, want %q", tb.Cols, tc.cols)
			}
			values := tb.RowValues
			if tc.q.Cols != "" {
				values = tb.ColValues
			}
			if tc.values != nil && !slices.EqualFunc(values, tc.values, slices.Equal[[]string]) {
				t.Errorf("values %q, want %q", values, tc.values)
			}
		})
	}
}

// TestOmittedFieldOutputs: where forget_bias is left out of a label, every output follows:
// the text table and its summary, the column headings, the figures of a column, and JSON,
// whose row_values keep the bias.
func TestOmittedFieldOutputs(t *testing.T) {
	var trials []fakeTrial
	for _, x := range []struct {
		cell string
		fb   float64
	}{{"lstm", 1}, {"lstm", 5}, {"gru", 1}, {"lstm1997", 1}} {
		for _, T := range []int{10, 20} {
			trials = append(trials, fakeTrial{cell: x.cell, T: T, seed: 1, status: Solved, solved: 300, forgetBias: x.fb,
				loss: forgetBiasLoss(x.cell, x.fb, T, 1), curve: []float64{0.2, 0.1}})
		}
	}
	c, err := Load(writeSweep(t, trials))
	if err != nil {
		t.Fatal(err)
	}
	q := Query{Rows: "cell,forget_bias"}
	r := loadReport(t, c, q)
	out := string(render(t, r, Terminal))
	for _, want := range []string{"│ gru                ", "│ lstm1997           ", "│ lstm forget_bias=5 ", "\ngru: longest T solved in all seeds: 20 (1/1)"} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "gru forget_bias") || strings.Contains(out, "lstm1997 forget_bias") {
		t.Errorf("terminal output names the bias of a cell without a forget gate:\n%s", out)
	}
	var doc struct {
		Tables []struct {
			Rows      []string   `json:"rows"`
			RowValues [][]string `json:"row_values"`
		}
	}
	if err := json.Unmarshal(render(t, r, JSON), &doc); err != nil {
		t.Fatal(err)
	}
	if tb := doc.Tables[0]; tb.Rows[2] != "gru" || !slices.Equal(tb.RowValues[2], []string{"gru", "1"}) {
		t.Errorf("JSON rows %q, row_values %q", tb.Rows, tb.RowValues)
	}

	cq := Query{Rows: "T", Cols: "cell,forget_bias"}
	md := string(render(t, loadReport(t, c, cq), Markdown))
	if !strings.Contains(md, "| T        | cell=lstm forget\\_bias=1 | cell=lstm forget\\_bias=5 | cell=gru | cell=lstm1997 |") ||
		!strings.Contains(md, "- cell=lstm1997: longest T solved") {
		t.Errorf("markdown header or summary:\n%s", md)
	}
	ch, err := curvesChart(c, cq, "adding", "cell=gru")
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Series) != 2 || ch.Title != "adding, cell=gru: test loss vs step" {
		t.Errorf("curves of cell=gru: title %q, %d series", ch.Title, len(ch.Series))
	}
}
