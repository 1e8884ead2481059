package main

import (
	"strings"
	"testing"
)

// TestReportRowsOfSeveralFields: --rows takes a list of fields, the field sweep among
// them (each directory is then a sweep of its own), and --cols likewise; an unknown field
// of the list is named in one line.
func TestReportRowsOfSeveralFields(t *testing.T) {
	code, out, errOut := runCLI(t, "report", fixtureSweep, gradFixtureSweep, "--rows", "sweep,cell",
		"--where", "task=adding", "--where", "T=10", "--format", "markdown")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"| sweep, cell           | T=10 ",
		"| fixture cell=lstm     | 0.00312 (1/2, 1 failed)    |",
		"| fixture cell=rnn      | 0.0256 (1/2, 1 incomplete) |",
		"| gradfixture cell=gru  | 0.00106 ± 4.97e-05         |",
		"- gradfixture cell=rnn: longest T solved",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "differing") {
		t.Errorf("a row field is reported as differing:\n%s", out)
	}

	code, out, errOut = runCLI(t, "report", fixtureSweep, "--rows", "cell", "--cols", "T,hidden", "--where", "task=copy")
	if code != 0 || !strings.Contains(out, "T=10 hidden=16") {
		t.Errorf("--cols T,hidden: exit %d, stderr %q:\n%s", code, errOut, out)
	}

	// A cell without a forget gate ignores forget_bias, and its label says nothing of it.
	code, out, errOut = runCLI(t, "report", gradFixtureSweep, "--rows", "cell,forget_bias", "--where", "T=10")
	for _, want := range []string{"\n│ gru                │", "\n│ lstm forget_bias=1 │", "\n│ rnn                │"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("--rows cell,forget_bias: exit %d, stderr %q, output lacks %q:\n%s", code, errOut, want, out)
		}
	}

	code, _, errOut = runCLI(t, "report", fixtureSweep, "--rows", "cell,colour")
	if code != exitUsage || !strings.Contains(errOut, `unknown field "colour" for --rows/--cols (fields: `) ||
		strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
		t.Errorf("--rows cell,colour: exit %d, stderr %q", code, errOut)
	}
}
