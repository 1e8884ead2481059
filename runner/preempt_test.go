package runner

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/expctl/expctl/results/trialdir"
)

// workerPID returns the process id of the running worker of the trial directory td, or 0.
func workerPID(td string) int {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		args := strings.Split(string(bytes.TrimRight(b, "\x00")), "\x00")
		if args[len(args)-1] == td {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
			return pid
		}
	}
	return 0
}

const preemptSpec = `
name: tiny
fixed: {hidden: 8, batch: 8, lr: 0.01, test_size: 20}
budget: {steps: 2000, eval_every: 8}
grid:
  task: [adding]
  T: [5]
  cell: [rnn, lstm]
  seed: [1]
`

// progressSteps records the steps of a trial's progress events.
type progressSteps struct {
	mu    sync.Mutex
	steps []int
}

func (p *progressSteps) add(s int) { p.mu.Lock(); p.steps = append(p.steps, s); p.mu.Unlock() }

// TestWorkerSIGTERMIsNotFailure: SIGTERM to one worker while its sweep goes on (a
// preempted job) checkpoints the trial and leaves it unfinished, not failed; the other
// trial finishes; the sweep says it was interrupted. Running the sweep again, even with
// --retry-failed, resumes the trial from its checkpoint (its first evaluation comes after
// the checkpoint's step, none at step 0) and ends with the files of an uninterrupted sweep.
func TestWorkerSIGTERMIsNotFailure(t *testing.T) {
	spec := parseTiny(t, preemptSpec)
	trials, _ := spec.Expand(0)
	victim := trials[1]
	ref, out := t.TempDir(), t.TempDir()
	if _, err := RunSweep(context.Background(), spec, []byte(preemptSpec), testSweepOptions(ref)); err != nil {
		t.Fatal(err)
	}
	td := trialdir.TrialPath(filepath.Join(out, "tiny"), victim.ID())

	ctx := context.Background() // never cancelled: only the worker is stopped
	var once sync.Once
	var signalled error = errors.New("worker never signalled")
	opts := testSweepOptions(out)
	opts.Report = func(e SweepEvent) {
		if e.Kind == TrialProgress && e.Config.ID() == victim.ID() && e.Progress.Step >= 16 {
			once.Do(func() {
				pid := workerPID(td)
				if pid == 0 {
					signalled = errors.New("worker process not found")
					return
				}
				signalled = syscall.Kill(pid, syscall.SIGTERM)
			})
		}
	}
	sum, err := RunSweep(ctx, spec, []byte(preemptSpec), opts)
	if signalled != nil {
		t.Fatal(signalled)
	}
	if !errors.Is(err, ErrInterrupted) || sum.Interrupted != 1 || sum.Ran != 1 || sum.Statuses[trialdir.Failed] != 0 {
		t.Fatalf("sweep with a preempted worker: %+v, %v; want 1 interrupted, 1 finished, ErrInterrupted", sum, err)
	}
	if trialdir.Done(td) {
		res, _ := trialdir.ReadResult(td)
		t.Fatalf("preempted trial has a result: %+v", res)
	}
	ck, err := trialdir.LoadCheckpoint(td, victim.ID(), producer())
	if err != nil || ck == nil || ck.Step < 16 || ck.Step >= victim.Steps {
		t.Fatalf("checkpoint of the preempted trial: %+v, %v; want one at a step ≥ 16", ck, err)
	}

	var resumed progressSteps
	opts = testSweepOptions(out)
	opts.RetryFailed = true
	opts.Report = func(e SweepEvent) {
		if e.Kind == TrialProgress && e.Config.ID() == victim.ID() {
			resumed.add(e.Progress.Step)
		}
	}
	sum, err = RunSweep(context.Background(), spec, []byte(preemptSpec), opts)
	if err != nil || sum.Ran != 1 || sum.Skipped != 1 || sum.Pending() != 0 {
		t.Fatalf("rerun: %+v, %v", sum, err)
	}
	if len(resumed.steps) == 0 || resumed.steps[0] <= ck.Step || resumed.steps[0] > ck.Step+victim.EvalEvery {
		t.Fatalf("rerun evaluated at steps %v: want a resume from the checkpoint at step %d, not a restart", resumed.steps, ck.Step)
	}
	sameFiles(t, trialFiles(t, filepath.Join(ref, "tiny")), trialFiles(t, filepath.Join(out, "tiny")))
}

// TestWorkerKilledBySIGTERMIsInterrupted: a worker that SIGTERM kills outright (before it
// can save anything) is interrupted, not failed.
func TestWorkerKilledBySIGTERMIsInterrupted(t *testing.T) {
	spec := parseTiny(t, strings.Replace(preemptSpec, "cell: [rnn, lstm]", "cell: [rnn]", 1))
	out := t.TempDir()
	opts := testSweepOptions(out)
	// A shell that kills itself with SIGTERM stands in for a worker without a handler.
	opts.Worker, opts.WorkerEnv = []string{"/bin/sh", "-c", `kill -TERM $$`, "worker"}, nil
	if _, err := os.Stat(opts.Worker[0]); err != nil {
		t.Skip("no /bin/sh")
	}
	sum, err := RunSweep(context.Background(), spec, []byte(preemptSpec), opts)
	if !errors.Is(err, ErrInterrupted) || sum.Interrupted != 1 || sum.Statuses[trialdir.Failed] != 0 {
		t.Fatalf("%+v, %v; want the trial interrupted", sum, err)
	}
}

// TestCorruptCheckpointRestarts: a truncated or garbage checkpoint is reported in one line
// naming the file, and the trial starts again from step 0 and matches an uninterrupted run.
func TestCorruptCheckpointRestarts(t *testing.T) {
	cfg := resumeConfig()
	ref := filepath.Join(t.TempDir(), "ref")
	if _, err := RunTrialIn(context.Background(), cfg, ref, TrialOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, corrupt := range []struct {
		name string
		mess func([]byte) []byte
	}{
		{"truncated", func(b []byte) []byte { return b[:len(b)/2] }},
		{"garbage", func([]byte) []byte { return []byte("not a checkpoint\x00\xff\x01") }},
	} {
		dir := filepath.Join(t.TempDir(), "t")
		ctx, cancel := context.WithCancel(context.Background())
		_, err := RunTrialIn(ctx, cfg, dir, TrialOptions{CheckpointEvery: 7, Progress: func(p Progress) {
			if p.Step == 20 {
				cancel()
			}
		}})
		if !errors.Is(err, ErrInterrupted) {
			t.Fatalf("%s: %v", corrupt.name, err)
		}
		path := filepath.Join(dir, trialdir.CheckpointFile)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(path, corrupt.mess(b), 0o644)
		var notices []string
		var steps []int
		res, err := RunTrialIn(context.Background(), cfg, dir, TrialOptions{CheckpointEvery: 7, Resume: true,
			Notice:   func(s string) { notices = append(notices, s) },
			Progress: func(p Progress) { steps = append(steps, p.Step) }})
		if err != nil || res.Status == trialdir.Failed {
			t.Fatalf("%s checkpoint: %+v, %v; want the trial to run", corrupt.name, res, err)
		}
		if len(notices) != 1 || !strings.Contains(notices[0], path) || strings.Contains(notices[0], "\n") {
			t.Errorf("%s checkpoint: notices %q, want one line naming %s", corrupt.name, notices, path)
		}
		if len(steps) == 0 || steps[0] != 0 {
			t.Errorf("%s checkpoint: evaluated at steps %v, want a restart from step 0", corrupt.name, steps)
		}
		sameTrialFiles(t, ref, dir)
	}
}

// TestSweepCorruptCheckpoint: in a sweep, a trial whose checkpoint is garbage is not
// failed: the sweep reports the file in one line and the trial runs from the start.
func TestSweepCorruptCheckpoint(t *testing.T) {
	spec := parseTiny(t, tinySpec)
	trials, _ := spec.Expand(0)
	ref, out := t.TempDir(), t.TempDir()
	if _, err := RunSweep(context.Background(), spec, []byte(tinySpec), testSweepOptions(ref)); err != nil {
		t.Fatal(err)
	}
	td := trialdir.TrialPath(filepath.Join(out, "tiny"), trials[2].ID())
	os.MkdirAll(td, 0o755)
	ckpt := filepath.Join(td, trialdir.CheckpointFile)
	os.WriteFile(ckpt, []byte("garbage"), 0o644)
	var ev events
	opts := testSweepOptions(out)
	opts.Report = ev.add
	sum, err := RunSweep(context.Background(), spec, []byte(tinySpec), opts)
	if err != nil || sum.Ran != 4 || sum.Statuses[trialdir.Failed] != 0 {
		t.Fatalf("%+v, %v", sum, err)
	}
	var notices []string
	for _, e := range ev.all {
		if e.Kind == TrialNotice {
			notices = append(notices, e.Notice)
		}
	}
	if len(notices) != 1 || !strings.Contains(notices[0], ckpt) {
		t.Errorf("notices %q, want one naming %s", notices, ckpt)
	}
	sameFiles(t, trialFiles(t, filepath.Join(ref, "tiny")), trialFiles(t, filepath.Join(out, "tiny")))
}

// TestRunRemovesStaleTemps: the temporary files a SIGKILL left in a trial directory are
// gone once the trial runs again.
func TestRunRemovesStaleTemps(t *testing.T) {
	cfg := resumeConfig()
	dir := filepath.Join(t.TempDir(), "t")
	os.MkdirAll(dir, 0o755)
	stale := []string{".checkpoint.gob.tmp-2813308004", ".result.json.tmp-17", ".curve.csv.tmp-5"}
	for _, n := range stale {
		os.WriteFile(filepath.Join(dir, n), []byte("half a file"), 0o600)
	}
	ctx, cancel := context.WithCancel(context.Background())
	RunTrialIn(ctx, cfg, dir, TrialOptions{CheckpointEvery: 7, Resume: true, Progress: func(Progress) { cancel() }})
	for _, n := range stale {
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			t.Errorf("%s left after the trial ran again", n)
		}
	}
}
