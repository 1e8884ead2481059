package runner

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/expctl/expctl/results/trialdir"
)

// halvingSpec halves 4 learning rates of an lstm at steps 8 and 16, per seed, and prunes
// plateaus from step 24.
const halvingSpec = `
name: tiny
fixed: {task: adding, T: 5, cell: lstm, hidden: 8, batch: 8, test_size: 20}
budget: {steps: 40, eval_every: 4}
prune:
  plateau: {delta: 0.05, patience: 3, min_steps: 24}
  halving: {over: [lr], rungs: [8, 16], factor: 2}
grid:
  lr: [0.001, 0.01, 0.03, 0.1]
  seed: [1, 2]
`

// outcomes maps every trial of a sweep directory to its status and pruning.
func outcomes(t *testing.T, dir string) map[string]string {
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
		out[tr.ID] = fmt.Sprintf("%s after %d", res.Status, res.StepsRun)
		if res.Pruned != nil {
			out[tr.ID] += fmt.Sprintf(" (%s@%d: %s)", res.Pruned.Rule, res.Pruned.Step, res.Pruned.Reason)
		}
	}
	return out
}

// TestSweepHalving runs a sweep with successive halving with one worker and with three:
// the scheduler pauses trials at rungs, ranks each group once all of it is there, and
// prunes the same trials with the same files either way (run under -race in CI).
func TestSweepHalving(t *testing.T) {
	spec := parseTiny(t, halvingSpec)
	run := func(workers int) (string, *events) {
		opts := testSweepOptions(t.TempDir())
		opts.Workers = workers
		ev := &events{}
		opts.Report = ev.add
		sum, err := RunSweep(context.Background(), spec, []byte(halvingSpec), opts)
		if err != nil || sum.Pending() != 0 || sum.Waiting != 0 {
			t.Fatalf("%d workers: %v, summary %+v", workers, err, sum)
		}
		return sum.Dir, ev
	}
	one, ev1 := run(1)
	three, ev3 := run(3)
	want, got := outcomes(t, one), outcomes(t, three)
	halved := 0
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: %s with three workers, %s with one", id, got[id], w)
		}
		if strings.Contains(w, "(halving@") {
			halved++
		}
	}
	// 2 groups of 4: 2 pruned at rung 8 and 1 at rung 16 in each, unless solved first.
	if halved < 4 {
		t.Errorf("%d trials pruned by halving: %v", halved, want)
	}
	// Every trial of a group pauses at the first rung: 8 pauses at least.
	if n := ev1.count(TrialPaused); n < 8 {
		t.Errorf("%d pauses with one worker", n)
	}
	if n := ev3.count(TrialPaused); n < 8 {
		t.Errorf("%d pauses with three workers", n)
	}
	wf, gf := trialFiles(t, one), trialFiles(t, three)
	for k, w := range wf {
		if gf[k] != w {
			t.Errorf("%s differs between one and three workers", k)
		}
	}
	// Each pruned trial's attempts: paused at its rungs, then finished as pruned.
	for id, w := range want {
		att, err := trialdir.ReadAttempts(filepath.Join(one, id))
		if err != nil {
			t.Fatal(err)
		}
		if last := att[len(att)-1]; last.How != trialdir.Finished {
			t.Errorf("%s (%s): last attempt %+v", id, w, last)
		}
		if att[0].How != trialdir.Paused || att[0].End != 8 {
			t.Errorf("%s (%s): first attempt %+v, want paused at 8", id, w, att[0])
		}
	}
}
