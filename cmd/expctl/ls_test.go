package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/expctl/expctl/results/trialdir"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// golden compares got with testdata/golden/name, or rewrites the file with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run go test -update to accept it):\n%s", name, got)
	}
}

// attemptsFixture is an attempts.jsonl of a trial interrupted once and resumed.
const attemptsFixture = `{"event":"start","step":0,"time":"2026-01-02T10:00:00Z","host":"node1","pid":101}
{"event":"checkpoint","step":200}
{"event":"end","step":200,"how":"interrupted"}
{"event":"start","step":200,"resumed":true,"time":"2026-01-02T10:05:00Z","host":"node2","pid":202}
{"event":"end","step":400,"how":"finished","status":"solved"}
`

// withAttempts copies the fixture sweep and gives one trial two attempts.
func withAttempts(t *testing.T) (sweep, trial string) {
	t.Helper()
	sweep = filepath.Join(t.TempDir(), "fixture")
	copyTree(t, fixtureSweep, sweep)
	trial = filepath.Join(sweep, "adding-T5-rnn-h16-s1-7f4d50038db1")
	if err := os.WriteFile(filepath.Join(trial, "attempts.jsonl"), []byte(attemptsFixture), 0o644); err != nil {
		t.Fatal(err)
	}
	return sweep, trial
}

func TestLsGolden(t *testing.T) {
	sweep, _ := withAttempts(t)
	code, out, errOut := runCLI(t, "ls", sweep)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	golden(t, "ls.txt", out)
}

func TestShowGolden(t *testing.T) {
	_, trial := withAttempts(t)
	for name, dir := range map[string]string{
		"show.txt":          trial,
		"show-failed.txt":   filepath.Join(fixtureSweep, "adding-T10-lstm-h16-s2-f881b3af3cf5"),
		"show-diverged.txt": filepath.Join(fixtureSweep, "copy-T10-rnn-h16-s1-8ab855ae9ab1"),
	} {
		code, out, errOut := runCLI(t, "show", dir)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, errOut)
		}
		golden(t, name, out)
	}
}

func TestLsShowBadInput(t *testing.T) {
	empty := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"ls"}, "at least one sweep directory"},
		{[]string{"ls", empty}, "not a sweep directory"},
		{[]string{"show"}, "one trial directory"},
		{[]string{"show", empty}, "not a trial directory"},
	} {
		code, _, errOut := runCLI(t, tc.args...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and one line with %q", tc.args, code, errOut, exitUsage, tc.want)
		}
	}
}

// TestReportSingleTrial: report accepts a trial directory in place of a sweep.
func TestReportSingleTrial(t *testing.T) {
	code, out, errOut := runCLI(t, "report", filepath.Join(fixtureSweep, "adding-T5-rnn-h16-s1-7f4d50038db1"))
	if code != 0 || !strings.Contains(out, "(1 trial: 1 solved)") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}

// TestLsRunning: a trial whose lock a process holds is listed as running now.
func TestLsRunning(t *testing.T) {
	sweep := filepath.Join(t.TempDir(), "fixture")
	copyTree(t, fixtureSweep, sweep)
	trial := filepath.Join(sweep, "adding-T10-rnn-h16-s2-757c088839ca") // incomplete
	unlock, err := trialdir.Lock(trial)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	code, out, errOut := runCLI(t, "ls", sweep)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "adding-T10-rnn-h16-s2-") {
			if !strings.Contains(line, " running ") || !strings.HasSuffix(line, "running") {
				t.Errorf("locked trial: %q, want state and NOW running", line)
			}
			return
		}
	}
	t.Errorf("trial not listed:\n%s", out)
}

// prunedSweep copies the fixture sweep and makes one trial pruned by the plateau rule and
// another paused at a rung of successive halving.
func prunedSweep(t *testing.T) (sweep, pruned, paused string) {
	t.Helper()
	sweep = filepath.Join(t.TempDir(), "fixture")
	copyTree(t, fixtureSweep, sweep)
	pruned = filepath.Join(sweep, "adding-T10-rnn-h16-s1-7b8af233efc5") // unsolved at step 400
	r, err := trialdir.ReadResult(pruned)
	if err != nil {
		t.Fatal(err)
	}
	r.Status, r.StepsRun = trialdir.Pruned, 300
	r.Pruned = &trialdir.Pruning{Step: 300, Rule: trialdir.PrunePlateau, Reason: "best test loss improved by less than 1% over the last 3 evaluations"}
	if err := trialdir.WriteResult(pruned, r); err != nil {
		t.Fatal(err)
	}
	paused = filepath.Join(sweep, "adding-T10-rnn-h16-s2-757c088839ca") // incomplete
	const pausedAttempts = `{"event":"start","step":0,"time":"2026-01-02T10:00:00Z","host":"node1","pid":101}
{"event":"checkpoint","step":400}
{"event":"end","step":400,"how":"paused"}
`
	if err := os.WriteFile(filepath.Join(paused, trialdir.AttemptsFile), []byte(pausedAttempts), 0o644); err != nil {
		t.Fatal(err)
	}
	return sweep, pruned, paused
}

// TestLsShowPruned: ls shows a pruned trial's rule and step and a paused trial's step;
// show gives the reason of the pruning and how the paused attempt ended.
func TestLsShowPruned(t *testing.T) {
	sweep, pruned, paused := prunedSweep(t)
	code, out, errOut := runCLI(t, "ls", sweep)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if id, _, ok := strings.Cut(line, " "); ok {
			lines[id] = line
		}
	}
	if l := lines[filepath.Base(pruned)]; !strings.Contains(l, "   pruned (plateau @ 300)  300    0.02557 ") {
		t.Errorf("pruned trial: %q", l)
	}
	if l := lines[filepath.Base(paused)]; !strings.Contains(l, "   paused @ 400            400 ") {
		t.Errorf("paused trial: %q", l)
	}
	if !strings.Contains(out, "16 trials: 5 solved, 6 unsolved, 1 pruned, 1 diverged, 1 failed, 1 paused, 1 missing\n") {
		t.Errorf("summary line:\n%s", out)
	}

	code, out, errOut = runCLI(t, "show", pruned)
	if code != 0 {
		t.Fatalf("show: exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"  status          pruned (plateau @ 300)\n",
		"  pruned because  best test loss improved by less than 1% over the last 3 evaluations\n",
		"  steps run       300\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("show of the pruned trial lacks %q:\n%s", want, out)
		}
	}
	code, out, errOut = runCLI(t, "show", paused)
	if code != 0 {
		t.Fatalf("show: exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"  unfinished: paused at step 400, at a rung of successive halving, until its group is ranked\n",
		"  1. started at step 0 at 2026-01-02 10:00:00Z on node1 (pid 101): paused at step 400 (rung of successive halving; checkpoint saved)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("show of the paused trial lacks %q:\n%s", want, out)
		}
	}
}
