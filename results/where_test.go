package results

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestParseWhere(t *testing.T) {
	for _, tc := range []struct {
		exprs []string
		want  map[string]string
		err   string
	}{
		{[]string{"cell=lstm"}, map[string]string{"cell": "lstm"}, ""},
		{[]string{"cell=lstm,gru", "lr>=1e-3"}, map[string]string{"cell": "lstm,gru", "lr": ">=1e-3"}, ""},
		{[]string{"T>=10", "T<100"}, map[string]string{"T": ">=10 & <100"}, ""},
		{[]string{"cell!=rnn", "T>5", "T<=9"}, map[string]string{"cell": "!=rnn", "T": ">5 & <=9"}, ""},
		{[]string{"cell"}, nil, "want field=value"},
		{[]string{"=lstm"}, nil, "want field=value"},
		{[]string{"lr>=fast"}, nil, `>= needs a number, not "fast"`},
		{[]string{"T!5"}, nil, "want =, !=, >=, >, <= or <"},
	} {
		where := map[string]string{}
		var err error
		for _, e := range tc.exprs {
			if err = ParseWhere(where, e); err != nil {
				break
			}
		}
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%v: error %v, want %q", tc.exprs, err, tc.err)
			}
			continue
		}
		if err != nil || len(where) != len(tc.want) {
			t.Errorf("%v: %v, %v", tc.exprs, where, err)
			continue
		}
		for k, v := range tc.want {
			if where[k] != v {
				t.Errorf("%v: %s = %q, want %q", tc.exprs, k, where[k], v)
			}
		}
	}
	if got := WhereText("T", ">=10 & <100"); got != "T>=10 and T<100" {
		t.Errorf("WhereText = %q", got)
	}
}

// TestWhereRangesAndSets counts the fixture's trials (16: tasks adding and copy, T 5 and
// 10, cells lstm and rnn, seeds 1 and 2) that each filter keeps.
func TestWhereRangesAndSets(t *testing.T) {
	c, err := Load(fixture)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		exprs []string
		n     int
	}{
		{[]string{"cell=lstm,rnn"}, 16},
		{[]string{"cell=lstm,gru"}, 8},
		{[]string{"cell = lstm, rnn"}, 16},
		{[]string{"cell!=lstm"}, 8},
		{[]string{"T<10"}, 8},
		{[]string{"T<=10", "T>5"}, 8},
		{[]string{"T>=5", "cell=rnn", "task=adding"}, 4},
		{[]string{"seed>1"}, 8},
		{[]string{"lr>=1e-3"}, 16},
		{[]string{"lr>0.02"}, 0},
		{[]string{"task>1"}, 0}, // not a number: no order
		{[]string{"T=5.0"}, 8},  // numbers compare as numbers
	} {
		where := map[string]string{}
		for _, e := range tc.exprs {
			if err := ParseWhere(where, e); err != nil {
				t.Fatal(err)
			}
		}
		n := 0
		for _, tr := range c.Trials {
			if (Query{Where: where}).keeps(tr) {
				n++
			}
		}
		if n != tc.n {
			t.Errorf("%v keeps %d trials, want %d", tc.exprs, n, tc.n)
		}
	}
}

func TestUnmatchedNamesValues(t *testing.T) {
	c, _ := Load(fixture)
	for _, tc := range []struct {
		where map[string]string
		want  string
	}{
		{map[string]string{"cell": "gru"}, "no trial has cell=gru (cell: lstm, rnn)"},
		{map[string]string{"cell": "gru", "T": ">100"}, "no trial has T>100 (T: 5, 10); no trial has cell=gru (cell: lstm, rnn)"},
		{map[string]string{"T": ">5 & <10"}, "no trial has T>5 and T<10 (T: 5, 10)"},
		{map[string]string{"cell": "lstm"}, ""},
	} {
		if got := c.Unmatched(tc.where); !strings.HasPrefix(got, tc.want) || (tc.want == "") != (got == "") {
			t.Errorf("Unmatched(%v) = %q, want %q", tc.where, got, tc.want)
		}
	}
	two, err := LoadSeparate(fixture, gradFixture)
	if err != nil {
		t.Fatal(err)
	}
	want := "no trial meets sweep=gradfixture and task=copy together, though each holds for some trials"
	if got := two.Unmatched(map[string]string{"task": "copy", SweepField: "gradfixture"}); got != want {
		t.Errorf("Unmatched = %q, want %q", got, want)
	}
	if _, err := c.Tables(Query{Where: map[string]string{"lr": ">=x"}}); err == nil || !strings.Contains(err.Error(), "needs a number") {
		t.Errorf("bad condition: %v", err)
	}
}

// TestCompareSweeps: with LoadSeparate, two directories are two sweeps even when they
// hold the same trials, and the sweep is a field for rows, columns and filters.
func TestCompareSweeps(t *testing.T) {
	a := filepath.Join(t.TempDir(), "a", "fixture")
	copyDir(t, fixture, a)
	merged, err := Load(fixture, a)
	if err != nil || len(merged.Trials) != 16 {
		t.Fatalf("merged: %v, %d trials", err, len(merged.Trials))
	}
	sep, err := LoadSeparate(fixture, a)
	if err != nil || len(sep.Trials) != 32 || len(sep.Problems) != 0 {
		t.Fatalf("separate: %v, %d trials, %v", err, len(sep.Trials), sep.Problems)
	}
	// Both sweeps are named "fixture": their directories tell them apart.
	if got := sep.Values(SweepField); len(got) != 2 || got[0] != filepath.Clean(a) || got[1] != fixture {
		t.Errorf("sweeps %q", got)
	}
	tables, err := sep.Tables(Query{Rows: SweepField, Where: map[string]string{"task": "adding", SweepField: fixture}})
	if err != nil || len(tables) != 1 || len(tables[0].Rows) != 1 || tables[0].Cells[0][0].N != 4 {
		t.Fatalf("%v %+v", err, tables)
	}
}

// TestGoldenCompare renders two different sweeps side by side, one row per sweep.
func TestGoldenCompare(t *testing.T) {
	c, err := LoadSeparate(fixture, gradFixture)
	if err != nil {
		t.Fatal(err)
	}
	where := map[string]string{}
	for _, e := range []string{"task=adding", "cell=lstm,gru", "T<=10"} {
		if err := ParseWhere(where, e); err != nil {
			t.Fatal(err)
		}
	}
	r, err := NewReport(c, Query{Rows: SweepField, Cols: "cell", Where: where}, 0)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "report-compare-sweeps.md", render(t, r, Markdown))
}
