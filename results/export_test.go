package results

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/expctl/expctl/experiments"
	"github.com/expctl/expctl/results/trialdir"
)

// exportTables are every table of the fixture sweeps, loaded as separate sweeps.
func exportTables(t *testing.T) (*Collection, []*DataTable) {
	t.Helper()
	c, err := LoadSeparate(fixture, gradFixture)
	if err != nil {
		t.Fatal(err)
	}
	trials, err := c.Filter(nil)
	if err != nil {
		t.Fatal(err)
	}
	tb, ps := TrialsTable(trials)
	gf, ps1 := GradFlowTable(trials)
	sp, ps2 := SpectraTable(trials)
	if len(ps)+len(ps1)+len(ps2) > 0 {
		t.Fatalf("problems: %v %v %v", ps, ps1, ps2)
	}
	return c, []*DataTable{tb, CurvesTable(trials), gf, sp}
}

// readCSV parses a table written by WriteCSV into its header and records.
func readCSV(t *testing.T, tb *DataTable) ([]string, [][]string) {
	t.Helper()
	b, err := tb.Encode("csv")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("%s.csv: %v", tb.Name, err)
	}
	return recs[0], recs[1:]
}

func TestExportColumnsMatchRecordFiles(t *testing.T) {
	for _, tc := range []struct {
		cols   []Column
		header []string
	}{
		{CurveColumns, trialdir.Curve.Header()},
		{GradFlowColumns, trialdir.GradFlow.Header()},
		{SpectraColumns, trialdir.Spectra.Header()},
	} {
		var names []string
		for _, c := range tc.cols {
			names = append(names, c.Name)
		}
		if !slices.Equal(names, tc.header) {
			t.Errorf("columns %v, file header %v", names, tc.header)
		}
	}
}

// TestExportCSVRoundTrip reads the CSV tables back and compares every value with the
// collection's: config fields, result fields, states, and every curve point bit for bit.
func TestExportCSVRoundTrip(t *testing.T) {
	c, tables := exportTables(t)
	header, recs := readCSV(t, tables[0])
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for _, f := range experiments.Fields() {
		if _, ok := col[f.Key]; !ok {
			t.Errorf("trials.csv lacks config field %s", f.Key)
		}
	}
	for _, name := range []string{"trial_id", "sweep", "shard", "state", "attempts", "status", "steps_run", "test_loss", "result_params", "wall_seconds"} {
		if _, ok := col[name]; !ok {
			t.Errorf("trials.csv lacks %s (header %v)", name, header)
		}
	}
	if len(recs) != len(c.Trials) {
		t.Fatalf("%d rows for %d trials", len(recs), len(c.Trials))
	}
	float := func(s string) float64 {
		if s == "" {
			return math.NaN()
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		return f
	}
	same := func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }
	byKey := map[[2]string]*Trial{}
	for i, tr := range c.Trials {
		rec := recs[i]
		byKey[[2]string{tr.ID, tr.SweepName}] = tr
		if rec[col["trial_id"]] != tr.ID || rec[col["sweep"]] != tr.SweepName || rec[col["shard"]] != tr.Sweep || rec[col["state"]] != tr.State {
			t.Errorf("row %d: %v, trial %s %s %s", i, rec[:5], tr.ID, tr.SweepName, tr.State)
		}
		for _, f := range experiments.Fields() {
			if got, want := rec[col[f.Key]], tr.Field(f.Key); !sameValue(got, want) && !(got == "" && want == "null") {
				t.Errorf("%s %s: csv %q, config %q", tr.ID, f.Key, got, want)
			}
		}
		r := tr.Result
		if r == nil {
			for _, name := range []string{"status", "steps_run", "test_loss", "result_params"} {
				if rec[col[name]] != "" {
					t.Errorf("%s (%s): %s = %q, want null", tr.ID, tr.State, name, rec[col[name]])
				}
			}
			continue
		}
		loss := math.NaN()
		if r.TestLoss != nil {
			loss = *r.TestLoss
		}
		if !same(float(rec[col["test_loss"]]), loss) || rec[col["status"]] != r.Status ||
			rec[col["steps_run"]] != strconv.Itoa(r.StepsRun) || rec[col["result_params"]] != strconv.Itoa(r.Params) ||
			!same(float(rec[col["wall_seconds"]]), r.WallSeconds) || rec[col["metric"]] != r.Metric {
			t.Errorf("%s: csv %v, result %+v", tr.ID, rec, r)
		}
		if r.SolvedAtStep == nil && rec[col["solved_at_step"]] != "" || r.SolvedAtStep != nil && rec[col["solved_at_step"]] != strconv.Itoa(*r.SolvedAtStep) {
			t.Errorf("%s: solved_at_step %q", tr.ID, rec[col["solved_at_step"]])
		}
	}

	// curves.csv: every point of every curve, in order.
	header, recs = readCSV(t, tables[1])
	if want := append([]string{"trial_id", "sweep"}, trialdir.Curve.Header()...); !slices.Equal(header, want) {
		t.Fatalf("curves header %v", header)
	}
	n := 0
	next := map[*Trial]int{}
	for _, rec := range recs {
		tr := byKey[[2]string{rec[0], rec[1]}]
		if tr == nil {
			t.Fatalf("curve row of unknown trial %v", rec[:2])
		}
		p := tr.Curve[next[tr]]
		next[tr]++
		n++
		if rec[2] != strconv.Itoa(p.Step) {
			t.Errorf("%s: step %s, want %d", tr.ID, rec[2], p.Step)
		}
		for i, want := range []float64{p.TrainLoss, p.TestLoss, p.TestMetric, p.GradNorm, p.ClipRate, p.Seconds} {
			if got := float(rec[3+i]); !same(got, want) {
				t.Errorf("%s step %d %s: %v, want %v", tr.ID, p.Step, header[3+i], got, want)
			}
		}
	}
	total := 0
	for _, tr := range c.Trials {
		total += len(tr.Curve)
	}
	if n != total || n == 0 {
		t.Errorf("%d curve rows, the trials have %d points", n, total)
	}
	// gradflow and spectra: as many rows as the trials' files.
	for i, f := range []interface{ Header() []string }{trialdir.GradFlow, trialdir.Spectra} {
		tb := tables[2+i]
		header, recs := readCSV(t, tb)
		if !slices.Equal(header[2:], f.Header()) || len(recs) == 0 {
			t.Errorf("%s: header %v, %d rows", tb.Name, header, len(recs))
		}
	}
	rows, _ := trialdir.GradFlow.Read(filepath.Join(gradFixture, "adding-T10-rnn-h16-s1-4657b5429ed0"))
	_, recs = readCSV(t, tables[2])
	if recs[0][0] != "adding-T10-rnn-h16-s1-4657b5429ed0" || recs[0][1] != "gradfixture" || recs[0][5] != strconv.FormatFloat(rows[0].Norm, 'g', -1, 64) {
		t.Errorf("first gradflow row %v, file %+v", recs[0], rows[0])
	}
}

// hyparquetReader returns the command that reads a Parquet file with hyparquet
// (.ci/hyparquet/read.mjs), or why it cannot.
func hyparquetReader() (node, script, why string) {
	node, err := exec.LookPath("node")
	if err != nil {
		return "", "", "node is not installed"
	}
	dir, _ := filepath.Abs(filepath.Join("..", ".ci", "hyparquet"))
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "hyparquet", "package.json")); err != nil {
		return "", "", "hyparquet is not installed (npm ci --prefix .ci/hyparquet, as .ci/run does)"
	}
	return node, filepath.Join(dir, "read.mjs"), ""
}

// hyparquetFile is what read.mjs prints.
type hyparquetFile struct {
	NumRows int `json:"num_rows"`
	Columns []struct {
		Name, Type, Logical, Repetition string
	} `json:"columns"`
	Rows [][]map[string]any `json:"rows"`
}

// TestExportParquetIndependentReader writes every table as Parquet, reads it back with
// hyparquet (a JavaScript implementation, not the Go library that wrote it) and compares
// its schema and every value with the CSV of the same table.
func TestExportParquetIndependentReader(t *testing.T) {
	node, script, why := hyparquetReader()
	if why != "" {
		t.Skip(why)
	}
	_, tables := exportTables(t)
	tables = append(tables, &DataTable{Name: "edge", Columns: []Column{
		{"i", IntColumn}, {"f", FloatColumn}, {"s", StringColumn}, {"b", BoolColumn}},
		Rows: [][]any{
			{int64(-3), math.Inf(1), "σ_max, \"quoted\"", true},
			{nil, nil, nil, nil},
			{int64(math.MaxInt64), math.Inf(-1), "x", false},
			{int64(0), 5e-324, "line\nbreak", nil},
		}})
	dir := t.TempDir()
	wantType := map[ColumnType][2]string{IntColumn: {"INT64", "INTEGER"}, FloatColumn: {"DOUBLE", ""},
		StringColumn: {"BYTE_ARRAY", "STRING"}, BoolColumn: {"BOOLEAN", ""}}
	for _, tb := range tables {
		b, err := tb.Encode("parquet")
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, tb.Name+".parquet")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(node, script, path).Output()
		if err != nil {
			t.Fatalf("%s: hyparquet: %v", tb.Name, err)
		}
		var pq hyparquetFile
		if err := json.Unmarshal(out, &pq); err != nil {
			t.Fatalf("%s: %v", tb.Name, err)
		}
		header, recs := readCSV(t, tb)
		if pq.NumRows != len(recs) || len(pq.Rows) != len(recs) || len(pq.Columns) != len(header) {
			t.Fatalf("%s: parquet %d rows (%d read), %d columns; csv %d rows, %d columns", tb.Name, pq.NumRows, len(pq.Rows), len(pq.Columns), len(recs), len(header))
		}
		for i, c := range pq.Columns {
			want := wantType[tb.Columns[i].Type]
			if c.Name != header[i] || c.Type != want[0] || c.Logical != want[1] || c.Repetition != "OPTIONAL" {
				t.Errorf("%s column %d: parquet %+v, csv %s of type %s", tb.Name, i, c, header[i], tb.Columns[i].Type)
			}
		}
		for r, rec := range recs {
			for i, field := range rec {
				if got := hyparquetText(pq.Rows[r][i]); got != field {
					t.Errorf("%s row %d %s: parquet %v (%q), csv %q", tb.Name, r+1, header[i], pq.Rows[r][i], got, field)
				}
			}
		}
	}
}

// hyparquetText renders a value read.mjs tagged as WriteCSV writes it.
func hyparquetText(v map[string]any) string {
	if v == nil {
		return ""
	}
	for tag, x := range v {
		switch tag {
		case "i", "s":
			return x.(string)
		case "b":
			return strconv.FormatBool(x.(bool))
		case "f":
			if s, ok := x.(string); ok {
				return s // inf, -inf, nan
			}
			return strconv.FormatFloat(x.(float64), 'g', -1, 64)
		}
	}
	return "?"
}

// TestExportResultColumnsFlatten: every field result.json holds is a column of its own,
// the provenance fields of the embedded record among them, with its value.
func TestExportResultColumnsFlatten(t *testing.T) {
	r := &Result{ID: "x", Status: Solved}
	r.Host, r.GoVersion = "node7", "go1.26.8"
	got := map[string]any{}
	for _, rc := range resultColumns() {
		got[rc.Name] = resultValue(r, rc)
	}
	for name, want := range map[string]any{"status": "solved", "host": "node7", "go_version": "go1.26.8"} {
		if got[name] != want {
			t.Errorf("column %s = %v, want %v (columns: %v)", name, got[name], want, got)
		}
	}
	if _, ok := got["Provenance"]; ok {
		t.Error("the embedded provenance record is one column, not its fields")
	}
}

// TestExportPruneColumns: the prune rule, step and reason end the trials table, after
// every column it had before; null for a trial that was not pruned.
func TestExportPruneColumns(t *testing.T) {
	c, err := Load(pruneSweep(t))
	if err != nil {
		t.Fatal(err)
	}
	tb, ps := TrialsTable(c.Trials)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	header, recs := readCSV(t, tb)
	n := len(header)
	if !slices.Equal(header[n-3:], []string{"prune_rule", "prune_step", "prune_reason"}) || slices.Contains(header, "pruned") {
		t.Fatalf("header %v", header)
	}
	want := []string{"trial_id", "sweep", "shard", "state", "attempts"}
	for _, f := range experiments.Fields() {
		want = append(want, f.Key)
	}
	for _, rc := range resultColumns() {
		want = append(want, rc.Name)
	}
	if !slices.Equal(header[:n-3], want) || want[len(want)-1] != "kernels" {
		t.Errorf("columns before the prune columns %v, want %v", header[:n-3], want)
	}
	pruned := 0
	for i, tr := range c.Trials {
		got := recs[i][n-3:]
		switch {
		case tr.State == Pruned:
			pruned++
			p := tr.Result.Pruned
			if !slices.Equal(got, []string{p.Rule, strconv.Itoa(p.Step), p.Reason}) {
				t.Errorf("%s: %v, want %+v", tr.ID, got, p)
			}
		case !slices.Equal(got, []string{"", "", ""}):
			t.Errorf("%s (%s): %v, want nulls", tr.ID, tr.State, got)
		}
	}
	if pruned != 2 {
		t.Errorf("%d pruned rows", pruned)
	}
	if _, err := tb.Encode("parquet"); err != nil {
		t.Error(err)
	}
}
