package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/expctl/expctl/results/trialdir"
	"github.com/expctl/expctl/runner"
)

// TestWorkerNoSpaceStatus: a worker whose disk is full exits with its own status, which
// the sweep reads as "not finished", and prints the error naming the file.
func TestWorkerNoSpaceStatus(t *testing.T) {
	err := &workerError{fmt.Errorf("trial t1: write runs/t1/checkpoint.gob: %w", syscall.ENOSPC)}
	if got := exitCode(err); got != exitNoSpace {
		t.Errorf("exitCode = %d, want %d", got, exitNoSpace)
	}
	if got, want := errorLine(err), "worker: trial t1: write runs/t1/checkpoint.gob: no space left on device"; got != want {
		t.Errorf("errorLine = %q, want %q", got, want)
	}
}

const preemptSpec = `
name: preempt
fixed: {hidden: 8, batch: 8, lr: 0.01, test_size: 20, keep_going: true}
budget: {steps: 6000, eval_every: 50}
grid:
  task: [adding]
  T: [5]
  cell: [rnn, lstm]
  seed: [1]
`

// stepLine matches a progress line of the plain reporter: the trial id and the step.
var stepLine = regexp.MustCompile(`\] (\S+) step (\d+)/`)

// checkpointStep is the step of the trial's checkpoint, or -1 when it has none usable.
func checkpointStep(t *testing.T, td string) int {
	t.Helper()
	ck, err := trialdir.LoadCheckpoint(td, filepath.Base(td), runner.Version+"/"+runner.Build)
	if err != nil {
		t.Fatal(err)
	}
	if ck == nil {
		return -1
	}
	return ck.Step
}

// TestSweepSIGTERM: SIGTERM to a running sweep, alone or with its workers at once (as Slurm
// and Kubernetes stop a job), checkpoints every running trial: the sweep exits with status
// 130 and says the trials are not finished, none is failed, and the same command then
// resumes each from its checkpoint and ends with the files of an uninterrupted sweep.
func TestSweepSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real sweeps")
	}
	bin := buildBinary(t)
	tmp := t.TempDir()
	spec := filepath.Join(tmp, "preempt.yaml")
	os.WriteFile(spec, []byte(preemptSpec), 0o644)
	sweep := func(out string) *exec.Cmd {
		return exec.Command(bin, "run", "sweep", spec, "--out", out, "--workers", "2", "--checkpoint-every", "30", "--plain", "--no-tables")
	}
	ref := filepath.Join(tmp, "ref")
	if b, err := sweep(ref).CombinedOutput(); err != nil {
		t.Fatalf("reference sweep: %v\n%s", err, b)
	}
	for _, group := range []bool{false, true} {
		out := filepath.Join(tmp, fmt.Sprintf("group-%v", group))
		cmd := sweep(out)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: group}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var log strings.Builder
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			if m := stepLine.FindStringSubmatch(sc.Text()); m != nil && m[2] != "0" {
				break // a trial has evaluated after training
			}
		}
		if group {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		} else {
			cmd.Process.Signal(syscall.SIGTERM)
		}
		rest, _ := io.ReadAll(stdout)
		log.Write(rest)
		waitInterrupted(t, cmd)
		if !regexp.MustCompile(`\d+ not finished \(\d+ interrupted; run the same command again to resume\)`).MatchString(log.String()) {
			t.Errorf("group %v: the summary does not say the sweep was interrupted:\n%s", group, log.String())
		}
		if !strings.Contains(stderr.String(), "interrupted") {
			t.Errorf("group %v: stderr %q does not say interrupted", group, stderr.String())
		}
		dirs, _ := filepath.Glob(filepath.Join(out, "preempt", "adding-*"))
		ckSteps := map[string]int{}
		for _, td := range dirs {
			if res, err := trialdir.ReadResult(td); err == nil {
				t.Errorf("group %v: %s has a result (%s) after SIGTERM", group, filepath.Base(td), res.Status)
				continue
			}
			ckSteps[filepath.Base(td)] = checkpointStep(t, td)
		}
		if len(ckSteps) == 0 {
			t.Fatalf("group %v: no trial was stopped:\n%s", group, log.String())
		}

		cmd = sweep(out)
		b, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(b), "2 trials: 2 finished") {
			t.Fatalf("group %v: rerun: %v\n%s", group, err, b)
		}
		first := map[string]int{}
		for _, m := range stepLine.FindAllStringSubmatch(string(b), -1) {
			if _, ok := first[m[1]]; !ok {
				first[m[1]], _ = strconv.Atoi(m[2])
			}
		}
		for id, ck := range ckSteps {
			// Resumed from the checkpoint, the first evaluation is the next one after it; a
			// trial stopped before its first checkpoint starts again at step 0.
			if s, ok := first[id]; !ok || (ck >= 0 && (s <= ck || s > ck+50)) || (ck < 0 && s != 0) {
				t.Errorf("group %v: %s had its checkpoint at step %d, its rerun first evaluated at step %d (%v)", group, id, ck, s, ok)
			}
		}
		t.Logf("group %v: checkpoints at %v, rerun first evaluated at %v", group, ckSteps, first)
		want, got := sweepFiles(t, filepath.Join(ref, "preempt")), sweepFiles(t, filepath.Join(out, "preempt"))
		if len(got) != len(want) {
			t.Errorf("group %v: %d files, %d in the reference", group, len(got), len(want))
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("group %v: %s differs from the uninterrupted sweep", group, k)
			}
		}
	}
}

const fullDiskSpec = `
name: full
fixed: {hidden: 32, batch: 8, lr: 0.01, test_size: 20, keep_going: true}
budget: {steps: 300, eval_every: 50}
grid:
  task: [adding]
  T: [5]
  cell: [lstm]
  seed: [1]
`

// TestSweepFullDisk: a sweep on a small tmpfs that fills up when the trial writes its first
// checkpoint (about 100 KB) stops with a one-line error naming the file and exit status 1,
// records no result (the trial is not failed) and leaves no temporary file; once space is
// freed, the same command runs the trial to the files of a sweep that had room.
func TestSweepFullDisk(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real sweeps")
	}
	mnt := t.TempDir()
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=4m"); err != nil {
		t.Skipf("cannot mount a tmpfs (needs root): %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(mnt, 0) })
	bin := buildBinary(t)
	tmp := t.TempDir()
	spec := filepath.Join(tmp, "full.yaml")
	os.WriteFile(spec, []byte(fullDiskSpec), 0o644)
	sweep := func(out string) *exec.Cmd {
		return exec.Command(bin, "run", "sweep", spec, "--out", out, "--workers", "1", "--checkpoint-every", "100", "--plain", "--no-tables")
	}
	ref := filepath.Join(tmp, "ref")
	if b, err := sweep(ref).CombinedOutput(); err != nil {
		t.Fatalf("reference sweep: %v\n%s", err, b)
	}

	// Leave 40 KB: room for the small files, not for the checkpoint.
	var st syscall.Statfs_t
	if err := syscall.Statfs(mnt, &st); err != nil {
		t.Fatal(err)
	}
	filler := filepath.Join(mnt, "filler")
	if err := os.WriteFile(filler, make([]byte, int64(st.Bavail)*st.Bsize-40<<10), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(mnt, "out")
	cmd := sweep(out)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if code := cmd.ProcessState.ExitCode(); err == nil || code != exitFailure {
		t.Fatalf("sweep on a full disk: %v (exit %d)\n%s%s", err, code, stdout.String(), stderr.String())
	}
	line := strings.TrimSuffix(stderr.String(), "\n")
	if strings.Contains(line, "\n") || !strings.Contains(line, "no space left on device") || !strings.Contains(line, filepath.Join(out, "full")) {
		t.Errorf("stderr %q, want one line naming a file of the trial and the full disk", stderr.String())
	}
	if !strings.Contains(stdout.String(), "1 not finished") {
		t.Errorf("summary does not say the trial is unfinished:\n%s", stdout.String())
	}
	t.Logf("full disk: %s", line)
	dirs, _ := filepath.Glob(filepath.Join(out, "full", "adding-*"))
	if len(dirs) != 1 {
		t.Fatalf("trial directories %v", dirs)
	}
	if res, err := trialdir.ReadResult(dirs[0]); err == nil {
		t.Errorf("a result was recorded on a full disk: %+v", res)
	}
	if _, err := trialdir.ReadConfig(dirs[0]); err != nil {
		t.Errorf("config.json: %v", err)
	}
	for _, d := range []string{dirs[0], filepath.Dir(dirs[0])} {
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			if trialdir.IsTemp(e.Name()) {
				t.Errorf("temporary file left: %s", filepath.Join(d, e.Name()))
			}
		}
	}

	os.Remove(filler)
	if b, err := sweep(out).CombinedOutput(); err != nil || !strings.Contains(string(b), "1 trials: 1 finished (") {
		t.Fatalf("after freeing space: %v\n%s", err, b)
	}
	want, got := sweepFiles(t, filepath.Join(ref, "full")), sweepFiles(t, filepath.Join(out, "full"))
	if len(got) != len(want) {
		t.Errorf("%d files, %d in the reference", len(got), len(want))
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s differs from the sweep that had room", k)
		}
	}
}
