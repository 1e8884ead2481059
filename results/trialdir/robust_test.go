package trialdir

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/expctl/expctl/experiments"
)

// withUmask runs f with the process's umask set to mask.
func withUmask(mask int, f func()) {
	old := syscall.Umask(mask)
	defer syscall.Umask(old)
	f()
}

// TestFileModes: every file of a trial or sweep directory is created 0644 less the umask:
// 0644 under umask 022, 0600 under umask 077.
func TestFileModes(t *testing.T) {
	for _, c := range []struct {
		umask int
		want  os.FileMode
	}{{0o022, 0o644}, {0o077, 0o600}} {
		dir := t.TempDir()
		withUmask(c.umask, func() {
			steps := []error{
				WriteConfig(dir, experiments.DefaultConfig()),
				WriteResult(dir, &Result{ID: "t", Status: Solved}),
				SaveCheckpoint(dir, &Checkpoint{Version: CheckpointVersion, ID: "t"}),
				WriteSpec(dir, []byte("name: x\n")),
				WriteTrialList(dir, &TrialList{Name: "x"}),
				Curve.Append(dir, []Point{{Step: 0}}),
				GradFlow.Append(dir, []FlowPoint{{Step: 0, T: 0, Lag: 0, Norm: 1}}),
				Spectra.Append(dir, []Spectrum{{Step: 0, Param: "W", Gate: "h", Act: "tanh"}}),
			}
			if err := errors.Join(steps...); err != nil {
				t.Fatal(err)
			}
			unlock, err := Lock(dir)
			if err != nil {
				t.Fatal(err)
			}
			unlock()
			checkModes(t, dir, fmt.Sprintf("umask %03o", c.umask), 9, c.want)
			if err := Rewind(dir, 0); err != nil { // replaces the record files
				t.Fatal(err)
			}
			checkModes(t, dir, fmt.Sprintf("umask %03o, rewound", c.umask), 9, c.want)
		})
	}
}

// checkModes checks that dir holds n files, each of mode want.
func checkModes(t *testing.T, dir, what string, n int, want os.FileMode) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	if len(entries) != n {
		t.Errorf("%s: files %v, want %d", what, entries, n)
	}
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s: %s has mode %v, want %v", what, e.Name(), fi.Mode().Perm(), want)
		}
	}
}

// TestLockRemovesStaleTemps: the temporary files a process killed between creating and
// renaming them leaves behind are removed when the trial's lock is next taken; nothing
// else is.
func TestLockRemovesStaleTemps(t *testing.T) {
	dir := t.TempDir()
	if err := WriteConfig(dir, experiments.DefaultConfig()); err != nil {
		t.Fatal(err)
	}
	stale := []string{".checkpoint.gob.tmp-123456", ".result.json.tmp-1", ".config.json.tmp-42", ".curve.csv.tmp-7"}
	for _, n := range stale {
		os.WriteFile(filepath.Join(dir, n), []byte("partial"), 0o600)
	}
	os.WriteFile(filepath.Join(dir, ".notes"), []byte("mine"), 0o644)
	unlock, err := Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	var names []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{".lock", ".notes", ConfigFile}; !slices.Equal(names, want) {
		t.Errorf("after Lock: %v, want %v", names, want)
	}
}

// TestAppendFailureLeavesNoPartialBlock: an append the device refuses part-way (as a full
// disk does) is cut back, and the file reads as before.
func TestAppendFailureLeavesNoPartialBlock(t *testing.T) {
	dir := t.TempDir()
	block := func(step, n int) []FlowPoint {
		var rows []FlowPoint
		for i := range n {
			rows = append(rows, FlowPoint{Step: step, T: i, Lag: n - 1 - i, Norm: 1})
		}
		return rows
	}
	if err := GradFlow.Append(dir, block(0, 4)); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, GradFlowFile))
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Skip(err)
	}
	signal.Ignore(syscall.SIGXFSZ)
	defer signal.Reset(syscall.SIGXFSZ)
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: 4096, Max: old.Max}); err != nil {
		t.Skip(err)
	}
	err := GradFlow.Append(dir, block(10, 1000))
	syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old)
	if err == nil || !strings.Contains(err.Error(), GradFlowFile) {
		t.Fatalf("append beyond the file-size limit: %v, want an error naming %s", err, GradFlowFile)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, GradFlowFile)); !bytes.Equal(after, before) {
		t.Errorf("file after the failed append: %d bytes, want the %d before", len(after), len(before))
	}
}

// blockFixture is a trial directory as three evaluations leave it: curve.csv, and blocks of
// several rows in gradflow.csv (5 time steps) and spectra.csv (3 recurrent blocks).
func blockFixture(t *testing.T, steps ...int) string {
	t.Helper()
	dir := t.TempDir()
	for _, s := range steps {
		var flow []FlowPoint
		for i := range 5 {
			flow = append(flow, FlowPoint{Step: s, T: i, Lag: 4 - i, Norm: 1 / float64(i+s+1)})
		}
		spectra := []Spectrum{
			{Step: s, Param: "W", Gate: "i", Act: "sigmoid", SigmaMax: 1.5 + float64(s), Threshold: 4},
			{Step: s, Param: "W", Gate: "g", Act: "tanh", SigmaMax: 0.25, Threshold: 1},
			{Step: s, Param: "U", Gate: "o", Act: "sigmoid", SigmaMax: math.Pi, Threshold: 4},
		}
		// The order of an evaluation: diagnostics first, the curve row last.
		err := errors.Join(GradFlow.Append(dir, flow), Spectra.Append(dir, spectra),
			Curve.Append(dir, []Point{{Step: s, TrainLoss: 0.5, TestLoss: 0.25, TestMetric: 0.5, Seconds: 1}}))
		if err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// truncateLastBlock calls check with the file name of dir cut at every byte offset inside
// its block of step lastStep, the last; the file is restored whole at the end.
func truncateLastBlock(t *testing.T, dir, name string, lastStep int, check func(offset int)) {
	t.Helper()
	path := filepath.Join(dir, name)
	whole, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	start := bytes.Index(whole, []byte(fmt.Sprintf("\n%d,", lastStep))) + 1
	if start <= 0 {
		t.Fatalf("%s has no block at step %d", name, lastStep)
	}
	for off := start; off < len(whole); off++ {
		if err := os.WriteFile(path, whole[:off], 0o644); err != nil {
			t.Fatal(err)
		}
		check(off)
	}
	os.WriteFile(path, whole, 0o644)
}

// TestPartialBlockNeverRead: gradflow.csv and spectra.csv cut at every byte offset of
// their last block read as the complete blocks before it, whether that block is the
// trial's first evaluation or a later one; whole, they read whole.
func TestPartialBlockNeverRead(t *testing.T) {
	for _, steps := range [][]int{{0, 10, 20}, {0}} {
		last := steps[len(steps)-1]
		dir := blockFixture(t, steps...)
		flow, err1 := GradFlow.Read(dir)
		spectra, err2 := Spectra.Read(dir)
		if err := errors.Join(err1, err2); err != nil || len(flow) != 5*len(steps) || len(spectra) != 3*len(steps) {
			t.Fatalf("steps %v whole: %d gradient-flow rows, %d spectra, %v", steps, len(flow), len(spectra), err)
		}
		// A kill during an evaluation's append comes before its curve row.
		curve, _ := os.ReadFile(filepath.Join(dir, CurveFile))
		os.WriteFile(filepath.Join(dir, CurveFile), curve[:bytes.LastIndex(curve[:len(curve)-1], []byte("\n"))+1], 0o644)
		truncateLastBlock(t, dir, GradFlowFile, last, func(off int) {
			got, err := GradFlow.Read(dir)
			if err != nil || !slices.Equal(got, flow[:len(flow)-5]) {
				t.Fatalf("steps %v, gradflow.csv cut at byte %d: %d rows (%v), want %d", steps, off, len(got), err, len(flow)-5)
			}
		})
		truncateLastBlock(t, dir, SpectraFile, last, func(off int) {
			got, err := Spectra.Read(dir)
			if err != nil || !slices.Equal(got, spectra[:len(spectra)-3]) {
				t.Fatalf("steps %v, spectra.csv cut at byte %d: %d rows (%v), want %d", steps, off, len(got), err, len(spectra)-3)
			}
		})
	}
	// A later block is judged by the file alone, even without the curve.
	dir := blockFixture(t, 0, 10)
	os.Remove(filepath.Join(dir, CurveFile))
	truncateLastBlock(t, dir, SpectraFile, 10, func(off int) {
		b, _ := os.ReadFile(filepath.Join(dir, SpectraFile))
		if got, err := Spectra.Decode(b, SpectraFile); err != nil || len(got) != 3 {
			t.Fatalf("spectra.csv cut at byte %d, decoded: %d rows, %v", off, len(got), err)
		}
	})
}

// TestLoadCheckpointCorrupt: a truncated or garbage checkpoint is a *CorruptError whose
// one-line message names the file.
func TestLoadCheckpointCorrupt(t *testing.T) {
	dir := t.TempDir()
	ck := &Checkpoint{Version: CheckpointVersion, ID: "t", Expctl: "1/go", Step: 12, Params: [][]float64{{1, 2, 3}},
		OptM: [][]float64{{0, 0, 0}}, OptV: [][]float64{{0, 0, 0}}}
	if err := SaveCheckpoint(dir, ck); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, CheckpointFile)
	good, _ := os.ReadFile(path)
	cases := map[string][]byte{"garbage": []byte("this is not a checkpoint\n\x00\xff"), "empty": nil}
	for _, n := range []int{1, len(good) / 2, len(good) - 1} {
		cases[fmt.Sprintf("truncated to %d bytes", n)] = good[:n]
	}
	for name, b := range cases {
		os.WriteFile(path, b, 0o644)
		got, err := LoadCheckpoint(dir, "t", "1/go")
		var ce *CorruptError
		if got != nil || !errors.As(err, &ce) {
			t.Errorf("%s: %v, %v; want a *CorruptError", name, got, err)
			continue
		}
		if msg := err.Error(); !strings.HasPrefix(msg, path+": ") || strings.Contains(msg, "\n") {
			t.Errorf("%s: message %q, want one line starting with the file", name, msg)
		}
	}
}
