package results

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"

	"github.com/expctl/expctl/results/report"
	"github.com/expctl/expctl/results/trialdir"
)

// Which record of a trial's gradient flow a figure shows.
const (
	FlowInit  = "init"  // step 0, before any training
	FlowFinal = "final" // each trial's last record after step 0
)

// Diagnostics returns the gradient-flow and spectra records of a trial (gradflow.csv and
// spectra.csv), read from its directory when called: they are not kept in the collection.
// A trial without the files (one run before they were recorded, or never started) gives
// nil, nil, nil. When a file cannot be read the error names it, and the records of the
// other file are still returned.
func (c *Collection) Diagnostics(t *Trial) (flow []FlowPoint, spectra []Spectrum, err error) {
	if t == nil || t.Dir == "" {
		return nil, nil, nil
	}
	flow, errFlow := optional(trialdir.GradFlow.Read(t.Dir))
	spectra, errSpectra := optional(trialdir.Spectra.Read(t.Dir))
	if len(flow) == 0 {
		flow = nil
	}
	if len(spectra) == 0 {
		spectra = nil
	}
	return flow, spectra, errors.Join(errFlow, errSpectra)
}

// commonFinalStep returns the largest step after 0 that every trial's gradient flow
// recorded (-1 if none), and whether the trials' last recorded steps differ.
func commonFinalStep(flows map[string][][]FlowPoint) (common int, differ bool) {
	var count map[int]int
	n, last := 0, -1
	for _, fs := range flows {
		for _, flow := range fs {
			steps := map[int]bool{}
			top := -1
			for _, p := range flow {
				if p.Step > 0 {
					steps[p.Step] = true
					top = max(top, p.Step)
				}
			}
			if top < 0 {
				continue
			}
			if n > 0 && top != last {
				differ = true
			}
			last = top
			if count == nil {
				count = map[int]int{}
			}
			for st := range steps {
				count[st]++
			}
			n++
		}
	}
	common = -1
	for st, k := range count {
		if k == n {
			common = max(common, st)
		}
	}
	return common, differ
}

// flowAtStep returns a trial's gradient norms by lag at step, if it recorded them.
func flowAtStep(flow []FlowPoint, step int) (map[int]float64, int, bool) {
	norms := map[int]float64{}
	for _, p := range flow {
		if p.Step == step {
			norms[p.Lag] = p.Norm
		}
	}
	return norms, step, len(norms) > 0
}

// flowAt returns a trial's gradient norms by lag at step 0 (FlowInit) or at its last
// recorded step (FlowFinal; none when that is step 0), and that step.
func flowAt(flow []FlowPoint, which string) (map[int]float64, int, bool) {
	step := 0
	if which == FlowFinal {
		step = -1
		for _, p := range flow {
			step = max(step, p.Step)
		}
		if step <= 0 {
			return nil, 0, false
		}
	}
	norms := map[int]float64{}
	for _, p := range flow {
		if p.Step == step {
			norms[p.Lag] = p.Norm
		}
	}
	return norms, step, len(norms) > 0
}

// PlotGradFlow plots the gradient flow of one task at one column value (e.g. T=30): x is
// the lag k = L−1−t, how many steps before the end of the sequence the hidden state h_t
// is (0 … L−1), and y is ‖∂C/∂h_t‖ on a log scale. There is one line per row value (cell
// by default), in the colours of the report's other figures: the median over that row's
// trials of the norm at each lag, at initialisation (which = "init") or at each trial's
// last record after step 0 (which = "final"; when the trials' last records are at
// different steps, all are drawn at the last step every trial recorded, or, without one,
// the title says that the steps differ). The median counts a norm that underflowed to
// zero as zero and one that overflowed as +Inf, so that one seed's underflow does not
// lift the line to the mean of the others; in a float32 trial a norm below the smallest
// normal float32 (1.18e-38) counts as underflowed, since the subnormal numbers below it
// level off instead of falling (see [underflowFloor]). NaN norms are left out, as are trials without
// a gradflow.csv or whose file cannot be read. A lag whose median is zero or infinite is
// not drawn (the y axis is logarithmic). The query's Where applies; its Metric and Agg
// do not.
func PlotGradFlow(c *Collection, q Query, task, colValue string, which string) (*plot.Plot, error) {
	p, _, err := gradFlowPlot(c, q, task, colValue, which)
	return p, err
}

// gradFlowPlot is PlotGradFlow; it also returns the number of data lines.
func gradFlowPlot(c *Collection, q Query, task, colValue, which string) (*plot.Plot, int, error) {
	ch, err := gradFlowChart(c, q, task, colValue, which)
	if err != nil {
		return nil, 0, err
	}
	p, err := ch.Plot()
	return p, len(ch.Series), err
}

// gradFlowChart describes the figure of PlotGradFlow.
func gradFlowChart(c *Collection, q Query, task, colValue, which string) (*report.Chart, error) {
	var when string
	switch which {
	case FlowInit:
		when = "at init"
	case FlowFinal:
		when = "at the end of training"
	default:
		return nil, fmt.Errorf("unknown gradient-flow record %q (known: %s, %s)", which, FlowInit, FlowFinal)
	}
	q = q.withDefaults()
	rows, at, err := figureTrials(c, q, task, colValue)
	if err != nil {
		return nil, err
	}
	type record struct {
		norms map[int]float64
		step  int
	}
	flows := map[string][][]FlowPoint{}
	for _, r := range rows {
		for _, t := range at[r] {
			flow, _, err := c.Diagnostics(t)
			if err != nil && flow == nil {
				continue // unreadable: the gradient tables list it
			}
			flows[r] = append(flows[r], floored(flow, underflowFloor(t.Field("dtype"))))
		}
	}
	// At the end of training, the cells are compared at one step: the last step every
	// trial recorded, when their last steps differ. Without such a step each trial's last
	// record is drawn, and the title says that the steps differ.
	common, differ := -1, false
	if which == FlowFinal {
		common, differ = commonFinalStep(flows)
		switch {
		case differ && common > 0:
			when = fmt.Sprintf("at step %d, the last step all trials recorded", common)
		case differ:
			when += " (not at the same step: see the legend)"
		}
	}
	byRow := map[string][]record{}
	for _, r := range rows {
		for _, flow := range flows[r] {
			norms, step, ok := flowAt(flow, which)
			if common > 0 && differ {
				norms, step, ok = flowAtStep(flow, common)
			}
			if ok {
				byRow[r] = append(byRow[r], record{norms, step})
			}
		}
	}
	ch := rowChart(task, q, colValue, "‖∂C/∂h‖ vs lag "+when,
		"lag k = L−1−t (steps before the end of the sequence)", "‖∂C/∂h_t‖ (median over trials)")
	for i, r := range rows {
		recs := byRow[r]
		if len(recs) == 0 {
			continue
		}
		at := map[int][]float64{}
		lo, hi := math.MaxInt, math.MinInt
		for _, rec := range recs {
			for lag, v := range rec.norms {
				if !math.IsNaN(v) {
					at[lag] = append(at[lag], v)
				}
			}
			lo, hi = min(lo, rec.step), max(hi, rec.step)
		}
		var s report.Series
		for _, lag := range sortedKeys(at) {
			_, _, med, _, _ := Summarize(at[lag])
			if plotFinite(med) && med > 0 { // the y axis is logarithmic
				s.X, s.Y = append(s.X, float64(lag)), append(s.Y, med)
			}
		}
		detail := ""
		switch {
		case which == FlowInit:
		case lo == hi:
			detail = fmt.Sprintf(", step %d", hi)
		default:
			detail = fmt.Sprintf(", steps %d–%d", lo, hi)
		}
		addRow(ch, s, i, r, len(recs), detail)
	}
	return ch, nil
}

// float32Normal is the smallest normal float32, 2⁻¹²⁶ ≈ 1.18e-38.
const float32Normal = 0x1p-126

// underflowFloor is the norm below which a trial's gradient flow counts as underflowed:
// for float32, the smallest normal number. Below it the backward pass computes with
// subnormal numbers, which lose precision and, multiplied by a factor above 1/2, round
// back up to the smallest subnormal (1.4e-45): the norm of a batch's gradient then levels
// off around 1e-44 however fast the true gradient falls. float64's subnormals
// start at 2.2e-308, far below any norm a run records, so its floor is 0.
func underflowFloor(dtype string) float64 {
	if dtype == "float32" {
		return float32Normal
	}
	return 0
}

// floored returns flow with every norm below floor set to 0 (underflowed), in a copy:
// flow may be the collection's own.
func floored(flow []FlowPoint, floor float64) []FlowPoint {
	if floor <= 0 {
		return flow
	}
	out := slices.Clone(flow)
	for i := range out {
		if out[i].Norm < floor {
			out[i].Norm = 0
		}
	}
	return out
}

func sortedKeys(m map[int][]float64) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	return keys
}

// gradientFigures returns, for each column value of a table, the gradient-flow figures at
// init and at the end of training, in that order.
func gradientFigures(c *Collection, q Query, t *Table) ([]*report.Figure, error) {
	q = q.withDefaults()
	var figs []*report.Figure
	for _, col := range t.Cols {
		for _, which := range []string{FlowInit, FlowFinal} {
			ch, err := gradFlowChart(c, q, t.Task, col, which)
			if err != nil {
				return nil, fmt.Errorf("%s, %s: %w", t.Task, colName(q.Cols, col), err)
			}
			figs = append(figs, &report.Figure{Name: plotFileName("gradflow", t.Task, colFileName(q.Cols, col), which), Chart: ch})
		}
	}
	return figs, nil
}

// SaveGradientPlots writes the gradient-flow figures of a report into dir (created if
// needed), as SVG and PNG like [SavePlots]: for each task and column value the figure at
// init and the one at the end of training ([PlotGradFlow]), named
// gradflow-<task>-<col><value>-init and -final (e.g. gradflow-adding-T30-init.svg).
// Figures without any data line (no trial has a gradflow.csv) are left out. It returns
// the paths written, sorted.
func SaveGradientPlots(dir string, c *Collection, q Query) ([]string, error) {
	tables, err := c.Tables(gradientQuery(q))
	if err != nil {
		return nil, err
	}
	return saveFigures(dir, tables, func(t *Table) ([]*report.Figure, error) { return gradientFigures(c, q, t) })
}

// gradientQuery is q for grouping only: its metric and aggregation do not apply.
func gradientQuery(q Query) Query {
	q.Metric, q.Agg = "", ""
	return q.withDefaults()
}

// ---- the σ_max and clip-rate table

// GradientTable shows, for one task, the spectra of each row's recurrent blocks and how
// often its gradients were clipped, on the grid of the report's tables (rows: cell,
// columns: T by default).
type GradientTable struct {
	Task       string
	Query      Query // the rows and columns fields and the filter, defaults applied
	Rows, Cols []string
	// RowValues and ColValues are, per row and per column, the value of each field of the
	// rows and the columns (see [Table.RowValues]).
	RowValues, ColValues [][]string
	Cells                [][]*GradientAggregate // [row][col]; nil where no trial has that combination
	// Over names the fields besides seed that differ among the trials of a cell.
	Over []string
	// Problems lists the trials' gradient records that could not be read; those trials
	// count as without records.
	Problems []Problem
}

// GradientAggregate summarises the gradient records of the trials that share a row and a
// column value of a [GradientTable] (one entry of the table).
type GradientAggregate struct {
	N        int            // trials in the cell
	Recorded int            // trials with a spectra.csv record
	States   map[string]int // trials by state
	// Blocks are the recurrent H×H blocks of the cell, one per gate, in the order of its
	// spectra.csv.
	Blocks []*BlockSpectrum
	// ClipRates is, for each trial with a learning curve that has clip rates, the fraction
	// of its training steps whose gradient was clipped: the mean of curve.csv's clip_rate
	// weighted by the steps each row covers.
	ClipRates []float64
	ClipRate  float64 // the median of ClipRates (NaN without any)
}

// BlockSpectrum is the largest singular value of one recurrent block over the trials of a
// cell, at initialisation and at the end of training.
type BlockSpectrum struct {
	Param, Gate, Act string
	// Threshold is 1/γ (Pascanu et al. 2013; γ bounds the derivative of the gate's
	// activation): σ_max below it is sufficient for the gradient through the block to
	// vanish, above it necessary for it to explode. NaN when the trials disagree.
	Threshold float64
	Init      []float64 // σ_max of each trial at step 0
	Final     []float64 // σ_max of each trial at its last record after step 0
	FinalStep []int     // the step of each value of Final
	// The medians of Init and Final (NaN without values).
	InitMedian, FinalMedian float64
}

// Side tells where a σ_max lies relative to the block's threshold 1/γ: −1 below it (the
// gradient through the block vanishes), +1 above it (it can explode), 0 at it or when
// either is not a number.
func (b *BlockSpectrum) Side(sigma float64) int {
	switch {
	case math.IsNaN(sigma) || math.IsNaN(b.Threshold):
		return 0
	case sigma < b.Threshold:
		return -1
	case sigma > b.Threshold:
		return 1
	}
	return 0
}

// Mark is "↓" for a σ_max below the threshold, "↑" above it, "" otherwise.
func (b *BlockSpectrum) Mark(sigma float64) string {
	switch b.Side(sigma) {
	case -1:
		return "↓"
	case 1:
		return "↑"
	}
	return ""
}

// sideName is "below", "at" or "above" for JSON; nil when σ_max or the threshold is not
// a number.
func (b *BlockSpectrum) sideName(sigma float64) *string {
	if math.IsNaN(sigma) || math.IsNaN(b.Threshold) {
		return nil
	}
	s := map[int]string{-1: "below", 0: "at", 1: "above"}[b.Side(sigma)]
	return &s
}

// GradientTables groups the trials into one gradient table per task, like [Collection.Tables]
// (same rows, columns and filter; the query's metric and aggregation do not apply). For
// each cell of a table and each recurrent block it gives the median σ_max over the trials
// at initialisation (step 0) and at the end (each trial's last record after step 0), and
// the median over the trials of their clip rate. Trials without records leave the cell's
// blocks empty; unreadable files are listed in the table's Problems.
func (c *Collection) GradientTables(q Query) ([]*GradientTable, error) {
	q = gradientQuery(q)
	tables, err := c.Tables(q)
	if err != nil {
		return nil, err
	}
	var out []*GradientTable
	for _, t := range tables {
		gt := &GradientTable{Task: t.Task, Query: q, Rows: t.Rows, Cols: t.Cols, RowValues: t.RowValues, ColValues: t.ColValues, Over: t.Over}
		ri, ci := keyIndex(t.RowValues), keyIndex(t.ColValues)
		ra, ca := rowAxis(q), colAxis(q)
		groups := make([][][]*Trial, len(t.Rows))
		for r := range groups {
			groups[r] = make([][]*Trial, len(t.Cols))
		}
		for _, tr := range c.Trials {
			if q.keeps(tr) && tr.Field("task") == t.Task {
				r, col := ri[ra.keyOf(tr)], ci[ca.keyOf(tr)]
				groups[r][col] = append(groups[r][col], tr)
			}
		}
		gt.Cells = make([][]*GradientAggregate, len(t.Rows))
		for r := range groups {
			gt.Cells[r] = make([]*GradientAggregate, len(t.Cols))
			for col, g := range groups[r] {
				if len(g) > 0 {
					gt.Cells[r][col] = c.gradientCell(g, &gt.Problems)
				}
			}
		}
		out = append(out, gt)
	}
	return out, nil
}

func (c *Collection) gradientCell(trials []*Trial, problems *[]Problem) *GradientAggregate {
	cell := &GradientAggregate{N: len(trials), States: map[string]int{}}
	blocks := map[string]*BlockSpectrum{}
	for _, t := range trials {
		cell.States[t.State]++
		if rate, ok := clipRateOf(t.Curve); ok {
			cell.ClipRates = append(cell.ClipRates, rate)
		}
		_, spectra, err := c.Diagnostics(t)
		if err != nil {
			*problems = append(*problems, Problem{Path: t.Dir, Msg: err.Error()})
		}
		if len(spectra) == 0 {
			continue
		}
		cell.Recorded++
		last := 0
		for _, s := range spectra {
			last = max(last, s.Step)
		}
		for _, s := range spectra {
			if s.Step != 0 && s.Step != last {
				continue
			}
			key := s.Param + "\x00" + s.Gate
			b := blocks[key]
			if b == nil {
				b = &BlockSpectrum{Param: s.Param, Gate: s.Gate, Act: s.Act, Threshold: s.Threshold}
				blocks[key] = b
				cell.Blocks = append(cell.Blocks, b)
			}
			if s.Threshold != b.Threshold {
				b.Threshold = math.NaN()
			}
			if math.IsNaN(s.SigmaMax) {
				continue
			}
			if s.Step == 0 {
				b.Init = append(b.Init, s.SigmaMax)
			} else {
				b.Final = append(b.Final, s.SigmaMax)
				b.FinalStep = append(b.FinalStep, s.Step)
			}
		}
	}
	for _, b := range cell.Blocks {
		_, _, b.InitMedian, _, _ = Summarize(b.Init)
		_, _, b.FinalMedian, _, _ = Summarize(b.Final)
	}
	_, _, cell.ClipRate, _, _ = Summarize(cell.ClipRates)
	return cell
}

// clipRateOf is the fraction of a trial's training steps whose gradient was clipped: the
// mean of the curve's clip rates weighted by the steps since the previous row.
func clipRateOf(curve []Point) (float64, bool) {
	prev := 0
	var sum, steps float64
	for _, p := range curve {
		w := p.Step - prev
		prev = p.Step
		if w <= 0 || !plotFinite(p.ClipRate) {
			continue
		}
		sum += p.ClipRate * float64(w)
		steps += float64(w)
	}
	if steps == 0 {
		return math.NaN(), false
	}
	return sum / steps, true
}

// label names a block in a cell: its gate, or its parameter when it has no gate name or
// when the gate name is not unique.
func (c *GradientAggregate) label(b *BlockSpectrum) string {
	if b.Gate == "" {
		return b.Param
	}
	for _, o := range c.Blocks {
		if o != b && o.Gate == b.Gate {
			return b.Param + "." + b.Gate
		}
	}
	return b.Gate
}

// sigmaPart is a σ_max with its mark, "—" when there is none.
func sigmaPart(b *BlockSpectrum, v float64) report.Span {
	if math.IsNaN(v) {
		return report.Span{Text: "—"}
	}
	p := report.Span{Text: num(v) + b.Mark(v)}
	switch b.Side(v) {
	case -1:
		p.Style = report.Low
	case 1:
		p.Style = report.High
	}
	return p
}

// percent formats a fraction as a percentage with two significant digits at most.
func percent(f float64) string {
	p := 100 * f
	switch {
	case math.IsNaN(p):
		return "—"
	case p == 0:
		return "0%"
	case p >= 9.5:
		return strconv.FormatFloat(p, 'f', 0, 64) + "%"
	case p >= 0.95:
		return strconv.FormatFloat(p, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(p, 'g', 2, 64) + "%"
}

// Lines is the cell as shown: one line per block, "i 1.76↓ → 1.9↓ (1/γ=4)" (gate, median
// σ_max at init → at the end, marked ↓ below the threshold 1/γ and ↑ above it), then
// "clip rate 15%" ("(k/n)" when not all trials have one), and "(σ_max of k/n trials)" when
// not all trials have spectra records ("no σ_max records" when none has). A cell without
// any value is "no records", followed by its unfinished trials; a nil cell is "·".
func (c *GradientAggregate) Lines() []string {
	var out []string
	for _, l := range c.lineParts() {
		out = append(out, l.String())
	}
	return out
}

// lineParts is Lines in spans, the values below or above their threshold marked Low or
// High.
func (c *GradientAggregate) lineParts() []report.Line {
	if c == nil {
		return []report.Line{{{Text: "·"}}}
	}
	var lines []report.Line
	for _, b := range c.Blocks {
		lines = append(lines, report.Line{
			{Text: c.label(b) + " "}, sigmaPart(b, b.InitMedian), {Text: " → "}, sigmaPart(b, b.FinalMedian),
			{Text: " (1/γ=" + thresholdText(b.Threshold) + ")"},
		})
	}
	if len(c.ClipRates) > 0 {
		l := "clip rate " + percent(c.ClipRate)
		if len(c.ClipRates) < c.N {
			l += fmt.Sprintf(" (%d/%d)", len(c.ClipRates), c.N)
		}
		lines = append(lines, report.Line{{Text: l}})
	}
	if len(lines) == 0 {
		l := "no records"
		var notes []string
		for _, s := range unfinishedStates {
			if k := c.States[s]; k > 0 {
				notes = append(notes, fmt.Sprintf("%d %s", k, s))
			}
		}
		if len(notes) > 0 {
			l += " (" + strings.Join(notes, ", ") + ")"
		}
		return []report.Line{{{Text: l}}}
	}
	switch {
	case c.Recorded == 0:
		lines = append(lines, report.Line{{Text: "no σ_max records"}})
	case c.Recorded < c.N:
		lines = append(lines, report.Line{{Text: fmt.Sprintf("(σ_max of %d/%d trials)", c.Recorded, c.N)}})
	}
	return lines
}

// hasValues reports whether the cell shows any number.
func (c *GradientAggregate) hasValues() bool {
	return c != nil && (len(c.Blocks) > 0 || len(c.ClipRates) > 0)
}

func thresholdText(v float64) string {
	if math.IsNaN(v) {
		return "varies"
	}
	return num(v)
}

// Text is the cell on one line: its Lines joined by "; ".
func (c *GradientAggregate) Text() string { return strings.Join(c.Lines(), "; ") }

// gradientTitle is the line above a gradient table.
func gradientTitle(t *GradientTable) report.Text {
	_, many := unit(t.Over)
	n, rec := 0, 0
	for _, row := range t.Cells {
		for _, c := range row {
			if c != nil {
				n += c.N
				rec += c.Recorded
			}
		}
	}
	return title(t.Task, report.Span{Text: fmt.Sprintf("σ_max of the recurrent blocks at init → at the end, and clip rate, medians over %s (%s, %d with σ_max records)",
		many, plural(n, "trial", "trials"), rec)})
}

// gradientNotes are the footnotes of a gradient table.
func gradientNotes(t *GradientTable) []string {
	notes := []string{
		"Per gate: σ_max of its recurrent block at init → at the end (its threshold 1/γ). " +
			"↓ = below 1/γ: gradients through the block vanish (sufficient condition); " +
			"↑ = above 1/γ: they can explode (necessary condition; Pascanu et al. 2013).",
	}
	lo, hi := math.MaxInt, math.MinInt
	noRecords := false
	for _, row := range t.Cells {
		for _, c := range row {
			if c == nil {
				continue
			}
			noRecords = noRecords || (len(c.Blocks) == 0 && len(c.ClipRates) == 0)
			for _, b := range c.Blocks {
				for _, s := range b.FinalStep {
					lo, hi = min(lo, s), max(hi, s)
				}
			}
		}
	}
	switch {
	case lo == hi:
		notes = append(notes, fmt.Sprintf("End: each trial's last record (step %d).", hi))
	case lo < hi:
		notes = append(notes, fmt.Sprintf("End: each trial's last record (steps %d–%d).", lo, hi))
	}
	notes = append(notes, "Clip rate: the fraction of training steps whose gradient norm was clipped, over the whole run.")
	if len(t.Over) > 0 {
		notes = append(notes, "Aggregated over differing "+strings.Join(t.Over, ", ")+".")
	}
	if noRecords {
		notes = append(notes, "No records = the trials have no spectra.csv and no clip rates (run before they were recorded, or not started).")
	}
	return notes
}

// WriteGradientTables renders gradient tables (see [Collection.GradientTables]) in format
// f, one per task, each with a title, a header with the row field and the column values
// ("T=30"), one row per row value and footnotes explaining the entries. An entry is
// [GradientAggregate.Lines]: in the terminal one line each (rows separated by rules), in
// Markdown and CSV joined by "; ", in LaTeX stacked in a nested tabular (booktabs
// needed). Unreadable gradient records are listed at the end.
//
// JSON is one document; NaN and infinite numbers are null:
//
//	{
//	  "tables": [{                  // one per task, sorted by task
//	    "task": "adding",
//	    "rows_field": "cell",       // field of the rows, or fields: "cell,forget_bias"
//	    "cols_field": "T",          // field of the columns, or fields
//	    "rows": ["rnn", "lstm", "gru"], "cols": ["10", "30"], // ordered as the report's tables
//	    "row_values": [["gru", "1"], ...],   // only when the rows have several fields: per
//	    "col_values": [["10", "none"], ...], // row (column), the value of each field
//	    "over": [],                 // fields besides seed that differ within a cell
//	    "cells": [                  // [row][col]; null where no trial has that row and column
//	      [{"n": 2,                 // trials in the cell
//	        "recorded": 2,          // trials with a spectra.csv
//	        "states": {"unsolved": 2},
//	        "blocks": [{            // one per recurrent H×H block, in spectra.csv's order
//	          "param": "W", "gate": "h", "act": "tanh",
//	          "threshold": 1,       // 1/γ; null when the trials disagree
//	          "init": {"median": 1.76, "values": [1.76, 1.71], "side": "above"},
//	          "final": {"median": 1.74, "values": [1.74, 1.8], "steps": [300, 300], "side": "above"}
//	        }],                     // side: "below", "at" or "above" 1/γ; null without a median
//	        "clip_rate": {"median": 0.15, "values": [0.14, 0.16]}, // per trial with a curve
//	        "text": "h 1.76↑ → 1.74↑ (1/γ=1); clip rate 15%"}, ...], ...]  // as in the text formats
//	  }],
//	  "problems": [{"path": "...", "msg": "..."}] // unreadable gradient records; [] if none
//	}
func WriteGradientTables(w io.Writer, ts []*GradientTable, f Format) error {
	p := GradientPart(ts)
	p.Key = "" // a document of its own
	return report.Render(w, &report.Document{Parts: []*report.Part{p}}, f)
}

// GradientPart is the gradient tables as a part of a document (see
// [WriteGradientTables]): one section per table, the document's "gradients" member in
// JSON.
func GradientPart(ts []*GradientTable) *report.Part {
	p := &report.Part{
		Key:      "gradients",
		Preamble: "expctl gradient tables",
		Empty:    noTrials,
		Heading:  "Gradient flow",
		Class:    "gradients",
		Link:     "gradient flow",
		About: `‖∂C/∂h_t‖ on a fixed diagnostic batch against the lag k = L−1−t (how many steps before the
end of the sequence h_t is), at initialisation and at the end of training, median over trials: a line
that falls with the lag is a vanishing gradient. The table gives the largest singular value σ_max of
each recurrent block against the threshold 1/γ of Pascanu et al. (2013), and how often the gradient
norm was clipped.`,
	}
	for _, t := range ts {
		p.Sections = append(p.Sections, &report.Section{
			Name: t.Task, Heading: "Task " + t.Task,
			Tables: []*report.Table{gradientTable(t)},
			Data:   gradientJSON(t),
		})
		p.Problems = append(p.Problems, reportProblems(t.Problems)...)
	}
	p.ProblemsHeading = plural(len(p.Problems), "unreadable gradient record", "unreadable gradient records") +
		" (those trials count as without records):"
	return p
}

// gradientTable lays out a gradient table: per row and column the lines of
// [GradientAggregate.Lines], values below or above their threshold marked.
func gradientTable(t *GradientTable) *report.Table {
	_, many := unit(t.Over)
	rt := &report.Table{
		ID: t.Task + "-gradients", Kind: "gradients", Stacked: true,
		Title:    gradientTitle(t),
		Caption:  "σ_max of the recurrent blocks at init → at the end, and clip rate, medians over " + many,
		RowField: fieldsText(t.Query.Rows), ColField: fieldsText(t.Query.Cols), Cols: colHeadings(t.Query.Cols, t.Cols, t.ColValues),
	}
	for r, label := range t.Rows {
		row := report.Row{Label: label}
		for _, c := range t.Cells[r] {
			e := report.Entry{}
			switch {
			case c == nil:
				e.Kind, e.Tip = report.Absent, "no such trial"
			case !c.hasValues():
				e.Kind = report.NoValue
			}
			if c != nil {
				e.Tip = fmt.Sprintf("%s (%d with records): %s", plural(c.N, "trial", "trials"), c.Recorded, statesText(c.States))
			}
			e.Lines = c.lineParts()
			row.Entries = append(row.Entries, e)
		}
		rt.Rows = append(rt.Rows, row)
	}
	for _, n := range gradientNotes(t) {
		rt.Notes = append(rt.Notes, report.Note{Text: n})
	}
	for _, p := range t.Problems {
		rt.Notes = append(rt.Notes, report.Note{Text: "Unreadable: " + p.String(), Only: report.Page})
	}
	return rt
}

// ---- JSON (see WriteGradientTables)

type jsonSigma struct {
	Median jsonNum   `json:"median"`
	Values []jsonNum `json:"values"`
	Side   *string   `json:"side"`
}

type jsonSigmaFinal struct {
	Median jsonNum   `json:"median"`
	Values []jsonNum `json:"values"`
	Steps  []int     `json:"steps"`
	Side   *string   `json:"side"`
}

type jsonBlock struct {
	Param     string         `json:"param"`
	Gate      string         `json:"gate"`
	Act       string         `json:"act"`
	Threshold jsonNum        `json:"threshold"`
	Init      jsonSigma      `json:"init"`
	Final     jsonSigmaFinal `json:"final"`
}

type jsonClip struct {
	Median jsonNum   `json:"median"`
	Values []jsonNum `json:"values"`
}

type jsonGradientCell struct {
	N        int            `json:"n"`
	Recorded int            `json:"recorded"`
	States   map[string]int `json:"states"`
	Blocks   []jsonBlock    `json:"blocks"`
	ClipRate jsonClip       `json:"clip_rate"`
	Text     string         `json:"text"`
}

type jsonGradientTable struct {
	Task      string                `json:"task"`
	RowsField string                `json:"rows_field"`
	ColsField string                `json:"cols_field"`
	Rows      []string              `json:"rows"`
	Cols      []string              `json:"cols"`
	RowValues [][]string            `json:"row_values,omitempty"`
	ColValues [][]string            `json:"col_values,omitempty"`
	Over      []string              `json:"over"`
	Cells     [][]*jsonGradientCell `json:"cells"`
}

func jsonNums(vs []float64) []jsonNum {
	out := make([]jsonNum, len(vs))
	for i, v := range vs {
		out[i] = jsonNum(v)
	}
	return out
}

// gradientJSON is a gradient table in the JSON document.
func gradientJSON(t *GradientTable) jsonGradientTable {
	jt := jsonGradientTable{Task: t.Task, RowsField: t.Query.Rows, ColsField: t.Query.Cols,
		Rows: nonNil(t.Rows), Cols: nonNil(t.Cols), Over: nonNil(t.Over),
		RowValues: severalValues(t.Query.Rows, t.RowValues), ColValues: severalValues(t.Query.Cols, t.ColValues)}
	jt.Cells = make([][]*jsonGradientCell, len(t.Rows))
	for r := range t.Rows {
		jt.Cells[r] = make([]*jsonGradientCell, len(t.Cols))
		for col, c := range t.Cells[r] {
			if c == nil {
				continue
			}
			jc := &jsonGradientCell{N: c.N, Recorded: c.Recorded, States: map[string]int{}, Blocks: []jsonBlock{},
				ClipRate: jsonClip{Median: jsonNum(c.ClipRate), Values: jsonNums(c.ClipRates)}, Text: c.Text()}
			for s, k := range c.States {
				if k > 0 {
					jc.States[s] = k
				}
			}
			for _, b := range c.Blocks {
				steps := b.FinalStep
				if steps == nil {
					steps = []int{}
				}
				jc.Blocks = append(jc.Blocks, jsonBlock{Param: b.Param, Gate: b.Gate, Act: b.Act, Threshold: jsonNum(b.Threshold),
					Init:  jsonSigma{Median: jsonNum(b.InitMedian), Values: jsonNums(b.Init), Side: b.sideName(b.InitMedian)},
					Final: jsonSigmaFinal{Median: jsonNum(b.FinalMedian), Values: jsonNums(b.Final), Steps: steps, Side: b.sideName(b.FinalMedian)},
				})
			}
			jt.Cells[r][col] = jc
		}
	}
	return jt
}

// optional makes a missing record file no rows and no error.
func optional[R any](rows []R, err error) ([]R, error) {
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return rows, err
}
