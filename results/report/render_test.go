package report

import "testing"

func TestTexEscape(t *testing.T) {
	if got := texEscape(`a_b & 50% $x$ #1 {y} ~ ^ \ ± – ≥`); got != `a\_b \& 50\% \$x\$ \#1 \{y\} \textasciitilde{} \textasciicircum{} \textbackslash{} $\pm$ -- $\geq$` {
		t.Errorf("texEscape: %s", got)
	}
}

func TestWrap(t *testing.T) {
	got := wrap("aaa bbb ccc dddddddd e", 7, "  ")
	if got != "aaa bbb\n  ccc\n  dddddddd\n  e" {
		t.Errorf("wrap = %q", got)
	}
}
