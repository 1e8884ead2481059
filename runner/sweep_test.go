package runner

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/expctl/expctl/experiments"
	"github.com/expctl/expctl/results/trialdir"
)

const tinySpec = `
name: tiny
fixed: {hidden: 8, batch: 8, lr: 0.01, test_size: 20}
budget: {steps: 24, eval_every: 8}
grid:
  task: [adding]
  T: [5]
  cell: [rnn, lstm]
  seed: [1, 2]
`

func parseTiny(t *testing.T, yaml string) *experiments.Spec {
	t.Helper()
	spec, err := experiments.ParseSpec("tiny.yaml", "tiny", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

func testSweepOptions(out string) SweepOptions {
	return SweepOptions{Out: out, Workers: 2, CheckpointEvery: 5, Worker: []string{os.Args[0]},
		WorkerEnv: []string{testWorkerEnv + "=1"}}
}

// events collects the events of a sweep.
type events struct {
	mu  sync.Mutex
	all []SweepEvent
}

func (e *events) add(ev SweepEvent) { e.mu.Lock(); e.all = append(e.all, ev); e.mu.Unlock() }

func (e *events) count(k EventKind) int {
	n := 0
	for _, ev := range e.all {
		if ev.Kind == k {
			n++
		}
	}
	return n
}

// trialFiles reads every file of every trial under a sweep directory, wall-clock fields
// blanked, keyed by path relative to the sweep directory.
func trialFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") || d.Name() == trialdir.AttemptsFile {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = string(withoutWallClock(t, d.Name(), b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameFiles(t *testing.T, want, got map[string]string) {
	t.Helper()
	var names []string
	for k := range want {
		names = append(names, k)
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected file %s", k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		if g, ok := got[k]; !ok {
			t.Errorf("missing file %s", k)
		} else if g != want[k] {
			t.Errorf("%s differs:\n%s\n---\n%s", k, want[k], g)
		}
	}
}

func TestSweepRunsThenSkips(t *testing.T) {
	spec := parseTiny(t, tinySpec)
	out := t.TempDir()
	var ev events
	opts := testSweepOptions(out)
	opts.Report = ev.add
	sum, err := RunSweep(context.Background(), spec, []byte(tinySpec), opts)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Total != 4 || sum.Ran != 4 || sum.Skipped != 0 || ev.count(TrialProgress) < 4*4 {
		t.Fatalf("summary %+v, %d progress events", sum, ev.count(TrialProgress))
	}
	if b, _ := os.ReadFile(filepath.Join(out, "tiny", trialdir.SpecFile)); string(b) != tinySpec {
		t.Errorf("spec.yaml = %q", b)
	}
	sum, err = RunSweep(context.Background(), spec, []byte(tinySpec), opts)
	if err != nil || sum.Ran != 0 || sum.Skipped != 4 {
		t.Fatalf("second run: %+v, %v", sum, err)
	}
	// Editing the spec runs only the new trials.
	edited := strings.Replace(tinySpec, "seed: [1, 2]", "seed: [1, 2, 3]", 1)
	sum, err = RunSweep(context.Background(), parseTiny(t, edited), []byte(edited), opts)
	if err != nil || sum.Ran != 2 || sum.Skipped != 4 {
		t.Fatalf("edited spec: %+v, %v", sum, err)
	}
}

// TestSweepIsolatesPanics: a worker that panics is recorded as failed; the other trials
// finish; --retry-failed runs it again.
func TestSweepIsolatesPanics(t *testing.T) {
	spec := parseTiny(t, tinySpec)
	trials, _ := spec.Expand(0)
	victim := trials[1].ID()
	out := t.TempDir()
	opts := testSweepOptions(out)
	opts.WorkerEnv = append(opts.WorkerEnv, faultEnv+"=panic:"+victim)
	sum, err := RunSweep(context.Background(), spec, []byte(tinySpec), opts)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Ran != 4 || sum.Statuses[trialdir.Failed] != 1 {
		t.Fatalf("summary %+v", sum)
	}
	res, err := trialdir.ReadResult(filepath.Join(out, "tiny", victim))
	if err != nil || res.Status != trialdir.Failed || !strings.Contains(res.Error, "fault injected") {
		t.Fatalf("victim result %+v, %v", res, err)
	}
	opts = testSweepOptions(out)
	if sum, err = RunSweep(context.Background(), spec, []byte(tinySpec), opts); err != nil || sum.Ran != 0 {
		t.Fatalf("without --retry-failed: %+v, %v", sum, err)
	}
	opts.RetryFailed = true
	if sum, err = RunSweep(context.Background(), spec, []byte(tinySpec), opts); err != nil || sum.Ran != 1 || sum.Statuses[trialdir.Failed] != 0 {
		t.Fatalf("with --retry-failed: %+v, %v", sum, err)
	}
}

// TestShardUnion: three shards into one directory give the files of the unsharded sweep.
func TestShardUnion(t *testing.T) {
	spec := parseTiny(t, strings.Replace(tinySpec, "seed: [1, 2]", "seed: [1, 2, 3]", 1))
	whole, sharded := t.TempDir(), t.TempDir()
	if _, err := RunSweep(context.Background(), spec, []byte(tinySpec), testSweepOptions(whole)); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		opts := testSweepOptions(sharded)
		opts.Shard = Shard{Index: i, Count: 3, Source: "--shard"}
		sum, err := RunSweep(context.Background(), spec, []byte(tinySpec), opts)
		if err != nil || sum.Total != 2 {
			t.Fatalf("shard %d: %+v, %v", i, sum, err)
		}
	}
	sameFiles(t, trialFiles(t, filepath.Join(whole, "tiny")), trialFiles(t, filepath.Join(sharded, "tiny")))
}

// TestSweepCancel: cancelling a sweep stops its workers with checkpoints; running it again
// finishes with the files of an uninterrupted sweep.
func TestSweepCancel(t *testing.T) {
	yaml := strings.Replace(tinySpec, "steps: 24", "steps: 400", 1)
	spec := parseTiny(t, yaml)
	ref, out := t.TempDir(), t.TempDir()
	if _, err := RunSweep(context.Background(), spec, []byte(yaml), testSweepOptions(ref)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	opts := testSweepOptions(out)
	opts.Report = func(e SweepEvent) {
		if e.Kind == TrialProgress && e.Progress.Step >= 16 {
			cancel()
		}
	}
	sum, err := RunSweep(ctx, spec, []byte(yaml), opts)
	if !errors.Is(err, ErrInterrupted) || sum.Stopped == 0 {
		t.Fatalf("cancelled sweep: %+v, %v", sum, err)
	}
	if sum, err = RunSweep(context.Background(), spec, []byte(yaml), testSweepOptions(out)); err != nil || sum.Pending() != 0 {
		t.Fatalf("resumed: %+v, %v", sum, err)
	}
	sameFiles(t, trialFiles(t, filepath.Join(ref, "tiny")), trialFiles(t, filepath.Join(out, "tiny")))
}
