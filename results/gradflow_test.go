package results

import (
	"os"
	"path/filepath"
	"testing"
)

func TestGradFlowAppendReadTruncate(t *testing.T) {
	dir := t.TempDir()
	rows := []FlowPoint{{0, 0, 1, 0.5}, {0, 1, 0, 2}, {10, 0, 1, 0.25}, {10, 1, 0, 1}}
	if err := AppendGradFlow(dir, rows[:2]); err != nil {
		t.Fatal(err)
	}
	if err := AppendGradFlow(dir, rows[2:]); err != nil {
		t.Fatal(err)
	}
	got, err := ReadGradFlow(dir)
	if err != nil || len(got) != 4 || got[3] != rows[3] {
		t.Fatalf("%v, %v", got, err)
	}
	// A crash in the middle of an append leaves a partial last line: ignored on read,
	// dropped by truncation.
	f, _ := os.OpenFile(filepath.Join(dir, GradFlowFile), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("20,0,1,0.1")
	f.Close()
	if got, err := ReadGradFlow(dir); err != nil || len(got) != 4 {
		t.Fatalf("with a partial line: %v, %v", got, err)
	}
	if err := TruncateGradFlow(dir, 5); err != nil {
		t.Fatal(err)
	}
	got, _ = ReadGradFlow(dir)
	b, _ := os.ReadFile(filepath.Join(dir, GradFlowFile))
	if len(got) != 2 || string(b) != "step,t,lag,norm\n0,0,1,0.5\n0,1,0,2\n" {
		t.Fatalf("after truncation: %q", b)
	}
	os.WriteFile(filepath.Join(dir, GradFlowFile), []byte("step,t,lag,norm\nx,1,2,3\n0,0,0,1\n"), 0o644)
	if _, err := ReadGradFlow(dir); err == nil {
		t.Error("corrupt middle line accepted")
	}
}
