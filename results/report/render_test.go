package report

import (
	"strings"
	"testing"
)

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

// TestRenderAnyDocument: a table from a producer the renderers know nothing about is
// shown in every format, its notes where they belong.
func TestRenderAnyDocument(t *testing.T) {
	d := &Document{Title: "page", Parts: []*Part{{
		Preamble: "a test", Empty: "nothing",
		Meta: []Member{{Key: "about", Value: "x<y"}},
		Sections: []*Section{{
			Name: "s", ID: "s", Heading: "Section s",
			Tables: []*Table{{
				ID: "s-t", Kind: "k", Title: Text{{Text: "s", Style: Strong}, {Text: ": a title"}}, Caption: "A caption",
				RowField: "row", ColField: "col", Cols: []Text{PlainText("c=1")},
				Rows:  []Row{{Label: "r", Entries: []Entry{{Num: "1.5", Words: "1/2"}}}},
				Notes: []Note{{Text: "for print", Only: Print}, {Text: "for the page", Only: Page}},
			}},
			Data: map[string]int{"n": 1},
		}},
	}}}
	for _, f := range Formats {
		var b strings.Builder
		if err := Render(&b, d, f); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out := b.String()
		want := []string{"a title", "1.5 (1/2)", "for print"}
		switch f {
		case LaTeX:
			want = []string{`\caption{s: a title}`, `1.5 \emph{(1/2)}`, "for print", `\label{tab:s-t}`}
		case JSON:
			want = []string{`"about": "x<y"`, `"n": 1`, `"problems": []`}
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("%s lacks %q:\n%s", f, w, out)
			}
		}
		if strings.Contains(out, "for the page") {
			t.Errorf("%s shows a page note:\n%s", f, out)
		}
	}
	var b strings.Builder
	if err := WriteHTML(&b, d); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"<caption>A caption</caption>", `<td class="num">`, "for the page", `id="s"`} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("page lacks %q", w)
		}
	}
	if strings.Contains(b.String(), "for print") {
		t.Error("the page shows a print note")
	}
	if err := Render(&b, d, "html"); err == nil {
		t.Error("no error for an unknown format")
	}
}
