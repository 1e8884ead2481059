package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/expctl/expctl/results/trialdir"
)

// TestResumeIsRecorded: a trial interrupted at step 20 records an attempt that ended
// there, interrupted, with its checkpoint; run again as a sweep's worker, it says it
// resumed at step 20 (the protocol's "resumed" line, before any progress) and records a
// second attempt that started at step 20, not 0. A trial that starts fresh says nothing.
func TestResumeIsRecorded(t *testing.T) {
	cfg := resumeConfig()
	dir := filepath.Join(t.TempDir(), "t")
	ctx, cancel := context.WithCancel(context.Background())
	var resumed []int
	_, err := RunTrialIn(ctx, cfg, dir, TrialOptions{CheckpointEvery: 7,
		Resumed: func(s int) { resumed = append(resumed, s) },
		Progress: func(p Progress) {
			if p.Step == 20 {
				cancel()
			}
		}})
	if !errors.Is(err, ErrInterrupted) {
		t.Fatal(err)
	}
	if len(resumed) != 0 {
		t.Errorf("a fresh trial reported resuming at %v", resumed)
	}
	att, err := trialdir.ReadAttempts(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(att) != 1 || att[0].Start != 0 || att[0].Resumed || att[0].End != 20 || !att[0].EndKnown ||
		att[0].How != trialdir.Interrupted || att[0].LastCheckpoint != 20 {
		t.Fatalf("attempts after the interruption: %+v", att)
	}

	var out bytes.Buffer
	if err := RunWorker(context.Background(), WorkerArgs{Dir: dir, CheckpointEvery: 7}, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(out.String(), "\n", 3)
	var first, second workerLine
	if len(lines) < 3 || json.Unmarshal([]byte(lines[0]), &first) != nil || json.Unmarshal([]byte(lines[1]), &second) != nil {
		t.Fatalf("worker output:\n%s", out.String())
	}
	if first.Resumed == nil || *first.Resumed != 20 {
		t.Errorf("first worker line %q, want {\"resumed\":20}", lines[0])
	}
	if second.Resumed != nil || second.Step != 30 {
		t.Errorf("second worker line %q, want the evaluation at step 30", lines[1])
	}
	res, err := trialdir.ReadResult(dir)
	if err != nil {
		t.Fatal(err)
	}
	att, err = trialdir.ReadAttempts(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(att) != 2 {
		t.Fatalf("attempts: %+v", att)
	}
	if a := att[1]; a.Start != 20 || !a.Resumed || a.End != cfg.Steps || !a.EndKnown || a.How != trialdir.Finished || a.Status != res.Status {
		t.Errorf("the resumed attempt: %+v, want it to start at the checkpoint's step 20 and finish %s at %d", a, res.Status, cfg.Steps)
	}
	if a := att[1]; a.LastCheckpoint != 42 {
		t.Errorf("the resumed attempt's last checkpoint is at %d, want 42", a.LastCheckpoint)
	}
}

// TestSweepReportsResume: a sweep run again after a cancellation reports, for every trial
// that had a checkpoint, that it resumed at that checkpoint's step, and its attempts
// record shows a start there.
func TestSweepReportsResume(t *testing.T) {
	yaml := strings.Replace(tinySpec, "steps: 24", "steps: 400", 1)
	spec := parseTiny(t, yaml)
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	opts := testSweepOptions(out)
	opts.Report = func(e SweepEvent) {
		if e.Kind == TrialProgress && e.Progress.Step >= 16 {
			cancel()
		}
	}
	if _, err := RunSweep(ctx, spec, []byte(yaml), opts); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("cancelled sweep: %v", err)
	}
	sweep := filepath.Join(out, "tiny")
	ckSteps := map[string]int{}
	all, _ := spec.Expand(0)
	for _, c := range all {
		td := trialdir.TrialPath(sweep, c.ID())
		if ck, err := trialdir.LoadCheckpoint(td, c.ID(), producer()); err == nil && ck != nil {
			ckSteps[c.ID()] = ck.Step
		}
	}
	if len(ckSteps) == 0 {
		t.Fatal("no trial left a checkpoint")
	}
	var ev events
	opts = testSweepOptions(out)
	opts.Report = ev.add
	if _, err := RunSweep(context.Background(), spec, []byte(yaml), opts); err != nil {
		t.Fatal(err)
	}
	reported := map[string]int{}
	for _, e := range ev.all {
		if e.Kind == TrialResumed {
			reported[e.Config.ID()] = e.Resumed
		}
	}
	for id, step := range ckSteps {
		if got, ok := reported[id]; !ok || got != step {
			t.Errorf("%s: checkpoint at step %d, reported resumed at %d (%v)", id, step, got, ok)
		}
		att, err := trialdir.ReadAttempts(trialdir.TrialPath(sweep, id))
		if err != nil {
			t.Fatal(err)
		}
		if last := att[len(att)-1]; last.Start != step || !last.Resumed || last.How != trialdir.Finished {
			t.Errorf("%s: last attempt %+v, want a resume from step %d", id, last, step)
		}
	}
	for id := range reported {
		if _, ok := ckSteps[id]; !ok {
			t.Errorf("%s had no checkpoint but was reported resumed", id)
		}
	}
}
