package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExport(t *testing.T) {
	out := filepath.Join(t.TempDir(), "tables")
	code, stdout, errOut := runCLI(t, "export", fixtureSweep, gradFixtureSweep, "--separate", "--curves", "--parquet",
		"--where", "task=adding", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, name := range []string{"trials", "curves", "gradflow", "spectra"} {
		for _, ext := range []string{"csv", "parquet"} {
			path := filepath.Join(out, name+"."+ext)
			if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
				t.Errorf("%s: %v", path, err)
			}
			if !strings.Contains(stdout, "wrote "+path+": ") {
				t.Errorf("stdout does not name %s:\n%s", path, stdout)
			}
		}
	}
	f, err := os.Open(filepath.Join(out, "trials.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// fixture: 8 adding trials; gradfixture: all adding.
	sweeps := map[string]int{}
	for _, r := range recs[1:] {
		sweeps[r[1]]++
		if r[5] != "adding" {
			t.Errorf("task %q kept by --where task=adding", r[5])
		}
	}
	if sweeps["fixture"] != 8 || sweeps["gradfixture"] == 0 || len(sweeps) != 2 {
		t.Errorf("trials by sweep %v", sweeps)
	}
	if got := strings.Join(recs[0][:6], ","); got != "trial_id,sweep,shard,state,attempts,task" {
		t.Errorf("header starts %s", got)
	}

	// Without --curves and --parquet: trials.csv only.
	out2 := filepath.Join(t.TempDir(), "t")
	if code, _, errOut := runCLI(t, "export", fixtureSweep, "-o", out2); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if files, _ := os.ReadDir(out2); len(files) != 1 || files[0].Name() != "trials.csv" {
		t.Errorf("files %v", files)
	}
}

func TestExportBadInput(t *testing.T) {
	out := filepath.Join(t.TempDir(), "x")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"export"}, "at least one sweep directory"},
		{[]string{"export", t.TempDir()}, "not a sweep directory"},
		{[]string{"export", fixtureSweep, "--where", "cell=gru", "--out", out}, "no trial has cell=gru (cell: lstm, rnn)"},
		{[]string{"export", fixtureSweep, "--where", "colour=red", "--out", out}, `unknown field "colour"`},
	} {
		code, _, errOut := runCLI(t, tc.args...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q (want %q)", tc.args, code, errOut, tc.want)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a failed export wrote %s", out)
	}
}
