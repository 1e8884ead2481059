package results

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func htmlRender(t *testing.T, c *Collection, q Query, minSolved int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteHTML(&buf, c, q, minSolved); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func htmlParse(t *testing.T, b []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// htmlElements returns the elements named tag under n, in document order.
func htmlElements(n *html.Node, tag string) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == tag {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func htmlAttr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func htmlHasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(htmlAttr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

func htmlText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// htmlCheckOffline fails for anything that would load from the network or run code.
func htmlCheckOffline(t *testing.T, doc *html.Node) {
	t.Helper()
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "link", "img", "iframe", "object", "embed", "base":
				t.Errorf("element <%s> in the report", n.Data)
			}
			for _, a := range n.Attr {
				if a.Key == "xmlns" || a.Namespace == "xmlns" {
					continue // a namespace name, never fetched
				}
				v := strings.ToLower(strings.TrimSpace(a.Val))
				switch {
				case a.Key == "src" || a.Key == "href" || a.Key == "xlink:href" || strings.HasSuffix(a.Key, "href"):
					if !strings.HasPrefix(v, "#") {
						t.Errorf("<%s %s=%q>: a reference out of the page", n.Data, a.Key, a.Val)
					}
				case strings.HasPrefix(a.Key, "on"):
					t.Errorf("<%s %s=…>: an event handler", n.Data, a.Key)
				}
				if strings.Contains(v, "http://") || strings.Contains(v, "https://") {
					t.Errorf("<%s %s=%q>: a network address", n.Data, a.Key, a.Val)
				}
			}
			if n.Data == "style" && (strings.Contains(htmlText(n), "url(") || strings.Contains(htmlText(n), "@import")) {
				t.Error("the style sheet loads something")
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
}

func TestWriteHTMLFixture(t *testing.T) {
	c := loadPlotFixture(t)
	out := htmlRender(t, c, Query{}, 0)
	doc := htmlParse(t, out)
	htmlCheckOffline(t, doc)

	if title := htmlElements(doc, "title"); len(title) != 1 || !strings.Contains(htmlText(title[0]), "fixture") {
		t.Errorf("title: %v", title)
	}
	body := htmlText(doc)
	for _, want := range []string{
		"16 trials: 5 solved, 7 unsolved, 1 diverged, 1 failed, 1 incomplete, 1 missing",
		"name: fixture", // the spec
		"Solved when test MSE ≤ 0.01.",
		"training loss +Inf, gradient norm NaN at step 312", // the diverged trial's error
		"worker exit status 2: panic: fault injected by EXPCTL_FAULT",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(body, "goroutine 1 [running]") {
		t.Error("the whole stack trace of the failed trial is shown")
	}
	if pres := htmlElements(doc, "pre"); len(pres) != 1 || htmlText(pres[0]) != c.Sweeps[0].Spec {
		t.Errorf("spec <pre>: %d elements", len(pres))
	}

	// Per task: metric, steps to solve, why trials did not solve it (both tasks have
	// unsolved trials) and the longest-T summary.
	tables := htmlElements(doc, "table")
	if len(tables) != 8 {
		t.Fatalf("%d tables, want 8", len(tables))
	}
	r, err := NewReport(c, Query{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var metric, steps, why, summary []*html.Node
	for _, tb := range tables {
		switch {
		case htmlHasClass(tb, "why"):
			why = append(why, tb)
		case htmlHasClass(tb, "metric"):
			metric = append(metric, tb)
		case htmlHasClass(tb, "steps"):
			steps = append(steps, tb)
		case htmlHasClass(tb, "summary"):
			summary = append(summary, tb)
		}
	}
	if len(metric) != 2 || len(steps) != 2 || len(why) != 2 || len(summary) != 2 {
		t.Fatalf("tables: %d metric, %d steps, %d why, %d summary", len(metric), len(steps), len(why), len(summary))
	}
	for i, tb := range r.Tables {
		htmlCheckGrid(t, metric[i], tb, func(c *Aggregate) string { return c.Text(r.Query.Agg) })
		htmlCheckGrid(t, steps[i], r.Steps[i], func(c *Aggregate) string { return stepsEntry(c).Text() })
		// The why table: words on the grid of the metric table.
		for r, row := range htmlElements(htmlElements(why[i], "tbody")[0], "tr") {
			for c, td := range htmlElements(row, "td") {
				if got, want := htmlText(td), whyEntry(tb.Cells[r][c]).Text(); got != want || !htmlHasClass(td, "state") {
					t.Errorf("%s why %s %s: %q (class %q), want %q", tb.Task, tb.Rows[r], tb.Cols[c], got, htmlAttr(td, "class"), want)
				}
			}
		}
		// The metric table of a loss ends with the baseline row.
		foot := htmlElements(metric[i], "tfoot")
		if len(foot) != 1 || !strings.HasPrefix(htmlText(foot[0]), "baseline") {
			t.Errorf("%s: no baseline row", tb.Task)
		}
		rows := htmlElements(htmlElements(summary[i], "tbody")[0], "tr")
		longest := tb.LongestSolved(0)
		if len(rows) != len(longest) {
			t.Fatalf("%s summary: %d rows", tb.Task, len(rows))
		}
		for j, l := range longest {
			want := "none"
			if l.Col != "" {
				want = l.Col
			}
			if got := htmlText(htmlElements(rows[j], "td")[0]); !strings.HasPrefix(got, want) {
				t.Errorf("%s summary %s: %q, want %q…", tb.Task, l.Row, got, want)
			}
		}
	}
	if got := htmlText(htmlElements(htmlElements(summary[0], "tbody")[0], "td")[0]); got != "5 (2/2)" {
		t.Errorf("adding lstm longest T solved: %q", got)
	}

	// Figures: per task the final-metric figure and one curve figure per T.
	if svgs := htmlElements(doc, "svg"); len(svgs) != 6 {
		t.Errorf("%d inline <svg>, want 6", len(svgs))
	}
	for _, want := range []string{"adding: final test_loss vs T", "copy, T=10: test loss vs step"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("no figure %q", want)
		}
	}
	if bytes.Contains(out, []byte("<?xml")) {
		t.Error("an XML declaration inside the HTML")
	}
	// No problems in the fixture, so no problems section.
	for _, s := range htmlElements(doc, "section") {
		if htmlHasClass(s, "problems") {
			t.Error("a problems section without problems")
		}
	}
}

// htmlCheckGrid compares an HTML table with a Table: row labels, and each cell's text equals
// Aggregate.Text, with class "num" for cells with values and "state" for the others.
func htmlCheckGrid(t *testing.T, n *html.Node, tb *Table, text func(*Aggregate) string) {
	t.Helper()
	body := htmlElements(n, "tbody")
	if len(body) != 1 {
		t.Fatalf("%s: %d tbody", tb.Task, len(body))
	}
	rows := htmlElements(body[0], "tr")
	if len(rows) != len(tb.Rows) {
		t.Fatalf("%s: %d rows, want %d", tb.Task, len(rows), len(tb.Rows))
	}
	head := htmlElements(htmlElements(n, "thead")[0], "th")
	if len(head) != len(tb.Cols)+1 {
		t.Errorf("%s: %d header cells", tb.Task, len(head))
	}
	for c, col := range tb.Cols {
		if got := htmlText(head[c+1]); got != tb.Query.Cols+"="+col {
			t.Errorf("%s: heading %q", tb.Task, got)
		}
	}
	for r, row := range rows {
		if th := htmlElements(row, "th"); len(th) != 1 || htmlText(th[0]) != tb.Rows[r] {
			t.Errorf("%s row %d: label %v", tb.Task, r, th)
		}
		tds := htmlElements(row, "td")
		if len(tds) != len(tb.Cols) {
			t.Fatalf("%s row %s: %d cells", tb.Task, tb.Rows[r], len(tds))
		}
		for c, td := range tds {
			cell := tb.Cells[r][c]
			if got, want := htmlText(td), text(cell); got != want {
				t.Errorf("%s %s T=%s: %q, want %q", tb.Task, tb.Rows[r], tb.Cols[c], got, want)
			}
			numeric := cell != nil && len(cell.Values) > 0
			if htmlHasClass(td, "num") != numeric || htmlHasClass(td, "state") == numeric {
				t.Errorf("%s %s T=%s: class %q", tb.Task, tb.Rows[r], tb.Cols[c], htmlAttr(td, "class"))
			}
		}
	}
}

func TestWriteHTMLEscapesSpec(t *testing.T) {
	c := loadPlotFixture(t)
	spec := "name: x\ndescription: \"</pre><script>alert(1)</script> & <b>bold</b>\"\n"
	c.Sweeps[0].Spec = spec
	out := htmlRender(t, c, Query{}, 0)
	if !bytes.Contains(out, []byte("&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;")) {
		t.Error("the spec is not escaped")
	}
	doc := htmlParse(t, out)
	htmlCheckOffline(t, doc)
	if len(htmlElements(doc, "b")) != 0 {
		t.Error("markup from the spec became an element")
	}
	if pres := htmlElements(doc, "pre"); len(pres) != 1 || htmlText(pres[0]) != spec {
		t.Errorf("the spec does not read back: %v", pres)
	}
}

// The hostile sweep has HTML in its name, spec, row values, trial id, criterion and error,
// and a corrupt trial: all of it must come out as text.
func TestWriteHTMLHostile(t *testing.T) {
	c, err := Load(filepath.Join("testdata", "html", "hostile"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Problems) == 0 {
		t.Fatal("the corrupt trial is not a problem")
	}
	out := htmlRender(t, c, Query{}, 0)
	doc := htmlParse(t, out)
	htmlCheckOffline(t, doc)
	for _, tag := range []string{"b", "i", "a"} {
		for _, n := range htmlElements(doc, tag) {
			if tag == "a" && strings.HasPrefix(htmlAttr(n, "href"), "#") {
				continue // the page's own links
			}
			t.Errorf("<%s> from the data became an element", tag)
		}
	}
	body := htmlText(doc)
	for _, want := range []string{
		"hostile <img src=https://example.com/name.png>",
		"<script>alert('error')</script>",
		"<script>alert('criterion')</script>",
		"t3<i>: missing",
		"corrupt:",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("report lacks the text %q", want)
		}
	}
	// The row value is a table label and, escaped by the plotting library, a legend entry.
	if !bytes.Contains(out, []byte("<th>&lt;b&gt;rnn&lt;/b&gt;</th>")) || !bytes.Contains(out, []byte("&lt;b&gt;rnn&lt;/b&gt; (1 trial)</text>")) {
		t.Error("the row value is not shown escaped in the table and the legend")
	}
	var problems bool
	for _, s := range htmlElements(doc, "section") {
		problems = problems || htmlHasClass(s, "problems")
	}
	if !problems {
		t.Error("no problems section")
	}
}

func TestWriteHTMLDeterministic(t *testing.T) {
	a := htmlRender(t, loadPlotFixture(t), Query{}, 0)
	b := htmlRender(t, loadPlotFixture(t), Query{}, 0)
	if !bytes.Equal(a, b) {
		t.Error("two renders of the same sweep differ")
	}
	c := loadPlotFixture(t)
	if x, y := htmlRender(t, c, Query{Agg: Median}, 1), htmlRender(t, c, Query{Agg: Median}, 1); !bytes.Equal(x, y) {
		t.Error("two renders of one collection differ")
	}
}

func TestWriteHTMLQueries(t *testing.T) {
	c := loadPlotFixture(t)
	// Transposed, T as rows and cells as columns: the summary is per cell, over T.
	out := htmlRender(t, c, Query{Rows: "T", Cols: "cell", Metric: TestMetric, Where: map[string]string{"task": "adding"}}, 1)
	doc := htmlParse(t, out)
	htmlCheckOffline(t, doc)
	if n := len(htmlElements(doc, "table")); n != 4 { // metric, steps, why (rnn at T=10 is unsolved), summary
		t.Errorf("%d tables for one task, want 4", n)
	}
	if !bytes.Contains(out, []byte("Final acc@0.04 (test_metric)")) {
		t.Error("the task metric's name is not shown")
	}
	if bytes.Contains(out, []byte("<tfoot>")) {
		t.Error("a baseline row for an accuracy")
	}
	// No trials: a page that says so.
	out = htmlRender(t, c, Query{Where: map[string]string{"task": "none"}}, 0)
	if !bytes.Contains(out, []byte("No trials match the query.")) {
		t.Error("an empty report does not say so")
	}
	// A bad query is an error.
	var buf bytes.Buffer
	if err := WriteHTML(&buf, c, Query{Metric: "nosuch"}, 0); err == nil {
		t.Error("no error for an unknown metric")
	}
}

// TestWriteHTMLGradients: with gradient-flow records the page has a "Gradient flow"
// section holding the σ_max and clip-rate table and, per T, the figures at init and at
// the end of training; without records it has none.
func TestWriteHTMLGradients(t *testing.T) {
	c := loadGradFixture(t)
	out := htmlRender(t, c, Query{}, 0)
	doc := htmlParse(t, out)
	htmlCheckOffline(t, doc)
	var sec *html.Node
	for _, s := range htmlElements(doc, "section") {
		if htmlHasClass(s, "gradients") {
			if sec != nil {
				t.Fatal("two gradient sections")
			}
			sec = s
		}
	}
	if sec == nil {
		t.Fatal("no gradient-flow section")
	}
	if h := htmlElements(sec, "h2"); len(h) != 1 || htmlText(h[0]) != "Gradient flow" {
		t.Errorf("heading %v", h)
	}
	if !bytes.Contains(out, []byte(`<a href="#`+htmlAttr(sec, "id")+`">gradient flow</a>`)) {
		t.Error("no link to the section")
	}

	// The table: one row per cell, each entry the lines of its GradientAggregate.
	ts, err := c.GradientTables(Query{})
	if err != nil {
		t.Fatal(err)
	}
	tables := htmlElements(sec, "table")
	if len(tables) != 1 || !htmlHasClass(tables[0], "gradients") {
		t.Fatalf("%d tables in the section", len(tables))
	}
	rows := htmlElements(htmlElements(tables[0], "tbody")[0], "tr")
	if len(rows) != len(ts[0].Rows) {
		t.Fatalf("%d rows", len(rows))
	}
	marks := map[string]int{}
	for r, row := range rows {
		if th := htmlElements(row, "th"); htmlText(th[0]) != ts[0].Rows[r] {
			t.Errorf("row %d: %q", r, htmlText(th[0]))
		}
		for col, td := range htmlElements(row, "td") {
			want := ts[0].Cells[r][col].Lines()
			var got []string
			for _, span := range htmlElements(td, "span") {
				switch {
				case htmlHasClass(span, "line"):
					got = append(got, htmlText(span))
				case htmlHasClass(span, "below"), htmlHasClass(span, "above"):
					marks[htmlAttr(span, "class")+" "+htmlText(span)[len(htmlText(span))-3:]]++
				}
			}
			if strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("%s T=%s: %q, want %q", ts[0].Rows[r], ts[0].Cols[col], got, want)
			}
		}
	}
	// 16 blocks (gru 3, lstm 4, rnn 1; at T=10 and T=30), at init and at the end: 32
	// marked values, each class with its arrow.
	if len(marks) != 2 || marks["below ↓"]+marks["above ↑"] != 32 {
		t.Errorf("marks %v", marks)
	}

	// The figures: init and end for T=10 and T=30, in that order.
	var titles []string
	for _, f := range htmlElements(sec, "figure") {
		titles = append(titles, htmlAttr(f, "aria-label"))
		if len(htmlElements(f, "svg")) != 1 {
			t.Errorf("figure %q has no inline SVG", htmlAttr(f, "aria-label"))
		}
	}
	want := []string{
		"adding, T=10: ‖∂C/∂h‖ vs lag at init", "adding, T=10: ‖∂C/∂h‖ vs lag at the end of training",
		"adding, T=30: ‖∂C/∂h‖ vs lag at init", "adding, T=30: ‖∂C/∂h‖ vs lag at the end of training",
	}
	if strings.Join(titles, "|") != strings.Join(want, "|") {
		t.Errorf("figures %q", titles)
	}

	// Deterministic.
	if again := htmlRender(t, loadGradFixture(t), Query{}, 0); !bytes.Equal(out, again) {
		t.Error("two renders of gradfixture differ")
	}
	// Without records: no section.
	if old := htmlRender(t, loadPlotFixture(t), Query{}, 0); bytes.Contains(old, []byte("Gradient flow")) {
		t.Error("a gradient-flow section without records")
	}
	// The section follows the query's filter.
	if out := htmlRender(t, c, Query{Where: map[string]string{"cell": "rnn"}}, 0); !bytes.Contains(out, []byte("<h2>Gradient flow</h2>")) {
		t.Error("no section for the rnn trials")
	}
}
