package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/expctl/expctl/results/trialdir"
)

// pruneSpec has both prune rules: 4 learning rates × 2 seeds of an lstm, halved over the
// learning rate at steps 40 and 120 (groups: one per seed), and the plateau rule from step
// 160. Its reference run prunes trials by both rules and leaves some unpruned.
const pruneSpec = `
name: pruned
fixed: {task: adding, T: 10, cell: lstm, hidden: 8, batch: 8, test_size: 20}
budget: {steps: 400, eval_every: 20}
prune:
  plateau: {delta: 0.02, patience: 4, min_steps: 160}
  halving: {over: [lr], rungs: [40, 120], factor: 2}
grid:
  lr: [0.001, 0.003, 0.01, 0.03]
  seed: [1, 2]
  optimizer: [adam, sgd]
`

// pruneOutcomes maps each trial of a sweep directory to "status rule@step".
func pruneOutcomes(t *testing.T, dir string) map[string]string {
	t.Helper()
	list, err := trialdir.ReadTrialList(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, tr := range list.Trials {
		res, err := trialdir.ReadResult(filepath.Join(dir, tr.ID))
		if err != nil {
			t.Fatalf("%s: %v", tr.ID, err)
		}
		s := fmt.Sprintf("%s after %d", res.Status, res.StepsRun)
		if res.Pruned != nil {
			s += fmt.Sprintf(" (%s@%d)", res.Pruned.Rule, res.Pruned.Step)
		}
		out[tr.ID] = s
	}
	return out
}

// TestPruneSameEverywhere runs one sweep with successive halving and the plateau rule
// with one worker, with two, as two shards into one directory, and killed (SIGKILL to
// the sweep and its workers) at several points and rerun until it completes. Every run
// prunes the same trials at the same steps by the same rules, and every trial's files
// equal those of the one-worker run; --retry-failed then reruns none of them.
func TestPruneSameEverywhere(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a sweep some 15 times")
	}
	bin, faulty := buildBinary(t), buildFaultBinary(t)
	tmp := t.TempDir()
	spec := filepath.Join(tmp, "pruned.yaml")
	os.WriteFile(spec, []byte(pruneSpec), 0o644)
	sweep := func(bin, out string, args []string, env ...string) *exec.Cmd {
		cmd := exec.Command(bin, append([]string{"run", "sweep", spec, "--out", out, "--checkpoint-every", "30",
			"--plain", "--no-tables"}, args...)...)
		cmd.Env = append(os.Environ(), env...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		return cmd
	}
	run := func(name string, args ...string) string {
		out := filepath.Join(tmp, name)
		if b, err := sweep(bin, out, args).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, b)
		}
		return filepath.Join(out, "pruned")
	}

	ref := run("one", "--workers", "1")
	want := pruneOutcomes(t, ref)
	counts := map[string]int{}
	for _, o := range want {
		switch {
		case strings.Contains(o, "(halving@40)"):
			counts["halving@40"]++
		case strings.Contains(o, "(halving@120)"):
			counts["halving@120"]++
		case strings.Contains(o, "(plateau@"):
			counts["plateau"]++
		default:
			counts["unpruned"]++
		}
	}
	t.Logf("reference: %v", counts)
	// 4 groups of 4: 2 pruned at rung 40 and 1 at rung 120 in each, unless solved first.
	if counts["halving@40"] < 4 || counts["halving@120"] < 2 || counts["plateau"] < 1 || counts["unpruned"] < 2 {
		t.Fatalf("the reference run does not exercise both rules: %v\n%v", counts, want)
	}

	same := func(name, dir string) {
		t.Helper()
		got := pruneOutcomes(t, dir)
		for id, w := range want {
			if got[id] != w {
				t.Errorf("%s: %s %s, the one-worker run %s", name, id, got[id], w)
			}
		}
		wantFiles, gotFiles := sweepFiles(t, ref), sweepFiles(t, dir)
		for id := range want {
			for _, f := range trialdir.Outputs() {
				k := filepath.Join(id, f)
				if gotFiles[k] != wantFiles[k] {
					t.Errorf("%s: %s differs from the one-worker run", name, k)
				}
			}
		}
	}
	same("two workers", run("two", "--workers", "2"))
	run("shards", "--workers", "1", "--shard", "0/2")
	same("two shards", run("shards", "--workers", "2", "--shard", "1/2"))

	// Killed at points that cut a rung's pause, a pruning and a plain run short.
	out := filepath.Join(tmp, "killed")
	// Each worker counts its own occurrences, and a run to a rung is short.
	points := []string{"after:" + trialdir.CheckpointFile + ":1", "append:" + trialdir.CurveFile + ":3",
		"write:" + trialdir.ResultFile + ":1", "append:" + trialdir.AttemptsFile + ":2",
		"rename:" + trialdir.CheckpointFile + ":2", "after:" + trialdir.ResultFile + ":1",
		"write:" + trialdir.CheckpointFile + ":1", "append:" + trialdir.CurveFile + ":2"}
	kills := 0
	for i := 0; ; i++ {
		if i > 40 {
			t.Fatalf("not finished after %d runs", i)
		}
		cmd := sweep(faulty, out, []string{"--workers", "2"}, killAtEnv+"="+points[i%len(points)])
		b, err := cmd.CombinedOutput()
		if err == nil {
			break
		}
		if !killedBySIGKILL(cmd) {
			t.Fatalf("run %d: %v, not killed\n%s", i, err, b)
		}
		kills++
	}
	if kills < len(points) {
		t.Errorf("only %d kills", kills)
	}
	t.Logf("%d kills", kills)
	same("killed and rerun", filepath.Join(out, "pruned"))

	// Pruned trials are finished: --retry-failed does not run them again.
	b, err := sweep(bin, filepath.Join(tmp, "one"), []string{"--retry-failed"}).CombinedOutput()
	if err != nil || !strings.Contains(string(b), "0 now, "+strconv.Itoa(len(want))+" before") {
		t.Errorf("--retry-failed: %v\n%s", err, b)
	}
}

// TestSweepWhere runs a part of a sweep: --where selects trials by their fields, keeps
// whole halving groups, and names an unknown field.
func TestSweepWhere(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "pruned.yaml")
	os.WriteFile(spec, []byte(pruneSpec), 0o644)
	run := func(args ...string) (string, error) {
		var out strings.Builder
		app := newApp(&out, &out)
		err := app.Run(append(append([]string{"expctl", "run", "sweep", "--dry-run", "--out", dir}, args...), spec))
		return out.String(), err
	}
	for _, tc := range []struct {
		where []string
		n     int
	}{{nil, 16}, {[]string{"seed=1"}, 8}, {[]string{"seed=1", "optimizer=sgd"}, 4}, {[]string{"optimizer!=sgd"}, 8}} {
		var args []string
		for _, w := range tc.where {
			args = append(args, "--where", w)
		}
		out, err := run(args...)
		if err != nil || !strings.Contains(out, fmt.Sprintf("\n%d trials", tc.n)) && !strings.HasPrefix(out, fmt.Sprintf("%d trials", tc.n)) {
			t.Errorf("--where %v: %v\n%s", tc.where, err, out)
		}
	}
	if _, err := run("--where", "lr>=0.01"); err == nil || !strings.Contains(err.Error(), "whole halving groups") || exitCode(err) != exitUsage {
		t.Errorf("a condition that splits halving groups: %v", err)
	}
	if _, err := run("--where", "sed=1"); err == nil || !strings.Contains(err.Error(), `unknown field "sed"`) || exitCode(err) != exitUsage {
		t.Errorf("an unknown field: %v", err)
	}
}

// TestSweepNameBesideItsDirectory: run from the directory that holds a sweep's directory,
// the name of a built-in experiment still names the experiment, not that directory.
func TestSweepNameBesideItsDirectory(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "quick"), 0o755)
	t.Chdir(dir)
	var out strings.Builder
	if err := newApp(&out, &out).Run([]string{"expctl", "run", "sweep", "--dry-run", "quick"}); err != nil || !strings.Contains(out.String(), "42 trials") {
		t.Errorf("run sweep quick beside a directory quick: %v\n%s", err, out.String())
	}
}
