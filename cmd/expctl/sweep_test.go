package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/expctl/expctl/results/trialdir"
	"github.com/expctl/expctl/runner"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// buildBinary builds expctl once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "expctl-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "expctl")
		buildErr = goBuild(binPath)
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// goBuild builds the command into out with this test binary's arithmetic (the OpenBLAS
// build or not) and the given extra build tags.
func goBuild(out string, tags ...string) error {
	if runner.Build == "openblas" {
		tags = append(tags, "openblas")
	}
	args := []string{"build", "-o", out}
	if len(tags) > 0 {
		args = append(args, "-tags", strings.Join(tags, ","))
	}
	if b, err := exec.Command("go", append(args, ".")...).CombinedOutput(); err != nil {
		return &buildFailure{err, string(b)}
	}
	return nil
}

type buildFailure struct {
	err error
	out string
}

func (b *buildFailure) Error() string { return "build: " + b.err.Error() + "\n" + b.out }

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

const killSpec = `
name: killme
fixed: {hidden: 32, batch: 16, lr: 0.01, test_size: 50, keep_going: true}
budget: {steps: 1200, eval_every: 1200}
grid:
  task: [adding]
  T: [20]
  cell: [rnn, lstm]
  seed: [1, 2]
`

// sweepFiles reads every file of a sweep directory with wall-clock fields stripped.
func sweepFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") || d.Name() == trialdir.AttemptsFile {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if b, err = trialdir.StripWallClock(p, b); err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, p)
		files[rel] = string(b)
		return nil
	})
	return files
}

// sameNames fails the test unless got holds the files that want holds, naming each file
// that only one of them has: a finished trial keeps nothing of the run that made it (a
// checkpoint, say) whatever kills it survived.
func sameNames(t *testing.T, want, got map[string]string) {
	t.Helper()
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: not in the uninterrupted sweep", k)
		}
	}
	for k := range want {
		if _, ok := got[k]; !ok {
			t.Errorf("%s: missing", k)
		}
	}
}

// workersOf lists running processes whose command line mentions dir.
func workersOf(dir string) []string {
	var found []string
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		cmd := string(bytes.ReplaceAll(b, []byte{0}, []byte{' '}))
		if strings.Contains(cmd, dir) && strings.Contains(cmd, " worker ") {
			found = append(found, p+": "+cmd)
		}
	}
	return found
}

// TestSweepKillAndResume kills a real sweep process (SIGKILL, no chance to clean up) at
// several points, checks that its workers die with it, resumes until done, and compares
// every file with an uninterrupted sweep: identical apart from wall-clock fields.
func TestSweepKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real sweeps")
	}
	bin := buildBinary(t)
	tmp := t.TempDir()
	spec := filepath.Join(tmp, "killme.yaml")
	os.WriteFile(spec, []byte(killSpec), 0o644)
	sweep := func(out string) *exec.Cmd {
		return exec.Command(bin, "run", "sweep", spec, "--out", out, "--workers", "2", "--checkpoint-every", "7", "--plain")
	}
	ref := filepath.Join(tmp, "ref")
	start := time.Now()
	if out, err := sweep(ref).CombinedOutput(); err != nil {
		t.Fatalf("reference sweep: %v\n%s", err, out)
	}
	whole := time.Since(start)

	// Kill at fractions of an uninterrupted sweep's duration, whatever this machine's speed.
	out := filepath.Join(tmp, "killed")
	kills := 0
	for _, frac := range []float64{0.3, 0.45, 0.2, 0.5} {
		after := time.Duration(frac * float64(whole))
		cmd := sweep(out)
		var log bytes.Buffer
		cmd.Stdout, cmd.Stderr = &log, &log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("sweep failed: %v\n%s", err, log.String())
			}
			continue // finished before the kill
		case <-time.After(after):
		}
		cmd.Process.Signal(syscall.SIGKILL)
		<-done
		kills++
		// Workers print only at their first and last evaluation, so nothing but the
		// parent-death signal can stop them this quickly.
		deadline := time.Now().Add(time.Second)
		for len(workersOf(out)) > 0 && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if w := workersOf(out); len(w) > 0 {
			t.Fatalf("workers outlived the killed sweep: %v", w)
		}
	}
	if kills == 0 {
		t.Fatal("the sweep always finished before it could be killed")
	}
	if b, err := sweep(out).CombinedOutput(); err != nil || !strings.Contains(string(b), "4 trials: 4 finished") {
		t.Fatalf("final resume: %v\n%s", err, b)
	}
	want, got := sweepFiles(t, filepath.Join(ref, "killme")), sweepFiles(t, filepath.Join(out, "killme"))
	var names []string
	for k := range want {
		names = append(names, k)
	}
	sort.Strings(names)
	sameNames(t, want, got)
	for _, k := range names {
		if got[k] != want[k] {
			t.Errorf("%s differs after %d kills:\n%s\n---\n%s", k, kills, want[k], got[k])
		}
	}
	t.Logf("%d kills; %d files identical", kills, len(names))
}
