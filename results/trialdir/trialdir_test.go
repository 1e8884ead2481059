package trialdir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/expctl/expctl/experiments"
)

// TestLockAndLocked: the lock a runner takes is the one a reader sees.
func TestLockAndLocked(t *testing.T) {
	dir := t.TempDir()
	if Locked(dir) {
		t.Fatal("locked before anyone took the lock")
	}
	if _, err := os.Stat(filepath.Join(dir, lockFile)); err == nil {
		t.Fatal("Locked created the lock file")
	}
	unlock, err := Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !Locked(dir) {
		t.Error("not locked while held")
	}
	if _, err := Lock(dir); !errors.Is(err, ErrBusy) {
		t.Errorf("second lock: %v, want ErrBusy", err)
	}
	unlock()
	if Locked(dir) {
		t.Error("locked after unlock")
	}
}

// oldField is how a config field read as text from a map decoded with json.Number.
func oldField(t *testing.T, b []byte, name string) string {
	m := map[string]any{}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	v, ok := m[name]
	if !ok || v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// TestConfigField: a field reads as the text config.json has for it, and a field the file
// does not set reads as "".
func TestConfigField(t *testing.T) {
	full := experiments.DefaultConfig()
	full.LR, full.Epsilon, full.Seed, full.Params = 0.001, 1e-8, 1<<60, 300
	loss := 0.125
	full.SolveLoss = &loss
	for _, c := range []experiments.Config{experiments.DefaultConfig(), full} {
		b, _ := json.MarshalIndent(c, "", "  ")
		got, err := DecodeConfig(b)
		if err != nil {
			t.Fatal(err)
		}
		typed := Config{Config: c}
		for name := range configFields {
			want := oldField(t, b, name)
			if f := got.Field(name); f != want {
				t.Errorf("decoded %s = %q, want %q", name, f, want)
			}
			if f := typed.Field(name); f != want {
				t.Errorf("typed %s = %q, want %q", name, f, want)
			}
			if got.Has(name) != bytes.Contains(b, []byte(`"`+name+`"`)) {
				t.Errorf("Has(%s) = %v", name, got.Has(name))
			}
		}
		if !slices.Equal(got.Fields(), typed.Fields()) {
			t.Errorf("fields %v, typed %v", got.Fields(), typed.Fields())
		}
	}
	part, err := DecodeConfig([]byte(`{"task": "adding", "T": 5, "solve_loss": null, "colour": "red"}`))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(part.Fields(), []string{"task", "T", "solve_loss"}) || part.Field("hidden") != "" || part.Field("T") != "5" || part.Field("solve_loss") != "" {
		t.Errorf("partial config: fields %v, hidden %q, T %q", part.Fields(), part.Field("hidden"), part.Field("T"))
	}
	if _, err := DecodeConfig([]byte(`{"task": 3}`)); err == nil {
		t.Error("a number for the task accepted")
	}
}

// TestRecordsAppendRewindRestart: appending rows one evaluation at a time gives the file
// Encode gives; Rewind truncates every record file to a step and Restart removes them.
func TestRecordsAppendRewindRestart(t *testing.T) {
	dir := t.TempDir()
	pts := []Point{
		{Step: 0, TrainLoss: math.NaN(), TestLoss: 1, TestMetric: 0, GradNorm: math.NaN(), ClipRate: math.NaN(), Seconds: 0.5},
		{Step: 10, TrainLoss: 0.5, TestLoss: 0.25, TestMetric: 0.5, GradNorm: 2, ClipRate: 0.1, Seconds: 1.5},
		{Step: 20, TrainLoss: 0.25, TestLoss: 0.125, TestMetric: 0.75, GradNorm: 1, ClipRate: 0, Seconds: 2.5},
	}
	for _, p := range pts {
		if err := Curve.Append(dir, []Point{p}); err != nil {
			t.Fatal(err)
		}
		if err := Spectra.Append(dir, []Spectrum{{Step: p.Step, Param: "W", Gate: "h", Act: "tanh", SigmaMax: 1, Threshold: 1}}); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, CurveFile))
	if !bytes.Equal(b, Curve.Encode(pts)) {
		t.Fatalf("appended:\n%s\nencoded:\n%s", b, Curve.Encode(pts))
	}
	if fi, _ := os.Stat(filepath.Join(dir, CurveFile)); fi.Mode().Perm() != 0o644 {
		t.Errorf("curve.csv mode %v", fi.Mode())
	}
	f, _ := os.OpenFile(filepath.Join(dir, CurveFile), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("30,0.1,0.1")
	f.Close()
	if got, err := ReadCurve(dir); err != nil || len(got) != 3 {
		t.Fatalf("with a partial line: %v, %v", got, err)
	}
	if err := Rewind(dir, 15); err != nil {
		t.Fatal(err)
	}
	curve, _ := ReadCurve(dir)
	spectra, _ := Spectra.Read(dir)
	flow, err := GradFlow.Read(dir)
	if len(curve) != 2 || len(spectra) != 2 || err != nil || len(flow) != 0 {
		t.Fatalf("after rewinding: %d curve rows, %d spectra, gradient flow %v, %v", len(curve), len(spectra), flow, err)
	}
	if err := Restart(dir); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("after restart: %v", entries)
	}
	if _, err := ReadCurve(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing curve: %v", err)
	}
}

// TestCheckpointRoundTrip: a checkpoint comes back whole for its trial and producer only.
func TestCheckpointRoundTrip(t *testing.T) {
	dir := t.TempDir()
	solved := 10
	ck := &Checkpoint{Version: CheckpointVersion, ID: "t", Expctl: "1/go", Step: 12, Params: [][]float64{{1, 2}},
		OptM: [][]float64{{0, 0}}, OptV: [][]float64{{0, 0}}, Curve: []Point{{Step: 10, TrainLoss: 1}}, SolvedAt: &solved}
	if err := SaveCheckpoint(dir, ck); err != nil {
		t.Fatal(err)
	}
	got, err := LoadCheckpoint(dir, "t", "1/go")
	if err != nil || got == nil || got.Step != 12 || *got.SolvedAt != 10 || got.Curve[0] != ck.Curve[0] || got.Params[0][1] != 2 {
		t.Fatalf("%+v, %v", got, err)
	}
	for _, c := range []struct{ id, producer string }{{"u", "1/go"}, {"t", "2/go"}} {
		if got, err := LoadCheckpoint(dir, c.id, c.producer); got != nil || err != nil {
			t.Errorf("%v: %+v, %v", c, got, err)
		}
	}
	ck.Version = CheckpointVersion + 1
	SaveCheckpoint(dir, ck)
	if got, err := LoadCheckpoint(dir, "t", "1/go"); got != nil || err != nil {
		t.Errorf("other version: %+v, %v", got, err)
	}
	RemoveCheckpoint(dir)
	if _, err := os.Stat(filepath.Join(dir, CheckpointFile)); err == nil {
		t.Error("checkpoint not removed")
	}
}

// TestDropLeftCheckpoint: the checkpoint beside a result goes, unless another process
// holds the trial; an unfinished trial keeps its checkpoint.
func TestDropLeftCheckpoint(t *testing.T) {
	dir := t.TempDir()
	ck := &Checkpoint{Version: CheckpointVersion, ID: "t", Expctl: "1/go", Step: 5}
	exists := func() bool { _, err := os.Stat(filepath.Join(dir, CheckpointFile)); return err == nil }
	if err := SaveCheckpoint(dir, ck); err != nil {
		t.Fatal(err)
	}
	if DropLeftCheckpoint(dir) || !exists() {
		t.Fatal("removed the checkpoint of an unfinished trial")
	}
	if err := WriteResult(dir, &Result{ID: "t", Status: Solved}); err != nil {
		t.Fatal(err)
	}
	unlock, err := Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	if DropLeftCheckpoint(dir) || !exists() {
		t.Fatal("removed the checkpoint of a trial another process holds")
	}
	unlock()
	if !DropLeftCheckpoint(dir) || exists() {
		t.Fatal("left the checkpoint of a finished trial")
	}
	if DropLeftCheckpoint(dir) {
		t.Error("reported a removal with nothing to remove")
	}
}
