package results

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/expctl/expctl/results/report"
)

// Format is an output format for tables.
type Format = report.Format

// The output formats.
const (
	Terminal = report.Terminal // boxed text tables
	Markdown = report.Markdown // GitHub pipe tables
	CSV      = report.CSV      // one CSV block per table, blank line between, first column = row field
	LaTeX    = report.LaTeX    // booktabs tabular environments, special characters escaped
	JSON     = report.JSON     // one JSON document (see WriteTables)
)

// Formats lists the formats.
var Formats = report.Formats

// ParseFormat returns the format named s (case-insensitive), or an error listing the known
// ones.
func ParseFormat(s string) (Format, error) { return report.ParseFormat(s) }

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
//  3. when some trials are unsolved or pruned, the table of why, on the same grid: each
//     cell's unsolved and pruned trials by the class of their learning curve
//     ([Attribute]: falling, stalled, at baseline), e.g. "2 falling, 1 at baseline; 1
//     pruned: 1 stalled", with the classes and their thresholds defined in a footnote;
//  4. the summary, one line per row value: "lstm: longest T solved in all seeds: 10 (2/2)",
//     or "in ≥ k seeds" when r.MinSolved is k > 0, or "… none" (see [Table.LongestSolved]).
//     When the column values are not numbers but the row values are (--rows T --cols
//     cell), it is one line per column value instead; when neither are, it is left out.
//
// When the query's rows (or columns) list several fields, "cell,forget_bias", the header
// names them, "cell, forget_bias", each row is a combination of their values that the
// trials have, labelled as [Table.Rows] says ("lstm forget_bias=5", but "gru": a cell
// without a forget gate ignores the bias; a column "T=10 clip=none"), the summary has a
// line per such row and, in CSV, a column per row field.
//
// Under a table come its footnotes: "aggregated over differing lr, batch" when
// [Table.Over] is not empty, and a legend of the non-numeric entries it holds. A pruned
// trial (stopped early by its sweep's prune rule) is never among a cell's values: it is
// counted in its note, "0.0123 (1/2, 1 pruned)", as diverged trials are. Entries that
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
//	             "why": <same shape as cells: {"unsolved": {...}, "pruned": {...}, "text": ...}>,
//	             "longest_solved": [{"row": "lstm", "col": "10", "solved": 1, "of": 2}, ...]}],
//	 "problems": [{"path": "...", "msg": "..."}]}
func WriteTables(w io.Writer, r *Report, f Format) error {
	if r == nil {
		return fmt.Errorf("write tables: no report")
	}
	return report.Render(w, &report.Document{Parts: []*report.Part{r.Part()}}, f)
}

// Part is the report as a part of a document: per task a section holding the metric
// table, the steps-to-solve table, the table of why trials did not solve the task (when
// some did not) and the summary (see [WriteTables]), then the problems.
func (r *Report) Part() *report.Part {
	p := &report.Part{
		Preamble: "expctl report",
		Empty:    noTrials,
		Meta:     []report.Member{{Key: "query", Value: jsonQueryOf(r.Query)}, {Key: "min_solved", Value: r.MinSolved}},
		ProblemsHeading: plural(len(r.Problems), "problem", "problems") +
			" in the results (those trials are skipped or counted as unfinished):",
		Problems: reportProblems(r.Problems),
	}
	for i, t := range r.Tables {
		p.Sections = append(p.Sections, r.section(t, r.Steps[i]))
	}
	return p
}

func reportProblems(ps []Problem) []report.Problem {
	out := make([]report.Problem, len(ps))
	for i, p := range ps {
		out[i] = report.Problem{Path: p.Path, Msg: p.Msg}
	}
	return out
}

const noTrials = "No trials match the query."

// section is what the report shows for one task.
func (r *Report) section(t, st *Table) *report.Section {
	return &report.Section{
		Name:    t.Task,
		Heading: "Task " + t.Task,
		Tables:  tables(metricTable(t), stepsTable(st), whyTable(t)),
		Summary: summary(t, r.MinSolved),
		Data:    r.jsonTable(t, st),
	}
}

// tables drops the nil tables of ts.
func tables(ts ...*report.Table) []*report.Table {
	var out []*report.Table
	for _, t := range ts {
		if t != nil {
			out = append(out, t)
		}
	}
	return out
}

// Unfinished and non-result states, in the order they are shown.
var unfinishedStates = []string{Diverged, Failed, Running, Paused, Incomplete, Corrupt, Missing}

// noteStates are the states whose trials a cell counts in its note rather than among its
// values, in the order they are shown: pruned trials (stopped early, so their final
// numbers are not comparable with complete trials'), then the unfinished and non-result
// states.
var noteStates = append([]string{Pruned}, unfinishedStates...)

// legend explains the words that can stand in a cell.
var legend = map[string]string{
	Pruned:     "pruned = stopped early by the sweep's prune rule (plateau or halving), counted but never averaged",
	Diverged:   "diverged = loss or gradient became NaN/Inf",
	Failed:     "failed = could not run",
	Running:    "running = still training",
	Paused:     "paused = waiting at a rung of successive halving for its group",
	Incomplete: "incomplete = stopped before finishing",
	Corrupt:    "corrupt = a file of the trial cannot be read (see the warnings)",
	Missing:    "missing = never started",
	"—":        "— = no value",
	"·":        "· = no such trial",
	"partial":  "(k/n, …) = k of n trials have a value",
	"baseline": "baseline = loss of the best memoryless predictor",
	"varies":   "varies = the trials of the column have different baselines",
}

func isLoss(metric string) bool { return metric == TestLoss || metric == BestTestLoss }

// colHeadings are the column headings "T=5", or for several fields "T=5 clip=none" (a
// field without a value adds nothing, nor one the column's cell ignores, as in
// [axis.label]); a number of steps T is a formula. values holds each column's value of
// each field (see [Table.ColValues]); without it, labels are the values of the one field.
func colHeadings(field string, labels []string, values [][]string) []report.Text {
	fields := FieldList(field)
	multi := len(fields) > 1 && len(values) == len(labels)
	var omit [][]bool
	if multi {
		omit = axis{fields: fields, cols: true}.omitted(values)
	}
	out := make([]report.Text, len(labels))
	for i, label := range labels {
		fs, vs := []string{field}, []string{label}
		if multi {
			fs, vs = fields, values[i]
		}
		for j, v := range vs {
			if multi && (v == "" || omit[i] != nil && omit[i][j]) {
				continue
			}
			s := report.Span{Text: fs[j] + "=" + v}
			if fs[j] == "T" && isNumber(v) {
				s.Style = report.Math
			}
			if len(out[i]) > 0 {
				out[i] = append(out[i], report.Span{Text: " "})
			}
			out[i] = append(out[i], s)
		}
	}
	return out
}

// rowName names a row in prose: for one field its value as [rowLabel] does, for several
// the row's label.
func rowName(field, label string) string {
	if len(FieldList(field)) > 1 {
		return label
	}
	return rowLabel(field, label)
}

// severalValues is values when field lists several fields, else nil (one field's values
// are the labels themselves).
func severalValues(field string, values [][]string) [][]string {
	if len(FieldList(field)) > 1 {
		return values
	}
	return nil
}

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

// stateOrder lists the states with trials in display order: results first, then the
// unfinished states, then any others sorted.
func stateOrder(m map[string]int) []string {
	known := append([]string{Solved, Unsolved}, noteStates...)
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
	slices.Sort(extra)
	return append(out, extra...)
}

// StatesText is "6 solved, 1 diverged": the trials counted in m by state, in the order
// reports show states.
func StatesText(m map[string]int) string { return statesText(m) }

// statesText is "6 solved, 1 diverged": the trials of m by state, in display order.
func statesText(m map[string]int) string {
	var parts []string
	for _, s := range stateOrder(m) {
		parts = append(parts, fmt.Sprintf("%d %s", m[s], s))
	}
	return strings.Join(parts, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// unit is what the trials of a cell differ by: seeds, or trials when other fields vary too.
func unit(over []string) (one, many string) {
	if len(over) > 0 {
		return "trial", "trials"
	}
	return "seed", "seeds"
}

// aggName is how an aggregation is shown: "mean ± sd" or "median [min–max]".
func aggName(agg string) string {
	if agg == Median {
		return "median [min–max]"
	}
	return "mean ± sd"
}

// title is the line above a table: the task in bold, then rest.
func title(task string, rest ...report.Span) report.Text {
	return append(report.Text{{Text: task, Style: report.Strong}, {Text: ": "}}, rest...)
}

// metricTable is the table of the query's metric: "adding: test_loss, mean ± sd over
// seeds (…)", for a loss with the baseline as its foot.
func metricTable(t *Table) *report.Table {
	counts, n := stateCounts(t)
	_, many := unit(t.Over)
	rest := []report.Span{{Text: t.MetricName, Style: report.Code}}
	metric := t.MetricName
	if t.MetricName != t.Query.Metric {
		rest = append(rest, report.Span{Text: " ("}, report.Span{Text: t.Query.Metric, Style: report.Code}, report.Span{Text: ")"})
		metric += " (" + t.Query.Metric + ")"
	}
	rest = append(rest, report.Span{Text: fmt.Sprintf(", %s over %s (%s: %s)", aggName(t.Query.Agg), many,
		plural(n, "trial", "trials"), statesText(counts))})
	rt := grid(t, func(c *Aggregate) report.Entry { return metricEntry(c, t.Query.Agg) })
	rt.ID, rt.Kind = t.Task+"-"+t.Query.Metric, "metric"
	rt.Title = title(t.Task, rest...)
	rt.Caption = fmt.Sprintf("Final %s, %s over %s", metric, aggName(t.Query.Agg), many)
	baseline := isLoss(t.Query.Metric)
	if baseline {
		rt.Foot = &report.Row{Label: "baseline"}
		for _, b := range t.ColBaseline {
			e := report.Entry{Num: num(b), Tone: report.Reference}
			if math.IsNaN(b) {
				e = report.Entry{Words: "varies", Kind: report.NoValue, Tip: "the trials of this column have different baselines"}
			}
			rt.Foot.Entries = append(rt.Foot.Entries, e)
		}
	}
	rt.Notes = notesFor(t, rt.Rows, baseline, false)
	if len(t.Builds) > 0 {
		rt.Notes = append(rt.Notes, report.Note{Text: buildsNote(t.Builds)})
	}
	if baseline {
		rt.Notes = append(rt.Notes, report.Note{Text: "baseline: the loss of the best memoryless predictor; a cell that learned the task is well below it.", Only: report.Page})
	}
	return rt
}

// stepsTable is the steps-to-solve table on the grid of the metric table.
func stepsTable(t *Table) *report.Table {
	counts, n := stateCounts(t)
	rt := grid(t, stepsEntry)
	rt.ID, rt.Kind = t.Task+"-steps", "steps"
	rt.Title = title(t.Task, report.Span{Text: fmt.Sprintf("steps to solve, median [min–max] over solved trials (%d/%d solved)", counts[Solved], n)})
	rt.Caption = fmt.Sprintf("Steps to solve, median [min–max] over the solved trials (%d/%d solved)", counts[Solved], n)
	rt.Notes = notesFor(t, rt.Rows, false, true)
	return rt
}

// whyTable is the table of why the unsolved and pruned trials of each cell did not solve
// the task, read from their learning curves ([Attribute]), on the grid of the metric
// table: "2 falling, 1 at baseline; 1 pruned: 1 stalled". It is nil when the table has no
// unsolved or pruned trial.
func whyTable(t *Table) *report.Table {
	unsolved, pruned := 0, 0
	used := map[string]bool{}
	for _, row := range t.Cells {
		for _, c := range row {
			switch {
			case c == nil:
				used["·"] = true
				continue
			case c.Why.Empty():
				used["—"] = true
			}
			unsolved += total(c.Why.Unsolved)
			pruned += total(c.Why.Pruned)
			for _, m := range []map[string]int{c.Why.Unsolved, c.Why.Pruned} {
				for k, n := range m {
					used[k] = used[k] || n > 0
				}
			}
		}
	}
	if unsolved+pruned == 0 {
		return nil
	}
	counts := fmt.Sprintf("%d %s", unsolved, Unsolved)
	if pruned > 0 {
		counts += fmt.Sprintf(", %d %s", pruned, Pruned)
	}
	rt := grid(t, whyEntry)
	for r := range rt.Rows {
		for c := range rt.Rows[r].Entries {
			if e := &rt.Rows[r].Entries[c]; e.Kind != report.Absent {
				e.Kind = report.NoValue
				if !t.Cells[r][c].Why.Empty() {
					e.Tip += "; not solved: " + e.Words
				}
			}
		}
	}
	rt.ID, rt.Kind = t.Task+"-why", "why"
	rt.Title = title(t.Task, report.Span{Text: "unsolved trials: why, from each learning curve (" + counts + ")"})
	rt.Caption = "Unsolved trials: why, from each learning curve (" + counts + ")"
	rt.Notes = append(overNote(t.Over), report.Note{Text: whyDefinitions(used, pruned > 0)})
	var items []string
	if used["—"] {
		items = append(items, "— = no unsolved or pruned trial")
	}
	if used["·"] {
		items = append(items, legend["·"])
	}
	if len(items) > 0 {
		rt.Notes = append(rt.Notes, report.Note{Text: "Legend: " + strings.Join(items, "; ") + ".", Only: report.Print})
	}
	return rt
}

// whyEntry shows the [Attribution] of a cell; "—" when it has no unsolved or pruned trial.
func whyEntry(c *Aggregate) report.Entry {
	switch {
	case c == nil:
		return report.Entry{Words: "·"}
	case c.Why.Empty():
		return report.Entry{Words: "—"}
	}
	return report.Entry{Words: c.Why.Text()}
}

// whyDefinitions is the footnote that defines the classes of [Attribute], with its
// thresholds; "no curve" only when used says a trial has one, and how pruned trials are
// classified when there are some.
func whyDefinitions(used map[string]bool, pruned bool) string {
	defs := []string{
		fmt.Sprintf("%s = the best test loss of the last quarter of the evaluations is more than %g%% below the best before it (the budget ran out while it learnt)", Falling, FallingGain*100),
		fmt.Sprintf("%s = not falling, best test loss below %g × baseline (learnt something, then stopped)", Stalled, BaselineFraction),
		fmt.Sprintf("%s = best test loss of the whole curve ≥ %g × the memoryless baseline (learnt nothing)", AtBaseline, BaselineFraction),
	}
	if used[NoCurve] {
		defs = append(defs, NoCurve+" = fewer than two evaluations")
	}
	s := "Why, from each trial's test loss per evaluation: " + strings.Join(defs, "; ") + "."
	if pruned {
		s += " A pruned trial is classified from its curve up to the step it was stopped at."
	}
	return s
}

// grid lays out a table: one row per row value, one column per column value.
func grid(t *Table, entryOf func(*Aggregate) report.Entry) *report.Table {
	rt := &report.Table{RowField: fieldsText(t.Query.Rows), ColField: fieldsText(t.Query.Cols), Cols: colHeadings(t.Query.Cols, t.Cols, t.ColValues)}
	for r, label := range t.Rows {
		row := report.Row{Label: label}
		for c := range t.Cols {
			e := entryOf(t.Cells[r][c])
			classify(&e, t.Cells[r][c])
			row.Entries = append(row.Entries, e)
		}
		rt.Rows = append(rt.Rows, row)
	}
	return rt
}

// classify sets what an entry shows, its highlight (how many of its trials were solved)
// and its tooltip (its trials by state).
func classify(e *report.Entry, c *Aggregate) {
	if c == nil {
		e.Kind, e.Tip = report.Absent, "no such trial"
		return
	}
	e.Kind = report.NoValue
	if len(c.Values) > 0 {
		e.Kind = report.Value
	}
	switch s := c.Count(Solved); {
	case s == c.N:
		e.Tone = report.AllSolved
	case s > 0:
		e.Tone = report.SomeSolved
	}
	e.Tip = plural(c.N, "trial", "trials") + ": " + statesText(c.States)
}

// metricEntry splits Aggregate.Text into its number and words.
func metricEntry(c *Aggregate, agg string) report.Entry {
	s := c.Text(agg)
	if c == nil || len(c.Values) == 0 {
		return report.Entry{Words: s}
	}
	if i := strings.Index(s, " ("); i >= 0 && strings.HasSuffix(s, ")") {
		return report.Entry{Num: s[:i], Words: s[i+2 : len(s)-1]}
	}
	return report.Entry{Num: s}
}

// steps formats a step count: an integer, or a half for the median of an even count.
func steps(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// stepsEntry shows a steps-to-solve cell: "median [min–max]" over its solved trials and
// "k/n solved", followed by its unfinished trials.
func stepsEntry(c *Aggregate) report.Entry {
	if c == nil {
		return report.Entry{Words: "·"}
	}
	notes := []string{fmt.Sprintf("%d/%d solved", c.Count(Solved), c.N)}
	for _, s := range noteStates {
		if k := c.Count(s); k > 0 {
			notes = append(notes, fmt.Sprintf("%d %s", k, s))
		}
	}
	e := report.Entry{Words: strings.Join(notes, ", ")}
	switch {
	case len(c.Values) == 0:
	case c.Min == c.Max:
		e.Num = steps(c.Median)
	default:
		e.Num = fmt.Sprintf("%s [%s–%s]", steps(c.Median), steps(c.Min), steps(c.Max))
	}
	return e
}

// overNote says which fields besides seed differ within the cells of a table.
func overNote(over []string) []report.Note {
	if len(over) == 0 {
		return nil
	}
	return []report.Note{{Text: "Aggregated over differing " + strings.Join(over, ", ") + "."}}
}

// notesFor returns the footnotes of a table: what it aggregates over and, in the text
// formats, a legend of the words in its cells.
func notesFor(t *Table, rows []report.Row, baseline, steps bool) []report.Note {
	notes := overNote(t.Over)
	used := map[string]bool{}
	for r, row := range t.Cells {
		for c, cell := range row {
			if cell == nil {
				used["·"] = true
				continue
			}
			for _, s := range noteStates {
				if cell.Count(s) > 0 {
					used[s] = true
				}
			}
			e := rows[r].Entries[c]
			if e.Num == "" && e.Words == "—" {
				used["—"] = true
			}
			if e.Num != "" && e.Words != "" && !steps {
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
	for _, k := range append([]string{"partial"}, append(noteStates, "—", "·")...) {
		if used[k] {
			items = append(items, legend[k])
		}
	}
	if len(items) > 0 {
		notes = append(notes, report.Note{Text: "Legend: " + strings.Join(items, "; ") + ".", Only: report.Print})
	}
	return notes
}

// summary is the "longest T solved" of each row value (see [Table.LongestSolved]); nil
// when neither the columns nor the rows are numbers.
func summary(t *Table, k int) *report.Summary {
	sum := summaryTable(t)
	if sum == nil {
		return nil
	}
	rows, cols := sum.Query.Rows, sum.Query.Cols
	one, many := unit(t.Over)
	what := "longest " + cols
	if cols != "T" {
		what = "largest " + cols
	}
	head := what + " solved in all " + many
	if k > 0 {
		head = what + " solved in ≥ " + plural(k, one, many)
	}
	rowFields := FieldList(rows)
	s := &report.Summary{
		Title:   t.Task + ": " + head,
		Fields:  append(append([]string(nil), rowFields...), "longest_"+cols, "solved", "of"),
		Caption: strings.ToUpper(head[:1]) + head[1:],
		Head:    [2]string{fieldsText(rows), what + " solved"},
	}
	for _, l := range sum.LongestSolved(k) {
		v := "none"
		rec := []string{l.Row}
		if len(rowFields) > 1 {
			rec = append([]string(nil), l.Values...)
		}
		rec = append(rec, l.Col, "", "")
		n := len(rec)
		e := report.Entry{Words: "none", Kind: report.NoValue}
		if l.Col != "" {
			v = fmt.Sprintf("%s (%d/%d)", l.Col, l.Solved, l.Of)
			rec[n-2], rec[n-1] = strconv.Itoa(l.Solved), strconv.Itoa(l.Of)
			e = report.Entry{Num: v, Tone: report.AllSolved}
			if l.Solved < l.Of {
				e.Tone = report.SomeSolved
			}
		}
		s.Lines = append(s.Lines, fmt.Sprintf("%s: %s: %s", rowName(rows, l.Row), head, v))
		s.Records = append(s.Records, rec)
		s.Rows = append(s.Rows, report.Row{Label: l.Row, Entries: []report.Entry{e}})
	}
	if len(s.Lines) == 0 {
		return nil
	}
	return s
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
	tt := &Table{Task: t.Task, Query: t.Query, MetricName: t.MetricName, Rows: t.Cols, Cols: t.Rows,
		RowValues: t.ColValues, ColValues: t.RowValues, Over: t.Over}
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

// ---- JSON

// The JSON document of a report (format json), field by field:
//
//	{
//	  "query": {                 // the query, defaults applied
//	    "rows": "cell",          // field of the rows, or fields: "cell,forget_bias"
//	    "cols": "T",             // field of the columns, or fields
//	    "metric": "test_loss",   // test_loss, test_metric, best_test_loss or steps_to_solve
//	    "agg": "mean",           // mean (± sd) or median ([min–max])
//	    "where": {"lr": "0.01"}  // filters; {} for none
//	  },
//	  "min_solved": 0,           // k of longest_solved; 0 = every trial of the cell
//	  "tables": [{               // one per task, sorted by task
//	    "task": "adding",
//	    "metric": "test_loss",   // the metric's name; for test_metric the task's, e.g. "acc@0.04"
//	    "rows": ["rnn", "lstm"], // row values: numbers ascending, words in the sweep's order
//	                             // (see [Table.Rows]); for several fields the rows' labels,
//	                             // "lstm forget_bias=5"
//	    "cols": ["5", "10"],     // column values, ordered likewise
//	    "row_fields": ["cell", "forget_bias"], // only when the rows have several fields:
//	    "row_values": [["lstm", "1"], ...],    // the fields and, per row, the value of each
//	                             // ("" where a trial's config does not set it)
//	    "col_fields": [...], "col_values": [...], // likewise for several column fields
//	    "baseline": [0.1667, 0.1667], // per column: the memoryless baseline loss; null where it varies
//	    "over": [],              // fields besides seed that differ within a cell (mixed by the aggregate)
//	    "cells": [               // [row][col]; null where no trial has that row and column
//	      [{"n": 2,              // trials in the cell
//	        "values": [0.0066, 0.0010], // the metric of each trial that has it
//	        "mean": 0.0038, "sd": 0.0040, "median": 0.0038, "min": 0.0010, "max": 0.0066, // null when undefined
//	        "states": {"solved": 2}, // trials by state: solved, unsolved, pruned, diverged, failed, running, incomplete, corrupt, missing
//	        "text": "0.00378 ± 0.00396"}, ...], ...],  // the entry as shown in the text formats
//	    "steps_to_solve": [...], // same shape as cells, over solved_at_step of the solved trials;
//	                             // text is "median [min–max] (k/n solved, …)"
//	    "why": [                 // same shape as cells: the unsolved and the pruned trials by
//	                             // why they did not solve the task (see Attribute)
//	      [{"unsolved": {"falling": 2, "at baseline": 1}, "pruned": {"stalled": 1},
//	        "text": "2 falling, 1 at baseline; 1 pruned: 1 stalled"}, ...], ...], // "—" for none
//	    "longest_solved": [      // per row: the last column (in the order of cols) whose trials were
//	                             // solved at least min_solved times (0: all of them); meaningful when
//	                             // the columns are numbers such as T
//	      {"row": "lstm", "col": "10", "solved": 1, "of": 2}, ...] // col null (solved, of 0) if none;
//	                             // with several row fields also "row_values": ["lstm", "1"]
//	  }],
//	  "problems": [{"path": "...", "msg": "..."}] // unusable files in the results; [] if none
//	}
//
// Numbers that are NaN or infinite are null. Keys of objects are sorted within "where",
// "states", "unsolved" and "pruned"; the others come in the order above. A pruned trial
// counts in "n" and "states" but never in "values" (see [Aggregate.Text]).

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
	Row       string   `json:"row"`
	RowValues []string `json:"row_values,omitempty"`
	Col       *string  `json:"col"`
	Solved    int      `json:"solved"`
	Of        int      `json:"of"`
}

type jsonTable struct {
	Task          string        `json:"task"`
	Metric        string        `json:"metric"`
	Rows          []string      `json:"rows"`
	Cols          []string      `json:"cols"`
	RowFields     []string      `json:"row_fields,omitempty"`
	RowValues     [][]string    `json:"row_values,omitempty"`
	ColFields     []string      `json:"col_fields,omitempty"`
	ColValues     [][]string    `json:"col_values,omitempty"`
	Baseline      []jsonNum     `json:"baseline"`
	Over          []string      `json:"over"`
	Cells         [][]*jsonCell `json:"cells"`
	StepsToSolve  [][]*jsonCell `json:"steps_to_solve"`
	Why           [][]*jsonWhy  `json:"why"`
	LongestSolved []jsonLongest `json:"longest_solved"`
}

// jsonWhy is a cell's [Attribution].
type jsonWhy struct {
	Unsolved map[string]int `json:"unsolved"`
	Pruned   map[string]int `json:"pruned"`
	Text     string         `json:"text"`
}

func jsonWhys(t *Table) [][]*jsonWhy {
	out := make([][]*jsonWhy, len(t.Rows))
	for r := range t.Rows {
		out[r] = make([]*jsonWhy, len(t.Cols))
		for c := range t.Cols {
			cell := t.Cells[r][c]
			if cell == nil {
				continue
			}
			jw := &jsonWhy{Unsolved: map[string]int{}, Pruned: map[string]int{}, Text: whyEntry(cell).Text()}
			for k, n := range cell.Why.Unsolved {
				jw.Unsolved[k] = n
			}
			for k, n := range cell.Why.Pruned {
				jw.Pruned[k] = n
			}
			out[r][c] = jw
		}
	}
	return out
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

func jsonQueryOf(q Query) jsonQuery {
	jq := jsonQuery{Rows: q.Rows, Cols: q.Cols, Metric: q.Metric, Agg: q.Agg, Where: map[string]string{}}
	for k, v := range q.Where {
		jq.Where[k] = v
	}
	return jq
}

// jsonTable is a task's section in the JSON document.
func (r *Report) jsonTable(t, st *Table) jsonTable {
	jt := jsonTable{Task: t.Task, Metric: t.MetricName, Rows: nonNil(t.Rows), Cols: nonNil(t.Cols),
		Baseline: []jsonNum{}, Over: nonNil(t.Over), LongestSolved: []jsonLongest{},
		Cells:        jsonCells(t, func(c *Aggregate) string { return c.Text(t.Query.Agg) }),
		StepsToSolve: jsonCells(st, func(c *Aggregate) string { return stepsEntry(c).Text() }),
		Why:          jsonWhys(t),
		RowValues:    severalValues(t.Query.Rows, t.RowValues),
		ColValues:    severalValues(t.Query.Cols, t.ColValues),
	}
	if jt.RowValues != nil {
		jt.RowFields = FieldList(t.Query.Rows)
	}
	if jt.ColValues != nil {
		jt.ColFields = FieldList(t.Query.Cols)
	}
	for _, b := range t.ColBaseline {
		jt.Baseline = append(jt.Baseline, jsonNum(b))
	}
	for _, l := range t.LongestSolved(r.MinSolved) {
		jl := jsonLongest{Row: l.Row, Solved: l.Solved, Of: l.Of}
		if jt.RowValues != nil {
			jl.RowValues = l.Values
		}
		if l.Col != "" {
			col := l.Col
			jl.Col = &col
		}
		jt.LongestSolved = append(jt.LongestSolved, jl)
	}
	return jt
}
