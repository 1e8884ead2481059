package results

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// Format is an output format for tables.
type Format string

// The output formats.
const (
	Terminal Format = "terminal" // boxed text tables
	Markdown Format = "markdown" // GitHub pipe tables
	CSV      Format = "csv"      // one CSV block per table, blank line between, first column = row field
	LaTeX    Format = "latex"    // booktabs tabular environments, special characters escaped
	JSON     Format = "json"     // one JSON document (see WriteTables)
)

// Formats lists the formats.
var Formats = []Format{Terminal, Markdown, CSV, LaTeX, JSON}

// ParseFormat returns the format named s (case-insensitive), or an error listing the known
// ones.
func ParseFormat(s string) (Format, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	names := make([]string, len(Formats))
	for i, f := range Formats {
		if string(f) == name {
			return f, nil
		}
		names[i] = string(f)
	}
	return "", fmt.Errorf("unknown format %q (known: %s)", s, strings.Join(names, ", "))
}

// Report is what a report shows, built from a collection and a query.
type Report struct {
	Query     Query     // with defaults applied
	MinSolved int       // k for the summary (0 = all trials of a cell)
	Tables    []*Table  // the metric tables, one per task
	Steps     []*Table  // the steps-to-solve tables, same order (Query.Metric = StepsToSolve, Agg = Median)
	Problems  []Problem // from the collection
}

// NewReport builds a Report: the metric tables of q and, for the same trials, the
// steps-to-solve tables. minSolved is the k of the summary "longest T solved in ≥ k seeds"
// (0 or less: all trials of a cell).
func NewReport(c *Collection, q Query, minSolved int) (*Report, error) {
	q = q.withDefaults()
	tables, err := c.Tables(q)
	if err != nil {
		return nil, err
	}
	sq := q
	sq.Metric, sq.Agg = StepsToSolve, Median
	steps, err := c.Tables(sq)
	if err != nil {
		return nil, err
	}
	if len(steps) != len(tables) {
		return nil, fmt.Errorf("report: %d metric tables but %d steps tables", len(tables), len(steps))
	}
	for i := range tables {
		if steps[i].Task != tables[i].Task || !slices.Equal(steps[i].Rows, tables[i].Rows) || !slices.Equal(steps[i].Cols, tables[i].Cols) {
			return nil, fmt.Errorf("report: steps table of %s does not match its metric table", tables[i].Task)
		}
	}
	if minSolved < 0 {
		minSolved = 0
	}
	return &Report{Query: q, MinSolved: minSolved, Tables: tables, Steps: steps, Problems: c.Problems}, nil
}

// WriteTables renders the tables of a report in format f. For each table (one per task),
// in order:
//
//  1. the metric table: a title naming the task, the metric, the aggregation and the
//     trials by state; a header with the row field and the column values ("T=5"); one row
//     per row value with [Aggregate.Text] in each cell; for a loss, a last "baseline" row with
//     the column's memoryless baseline loss ("varies" where the trials of a column
//     disagree);
//  2. the steps-to-solve table on the same grid: median [min–max] of solved_at_step over
//     the solved trials and "k/n solved";
//  3. the summary, one line per row value: "lstm: longest T solved in all seeds: 10 (2/2)",
//     or "in ≥ k seeds" when r.MinSolved is k > 0, or "… none" (see [Table.LongestSolved]).
//     When the column values are not numbers but the row values are (--rows T --cols
//     cell), it is one line per column value instead; when neither are, it is left out.
//
// Under a table come its footnotes: "aggregated over differing lr, batch" when
// [Table.Over] is not empty, and a legend of the non-numeric entries it holds. Entries that
// are not numbers are words ("2 diverged", "1 missing", "—" for no value, "·" for no such
// trial); LaTeX sets them in \emph, CSV writes the text as is. Problems of the collection
// are listed at the end.
//
// Terminal and Markdown are tables drawn by tablewriter. CSV has one block per table, the
// first column being the row field, preceded by a "# title" comment line and followed by
// "# note" lines, blocks separated by a blank line (read it with comment character '#' and
// a variable number of fields). LaTeX has one table float per table holding a booktabs
// tabular (\toprule, \midrule, \bottomrule; it needs \usepackage{booktabs}).
//
// JSON is one document; NaN and infinite numbers are null:
//
//	{"query": {"rows": "cell", "cols": "T", "metric": "test_loss", "agg": "mean", "where": {}},
//	 "min_solved": 0,
//	 "tables": [{"task": "adding", "metric": "test_loss", "rows": ["lstm", "rnn"], "cols": ["5", "10"],
//	             "baseline": [0.1667, 0.1667],  // per column; null where it varies
//	             "over": [],                    // fields mixed within a cell besides seed
//	             "cells": [[{"n": 2, "values": [...], "mean": ..., "sd": ..., "median": ...,
//	                         "min": ..., "max": ..., "states": {"solved": 2},
//	                         "text": "0.0123 ± 0.004"} | null, ...], ...],  // [row][col]
//	             "steps_to_solve": <same shape as cells, over solved_at_step>,
//	             "longest_solved": [{"row": "lstm", "col": "10", "solved": 1, "of": 2}, ...]}],
//	 "problems": [{"path": "...", "msg": "..."}]}
func WriteTables(w io.Writer, r *Report, f Format) error {
	if r == nil {
		return fmt.Errorf("write tables: no report")
	}
	ew := &errWriter{w: w}
	switch f {
	case Terminal, Markdown:
		if err := writeText(ew, r, f == Markdown); err != nil {
			return err
		}
	case CSV:
		writeCSV(ew, r)
	case LaTeX:
		writeLaTeX(ew, r)
	case JSON:
		return writeJSON(ew, r)
	default:
		_, err := ParseFormat(string(f))
		if err == nil {
			err = fmt.Errorf("unknown format %q (use ParseFormat)", f)
		}
		return err
	}
	return ew.err
}

// errWriter keeps the first write error and drops later writes.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

// ---- the format-independent content of a report

// entry is one cell as shown: a number part and a words part, either possibly empty.
type entry struct {
	num  string // e.g. "0.0123 ± 0.004" or "200 [200–400]"
	note string // e.g. "1/2, 1 failed", "2 diverged", "—", "·"
}

// text is the entry as plain text: "num (note)", "num" or "note".
func (e entry) text() string {
	switch {
	case e.num == "":
		return e.note
	case e.note == "":
		return e.num
	}
	return e.num + " (" + e.note + ")"
}

// title is the line above a table: "adding: test_loss, mean ± sd over seeds (…)".
type title struct {
	task   string
	metric string // the metric's name, "" for none
	alias  string // the query's name of the metric when it differs ("test_metric")
	rest   string
}

func (t title) String() string {
	s := t.task + ": "
	if t.metric != "" {
		s += t.metric
		if t.alias != "" {
			s += " (" + t.alias + ")"
		}
		s += ", "
	}
	return s + t.rest
}

// markdown sets the task in bold and the metric names as code.
func (t title) markdown() string {
	s := "**" + mdEscape(t.task) + "**: "
	if t.metric != "" {
		s += "`" + t.metric + "`"
		if t.alias != "" {
			s += " (`" + t.alias + "`)"
		}
		s += ", "
	}
	return s + mdEscape(t.rest)
}

// grid is one table ready to be drawn in any format.
type grid struct {
	title  title
	corner string   // the row field
	cols   []string // the column headings, "T=5"
	labels []string // the row values
	cells  [][]entry
	foot   []entry // the baseline row, nil if none
	notes  []string
}

// section is what a report shows for one task.
type section struct {
	task          string
	metric, steps grid
	summary       []string // "lstm: longest T solved in all seeds: 10 (2/2)"; nil when not shown
	summaryTitle  string   // "longest T solved in all seeds"
	longest       []Longest
	rowField      string
	colField      string
}

// Unfinished and non-result states, in the order they are shown.
var unfinishedStates = []string{Diverged, Failed, Running, Incomplete, Missing}

// legend explains the words that can stand in a cell.
var legend = map[string]string{
	Diverged:   "diverged = loss or gradient became NaN/Inf",
	Failed:     "failed = could not run",
	Running:    "running = still training",
	Incomplete: "incomplete = stopped before finishing",
	Missing:    "missing = never started",
	"—":        "— = no value",
	"·":        "· = no such trial",
	"partial":  "(k/n, …) = k of n trials have a value",
	"baseline": "baseline = loss of the best memoryless predictor",
	"varies":   "varies = the trials of the column have different baselines",
}

func isLoss(metric string) bool { return metric == TestLoss || metric == BestTestLoss }

func colHeading(field, v string) string { return field + "=" + v }

// rowLabel names a row value in prose: as is for words ("lstm"), "field=value" for numbers.
func rowLabel(field, v string) string {
	if isNumber(v) {
		return field + "=" + v
	}
	return v
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

func allNumbers(vs []string) bool {
	for _, v := range vs {
		if !isNumber(v) {
			return false
		}
	}
	return len(vs) > 0
}

// stateCounts sums the trials of a table by state.
func stateCounts(t *Table) (map[string]int, int) {
	m := map[string]int{}
	n := 0
	for _, row := range t.Cells {
		for _, c := range row {
			if c == nil {
				continue
			}
			for s, k := range c.States {
				m[s] += k
			}
			n += c.N
		}
	}
	return m, n
}

// stateOrder lists states in display order, unknown ones last and sorted.
func stateOrder(m map[string]int) []string {
	known := append([]string{Solved, Unsolved}, unfinishedStates...)
	var out []string
	for _, s := range known {
		if m[s] > 0 {
			out = append(out, s)
		}
	}
	var extra []string
	for s, k := range m {
		if k > 0 && !contains(known, s) {
			extra = append(extra, s)
		}
	}
	sort.Strings(extra)
	return append(out, extra...)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// unit is what the trials of a cell differ by: seeds, or trials when other fields vary too.
func unit(t *Table) (one, many string) {
	if len(t.Over) > 0 {
		return "trial", "trials"
	}
	return "seed", "seeds"
}

func metricTitle(t *Table) title {
	counts, n := stateCounts(t)
	var parts []string
	for _, s := range stateOrder(counts) {
		parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
	}
	tt := title{task: t.Task, metric: t.MetricName}
	if t.MetricName != t.Query.Metric {
		tt.alias = t.Query.Metric
	}
	agg := "mean ± sd"
	if t.Query.Agg == Median {
		agg = "median [min–max]"
	}
	_, many := unit(t)
	tt.rest = fmt.Sprintf("%s over %s (%s: %s)", agg, many, plural(n, "trial", "trials"), strings.Join(parts, ", "))
	return tt
}

func stepsTitle(t *Table) title {
	counts, n := stateCounts(t)
	return title{task: t.Task, rest: fmt.Sprintf("steps to solve, median [min–max] over solved trials (%d/%d solved)", counts[Solved], n)}
}

// metricEntry splits Aggregate.Text into its number and words.
func metricEntry(c *Aggregate, agg string) entry {
	s := c.Text(agg)
	if c == nil || len(c.Values) == 0 {
		return entry{note: s}
	}
	if i := strings.Index(s, " ("); i >= 0 && strings.HasSuffix(s, ")") {
		return entry{num: s[:i], note: s[i+2 : len(s)-1]}
	}
	return entry{num: s}
}

// steps formats a step count: an integer, or a half for the median of an even count.
func steps(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// stepsEntry shows a steps-to-solve cell: "median [min–max]" over its solved trials and
// "k/n solved", followed by its unfinished trials.
func stepsEntry(c *Aggregate) entry {
	if c == nil {
		return entry{note: "·"}
	}
	notes := []string{fmt.Sprintf("%d/%d solved", c.Count(Solved), c.N)}
	for _, s := range unfinishedStates {
		if k := c.Count(s); k > 0 {
			notes = append(notes, fmt.Sprintf("%d %s", k, s))
		}
	}
	e := entry{note: strings.Join(notes, ", ")}
	switch {
	case len(c.Values) == 0:
	case c.Min == c.Max:
		e.num = steps(c.Median)
	default:
		e.num = fmt.Sprintf("%s [%s–%s]", steps(c.Median), steps(c.Min), steps(c.Max))
	}
	return e
}

// notesFor returns the footnotes of a table: what it aggregates over and a legend of the
// words in its cells.
func notesFor(t *Table, cells [][]entry, baseline, steps bool) []string {
	var notes []string
	if len(t.Over) > 0 {
		notes = append(notes, "Aggregated over differing "+strings.Join(t.Over, ", ")+".")
	}
	used := map[string]bool{}
	for r, row := range t.Cells {
		for c, cell := range row {
			if cell == nil {
				used["·"] = true
				continue
			}
			for _, s := range unfinishedStates {
				if cell.Count(s) > 0 {
					used[s] = true
				}
			}
			e := cells[r][c]
			if e.num == "" && e.note == "—" {
				used["—"] = true
			}
			if e.num != "" && e.note != "" && !steps {
				used["partial"] = true
			}
		}
	}
	var items []string
	if baseline {
		items = append(items, legend["baseline"])
		for _, b := range t.ColBaseline {
			if math.IsNaN(b) {
				items = append(items, legend["varies"])
				break
			}
		}
	}
	for _, k := range append([]string{"partial"}, append(unfinishedStates, "—", "·")...) {
		if used[k] {
			items = append(items, legend[k])
		}
	}
	if len(items) > 0 {
		notes = append(notes, "Legend: "+strings.Join(items, "; ")+".")
	}
	return notes
}

func buildGrid(t *Table, tt title, entryOf func(*Aggregate) entry, baseline, steps bool) grid {
	g := grid{title: tt, corner: t.Query.Rows, labels: t.Rows}
	for _, c := range t.Cols {
		g.cols = append(g.cols, colHeading(t.Query.Cols, c))
	}
	g.cells = make([][]entry, len(t.Rows))
	for r := range t.Rows {
		g.cells[r] = make([]entry, len(t.Cols))
		for c := range t.Cols {
			g.cells[r][c] = entryOf(t.Cells[r][c])
		}
	}
	if baseline {
		g.foot = make([]entry, len(t.Cols))
		for c, b := range t.ColBaseline {
			if math.IsNaN(b) {
				g.foot[c] = entry{note: "varies"}
			} else {
				g.foot[c] = entry{num: num(b)}
			}
		}
	}
	g.notes = notesFor(t, g.cells, baseline, steps)
	return g
}

// summaryTitle is "longest T solved in all seeds" or "… in ≥ 2 seeds".
func summaryTitle(t *Table, k int) string {
	one, many := unit(t)
	what := "longest " + t.Query.Cols
	if t.Query.Cols != "T" {
		what = "largest " + t.Query.Cols
	}
	if k <= 0 {
		return what + " solved in all " + many
	}
	return what + " solved in ≥ " + plural(k, one, many)
}

func (r *Report) sections() []section {
	var out []section
	for i, t := range r.Tables {
		st := r.Steps[i]
		s := section{task: t.Task}
		s.metric = buildGrid(t, metricTitle(t), func(c *Aggregate) entry { return metricEntry(c, t.Query.Agg) }, isLoss(t.Query.Metric), false)
		s.steps = buildGrid(st, stepsTitle(st), stepsEntry, false, true)
		if sum := summaryTable(t); sum != nil {
			s.rowField, s.colField = sum.Query.Rows, sum.Query.Cols
			s.longest = sum.LongestSolved(r.MinSolved)
			s.summaryTitle = summaryTitle(sum, r.MinSolved)
			for _, l := range s.longest {
				v := "none"
				if l.Col != "" {
					v = fmt.Sprintf("%s (%d/%d)", l.Col, l.Solved, l.Of)
				}
				s.summary = append(s.summary, fmt.Sprintf("%s: %s: %s", rowLabel(s.rowField, l.Row), s.summaryTitle, v))
			}
		}
		out = append(out, s)
	}
	return out
}

// summaryTable is the table whose LongestSolved the summary shows: t when its columns are
// numbers (T), t transposed when only its rows are, nil when neither is.
func summaryTable(t *Table) *Table {
	switch {
	case allNumbers(t.Cols):
		return t
	case !allNumbers(t.Rows):
		return nil
	}
	tt := &Table{Task: t.Task, Query: t.Query, MetricName: t.MetricName, Rows: t.Cols, Cols: t.Rows, Over: t.Over}
	tt.Query.Rows, tt.Query.Cols = t.Query.Cols, t.Query.Rows
	tt.Cells = make([][]*Aggregate, len(t.Cols))
	for c := range t.Cols {
		tt.Cells[c] = make([]*Aggregate, len(t.Rows))
		for r := range t.Rows {
			tt.Cells[c][r] = t.Cells[r][c]
		}
	}
	return tt
}

const noTrials = "No trials match the query."

// ---- Terminal and Markdown

func writeText(w io.Writer, r *Report, md bool) error {
	secs := r.sections()
	if len(secs) == 0 {
		fmt.Fprintln(w, noTrials)
	}
	for i, s := range secs {
		if i > 0 {
			fmt.Fprintln(w)
		}
		if err := textGrid(w, s.metric, md); err != nil {
			return err
		}
		fmt.Fprintln(w)
		if err := textGrid(w, s.steps, md); err != nil {
			return err
		}
		if len(s.summary) > 0 {
			fmt.Fprintln(w)
			for _, line := range s.summary {
				if md {
					fmt.Fprintln(w, "- "+mdEscape(line))
				} else {
					fmt.Fprintln(w, line)
				}
			}
		}
	}
	if len(r.Problems) > 0 {
		fmt.Fprintln(w)
		head := plural(len(r.Problems), "problem", "problems") + " in the results (those trials are skipped or counted as unfinished):"
		if md {
			fmt.Fprintln(w, mdEscape(head))
			fmt.Fprintln(w)
		} else {
			fmt.Fprintln(w, head)
		}
		for _, p := range r.Problems {
			if md {
				fmt.Fprintln(w, "- "+mdEscape(p.String()))
			} else {
				fmt.Fprintln(w, "  "+p.String())
			}
		}
	}
	return nil
}

func textGrid(w io.Writer, g grid, md bool) error {
	esc := func(s string) string { return s }
	if md {
		esc = mdEscape
		fmt.Fprintln(w, g.title.markdown())
		fmt.Fprintln(w)
	} else {
		fmt.Fprintln(w, g.title)
	}
	var rend tw.Renderer
	if md {
		rend = renderer.NewMarkdown()
	} else {
		rend = renderer.NewBlueprint()
	}
	tb := tablewriter.NewTable(w,
		tablewriter.WithRenderer(rend),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithFooterAutoFormat(tw.Off),
		tablewriter.WithFooterAlignmentConfig(tw.CellAlignment{Global: tw.AlignLeft}),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithFooterAutoWrap(tw.WrapNone),
	)
	header := []any{esc(g.corner)}
	for _, c := range g.cols {
		header = append(header, esc(c))
	}
	tb.Header(header...)
	for r, label := range g.labels {
		row := []string{esc(label)}
		for _, e := range g.cells[r] {
			row = append(row, esc(e.text()))
		}
		tb.Append(row)
	}
	if g.foot != nil {
		row := []any{"baseline"}
		for _, e := range g.foot {
			row = append(row, esc(e.text()))
		}
		if md {
			tb.Append(row...) // Markdown has no footer line; the baseline is a last row
		} else {
			tb.Footer(row...)
		}
	}
	if err := tb.Render(); err != nil {
		return fmt.Errorf("render %s table: %w", g.title.task, err)
	}
	for _, n := range g.notes {
		if md {
			fmt.Fprintln(w)
			fmt.Fprintln(w, mdEscape(n))
		} else {
			fmt.Fprintln(w, wrap(n, noteWidth, "  "))
		}
	}
	return nil
}

// noteWidth is the width at which footnotes wrap in the terminal.
const noteWidth = 80

// wrap breaks s into lines of at most width runes at spaces, indenting the continuation
// lines; a word longer than width stays whole.
func wrap(s string, width int, indent string) string {
	var b strings.Builder
	n := 0
	for i, word := range strings.Fields(s) {
		wl := utf8.RuneCountInString(word)
		switch {
		case i == 0:
		case n+1+wl > width:
			b.WriteString("\n" + indent)
			n = utf8.RuneCountInString(indent)
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += wl
	}
	return b.String()
}

var mdEscaper = strings.NewReplacer(`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `|`, `\|`, `<`, `\<`)

// mdEscape escapes the characters that Markdown would read as markup.
func mdEscape(s string) string { return mdEscaper.Replace(s) }

// ---- CSV

func writeCSV(w io.Writer, r *Report) {
	secs := r.sections()
	if len(secs) == 0 {
		fmt.Fprintln(w, "# "+noTrials)
	}
	first := true
	block := func(title string, header []string, rows [][]string, notes []string) {
		if !first {
			fmt.Fprintln(w)
		}
		first = false
		fmt.Fprintln(w, "# "+title)
		cw := csv.NewWriter(w)
		cw.Write(header)
		cw.WriteAll(rows) // flushes
		for _, n := range notes {
			fmt.Fprintln(w, "# "+n)
		}
	}
	gridRows := func(g grid) [][]string {
		var rows [][]string
		for r, label := range g.labels {
			row := []string{label}
			for _, e := range g.cells[r] {
				row = append(row, e.text())
			}
			rows = append(rows, row)
		}
		if g.foot != nil {
			row := []string{"baseline"}
			for _, e := range g.foot {
				row = append(row, e.text())
			}
			rows = append(rows, row)
		}
		return rows
	}
	for _, s := range secs {
		for _, g := range []grid{s.metric, s.steps} {
			block(g.title.String(), append([]string{g.corner}, g.cols...), gridRows(g), g.notes)
		}
		if s.summary != nil {
			var rows [][]string
			for _, l := range s.longest {
				row := []string{l.Row, l.Col, "", ""}
				if l.Col != "" {
					row[2], row[3] = strconv.Itoa(l.Solved), strconv.Itoa(l.Of)
				}
				rows = append(rows, row)
			}
			block(s.task+": "+s.summaryTitle, []string{s.rowField, "longest_" + s.colField, "solved", "of"}, rows, nil)
		}
	}
	if len(r.Problems) > 0 {
		fmt.Fprintln(w)
		for _, p := range r.Problems {
			fmt.Fprintln(w, "# problem: "+p.String())
		}
	}
}

// ---- LaTeX

var texEscaper = strings.NewReplacer(
	`\`, `\textbackslash{}`, `&`, `\&`, `%`, `\%`, `$`, `\$`, `#`, `\#`, `_`, `\_`,
	`{`, `\{`, `}`, `\}`, `~`, `\textasciitilde{}`, `^`, `\textasciicircum{}`,
	`±`, `$\pm$`, `–`, `--`, `—`, `---`, `·`, `$\cdot$`, `≥`, `$\geq$`, `…`, `\dots{}`, `≤`, `$\leq$`, `×`, `$\times$`,
)

// texEscape escapes LaTeX's special characters and spells the non-ASCII symbols of the
// tables as commands, so that the output compiles with any input encoding.
func texEscape(s string) string { return texEscaper.Replace(s) }

func texEntry(e entry) string {
	switch {
	case e.num == "":
		return `\emph{` + texEscape(e.note) + `}`
	case e.note == "":
		return texEscape(e.num)
	}
	return texEscape(e.num) + ` \emph{(` + texEscape(e.note) + `)}`
}

func texLabel(parts ...string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.Join(parts, "-")) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.' {
			b.WriteRune(r)
		} else {
			b.WriteRune('-')
		}
	}
	return "tab:" + b.String()
}

func writeLaTeX(w io.Writer, r *Report) {
	fmt.Fprintln(w, `% expctl report; needs \usepackage{booktabs}`)
	secs := r.sections()
	if len(secs) == 0 {
		fmt.Fprintln(w, "% "+noTrials)
	}
	for _, s := range secs {
		fmt.Fprintln(w)
		texGrid(w, s.metric, texLabel(s.task, r.Query.Metric), nil)
		fmt.Fprintln(w)
		texGrid(w, s.steps, texLabel(s.task, "steps"), s.summary)
	}
	if len(r.Problems) > 0 {
		fmt.Fprintln(w)
		for _, p := range r.Problems {
			fmt.Fprintln(w, "% problem: "+strings.ReplaceAll(p.String(), "\n", " "))
		}
	}
}

func texGrid(w io.Writer, g grid, label string, extra []string) {
	fmt.Fprintln(w, `\begin{table}[ht]`)
	fmt.Fprintln(w, `\centering`)
	fmt.Fprintf(w, "\\caption{%s}\n", texEscape(g.title.String()))
	fmt.Fprintf(w, "\\label{%s}\n", label)
	fmt.Fprintf(w, "\\begin{tabular}{l%s}\n", strings.Repeat("l", len(g.cols)))
	fmt.Fprintln(w, `\toprule`)
	head := []string{texEscape(g.corner)}
	for _, c := range g.cols {
		if strings.HasPrefix(c, "T=") && isNumber(c[2:]) {
			head = append(head, "$"+c+"$")
		} else {
			head = append(head, texEscape(c))
		}
	}
	fmt.Fprintln(w, strings.Join(head, " & ")+` \\`)
	fmt.Fprintln(w, `\midrule`)
	for r, label := range g.labels {
		row := []string{texEscape(label)}
		for _, e := range g.cells[r] {
			row = append(row, texEntry(e))
		}
		fmt.Fprintln(w, strings.Join(row, " & ")+` \\`)
	}
	if g.foot != nil {
		fmt.Fprintln(w, `\midrule`)
		row := []string{"baseline"}
		for _, e := range g.foot {
			row = append(row, texEntry(e))
		}
		fmt.Fprintln(w, strings.Join(row, " & ")+` \\`)
	}
	fmt.Fprintln(w, `\bottomrule`)
	fmt.Fprintln(w, `\end{tabular}`)
	lines := append(append([]string(nil), g.notes...), extra...)
	if len(lines) > 0 {
		fmt.Fprintln(w, `\par\smallskip\footnotesize`)
		for i, l := range lines {
			end := `\\`
			if i == len(lines)-1 {
				end = ""
			}
			fmt.Fprintln(w, texEscape(l)+end)
		}
	}
	fmt.Fprintln(w, `\end{table}`)
}

// ---- JSON

// The JSON document of a report (format json), field by field:
//
//	{
//	  "query": {                 // the query, defaults applied
//	    "rows": "cell",          // field of the rows
//	    "cols": "T",             // field of the columns
//	    "metric": "test_loss",   // test_loss, test_metric, best_test_loss or steps_to_solve
//	    "agg": "mean",           // mean (± sd) or median ([min–max])
//	    "where": {"lr": "0.01"}  // filters; {} for none
//	  },
//	  "min_solved": 0,           // k of longest_solved; 0 = every trial of the cell
//	  "tables": [{               // one per task, sorted by task
//	    "task": "adding",
//	    "metric": "test_loss",   // the metric's name; for test_metric the task's, e.g. "acc@0.04"
//	    "rows": ["lstm", "rnn"], // row values, sorted (numerically when all are numbers)
//	    "cols": ["5", "10"],     // column values, sorted likewise
//	    "baseline": [0.1667, 0.1667], // per column: the memoryless baseline loss; null where it varies
//	    "over": [],              // fields besides seed that differ within a cell (mixed by the aggregate)
//	    "cells": [               // [row][col]; null where no trial has that row and column
//	      [{"n": 2,              // trials in the cell
//	        "values": [0.0066, 0.0010], // the metric of each trial that has it
//	        "mean": 0.0038, "sd": 0.0040, "median": 0.0038, "min": 0.0010, "max": 0.0066, // null when undefined
//	        "states": {"solved": 2}, // trials by state: solved, unsolved, diverged, failed, running, incomplete, missing
//	        "text": "0.00378 ± 0.00396"}, ...], ...],  // the entry as shown in the text formats
//	    "steps_to_solve": [...], // same shape as cells, over solved_at_step of the solved trials;
//	                             // text is "median [min–max] (k/n solved, …)"
//	    "longest_solved": [      // per row: the last column (in the order of cols) whose trials were
//	                             // solved at least min_solved times (0: all of them); meaningful when
//	                             // the columns are numbers such as T
//	      {"row": "lstm", "col": "10", "solved": 1, "of": 2}, ...] // col null (solved, of 0) if none
//	  }],
//	  "problems": [{"path": "...", "msg": "..."}] // unusable files in the results; [] if none
//	}
//
// Numbers that are NaN or infinite are null. Keys of objects are sorted within "where" and
// "states"; the others come in the order above.

// jsonNum is a float64 that encodes NaN and infinities as null.
type jsonNum float64

func (v jsonNum) MarshalJSON() ([]byte, error) {
	f := float64(v)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(f)
}

type jsonQuery struct {
	Rows   string            `json:"rows"`
	Cols   string            `json:"cols"`
	Metric string            `json:"metric"`
	Agg    string            `json:"agg"`
	Where  map[string]string `json:"where"`
}

type jsonCell struct {
	N      int            `json:"n"`
	Values []jsonNum      `json:"values"`
	Mean   jsonNum        `json:"mean"`
	SD     jsonNum        `json:"sd"`
	Median jsonNum        `json:"median"`
	Min    jsonNum        `json:"min"`
	Max    jsonNum        `json:"max"`
	States map[string]int `json:"states"`
	Text   string         `json:"text"`
}

type jsonLongest struct {
	Row    string  `json:"row"`
	Col    *string `json:"col"`
	Solved int     `json:"solved"`
	Of     int     `json:"of"`
}

type jsonTable struct {
	Task          string        `json:"task"`
	Metric        string        `json:"metric"`
	Rows          []string      `json:"rows"`
	Cols          []string      `json:"cols"`
	Baseline      []jsonNum     `json:"baseline"`
	Over          []string      `json:"over"`
	Cells         [][]*jsonCell `json:"cells"`
	StepsToSolve  [][]*jsonCell `json:"steps_to_solve"`
	LongestSolved []jsonLongest `json:"longest_solved"`
}

type jsonProblem struct {
	Path string `json:"path"`
	Msg  string `json:"msg"`
}

type jsonReport struct {
	Query     jsonQuery     `json:"query"`
	MinSolved int           `json:"min_solved"`
	Tables    []jsonTable   `json:"tables"`
	Problems  []jsonProblem `json:"problems"`
}

func jsonCells(t *Table, text func(*Aggregate) string) [][]*jsonCell {
	out := make([][]*jsonCell, len(t.Rows))
	for r := range t.Rows {
		out[r] = make([]*jsonCell, len(t.Cols))
		for c := range t.Cols {
			cell := t.Cells[r][c]
			if cell == nil {
				continue
			}
			jc := &jsonCell{N: cell.N, Values: []jsonNum{}, Mean: jsonNum(cell.Mean), SD: jsonNum(cell.SD),
				Median: jsonNum(cell.Median), Min: jsonNum(cell.Min), Max: jsonNum(cell.Max),
				States: map[string]int{}, Text: text(cell)}
			for _, v := range cell.Values {
				jc.Values = append(jc.Values, jsonNum(v))
			}
			for s, k := range cell.States {
				if k > 0 {
					jc.States[s] = k
				}
			}
			out[r][c] = jc
		}
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func writeJSON(w io.Writer, r *Report) error {
	doc := jsonReport{
		Query: jsonQuery{Rows: r.Query.Rows, Cols: r.Query.Cols, Metric: r.Query.Metric, Agg: r.Query.Agg,
			Where: map[string]string{}},
		MinSolved: r.MinSolved,
		Tables:    []jsonTable{},
		Problems:  []jsonProblem{},
	}
	for k, v := range r.Query.Where {
		doc.Query.Where[k] = v
	}
	for i, t := range r.Tables {
		jt := jsonTable{Task: t.Task, Metric: t.MetricName, Rows: nonNil(t.Rows), Cols: nonNil(t.Cols),
			Baseline: []jsonNum{}, Over: nonNil(t.Over), LongestSolved: []jsonLongest{},
			Cells:        jsonCells(t, func(c *Aggregate) string { return c.Text(t.Query.Agg) }),
			StepsToSolve: jsonCells(r.Steps[i], func(c *Aggregate) string { return stepsEntry(c).text() }),
		}
		for _, b := range t.ColBaseline {
			jt.Baseline = append(jt.Baseline, jsonNum(b))
		}
		for _, l := range t.LongestSolved(r.MinSolved) {
			jl := jsonLongest{Row: l.Row, Solved: l.Solved, Of: l.Of}
			if l.Col != "" {
				col := l.Col
				jl.Col = &col
			}
			jt.LongestSolved = append(jt.LongestSolved, jl)
		}
		doc.Tables = append(doc.Tables, jt)
	}
	for _, p := range r.Problems {
		doc.Problems = append(doc.Problems, jsonProblem(p))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	if ew, ok := w.(*errWriter); ok {
		return ew.err
	}
	return nil
}
