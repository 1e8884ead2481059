package runner

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/expctl/expctl/results/trialdir"
)

// TestSigmaMax: a rotation times diag(3, 2, 0.5) has largest singular value 3.
func TestSigmaMax(t *testing.T) {
	c, s := math.Cos(0.7), math.Sin(0.7)
	// R = [[c,-s,0],[s,c,0],[0,0,1]] · diag(3, 2, 0.5)
	m := []float64{3 * c, -2 * s, 0, 3 * s, 2 * c, 0, 0, 0, 0.5}
	if got := SigmaMax(3, 3, m); math.Abs(got-3) > 1e-12 {
		t.Fatalf("σ_max = %v, want 3", got)
	}
	if got := SigmaMax(2, 2, []float64{1, 0, 0, 1}); math.Abs(got-1) > 1e-12 {
		t.Fatalf("σ_max(I) = %v", got)
	}
}

// TestTrialRecordsSpectra: an irnn starts with an identity recurrent block (σ_max = 1, at
// its threshold), and a trial records one row per recurrent block and evaluation.
func TestTrialRecordsSpectra(t *testing.T) {
	cfg := smallConfig()
	cfg.Cell, cfg.Steps, cfg.EvalEvery, cfg.TestSize = "irnn", 20, 10, 50
	out := t.TempDir()
	if _, err := RunTrial(context.Background(), cfg, out, TrialOptions{}); err != nil {
		t.Fatal(err)
	}
	rows, err := trialdir.Spectra.Read(filepath.Join(out, cfg.ID()))
	if err != nil || len(rows) != 3 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	if r := rows[0]; r.Step != 0 || r.Gate != "h" || r.Act != "relu" || math.Abs(r.SigmaMax-1) > 1e-6 || r.Threshold != 1 {
		t.Fatalf("at init: %+v", r)
	}
	if rows[2].Step != 20 || rows[2].SigmaMax == 1 {
		t.Fatalf("after training: %+v", rows[2])
	}
}
