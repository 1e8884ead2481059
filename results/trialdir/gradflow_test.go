package trialdir

import (
	"os"
	"path/filepath"
	"testing"
)

func TestGradFlowAppendReadTruncate(t *testing.T) {
	dir := t.TempDir()
	rows := []FlowPoint{{0, 0, 1, 0.5}, {0, 1, 0, 2}, {10, 0, 1, 0.25}, {10, 1, 0, 1}}
	if err := GradFlow.Append(dir, rows[:2]); err != nil {
		t.Fatal(err)
	}
	if err := GradFlow.Append(dir, rows[2:]); err != nil {
		t.Fatal(err)
	}
	got, err := GradFlow.Read(dir)
	if err != nil || len(got) != 4 || got[3] != rows[3] {
		t.Fatalf("%v, %v", got, err)
	}
	// A crash in the middle of an append leaves a partial last line: ignored on read,
	// dropped by truncation.
	f, _ := os.OpenFile(filepath.Join(dir, GradFlowFile), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("20,0,1,0.1")
	f.Close()
	if got, err := GradFlow.Read(dir); err != nil || len(got) != 4 {
		t.Fatalf("with a partial line: %v, %v", got, err)
	}
	if err := GradFlow.truncate(dir, 5); err != nil {
		t.Fatal(err)
	}
	got, _ = GradFlow.Read(dir)
	b, _ := os.ReadFile(filepath.Join(dir, GradFlowFile))
	if len(got) != 2 || string(b) != "step,t,lag,norm\n0,0,1,0.5\n0,1,0,2\n" {
		t.Fatalf("after truncation: %q", b)
	}
	os.WriteFile(filepath.Join(dir, GradFlowFile), []byte("step,t,lag,norm\nx,1,2,3\n0,0,0,1\n"), 0o644)
	if _, err := GradFlow.Read(dir); err == nil {
		t.Error("corrupt middle line accepted")
	}
}
