package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/expctl/expctl/experiments"
	"github.com/expctl/expctl/results/trialdir"
)

// TestSpecChanges: a spec edited in place keeps the earlier one, and the run says which
// trials are new and which finished ones no longer belong to the spec.
func TestSpecChanges(t *testing.T) {
	dir := t.TempDir()
	a, b, c := smallConfig(), smallConfig(), smallConfig()
	b.Seed, c.Seed = a.Seed+1, a.Seed+2
	if kept, err := trialdir.ReplaceSpec(dir, []byte("seeds: [1, 2]\n")); err != nil || kept != "" {
		t.Fatalf("first spec: kept %q, %v", kept, err)
	}
	if kept, err := trialdir.ReplaceSpec(dir, []byte("seeds: [1, 2]\n")); err != nil || kept != "" {
		t.Fatalf("same spec: kept %q, %v", kept, err)
	}
	// b finished under the old spec, which listed a and b; the new one has a and c.
	bdir := trialdir.TrialPath(dir, b.ID())
	if err := os.MkdirAll(bdir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := trialdir.WriteResult(bdir, &trialdir.Result{ID: b.ID(), Status: trialdir.Solved}); err != nil {
		t.Fatal(err)
	}
	old := &trialdir.TrialList{Trials: []trialdir.ListedTrial{{ID: a.ID()}, {ID: b.ID()}}}
	kept, err := trialdir.ReplaceSpec(dir, []byte("seeds: [1, 3]\n"))
	if want := filepath.Join(dir, trialdir.SpecHistoryDir, "spec.1.yaml"); err != nil || kept != want {
		t.Fatalf("edited spec: kept %q, %v; want %s", kept, err, want)
	}
	if data, _ := os.ReadFile(kept); string(data) != "seeds: [1, 2]\n" {
		t.Errorf("kept spec %q", data)
	}
	lines := specChanges(dir, kept, old, []experiments.Config{a, c})
	got := strings.Join(lines, "\n")
	for _, w := range []string{"earlier one is kept as " + kept, "1 new trial: " + c.ID(), "1 finished trial no longer in the spec (kept; reports still include them): " + b.ID()} {
		if !strings.Contains(got, w) {
			t.Errorf("notice lacks %q:\n%s", w, got)
		}
	}
	if kept2, _ := trialdir.ReplaceSpec(dir, []byte("seeds: [4]\n")); filepath.Base(kept2) != "spec.2.yaml" {
		t.Errorf("second edit kept as %q, want spec.2.yaml", kept2)
	}
}
