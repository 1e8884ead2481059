package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const fixtureSweep = "../../results/testdata/fixture"

// gradFixtureSweep has gradient-flow and spectra records (fixtureSweep predates them).
const gradFixtureSweep = "../../results/testdata/gradfixture"

func TestReportFormats(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{nil, []string{"adding: test_loss, mean ± sd", "│ lstm", "baseline", "longest T solved"}},
		{[]string{"--format", "markdown"}, []string{"| cell     | T=5", "**copy**"}},
		{[]string{"--format", "latex", "--agg", "median"}, []string{`\toprule`, `\bottomrule`}},
		{[]string{"--format", "csv", "--metric", "test_metric"}, []string{"cell,T=5,T=10"}},
		{[]string{"--format", "json", "--rows", "T", "--cols", "cell"}, []string{`"rows": [`, `"steps_to_solve"`}},
		{[]string{"--where", "task=adding", "--min-solved", "1"}, []string{"lstm: longest T solved in ≥ 1 seed"}},
	} {
		code, out, errOut := runCLI(t, append([]string{"report", fixtureSweep}, tc.args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", tc.args, code, errOut)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: output lacks %q:\n%s", tc.args, w, out)
			}
		}
	}
}

func TestReportPlotsAndHTML(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := runCLI(t, "report", fixtureSweep, "--plots", filepath.Join(dir, "fig"), "--html", filepath.Join(dir, "r.html"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	svgs, _ := filepath.Glob(filepath.Join(dir, "fig", "*.svg"))
	pngs, _ := filepath.Glob(filepath.Join(dir, "fig", "*.png"))
	if len(svgs) == 0 || len(svgs) != len(pngs) {
		t.Errorf("%d SVG and %d PNG figures", len(svgs), len(pngs))
	}
	html, err := os.ReadFile(filepath.Join(dir, "r.html"))
	if err != nil || !strings.Contains(string(html), "<svg") {
		t.Errorf("html: %v, %d bytes", err, len(html))
	}
}

// TestReportMergesShards: two shard directories of one sweep give one report; a trial
// that differs between them is a conflict warning, not a failure.
func TestReportMergesShards(t *testing.T) {
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	copyTree(t, fixtureSweep, a)
	copyTree(t, fixtureSweep, b)
	ids, _ := filepath.Glob(filepath.Join(b, "adding-T5-rnn-*s1*", "result.json"))
	data, _ := os.ReadFile(ids[0])
	os.WriteFile(ids[0], []byte(strings.Replace(string(data), `"steps_run": 400`, `"steps_run": 401`, 1)), 0o644)
	code, out, errOut := runCLI(t, "report", a, b, "--format", "markdown")
	if code != 0 || !strings.Contains(errOut, "conflict") || !strings.Contains(out, "8 trials: 5 solved") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}

func TestReportBadInput(t *testing.T) {
	empty := t.TempDir()
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"report"}, exitUsage, "at least one sweep directory"},
		{[]string{"report", empty}, exitUsage, "not a sweep directory"},
		{[]string{"report", filepath.Join(empty, "nope")}, exitUsage, "nope"},
		{[]string{"report", fixtureSweep, "--rows", "colour"}, exitUsage, `unknown field "colour"`},
		{[]string{"report", fixtureSweep, "--metric", "accuracy"}, exitUsage, `unknown metric "accuracy"`},
		{[]string{"report", fixtureSweep, "--agg", "mode"}, exitUsage, `unknown aggregation "mode"`},
		{[]string{"report", fixtureSweep, "--format", "html"}, exitUsage, `unknown format "html"`},
		{[]string{"report", fixtureSweep, "--where", "cell"}, exitUsage, "want field=value"},
		{[]string{"report", fixtureSweep, "--where", "cell=gru"}, exitUsage, "no trials match"},
		{[]string{"report", fixtureSweep, empty}, 0, "not a sweep directory"}, // one good sweep: reported, with a warning
	} {
		code, _, errOut := runCLI(t, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d (want %d), stderr %q (want %q)", tc.args, code, tc.code, errOut, tc.want)
		}
	}
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestReportGradients(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{nil, []string{
			"adding: test_loss, mean ± sd", // the usual tables first
			"gru: longest T solved in all seeds: 30 (2/2)\n\nadding: σ_max of the recurrent blocks at init → at the end",
			"│ rnn  │ h 1.75↑ → 1.99↑ (1/γ=1) │ h 1.75↑ → 1.82↑ (1/γ=1) │",
			"│      │ clip rate 34%           │ clip rate 18%           │",
			"↓ = below 1/γ",
		}},
		{[]string{"--format", "markdown"}, []string{"| rnn  | h 1.75↑ → 1.99↑ (1/γ=1); clip rate 34%"}},
		{[]string{"--format", "csv"}, []string{"\nrnn,h 1.75↑ → 1.99↑ (1/γ=1); clip rate 34%,"}},
		{[]string{"--format", "latex"}, []string{`\label{tab:adding-gradients}`, `h 1.75$\uparrow$ $\to$ 1.99$\uparrow$`}},
		{[]string{"--where", "cell=lstm"}, []string{"│ lstm │ i 1.75↓ → 3.26↓ (1/γ=4) │"}},
	} {
		code, out, errOut := runCLI(t, append([]string{"report", gradFixtureSweep, "--gradients"}, tc.args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", tc.args, code, errOut)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: output lacks %q:\n%s", tc.args, w, out)
			}
		}
	}
	// Without --gradients, no gradient table.
	if _, out, _ := runCLI(t, "report", gradFixtureSweep); strings.Contains(out, "σ_max") {
		t.Error("gradient tables without --gradients")
	}

	// JSON: one document, the gradient tables its "gradients" member.
	code, out, errOut := runCLI(t, "report", gradFixtureSweep, "--gradients", "--format", "json")
	if code != 0 {
		t.Fatalf("json: exit %d: %s", code, errOut)
	}
	var doc struct {
		Tables    []json.RawMessage `json:"tables"`
		Gradients struct {
			Tables []struct {
				Task  string
				Rows  []string
				Cells [][]struct{ Text string }
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	if len(doc.Tables) != 1 || len(doc.Gradients.Tables) != 1 || doc.Gradients.Tables[0].Rows[0] != "rnn" ||
		doc.Gradients.Tables[0].Cells[0][0].Text != "h 1.75↑ → 1.99↑ (1/γ=1); clip rate 34%" {
		t.Errorf("json document: %+v", doc)
	}

	// Figures: the gradient-flow figures with the others, only with --gradients.
	dir := t.TempDir()
	code, _, errOut = runCLI(t, "report", gradFixtureSweep, "--gradients", "--plots", filepath.Join(dir, "fig"), "--html", filepath.Join(dir, "r.html"))
	if code != 0 {
		t.Fatalf("plots: exit %d: %s", code, errOut)
	}
	grad, _ := filepath.Glob(filepath.Join(dir, "fig", "gradflow-*"))
	all, _ := filepath.Glob(filepath.Join(dir, "fig", "*"))
	if len(grad) != 8 || len(all) != 14 || !strings.Contains(errOut, "wrote 14 figures") {
		t.Errorf("%d gradient-flow files of %d: %v\n%s", len(grad), len(all), grad, errOut)
	}
	for _, name := range []string{"gradflow-adding-T30-init.png", "gradflow-adding-T30-final.svg"} {
		if _, err := os.Stat(filepath.Join(dir, "fig", name)); err != nil {
			t.Error(err)
		}
	}
	html, err := os.ReadFile(filepath.Join(dir, "r.html"))
	if err != nil || !strings.Contains(string(html), "<h2>Gradient flow</h2>") {
		t.Errorf("html: %v, no gradient-flow section", err)
	}
	code, _, _ = runCLI(t, "report", gradFixtureSweep, "--plots", filepath.Join(dir, "plain"))
	if grad, _ := filepath.Glob(filepath.Join(dir, "plain", "gradflow-*")); code != 0 || len(grad) != 0 {
		t.Errorf("gradient-flow figures without --gradients: %v", grad)
	}

	// A sweep without records: the tables say so, with a warning; not an error.
	code, out, errOut = runCLI(t, "report", fixtureSweep, "--gradients", "--where", "task=adding")
	if code != 0 || !strings.Contains(errOut, "no trial has gradient records") || !strings.Contains(out, "no σ_max records") {
		t.Errorf("fixture without records: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}
