package trialdir

import (
	"bytes"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestWriteFileAtomicReplaces(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "result.json")
	for _, content := range []string{"first\n", "second\n"} {
		if err := WriteFileAtomic(p, []byte(content)); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(p); string(got) != content {
			t.Fatalf("content %q, want %q", got, content)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("left behind: %v", entries)
	}
}

// TestWriteFileAtomicFailureKeepsOld: when the write cannot complete, the old file stays
// whole and no temporary file remains.
func TestWriteFileAtomicFailureKeepsOld(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "result.json")
	if err := WriteFileAtomic(p, []byte("old")); err != nil {
		t.Fatal(err)
	}
	// Renaming a file over a non-empty directory fails after the data was written.
	bad := filepath.Join(dir, "sub")
	os.MkdirAll(filepath.Join(bad, "x"), 0o755)
	if err := WriteFileAtomic(bad, []byte("new")); err == nil {
		t.Fatal("rename over a directory succeeded")
	}
	if got, _ := os.ReadFile(p); string(got) != "old" {
		t.Fatalf("old file changed: %q", got)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

// TestWriteFileAtomicWriteFails: when the device refuses the data part-way (as a full disk
// does), the write fails, the previous file is intact and no temporary file remains. A
// file-size limit makes write(2) fail with EFBIG after 1 KiB.
func TestWriteFileAtomicWriteFails(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "result.json")
	if err := WriteFileAtomic(p, []byte("old")); err != nil {
		t.Fatal(err)
	}
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Skip(err)
	}
	signal.Ignore(syscall.SIGXFSZ)
	defer signal.Reset(syscall.SIGXFSZ)
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: 1024, Max: old.Max}); err != nil {
		t.Skip(err)
	}
	err := WriteFileAtomic(p, bytes.Repeat([]byte("x"), 1<<20))
	syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old)
	if err == nil {
		t.Fatal("write beyond the file-size limit succeeded")
	}
	if got, _ := os.ReadFile(p); string(got) != "old" {
		t.Fatalf("old file changed: %q", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
	t.Logf("error: %v", err)
}

func TestCurveRoundTrip(t *testing.T) {
	pts := []Point{
		{Step: 0, TrainLoss: math.NaN(), TestLoss: 1.25, TestMetric: 0, GradNorm: math.NaN(), ClipRate: math.NaN(), Seconds: 0.1},
		{Step: 100, TrainLoss: 0.1 + 0.2, TestLoss: 1e-7, TestMetric: 0.5, GradNorm: 3, ClipRate: 0.25, Seconds: 12.5},
	}
	b := Curve.Encode(pts)
	if !bytes.HasPrefix(b, []byte("step,train_loss,test_loss,test_metric,grad_norm,clip_rate,seconds\n0,,1.25,0,,,0.1\n")) {
		t.Fatalf("encoding:\n%s", b)
	}
	got, err := Curve.Decode(b, "curve.csv")
	if err != nil {
		t.Fatal(err)
	}
	if got[1] != pts[1] || !math.IsNaN(got[0].TrainLoss) || got[0].TestLoss != 1.25 {
		t.Fatalf("round trip: %+v", got)
	}
}

func TestDecodeCurveErrors(t *testing.T) {
	for _, in := range []string{"", "a,b\n", "step,train_loss,test_loss,test_metric,grad_norm,clip_rate,seconds\nx,1,1,1,1,1,1\n",
		"step,train_loss,test_loss,test_metric,grad_norm,clip_rate,seconds\n1,1,oops,1,1,1,1\n"} {
		if _, err := Curve.Decode([]byte(in), "curve.csv"); err == nil || !strings.Contains(err.Error(), "curve.csv") {
			t.Errorf("%q: err = %v, want one naming the file", in, err)
		}
	}
}
