package runner

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/expctl/expctl/experiments"
	"github.com/expctl/expctl/models"
	"github.com/expctl/expctl/results/trialdir"
)

// crossProcessConfig is a small trial whose test set spans three evaluation chunks (two
// full ones and a partial one), so that the test loss and metric are sums of three
// chunk terms, whose floating-point sum depends on their order.
func crossProcessConfig(cell, task string) experiments.Config {
	cfg := experiments.DefaultConfig()
	cfg.Cell, cfg.Task, cfg.Seed = cell, task, 3
	cfg.T, cfg.Hidden, cfg.Batch, cfg.Steps, cfg.EvalEvery = 4, 4, 4, 6, 3
	if task == "copy" {
		cfg.T = 1 // 21 steps
	}
	cfg.TestSize = 2*evalChunk + 7
	cfg.LR = 1e-2
	return cfg
}

// workerTrialFiles reads every file of a trial directory except the hidden ones (its
// lock), wall-clock fields stripped.
func workerTrialFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") || e.Name() == trialdir.AttemptsFile {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if out[e.Name()], err = trialdir.StripWallClock(e.Name(), b); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestDeterministicAcrossProcesses: every cell, under both losses, gives byte-identical
// trial files (wall-clock fields aside) when its trial runs in two separate worker
// processes: config.json, curve.csv, gradflow.csv, spectra.csv and result.json, with a
// test set of three evaluation chunks. The two processes run with different GOMAXPROCS,
// and each has its own map-iteration seeds and memory layout, so a result that depends on
// map order, goroutine scheduling or addresses differs between them.
func TestDeterministicAcrossProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two worker processes per trial")
	}
	type run struct {
		name string
		dirs [2]string
	}
	var runs []run
	root := t.TempDir()
	for _, cell := range models.Names() {
		for _, task := range []string{"adding", "copy"} {
			r := run{name: cell + "/" + task}
			for i := range r.dirs {
				r.dirs[i] = filepath.Join(root, fmt.Sprint(i), cell+"-"+task)
				if err := os.MkdirAll(r.dirs[i], 0o755); err != nil {
					t.Fatal(err)
				}
				if err := trialdir.WriteConfig(r.dirs[i], crossProcessConfig(cell, task)); err != nil {
					t.Fatal(err)
				}
			}
			runs = append(runs, r)
		}
	}
	// Two workers at a time, one per core; process i runs with GOMAXPROCS=i+1.
	var wg sync.WaitGroup
	errs := make([]error, 2*len(runs))
	jobs := make(chan int)
	for range 2 {
		wg.Go(func() {
			for j := range jobs {
				r, i := runs[j/2], j%2
				cmd := exec.Command(os.Args[0], "--checkpoint-every", "2", r.dirs[i])
				cmd.Env = append(os.Environ(), testWorkerEnv+"=1", fmt.Sprintf("GOMAXPROCS=%d", i+1))
				if out, err := cmd.CombinedOutput(); err != nil {
					errs[j] = fmt.Errorf("%s, process %d: %v\n%s", r.name, i, err, out)
				}
			}
		})
	}
	for j := range errs {
		jobs <- j
	}
	close(jobs)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	want := slices.Sorted(slices.Values(trialdir.Outputs()))
	for k, r := range runs {
		a, b := workerTrialFiles(t, r.dirs[0]), workerTrialFiles(t, r.dirs[1])
		var names []string
		for n := range a {
			names = append(names, n)
		}
		slices.Sort(names)
		if k == 0 {
			t.Logf("files compared in each of %d trials: %v", len(runs), names)
		}
		for _, w := range want {
			if _, ok := a[w]; !ok {
				t.Errorf("%s: no %s in the trial directory (files %v)", r.name, w, names)
			}
		}
		for _, n := range names {
			if _, ok := b[n]; !ok {
				t.Errorf("%s: %s written by one process only", r.name, n)
			} else if !bytes.Equal(a[n], b[n]) {
				t.Errorf("%s: %s differs between two processes:\n%s\n---\n%s", r.name, n, a[n], b[n])
			}
		}
		for n := range b {
			if _, ok := a[n]; !ok {
				t.Errorf("%s: %s written by one process only", r.name, n)
			}
		}
	}
}
