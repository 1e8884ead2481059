package results

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/expctl/expctl/results/trialdir"
)

const fixture = "testdata/fixture"

func TestLoadFixture(t *testing.T) {
	c, err := Load(fixture)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Trials) != 16 || len(c.Problems) != 0 {
		t.Fatalf("%d trials, problems %v", len(c.Trials), c.Problems)
	}
	states := map[string]int{}
	for _, tr := range c.Trials {
		states[tr.State]++
	}
	want := map[string]int{Solved: 5, Unsolved: 8, Failed: 1, Diverged: 1, Incomplete: 1, Missing: 1}
	want[Unsolved] = 16 - 5 - 1 - 1 - 1 - 1
	for k, v := range want {
		if states[k] != v {
			t.Errorf("%d %s trials, want %d (all: %v)", states[k], k, v, states)
		}
	}
	if c.Sweeps[0].Name != "fixture" || !strings.Contains(c.Sweeps[0].Spec, "grid:") {
		t.Errorf("sweep %+v", c.Sweeps[0])
	}
}

func TestTablesFixture(t *testing.T) {
	c, _ := Load(fixture)
	tables, err := c.Tables(Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) != 2 || tables[0].Task != "adding" || tables[1].Task != "copy" {
		t.Fatalf("tables %+v", tables)
	}
	add := tables[0]
	if strings.Join(add.Rows, ",") != "rnn,lstm" || strings.Join(add.Cols, ",") != "5,10" {
		t.Fatalf("rows %v cols %v", add.Rows, add.Cols)
	}
	if add.ColBaseline[0] != 1.0/6 {
		t.Errorf("baseline %v", add.ColBaseline)
	}
	if got := add.LongestSolved(0); got[0].Col != "5" || got[1].Col != "5" {
		t.Errorf("longest solved by every seed %+v", got) // lstm T=10: 1 solved, 1 failed
	}
	if got := add.LongestSolved(1); got[1].Col != "10" || got[1].Solved != 1 || got[0].Col != "5" {
		t.Errorf("longest solved by one seed %+v", got)
	}
	for _, bad := range []Query{{Rows: "colour"}, {Metric: "accuracy"}, {Agg: "mode"}, {Where: map[string]string{"x": "1"}}} {
		if _, err := c.Tables(bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestLoadBadInput(t *testing.T) {
	if _, err := Load(t.TempDir()); !errors.Is(err, ErrNotSweep) {
		t.Errorf("empty directory: %v", err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "nope")); err == nil {
		t.Error("missing directory accepted")
	}
	// A corrupt result.json is reported and the trial counted as unfinished.
	dir := filepath.Join(t.TempDir(), "sweep")
	copyDir(t, fixture, dir)
	ids, _ := filepath.Glob(filepath.Join(dir, "adding-T5-lstm-*s1*"))
	os.WriteFile(filepath.Join(ids[0], trialdir.ResultFile), []byte(`{"status": "solv`), 0o644)
	c, err := Load(dir)
	if err != nil || len(c.Problems) != 1 || !strings.Contains(c.Problems[0].Path, trialdir.ResultFile) {
		t.Fatalf("%v, problems %v", err, c.Problems)
	}
}

// TestLoadShardsAndConflicts: two copies of a sweep merge; a trial that differs is a conflict.
func TestLoadShardsAndConflicts(t *testing.T) {
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	copyDir(t, fixture, a)
	copyDir(t, fixture, b)
	c, err := Load(a, b)
	if err != nil || len(c.Trials) != 16 || len(c.Problems) != 0 {
		t.Fatalf("identical copies: %d trials, %v, %v", len(c.Trials), c.Problems, err)
	}
	ids, _ := filepath.Glob(filepath.Join(b, "adding-T5-rnn-*s1*"))
	res, _ := trialdir.ReadResult(ids[0])
	res.StepsRun++
	trialdir.WriteJSON(filepath.Join(ids[0], trialdir.ResultFile), res)
	c, _ = Load(a, b)
	if len(c.Trials) != 16 || len(c.Problems) != 1 || !strings.Contains(c.Problems[0].Msg, "conflict") {
		t.Fatalf("conflict not reported: %v", c.Problems)
	}
}

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestLoadSkipsNonSweep(t *testing.T) {
	empty := t.TempDir()
	c, err := Load(fixture, empty)
	if err != nil || len(c.Sweeps) != 1 || len(c.Problems) != 1 || !strings.Contains(c.Problems[0].Msg, "not a sweep") {
		t.Fatalf("%v, problems %v", err, c.Problems)
	}
}
