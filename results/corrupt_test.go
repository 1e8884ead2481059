package results

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCorruptFiles: a trial file that exists but cannot be read is one problem naming the
// file, in words (no Go types, the path once), and its trial counts as corrupt.
func TestCorruptFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "fixture")
	if err := os.CopyFS(dir, os.DirFS("testdata/fixture")); err != nil {
		t.Fatal(err)
	}
	write := func(trial, file, content string) string {
		p := filepath.Join(dir, trial, file)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	paths := []string{
		write("adding-T5-rnn-h16-s1-7f4d50038db1", "result.json", `{"id": "x", "status": `),
		write("adding-T5-rnn-h16-s2-1155fe5b1b41", "config.json", `{"task": 5}`),
		write("adding-T10-rnn-h16-s2-757c088839ca", "curve.csv", "step,train_loss\nx,1\n"), // unfinished
	}
	c, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Problems) != len(paths) {
		t.Fatalf("%d problems, want %d: %v", len(c.Problems), len(paths), c.Problems)
	}
	for i, p := range c.Problems {
		s := p.String()
		if p.Path != paths[i] || strings.Count(s, paths[i]) != 1 || strings.Contains(s, "Go struct") || strings.Contains(p.Msg, "json") {
			t.Errorf("problem %q (path %q): want it to name %s once, without Go types", s, p.Path, paths[i])
		}
	}
	states := map[string]int{}
	for _, tr := range c.Trials {
		states[tr.State]++
	}
	if states[Corrupt] != 3 || states[Incomplete] != 0 {
		t.Errorf("states %v: want 3 corrupt, 0 incomplete", states)
	}
	if !strings.Contains(c.Problems[0].Msg, "truncated JSON") || !strings.Contains(c.Problems[1].Msg, `field "task" is a JSON number, want a string`) {
		t.Errorf("problems %q, %q", c.Problems[0].Msg, c.Problems[1].Msg)
	}
}
