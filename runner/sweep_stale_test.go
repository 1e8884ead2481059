package runner

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/expctl/expctl/results/trialdir"
)

// TestSweepRefusesStaleResults: a finished trial that another version or build computed
// stops the sweep before it runs anything, with one line that names the directory, the
// producer and the way out; --rerun-stale computes exactly those trials again.
func TestSweepRefusesStaleResults(t *testing.T) {
	spec := parseTiny(t, tinySpec)
	out := t.TempDir()
	opts := testSweepOptions(out)
	if _, err := RunSweep(context.Background(), spec, []byte(tinySpec), opts); err != nil {
		t.Fatal(err)
	}
	trials, _ := spec.Expand(0)
	for k, edit := range []func(*trialdir.Result){
		func(r *trialdir.Result) { r.Version = "0.1.0"; r.Build = "" },
		func(r *trialdir.Result) { r.Build = map[string]string{"go": "openblas", "openblas": "go"}[Build] },
	} {
		td := filepath.Join(out, "tiny", trials[k].ID())
		res, err := trialdir.ReadResult(td)
		if err != nil {
			t.Fatal(err)
		}
		edit(res)
		if err := trialdir.WriteJSON(filepath.Join(td, trialdir.ResultFile), res); err != nil {
			t.Fatal(err)
		}
	}
	before := trialFiles(t, filepath.Join(out, "tiny"))
	_, err := RunSweep(context.Background(), spec, []byte(tinySpec), opts)
	var se *StaleError
	if !errors.As(err, &se) || se.Trials != 2 {
		t.Fatalf("err = %v, want a StaleError for 2 trials", err)
	}
	if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, "--rerun-stale") || !strings.Contains(msg, Version) {
		t.Errorf("message %q", msg)
	}
	sameFiles(t, before, trialFiles(t, filepath.Join(out, "tiny")))

	var ev events
	opts.RerunStale, opts.Report = true, ev.add
	sum, err := RunSweep(context.Background(), spec, []byte(tinySpec), opts)
	if err != nil || sum.Ran != 2 || sum.Skipped != 2 {
		t.Fatalf("with RerunStale: %+v, %v", sum, err)
	}
	for _, c := range trials {
		res, err := trialdir.ReadResult(filepath.Join(out, "tiny", c.ID()))
		if err != nil || isStale(res) {
			t.Fatalf("%s: %+v, %v", c.ID(), res, err)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "tiny", trials[0].ID(), trialdir.CheckpointFile)); err == nil {
		t.Error("a finished trial kept its checkpoint")
	}
}
