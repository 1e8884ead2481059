package results

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/expctl/expctl/results/report"
)

// TestBuildsNote: a table whose trials different builds computed says so in a footnote;
// one build, no footnote.
func TestBuildsNote(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "fixture")
	if err := os.CopyFS(dir, os.DirFS("testdata/fixture")); err != nil {
		t.Fatal(err)
	}
	render := func() string {
		c, err := Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		r, err := NewReport(c, Query{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if err := report.Render(&b, &report.Document{Parts: []*report.Part{r.Part()}}, Terminal); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	if out := render(); strings.Contains(out, "different builds") {
		t.Errorf("one build, but a footnote:\n%s", out)
	}
	p := filepath.Join(dir, "adding-T5-rnn-h16-s1-7f4d50038db1", "result.json")
	b, _ := os.ReadFile(p)
	b = []byte(strings.Replace(string(b), `"version": "0.1.0"`, `"version": "0.2.0", "build": "openblas", "revision": "0123456789abcdef0123"`, 1))
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	want := "Computed by different builds, whose numbers may differ: expctl 0.1.0 (6 trials); expctl 0.2.0, openblas build, revision 0123456789ab (1 trial)."
	if out := render(); !strings.Contains(strings.Join(strings.Fields(out), " "), want) {
		t.Errorf("no footnote %q:\n%s", want, out)
	}
}
