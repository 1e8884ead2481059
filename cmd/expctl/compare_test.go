package main

import (
	"strings"
	"testing"
)

// TestReportCompareAndWhere: --rows sweep reports two directories as two sweeps, --where
// takes sets and ranges, and an unmatched filter names the values that exist.
func TestReportCompareAndWhere(t *testing.T) {
	code, out, errOut := runCLI(t, "report", fixtureSweep, gradFixtureSweep, "--rows", "sweep", "--cols", "cell",
		"--where", "task=adding", "--where", "cell=lstm,gru", "--where", "T<=10", "--format", "markdown")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"| fixture     | 0.00356 ± 0.00282 (3/4, 1 failed) | ·                  |", "| gradfixture | 0.00365 ± 0.00157                 | 0.00106 ± 4.97e-05 |"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--where", "cell=gru"}, "no trials match --where: no trial has cell=gru (cell: lstm, rnn)"},
		{[]string{"--where", "T>=20"}, "no trial has T>=20 (T: 5, 10)"},
		{[]string{"--where", "lr>=fast"}, `invalid --where "lr>=fast": >= needs a number`},
		{[]string{"--where", "colour=red"}, `unknown field "colour" in --where`},
	} {
		code, _, errOut := runCLI(t, append([]string{"report", fixtureSweep}, tc.args...)...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) || strings.Contains(errOut, "map[") {
			t.Errorf("%v: exit %d, stderr %q (want %q)", tc.args, code, errOut, tc.want)
		}
	}
}
