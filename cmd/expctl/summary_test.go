package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/expctl/expctl/experiments"
	"github.com/expctl/expctl/results/trialdir"
	"github.com/expctl/expctl/runner"
)

// TestMinSolvedRange: --min-solved must be from 1 to the number of seeds (the fixture has 2).
func TestMinSolvedRange(t *testing.T) {
	for _, k := range []string{"0", "3", "-1"} {
		code, _, errOut := runCLI(t, "report", fixtureSweep, "--min-solved", k)
		want := "invalid --min-solved " + k + ": want an integer from 1 to 2 (the number of seeds)"
		if code != exitUsage || strings.TrimSpace(errOut) != "expctl: "+want {
			t.Errorf("--min-solved %s: exit %d, stderr %q; want exit %d and %q", k, code, errOut, exitUsage, want)
		}
	}
	if code, _, errOut := runCLI(t, "report", fixtureSweep, "--min-solved", "2"); code != 0 {
		t.Errorf("--min-solved 2: exit %d: %s", code, errOut)
	}
}

// TestSummaryLineBusy: trials another process runs are not to be resumed by running again.
func TestSummaryLineBusy(t *testing.T) {
	s := &runner.SweepSummary{Dir: "runs/x", Total: 4, Ran: 2, Stopped: 2, Busy: 2, Statuses: map[string]int{"solved": 2}}
	line := summaryLine("x", s)
	if !strings.Contains(line, "2 not finished (being run by another process)") || strings.Contains(line, "again") {
		t.Errorf("all pending busy: %q", line)
	}
	s.Total, s.Stopped, s.Interrupted = 5, 3, 1
	line = summaryLine("x", s)
	if !strings.Contains(line, "3 not finished (1 interrupted; 2 being run by another process; run the same command again to resume)") {
		t.Errorf("busy and interrupted: %q", line)
	}
}

func TestETAAndRate(t *testing.T) {
	for _, tc := range []struct {
		elapsed    time.Duration
		done, left int
		want       string
	}{
		{time.Minute, 0, 10, ""},
		{0, 0, 10, ""},
		{time.Minute, 2, 0, ""},
		{time.Minute, 2, 4, " ETA 2m00s"},
	} {
		if got := etaText(tc.elapsed, tc.done, tc.left); got != tc.want {
			t.Errorf("etaText(%v, %d, %d) = %q, want %q", tc.elapsed, tc.done, tc.left, got, tc.want)
		}
	}
	if got, want := rateLine(201*time.Second, 8), "took 3m21s, 8 trials finished (143 trials an hour)"; got != want {
		t.Errorf("rateLine = %q, want %q", got, want)
	}
	if got, want := rateLine(5*time.Second, 0), "took 5.00s, no trials finished by this run"; got != want {
		t.Errorf("rateLine = %q, want %q", got, want)
	}
}

// TestSweepBusyTrial: a trial whose lock another process holds is left to it; the sweep
// says so, does not suggest running it again, and exits non-zero.
func TestSweepBusyTrial(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	specPath := filepath.Join(dir, "busy.yaml")
	src := "name: busy\nfixed: {hidden: 4, batch: 4, test_size: 10}\nbudget: {steps: 4, eval_every: 2}\ngrid:\n  task: [adding]\n  T: [5]\n  seed: [1, 2]\n"
	if err := os.WriteFile(specPath, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	spec, err := experiments.ParseSpec(specPath, "busy", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	trials, err := spec.Expand(0)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "runs")
	td := trialdir.TrialPath(trialdir.SweepPath(out, "busy"), trials[0].ID())
	if err := os.MkdirAll(td, 0o755); err != nil {
		t.Fatal(err)
	}
	unlock, err := trialdir.Lock(td)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	cmd := exec.Command(bin, "run", "sweep", specPath, "--out", out, "--workers", "1", "--plain", "--no-tables")
	b, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitFailure {
		t.Fatalf("exit %v, want %d:\n%s", err, exitFailure, b)
	}
	s := string(b)
	if !strings.Contains(s, "1 not finished (being run by another process)") || strings.Contains(s, "again") ||
		!strings.Contains(s, "expctl: 1 trial being run by another process: not finished by this run") {
		t.Errorf("output:\n%s", s)
	}
}

// TestPrunedProgress: a pruned trial's line names its rule and step, and the sweep's
// summary lists the statuses in the order of reports.
func TestPrunedProgress(t *testing.T) {
	loss, metric := 0.12, 0.3
	r := &trialdir.Result{Status: trialdir.Pruned, StepsRun: 400, TestLoss: &loss, TestMetric: &metric, Metric: "acc@0.04", Baseline: 1.0 / 6,
		Pruned: &trialdir.Pruning{Step: 400, Rule: trialdir.PruneHalving, Reason: "ranked last of 3"}}
	if got, want := finishedText(r), "pruned (halving @ 400): test loss 0.12 (baseline 0.1667), acc@0.04 0.300"; got != want {
		t.Errorf("finishedText = %q, want %q", got, want)
	}
	s := &runner.SweepSummary{Dir: "runs/x", Total: 4, Ran: 4,
		Statuses: map[string]int{trialdir.Solved: 2, trialdir.Pruned: 1, trialdir.Unsolved: 1}}
	if line := summaryLine("x", s); !strings.Contains(line, ": 4 trials: 4 finished (2 solved, 1 unsolved, 1 pruned; 4 now, 0 before)") {
		t.Errorf("summary line %q", line)
	}
}
