package runner

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/expctl/expctl/experiments"
	"github.com/expctl/expctl/results/trialdir"
)

func resumeConfig() experiments.Config {
	c := smallConfig()
	c.Cell, c.Steps, c.EvalEvery, c.TestSize, c.KeepGoing = "lstm", 45, 10, 100, true
	return c
}

// sameTrialFiles compares two trial directories file by file, wall-clock fields aside.
func sameTrialFiles(t *testing.T, a, b string) {
	t.Helper()
	for _, f := range trialdir.Outputs() {
		x, err := os.ReadFile(filepath.Join(a, f))
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(b, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(withoutWallClock(t, f, x), withoutWallClock(t, f, y)) {
			t.Errorf("%s differs:\n%s\n---\n%s", f, x, y)
		}
	}
	if _, err := os.Stat(filepath.Join(b, trialdir.CheckpointFile)); err == nil {
		t.Error("checkpoint left after the trial finished")
	}
}

// TestResumeAfterInterrupt: stop a trial, resume it, and get the files of an
// uninterrupted run.
func TestResumeAfterInterrupt(t *testing.T) {
	cfg := resumeConfig()
	ref := filepath.Join(t.TempDir(), "ref")
	if _, err := RunTrialIn(context.Background(), cfg, ref, TrialOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, at := range []int{0, 10, 30} {
		dir := filepath.Join(t.TempDir(), "t")
		ctx, cancel := context.WithCancel(context.Background())
		_, err := RunTrialIn(ctx, cfg, dir, TrialOptions{CheckpointEvery: 7, Progress: func(p Progress) {
			if p.Step == at {
				cancel()
			}
		}})
		if !errors.Is(err, ErrInterrupted) {
			t.Fatalf("at %d: %v", at, err)
		}
		if _, err := os.Stat(filepath.Join(dir, trialdir.CheckpointFile)); err != nil {
			t.Fatalf("at %d: no checkpoint after interruption: %v", at, err)
		}
		if _, err := RunTrialIn(context.Background(), cfg, dir, TrialOptions{CheckpointEvery: 7, Resume: true}); err != nil {
			t.Fatal(err)
		}
		sameTrialFiles(t, ref, dir)
	}
}

// TestResumeFromOlderCheckpoint: a crash leaves curve rows newer than the checkpoint;
// resuming drops them, repeats those steps and still matches an uninterrupted run.
func TestResumeFromOlderCheckpoint(t *testing.T) {
	cfg := resumeConfig()
	ref := filepath.Join(t.TempDir(), "ref")
	var saved []byte
	written := map[string][]byte{} // config.json and every record file, at step 20
	_, err := RunTrialIn(context.Background(), cfg, ref, TrialOptions{CheckpointEvery: 7, Progress: func(p Progress) {
		if p.Step == 20 { // the last checkpoint was written after step 14
			saved, _ = os.ReadFile(filepath.Join(ref, trialdir.CheckpointFile))
			for _, f := range trialdir.Outputs() {
				if f != trialdir.ResultFile {
					written[f], _ = os.ReadFile(filepath.Join(ref, f))
				}
			}
		}
	}})
	if err != nil || saved == nil {
		t.Fatalf("%v, checkpoint %d bytes", err, len(saved))
	}
	dir := filepath.Join(t.TempDir(), "crashed")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, trialdir.CheckpointFile), saved, 0o644)
	for f, b := range written {
		os.WriteFile(filepath.Join(dir, f), b, 0o644)
	}
	if _, err := RunTrialIn(context.Background(), cfg, dir, TrialOptions{CheckpointEvery: 7, Resume: true}); err != nil {
		t.Fatal(err)
	}
	sameTrialFiles(t, ref, dir)
}

// TestCheckpointForAnotherTrialIgnored: a checkpoint whose id differs is not used.
func TestCheckpointForAnotherTrialIgnored(t *testing.T) {
	dir := t.TempDir()
	if err := trialdir.SaveCheckpoint(dir, &trialdir.Checkpoint{Version: trialdir.CheckpointVersion, ID: "other", Step: 5}); err != nil {
		t.Fatal(err)
	}
	st, err := trialdir.LoadCheckpoint(dir, "mine", producer())
	if err != nil || st != nil {
		t.Fatalf("got %v, %v", st, err)
	}
	os.WriteFile(filepath.Join(dir, trialdir.CheckpointFile), []byte("garbage"), 0o644)
	if _, err := trialdir.LoadCheckpoint(dir, "mine", producer()); err == nil {
		t.Fatal("corrupt checkpoint accepted")
	}
}

// TestTrialLock: a second process (here: a second call) cannot run a trial that is running.
func TestTrialLock(t *testing.T) {
	dir := t.TempDir()
	unlock, err := trialdir.Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := RunTrialIn(context.Background(), resumeConfig(), dir, TrialOptions{}); !errors.Is(err, ErrBusy) {
		t.Fatalf("err = %v, want ErrBusy", err)
	}
	unlock()
	if _, err := trialdir.Lock(dir); err != nil {
		t.Fatalf("lock not released: %v", err)
	}
}

// TestRestartWithoutCheckpoint: a trial killed before its first checkpoint starts over and
// does not repeat the records its first attempt appended.
func TestRestartWithoutCheckpoint(t *testing.T) {
	cfg := resumeConfig()
	ref := filepath.Join(t.TempDir(), "ref")
	if _, err := RunTrialIn(context.Background(), cfg, ref, TrialOptions{}); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "t")
	ctx, cancel := context.WithCancel(context.Background())
	RunTrialIn(ctx, cfg, dir, TrialOptions{Progress: func(p Progress) { cancel() }}) // no checkpointing
	if _, err := os.Stat(filepath.Join(dir, trialdir.GradFlowFile)); err != nil {
		t.Fatal("first attempt recorded no gradient flow")
	}
	if _, err := RunTrialIn(context.Background(), cfg, dir, TrialOptions{Resume: true}); err != nil {
		t.Fatal(err)
	}
	sameTrialFiles(t, ref, dir)
}
