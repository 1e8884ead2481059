package results

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

// WriteHTML writes a report as one self-contained HTML page that needs no network: inline
// CSS and inline SVG figures. It shows
//
//   - a title naming the sweep(s) and the generation facts: the sweeps and their trial
//     counts, the trials by state, the query, the expctl versions that produced the results;
//   - each sweep's specification as written (deduplicated when shards share it);
//   - for each task: the metric table (entries are [Aggregate.Text]; for a loss a last
//     "baseline" row), the steps-to-solve table (median [min–max] over the solved trials)
//     and the "longest T solved" summary (see [Table.LongestSolved], k = minSolved, 0 for
//     all trials of a cell), all as <table> elements; the final-metric figure
//     ([PlotFinal]) and a learning-curve figure per column value ([PlotCurves]);
//   - when any trial has a gradflow.csv, a "Gradient flow" section: per task the table of
//     σ_max and clip rates ([Collection.GradientTables]; σ_max below its threshold 1/γ in
//     class "below", above it in class "above") and, per column value, the gradient-flow
//     figures at init and at the end of training ([PlotGradFlow]);
//   - the trials that did not finish normally (diverged, failed, running, incomplete,
//     missing) with their error, and the problems found while loading, when there are any.
//
// Numeric entries have class "num"; entries that are words (states such as "2 diverged",
// "—" for no value, "·" for no such trial) have class "state" and are set apart. Text
// from the files (names, specification, errors) is escaped. The output depends only on
// the inputs: two calls give the same bytes.
func WriteHTML(w io.Writer, c *Collection, q Query, minSolved int) error {
	r, err := NewReport(c, q, minSolved)
	if err != nil {
		return err
	}
	page, err := buildHTMLPage(c, r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, page); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// The page's content, ready for the template.
type (
	htmlPage struct {
		Title    string
		Facts    []htmlFact
		Specs    []htmlSpec
		Tasks    []htmlTask
		Grad     *htmlGradients // nil when no trial has gradient-flow records
		Trials   []htmlTrial    // not finished normally
		Problems []Problem
		NoTrials bool
	}
	htmlFact struct{ Name, Value string }
	htmlSpec struct {
		Sweeps string // names and directories of the sweeps sharing the text
		Text   string
	}
	htmlTask struct {
		ID, Name, About string
		Metric, Steps   htmlTable
		SummaryTitle    string
		SummaryHead     [2]string
		Summary         [][2]htmlCell
		Figures, Curves []htmlFigure
		NoCurves        []string // column headings without learning curves
		FinalNote       string
	}
	htmlTable struct {
		Class, Caption string
		Corner         string
		Cols           []string
		Rows           []htmlRow
		Foot           *htmlRow
		Notes          []string
	}
	htmlRow struct {
		Label string
		Cells []htmlCell
	}
	htmlCell struct {
		Text, Class, Title string
	}
	htmlFigure struct {
		Title string
		SVG   template.HTML
	}
	htmlTrial struct {
		ID, State, Msg string
	}
	htmlGradients struct {
		ID    string
		Tasks []htmlGradTask
	}
	htmlGradTask struct {
		Name      string
		Table     htmlGradTable
		Figures   []htmlFigure
		NoFigures []string // column headings without gradient-flow records
	}
	htmlGradTable struct {
		Caption, Corner string
		Cols            []string
		Rows            []htmlGradRow
		Notes           []string
	}
	htmlGradRow struct {
		Label string
		Cells []htmlGradCell
	}
	htmlGradCell struct {
		Class, Title string
		Lines        [][]htmlGradPart
	}
	htmlGradPart struct {
		Text, Class string
	}
)

func buildHTMLPage(c *Collection, r *Report) (*htmlPage, error) {
	q := r.Query
	page := &htmlPage{Problems: r.Problems}

	// Title and facts.
	var names []string
	for _, s := range c.Sweeps {
		if !contains(names, s.Name) {
			names = append(names, s.Name)
		}
	}
	page.Title = "expctl report: " + strings.Join(names, ", ")
	if len(names) == 0 {
		page.Title = "expctl report"
	}
	for _, s := range c.Sweeps {
		n := 0
		for _, t := range c.Trials {
			if t.Sweep == s.Dir {
				n++
			}
		}
		page.Facts = append(page.Facts, htmlFact{"Sweep", fmt.Sprintf("%s (%s): %d %s", s.Name, s.Dir, n, plotPlural(n, "trial", "trials"))})
	}
	var kept []*Trial
	for _, t := range c.Trials {
		if q.keeps(t) {
			kept = append(kept, t)
		}
	}
	if len(kept) == len(c.Trials) {
		page.Facts = append(page.Facts, htmlFact{"Trials", htmlStateSummary(kept)})
	} else {
		page.Facts = append(page.Facts, htmlFact{"Trials shown", htmlStateSummary(kept)},
			htmlFact{"All trials", htmlStateSummary(c.Trials)})
	}
	agg := "mean ± sd"
	if q.Agg == Median {
		agg = "median [min–max]"
	}
	query := fmt.Sprintf("rows %s, columns %s, metric %s, %s", q.Rows, q.Cols, q.Metric, agg)
	if len(q.Where) > 0 {
		var ws []string
		for k, v := range q.Where {
			ws = append(ws, k+"="+v)
		}
		sort.Strings(ws)
		query += ", where " + strings.Join(ws, ", ")
	}
	page.Facts = append(page.Facts, htmlFact{"Query", query})
	var versions []string
	for _, t := range kept {
		if t.Result != nil && t.Result.Version != "" && !contains(versions, t.Result.Version) {
			versions = append(versions, t.Result.Version)
		}
	}
	if len(versions) > 0 {
		sort.Strings(versions)
		page.Facts = append(page.Facts, htmlFact{"expctl version", strings.Join(versions, ", ")})
	}
	if len(r.Problems) > 0 {
		page.Facts = append(page.Facts, htmlFact{"Problems", fmt.Sprintf("%d (listed at the end)", len(r.Problems))})
	}

	// Specifications, one per distinct text.
	bySpec := map[string]int{}
	for _, s := range c.Sweeps {
		if s.Spec == "" {
			continue
		}
		who := s.Name + " (" + s.Dir + ")"
		if i, ok := bySpec[s.Spec]; ok {
			page.Specs[i].Sweeps += ", " + who
			continue
		}
		bySpec[s.Spec] = len(page.Specs)
		page.Specs = append(page.Specs, htmlSpec{Sweeps: who, Text: s.Spec})
	}

	// One section per task.
	page.NoTrials = len(r.Tables) == 0
	ids := map[string]bool{}
	for i, t := range r.Tables {
		task, err := buildHTMLTask(c, r, t, r.Steps[i])
		if err != nil {
			return nil, err
		}
		task.ID = htmlID("task-"+t.Task, ids)
		page.Tasks = append(page.Tasks, task)
	}

	// Gradient flow, when there are records.
	if hasGradFlow(kept) {
		g, err := buildHTMLGradients(c, r.Query)
		if err != nil {
			return nil, err
		}
		g.ID = htmlID("gradient-flow", ids)
		page.Grad = g
	}

	// Trials that did not finish normally.
	for _, t := range kept {
		switch t.State {
		case Solved, Unsolved:
			continue
		}
		tr := htmlTrial{ID: t.ID, State: t.State}
		if t.Result != nil {
			tr.Msg = htmlFirstLine(t.Result.Error, 300)
		}
		page.Trials = append(page.Trials, tr)
	}
	return page, nil
}

func buildHTMLTask(c *Collection, r *Report, t, st *Table) (htmlTask, error) {
	q := r.Query
	task := htmlTask{Name: t.Task}

	// What the task asks: the solve criterion and the baseline, from a result.
	for _, tr := range c.Trials {
		if tr.Field("task") == t.Task && q.keeps(tr) && tr.Result != nil && tr.Result.Criterion != "" {
			task.About = "Solved when " + tr.Result.Criterion + "."
			break
		}
	}

	agg := "mean ± sd"
	if q.Agg == Median {
		agg = "median [min–max]"
	}
	many := "seeds"
	if len(t.Over) > 0 {
		many = "trials"
	}
	metric := t.MetricName
	if metric != q.Metric {
		metric += " (" + q.Metric + ")"
	}
	task.Metric = htmlGrid(t, "metric", fmt.Sprintf("Final %s, %s over %s", metric, agg, many), func(cell *Aggregate) htmlCell {
		return htmlEntry(cell, cell.Text(q.Agg))
	})
	if q.Metric == TestLoss || q.Metric == BestTestLoss {
		foot := htmlRow{Label: "baseline"}
		for _, b := range t.ColBaseline {
			if math.IsNaN(b) {
				foot.Cells = append(foot.Cells, htmlCell{Text: "varies", Class: "state", Title: "the trials of this column have different baselines"})
			} else {
				foot.Cells = append(foot.Cells, htmlCell{Text: num(b), Class: "num baseline"})
			}
		}
		task.Metric.Foot = &foot
		task.Metric.Notes = append(task.Metric.Notes, "baseline: the loss of the best memoryless predictor; a cell that learned the task is well below it.")
	}
	solved, n := 0, 0
	for _, row := range st.Cells {
		for _, cell := range row {
			if cell != nil {
				solved += cell.Count(Solved)
				n += cell.N
			}
		}
	}
	task.Steps = htmlGrid(st, "steps", fmt.Sprintf("Steps to solve, median [min–max] over the solved trials (%d/%d solved)", solved, n), func(cell *Aggregate) htmlCell {
		return htmlEntry(cell, stepsEntry(cell).text()) // as in the text formats: "k/n solved"
	})

	// The summary: longest column value solved, per row.
	if sum := summaryTable(t); sum != nil {
		one, many := "seed", "seeds"
		if len(t.Over) > 0 {
			one, many = "trial", "trials"
		}
		what := "Longest " + sum.Query.Cols
		if sum.Query.Cols != "T" {
			what = "Largest " + sum.Query.Cols
		}
		if r.MinSolved <= 0 {
			task.SummaryTitle = what + " solved in all " + many
		} else {
			task.SummaryTitle = fmt.Sprintf("%s solved in ≥ %d %s", what, r.MinSolved, plotPlural(r.MinSolved, one, many))
		}
		task.SummaryHead = [2]string{sum.Query.Rows, "longest " + sum.Query.Cols + " solved"}
		if sum.Query.Cols != "T" {
			task.SummaryHead[1] = "largest " + sum.Query.Cols + " solved"
		}
		for _, l := range sum.LongestSolved(r.MinSolved) {
			v := htmlCell{Text: "none", Class: "state"}
			if l.Col != "" {
				v = htmlCell{Text: fmt.Sprintf("%s (%d/%d)", l.Col, l.Solved, l.Of), Class: "num solved-all"}
				if l.Solved < l.Of {
					v.Class = "num solved-some"
				}
			}
			task.Summary = append(task.Summary, [2]htmlCell{{Text: l.Row}, v})
		}
	}

	// Figures.
	figs, err := plotTaskFigures(c, q, t)
	if err != nil {
		return task, err
	}
	for i, f := range figs {
		if f.lines == 0 {
			if i == 0 {
				task.FinalNote = "No cell has a value to plot yet."
			} else {
				task.NoCurves = append(task.NoCurves, q.Cols+"="+t.Cols[i-1])
			}
			continue
		}
		svg, err := plotSVG(f.plot)
		if err != nil {
			return task, fmt.Errorf("%s: %w", f.name, err)
		}
		fig := htmlFigure{Title: f.title, SVG: inlineSVG(svg)}
		if i == 0 {
			task.Figures = append(task.Figures, fig)
		} else {
			task.Curves = append(task.Curves, fig)
		}
	}
	return task, nil
}

// buildHTMLGradients lays out the gradient tables and figures of each task.
func buildHTMLGradients(c *Collection, q Query) (*htmlGradients, error) {
	ts, err := c.GradientTables(q)
	if err != nil {
		return nil, err
	}
	tables, err := c.Tables(gradientQuery(q))
	if err != nil {
		return nil, err
	}
	g := &htmlGradients{}
	for i, t := range ts {
		gt := htmlGradTask{Name: t.Task}
		many := "seeds"
		if len(t.Over) > 0 {
			many = "trials"
		}
		gt.Table = htmlGradTable{
			Caption: "σ_max of the recurrent blocks at init → at the end, and clip rate, medians over " + many,
			Corner:  t.Query.Rows + " \\ " + t.Query.Cols,
			Notes:   gradientNotes(t),
		}
		for _, col := range t.Cols {
			gt.Table.Cols = append(gt.Table.Cols, t.Query.Cols+"="+col)
		}
		for r, row := range t.Rows {
			hr := htmlGradRow{Label: row}
			for _, cell := range t.Cells[r] {
				hc := htmlGradCell{Class: "grad num"}
				switch {
				case cell == nil:
					hc.Class, hc.Title = "grad state none", "no such trial"
				case !cell.hasValues():
					hc.Class = "grad state"
				}
				if cell != nil {
					var states []string
					for _, s := range stateOrderHTML(cell.States) {
						states = append(states, fmt.Sprintf("%d %s", cell.States[s], s))
					}
					hc.Title = fmt.Sprintf("%d %s (%d with records): %s", cell.N, plotPlural(cell.N, "trial", "trials"), cell.Recorded, strings.Join(states, ", "))
				}
				for _, line := range cell.lineParts() {
					var parts []htmlGradPart
					for _, p := range line {
						parts = append(parts, htmlGradPart{Text: p.text, Class: p.class})
					}
					hc.Lines = append(hc.Lines, parts)
				}
				hr.Cells = append(hr.Cells, hc)
			}
			gt.Table.Rows = append(gt.Table.Rows, hr)
		}
		for _, p := range t.Problems {
			gt.Table.Notes = append(gt.Table.Notes, "Unreadable: "+p.String())
		}
		figs, err := gradientFigures(c, q, tables[i])
		if err != nil {
			return nil, err
		}
		for j, f := range figs {
			if f.lines == 0 {
				if j%2 == 0 {
					gt.NoFigures = append(gt.NoFigures, q.withDefaults().Cols+"="+tables[i].Cols[j/2])
				}
				continue
			}
			svg, err := plotSVG(f.plot)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f.name, err)
			}
			gt.Figures = append(gt.Figures, htmlFigure{Title: f.title, SVG: inlineSVG(svg)})
		}
		g.Tasks = append(g.Tasks, gt)
	}
	return g, nil
}

// htmlGrid lays out a table: one row per row value, one column per column value.
func htmlGrid(t *Table, class, caption string, cell func(*Aggregate) htmlCell) htmlTable {
	g := htmlTable{Class: class, Caption: caption, Corner: t.Query.Rows + " \\ " + t.Query.Cols}
	for _, col := range t.Cols {
		g.Cols = append(g.Cols, t.Query.Cols+"="+col)
	}
	for r, row := range t.Rows {
		hr := htmlRow{Label: row}
		for c := range t.Cols {
			hr.Cells = append(hr.Cells, cell(t.Cells[r][c]))
		}
		g.Rows = append(g.Rows, hr)
	}
	if len(t.Over) > 0 {
		g.Notes = append(g.Notes, "Aggregated over differing "+strings.Join(t.Over, ", ")+".")
	}
	return g
}

// htmlEntry classifies a cell shown as text: a number, or words ("state"); the
// background tells how many of its trials were solved, the tooltip its trials by state.
func htmlEntry(c *Aggregate, text string) htmlCell {
	e := htmlCell{Text: text, Class: "state"}
	if c == nil {
		e.Class, e.Title = "state none", "no such trial"
		return e
	}
	if len(c.Values) > 0 {
		e.Class = "num"
	}
	switch s := c.Count(Solved); {
	case s == c.N:
		e.Class += " solved-all"
	case s > 0:
		e.Class += " solved-some"
	}
	var states []string
	for _, s := range stateOrderHTML(c.States) {
		states = append(states, fmt.Sprintf("%d %s", c.States[s], s))
	}
	e.Title = fmt.Sprintf("%d %s: %s", c.N, plotPlural(c.N, "trial", "trials"), strings.Join(states, ", "))
	return e
}

// stateOrderHTML lists the states with trials: results first, then unfinished states,
// then any others sorted.
func stateOrderHTML(m map[string]int) []string {
	known := []string{Solved, Unsolved, Diverged, Failed, Running, Incomplete, Missing}
	var out, extra []string
	for _, s := range known {
		if m[s] > 0 {
			out = append(out, s)
		}
	}
	for s, k := range m {
		if k > 0 && !contains(known, s) {
			extra = append(extra, s)
		}
	}
	sort.Strings(extra)
	return append(out, extra...)
}

// htmlStateSummary is "16 trials: 6 solved, 5 unsolved, 1 diverged, …".
func htmlStateSummary(trials []*Trial) string {
	m := map[string]int{}
	for _, t := range trials {
		m[t.State]++
	}
	var parts []string
	for _, s := range stateOrderHTML(m) {
		parts = append(parts, fmt.Sprintf("%d %s", m[s], s))
	}
	s := fmt.Sprintf("%d %s", len(trials), plotPlural(len(trials), "trial", "trials"))
	if len(parts) > 0 {
		s += ": " + strings.Join(parts, ", ")
	}
	return s
}

// htmlFirstLine returns the first line of s, cut to at most max bytes (on a rune boundary).
func htmlFirstLine(s string, max int) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > max {
		s = strings.ToValidUTF8(s[:max], "") + "…"
	}
	return s
}

// htmlID returns a unique element id made of safe characters.
func htmlID(s string, used map[string]bool) string {
	id := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return '_'
	}, s)
	base := id
	for i := 2; used[id]; i++ {
		id = base + "-" + strconv.Itoa(i)
	}
	used[id] = true
	return id
}

// htmlParts splits a cell's text at its spaces into the pieces that must not break
// across lines: "0.012 [0.0096–0.014]" gives "0.012" and "[0.0096–0.014]", and
// "0.0038 ± 0.004" gives "0.0038" and "± 0.004". Joined by spaces they are the text.
func htmlParts(s string) []string {
	var parts []string
	for _, w := range strings.Split(s, " ") {
		if n := len(parts); n > 0 && parts[n-1] == "±" {
			parts[n-1] += " " + w
			continue
		}
		parts = append(parts, w)
	}
	return parts
}

// inlineSVG prepares an SVG document for inclusion in HTML: without the XML declaration
// and comments before the <svg> element. The document comes from the plotting library,
// which escapes the text it draws.
func inlineSVG(doc []byte) template.HTML {
	if i := bytes.Index(doc, []byte("<svg")); i >= 0 {
		doc = doc[i:]
	}
	return template.HTML(bytes.TrimSpace(doc))
}

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{"parts": htmlParts}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
:root { --fg: #1a1a1a; --muted: #5a5a5a; --rule: #c8c8c8; --state-bg: #fbeee4; --state-fg: #8a3b00;
        --all-bg: #c8e8d5; --some-bg: #e8f4ec; }
* { box-sizing: border-box; }
body { margin: 0 auto; padding: 16px 24px 48px; max-width: 1260px; color: var(--fg);
       font: 15px/1.45 "Liberation Sans", Arial, Helvetica, sans-serif; background: #fff; }
h1 { font-size: 24px; margin: 0 0 8px; }
h2 { font-size: 20px; margin: 28px 0 8px; padding-top: 8px; border-top: 2px solid var(--rule); }
h3 { font-size: 16px; margin: 14px 0 6px; }
p.about { margin: 0 0 8px; color: var(--muted); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0 0 12px; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
pre.spec { background: #f5f5f5; border: 1px solid var(--rule); padding: 8px 12px; overflow-x: auto;
           font: 13px/1.35 "Liberation Mono", Menlo, Consolas, monospace; margin: 4px 0 12px; }
.tables { display: flex; flex-wrap: wrap; gap: 12px 28px; align-items: flex-start; }
.tables > div { min-width: 0; max-width: 100%; overflow-x: auto; }
table { border-collapse: collapse; margin: 4px 0; font-variant-numeric: tabular-nums; }
caption { caption-side: top; text-align: left; font-weight: bold; padding: 0 0 4px; max-width: 36em; }
th, td { border: 1px solid var(--rule); padding: 3px 10px; }
thead th { background: #f0f0f0; text-align: center; }
tbody th, tfoot th { text-align: left; background: #fafafa; font-weight: normal; }
td.num { text-align: right; }
span.nb { white-space: nowrap; }
td.state { text-align: center; font-style: italic; color: var(--state-fg); background: var(--state-bg); }
td.none { color: var(--muted); background: #fff; }
td.solved-all { background: var(--all-bg); }
td.solved-some { background: var(--some-bg); }
tfoot td, tfoot th { color: var(--muted); border-top: 2px solid var(--rule); }
p.note, p.key { margin: 2px 0; font-size: 13px; color: var(--muted); max-width: 48em; }
span.swatch { display: inline-block; width: 1.6em; height: 0.9em; vertical-align: middle;
              border: 1px solid var(--rule); }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 8px 20px; margin-top: 14px; }
figure { margin: 0; }
figure svg { display: block; width: 100%; max-width: 640px; height: auto; }
figure svg text { font-family: "Liberation Sans", Arial, Helvetica, sans-serif !important; }
ul.trials, ul.problems { padding-left: 20px; }
ul.trials code, ul.problems code { font-size: 13px; }
.msg { color: var(--muted); }
td.grad { text-align: left; }
td.grad span.line { display: block; white-space: nowrap; }
span.below { color: #0060a0; }
span.above { color: #b34700; font-weight: bold; }
</style>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
<dl class="facts">
{{- range .Facts}}
<dt>{{.Name}}</dt><dd>{{.Value}}</dd>
{{- end}}
</dl>
{{- if .Tasks}}
<p class="key">Tasks: {{range $i, $t := .Tasks}}{{if $i}}, {{end}}<a href="#{{$t.ID}}">{{$t.Name}}</a>{{end}}{{with .Grad}}; <a href="#{{.ID}}">gradient flow</a>{{end}}.
Table key: <span class="swatch" style="background: var(--all-bg)"></span> all trials solved,
<span class="swatch" style="background: var(--some-bg)"></span> some solved,
<span class="swatch" style="background: var(--state-bg)"></span> no value: the cell shows its trials' states.</p>
{{- end}}
</header>
{{- range .Specs}}
<section class="spec">
<h2>Specification: {{.Sweeps}}</h2>
<pre class="spec">{{.Text}}</pre>
</section>
{{- end}}
{{- if .NoTrials}}
<p>No trials match the query.</p>
{{- end}}
{{- range .Tasks}}
<section class="task" id="{{.ID}}">
<h2>Task {{.Name}}</h2>
{{- if .About}}
<p class="about">{{.About}}</p>
{{- end}}
<div class="tables">
<div>{{template "table" .Metric}}</div>
<div>{{template "table" .Steps}}</div>
{{- if .Summary}}
<div>
<table class="summary">
<caption>{{.SummaryTitle}}</caption>
<thead><tr><th>{{index .SummaryHead 0}}</th><th>{{index .SummaryHead 1}}</th></tr></thead>
<tbody>
{{- range .Summary}}
<tr><th>{{(index . 0).Text}}</th><td class="{{(index . 1).Class}}">{{(index . 1).Text}}</td></tr>
{{- end}}
</tbody>
</table>
</div>
{{- end}}
</div>
<div class="figures">
{{- range .Figures}}
<figure aria-label="{{.Title}}">{{.SVG}}</figure>
{{- end}}
{{- range .Curves}}
<figure aria-label="{{.Title}}">{{.SVG}}</figure>
{{- end}}
</div>
{{- if .FinalNote}}
<p class="note">{{.FinalNote}}</p>
{{- end}}
{{- if .NoCurves}}
<p class="note">No learning curves yet for {{range $i, $c := .NoCurves}}{{if $i}}, {{end}}{{$c}}{{end}}.</p>
{{- end}}
</section>
{{- end}}
{{- with .Grad}}
<section class="gradients" id="{{.ID}}">
<h2>Gradient flow</h2>
<p class="about">‖∂C/∂h_t‖ on a fixed diagnostic batch against the lag k = L−1−t (how many steps before the
end of the sequence h_t is), at initialisation and at the end of training, median over trials: a line
that falls with the lag is a vanishing gradient. The table gives the largest singular value σ_max of
each recurrent block against the threshold 1/γ of Pascanu et al. (2013), and how often the gradient
norm was clipped.</p>
{{- range .Tasks}}
<h3>Task {{.Name}}</h3>
<div class="tables">
<div>{{template "gradtable" .Table}}</div>
</div>
<div class="figures">
{{- range .Figures}}
<figure aria-label="{{.Title}}">{{.SVG}}</figure>
{{- end}}
</div>
{{- if .NoFigures}}
<p class="note">No gradient-flow records for {{range $i, $c := .NoFigures}}{{if $i}}, {{end}}{{$c}}{{end}}.</p>
{{- end}}
{{- end}}
</section>
{{- end}}
{{- if .Trials}}
<section class="unfinished">
<h2>Trials that did not finish normally</h2>
<ul class="trials">
{{- range .Trials}}
<li><code>{{.ID}}</code>: {{.State}}{{if .Msg}} — <span class="msg">{{.Msg}}</span>{{end}}</li>
{{- end}}
</ul>
</section>
{{- end}}
{{- if .Problems}}
<section class="problems" id="problems">
<h2>Problems</h2>
<p class="note">Files that could not be used; the trials concerned are skipped or counted as unfinished.</p>
<ul class="problems">
{{- range .Problems}}
<li><code>{{.Path}}</code>: {{.Msg}}</li>
{{- end}}
</ul>
</section>
{{- end}}
</body>
</html>
{{define "cell" -}}
<td class="{{.Class}}"{{if .Title}} title="{{.Title}}"{{end}}>{{range $i, $p := parts .Text}}{{if $i}} {{end}}<span class="nb">{{$p}}</span>{{end}}</td>
{{- end}}
{{define "gradtable" -}}
<table class="gradients">
<caption>{{.Caption}}</caption>
<thead><tr><th>{{.Corner}}</th>{{range .Cols}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{- range .Rows}}
<tr><th>{{.Label}}</th>{{range .Cells}}<td class="{{.Class}}"{{if .Title}} title="{{.Title}}"{{end}}>{{range .Lines}}<span class="line">{{range .}}{{if .Class}}<span class="{{.Class}}">{{.Text}}</span>{{else}}{{.Text}}{{end}}{{end}}</span>{{end}}</td>{{end}}</tr>
{{- end}}
</tbody>
</table>
{{- range .Notes}}
<p class="note">{{.}}</p>
{{- end}}
{{- end}}
{{define "table" -}}
<table class="{{.Class}}">
<caption>{{.Caption}}</caption>
<thead><tr><th>{{.Corner}}</th>{{range .Cols}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{- range .Rows}}
<tr><th>{{.Label}}</th>{{range .Cells}}{{template "cell" .}}{{end}}</tr>
{{- end}}
</tbody>
{{- with .Foot}}
<tfoot><tr><th>{{.Label}}</th>{{range .Cells}}{{template "cell" .}}{{end}}</tr></tfoot>
{{- end}}
</table>
{{- range .Notes}}
<p class="note">{{.}}</p>
{{- end}}
{{- end}}
`))
