package results

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"

	"github.com/expctl/expctl/datasets"
	"github.com/expctl/expctl/results/report"
	"github.com/expctl/expctl/results/trialdir"
)

// PlotFinal plots a table: x = the column values (numeric when they all are, on a log
// scale when they span at least 10×; else evenly spaced), y = each cell's central value
// (the mean, or the median for a median query) on a log scale (linear for a task metric
// such as an accuracy, or when a value is not positive), one line with markers per row,
// error bars (± the sample standard deviation, or min–max for the median), and for loss
// metrics the task's memoryless baseline as a dashed line labelled "baseline" (horizontal,
// or a polyline through the columns when it varies with the column). Cells without values
// are left out, never drawn as 0; a row without any value has no line.
func PlotFinal(t *Table) (*plot.Plot, error) {
	p, _, err := finalPlot(t)
	return p, err
}

// finalPlot is PlotFinal; it also returns the number of data lines (rows drawn).
func finalPlot(t *Table) (*plot.Plot, int, error) {
	ch := finalChart(t)
	p, err := ch.Plot()
	return p, len(ch.Series), err
}

// finalChart describes the figure of PlotFinal.
func finalChart(t *Table) *report.Chart {
	q := t.Query.withDefaults()
	ch := &report.Chart{
		Title:  fmt.Sprintf("%s: final %s vs %s", t.Task, t.MetricName, fieldsText(q.Cols)),
		XLabel: fieldsText(q.Cols),
		HLine:  math.NaN(),
		Dodge:  true,
	}
	if q.Agg == Median {
		ch.YLabel = metricWords(t.Task, q.Metric, t.MetricName) + " (median, min–max)"
	} else {
		ch.YLabel = metricWords(t.Task, q.Metric, t.MetricName) + " (mean ± sd)"
	}
	xs, numeric := plotColumnPositions(t.Cols)
	ch.LogX = numeric && plotLogSpan(xs)
	ch.XTicks = make([]plot.Tick, len(t.Cols))
	for i, col := range t.Cols {
		ch.XTicks[i] = plot.Tick{Value: xs[i], Label: col}
	}
	ch.LogY = q.Metric != TestMetric
	for r, row := range t.Rows {
		s := report.Series{Name: row, Style: r}
		for c := range t.Cols {
			cell := t.Cells[r][c]
			if cell == nil || len(cell.Values) == 0 {
				continue
			}
			y, lo, hi := cell.Mean, cell.Mean-cell.SD, cell.Mean+cell.SD
			if q.Agg == Median {
				y, lo, hi = cell.Median, cell.Min, cell.Max
			}
			if !plotFinite(y) {
				continue
			}
			if len(cell.Values) < 2 || !plotFinite(lo) || !plotFinite(hi) {
				lo, hi = math.NaN(), math.NaN()
			}
			s.X, s.Y = append(s.X, xs[c]), append(s.Y, y)
			s.Lo, s.Hi = append(s.Lo, lo), append(s.Hi, hi)
			if y <= 0 {
				ch.LogY = false
			}
		}
		if len(s.X) > 0 {
			ch.Series = append(ch.Series, s)
		}
	}
	if q.Metric == TestLoss || q.Metric == BestTestLoss {
		setBaseline(ch, xs, t.ColBaseline)
	}
	if q.Metric == TestMetric && !ch.LogY {
		if task, err := datasets.Lookup(t.Task); err == nil && task.Chance > 0 {
			ch.HLine, ch.HLineName = task.Chance, "chance"
		}
	}
	return ch
}

// metricWords names a metric in words for an axis: "test MSE", "best test cross-entropy",
// "recall accuracy"; name is the task's name for test_metric.
func metricWords(task, metric, name string) string {
	loss := "loss"
	if t, err := datasets.Lookup(task); err == nil {
		switch t.Loss {
		case datasets.MSE:
			loss = "MSE"
		case datasets.CrossEntropy:
			loss = "cross-entropy"
		}
	}
	switch metric {
	case TestLoss:
		return "test " + loss
	case BestTestLoss:
		return "best test " + loss
	case StepsToSolve:
		return "steps to solve"
	case TestMetric:
		switch {
		case name == "recall_acc":
			return "recall accuracy"
		case strings.HasPrefix(name, "acc@"):
			return "accuracy (|error| < " + strings.TrimPrefix(name, "acc@") + ")"
		}
	}
	return name
}

// setBaseline sets the chart's baseline from one value per x position (NaN where unknown):
// a horizontal line when all known values agree, else a polyline through them.
func setBaseline(ch *report.Chart, xs, bs []float64) {
	var bx, by []float64
	for i, b := range bs {
		if plotFinite(b) && (b > 0 || !ch.LogY) {
			bx, by = append(bx, xs[i]), append(by, b)
		}
	}
	if len(by) == 0 {
		return
	}
	same := true
	for _, b := range by {
		same = same && b == by[0]
	}
	if same && len(by) == len(bs) {
		ch.HLine = by[0]
		return
	}
	ch.BaselineX, ch.BaselineY = bx, by
}

// PlotCurves plots the learning curves of one task at one column value (e.g. T=10): test
// loss against step on a log scale, one line per row value (cell by default), each the
// median over that row's trials of their test loss at each evaluated step (only trials
// with a curve count, each as far as it got, so the median is over the trials that
// reached the step) in a shaded band from the lowest to the highest of them, with the
// task's baseline as a dashed line when it is the same for
// all those trials. The query's Where applies; its Metric and Agg do not. colValue is a
// column's label as in [Table.Cols]: the value of the column field, or for several fields
// the column's combination of them, e.g. "T=10 clip=none".
func PlotCurves(c *Collection, q Query, task, colValue string) (*plot.Plot, error) {
	p, _, err := curvesPlot(c, q, task, colValue)
	return p, err
}

// curvesPlot is PlotCurves; it also returns the number of data lines.
func curvesPlot(c *Collection, q Query, task, colValue string) (*plot.Plot, int, error) {
	ch, err := curvesChart(c, q, task, colValue)
	if err != nil {
		return nil, 0, err
	}
	p, err := ch.Plot()
	return p, len(ch.Series), err
}

// figureTrials checks the query's fields and returns the row values of a task's table (at
// any column value, so that a row keeps its colour across figures), in the table's order,
// and the trials of the task at one column value grouped by row.
func figureTrials(c *Collection, q Query, task, colValue string) (rows []string, at map[string][]*Trial, err error) {
	if err := c.checkFields(q, "--rows/--cols"); err != nil {
		return nil, nil, err
	}
	ra, ca := rowAxis(q), colAxis(q)
	var trials []*Trial
	for _, t := range c.Trials {
		if q.keeps(t) && t.Field("task") == task {
			trials = append(trials, t)
		}
	}
	rows, values := ra.arrange(trials)
	label := make(map[string]string, len(rows))
	for i, vs := range values {
		label[key(vs)] = rows[i]
	}
	cols, colValues := ca.arrange(trials)
	colLabel := make(map[string]string, len(cols))
	for i, vs := range colValues {
		colLabel[key(vs)] = cols[i]
	}
	at = map[string][]*Trial{}
	n := 0
	for _, t := range trials {
		if colLabel[ca.keyOf(t)] == colValue {
			r := label[ra.keyOf(t)]
			at[r] = append(at[r], t)
			n++
		}
	}
	if n == 0 {
		return nil, nil, fmt.Errorf("no trials of task %q with %s", task, colName(q.Cols, colValue))
	}
	return rows, at, nil
}

// curvesChart describes the figure of PlotCurves.
func curvesChart(c *Collection, q Query, task, colValue string) (*report.Chart, error) {
	q = q.withDefaults()
	rows, at, err := figureTrials(c, q, task, colValue)
	if err != nil {
		return nil, err
	}
	byRow := map[string][]*Trial{}
	base := math.NaN()
	n := 0
	for _, r := range rows {
		for _, t := range at[r] {
			if b := baselineOf(t); n == 0 || b == base {
				base = b
			} else {
				base = math.NaN()
			}
			n++
			if len(t.Curve) > 0 {
				byRow[r] = append(byRow[r], t)
			}
		}
	}
	ch := rowChart(task, q, colValue, "test loss vs step", "step",
		metricWords(task, TestLoss, "")+" (median over trials; band: min–max)")
	for i, r := range rows {
		if trials := byRow[r]; len(trials) > 0 {
			addRow(ch, plotMedianCurve(trials), i, r, len(trials), "")
		}
	}
	if plotFinite(base) && base > 0 {
		ch.HLine = base
	}
	return ch, nil
}

// plotMedianCurve returns, for each step at which one of the trials has a usable test
// loss, the median of the trials' test losses at that step, with the spread of the trials
// (min–max, where two or more have a value) as a band.
func plotMedianCurve(trials []*Trial) report.Series {
	at := map[int][]float64{}
	for _, t := range trials {
		for _, pt := range t.Curve {
			if plotFinite(pt.TestLoss) && pt.TestLoss > 0 {
				at[pt.Step] = append(at[pt.Step], pt.TestLoss)
			}
		}
	}
	steps := make([]int, 0, len(at))
	for s := range at {
		steps = append(steps, s)
	}
	sort.Ints(steps)
	s := report.Series{Band: true}
	for _, st := range steps {
		vs := at[st]
		_, _, med, _, _ := Summarize(vs)
		lo, hi := math.NaN(), math.NaN()
		if len(vs) >= 2 {
			lo, hi = slices.Min(vs), slices.Max(vs)
		}
		s.X, s.Y = append(s.X, float64(st)), append(s.Y, med)
		s.Lo, s.Hi = append(s.Lo, lo), append(s.Hi, hi)
	}
	return s
}

// rowChart is a figure of one task at one column value with a line per row value, on a
// log y axis; it has no baseline until one is set.
func rowChart(task string, q Query, colValue, what, xLabel, yLabel string) *report.Chart {
	return &report.Chart{
		Title:  fmt.Sprintf("%s, %s: %s", task, colName(q.Cols, colValue), what),
		XLabel: xLabel, YLabel: yLabel,
		LogY: true, HLine: math.NaN(),
	}
}

// addRow adds s as the line of the row value row, the style-th of its table, drawn from
// n trials, when it has points: named "row (n trials<detail>)".
func addRow(ch *report.Chart, s report.Series, style int, row string, n int, detail string) {
	if len(s.X) == 0 {
		return
	}
	s.Style = style
	s.Name = fmt.Sprintf("%s (%s%s)", row, plural(n, "trial", "trials"), detail)
	ch.Series = append(ch.Series, s)
}

func plotFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// plotColumnPositions returns the x position of each column value: the value itself when
// all are numbers, else its index.
func plotColumnPositions(cols []string) ([]float64, bool) {
	xs := make([]float64, len(cols))
	for i, c := range cols {
		v, err := strconv.ParseFloat(strings.TrimSpace(c), 64)
		if err != nil || !plotFinite(v) {
			for j := range xs {
				xs[j] = float64(j)
			}
			return xs, false
		}
		xs[i] = v
	}
	return xs, true
}

// plotLogSpan reports whether positive values span at least a factor of 10.
func plotLogSpan(xs []float64) bool {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range xs {
		if x <= 0 {
			return false
		}
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	return len(xs) > 1 && hi >= 10*lo
}

// plotTaskFigures returns the final-metric figure of a table and one learning-curve
// figure per column value; a figure without series shows no data.
func plotTaskFigures(c *Collection, q Query, t *Table) ([]*report.Figure, error) {
	q = q.withDefaults()
	figs := []*report.Figure{{Name: plotFileName("final", t.Task, q.Metric), Chart: finalChart(t)}}
	for _, col := range t.Cols {
		ch, err := curvesChart(c, q, t.Task, col)
		if err != nil {
			return nil, fmt.Errorf("%s, %s: %w", t.Task, colName(q.Cols, col), err)
		}
		figs = append(figs, &report.Figure{Name: plotFileName("curves", t.Task, colFileName(q.Cols, col)), Chart: ch})
	}
	return figs, nil
}

// plotFileName joins parts with "-", replacing characters that are awkward in file names.
func plotFileName(parts ...string) string {
	clean := make([]string, len(parts))
	for i, s := range parts {
		clean[i] = strings.Map(func(r rune) rune {
			switch {
			case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '.', r == '+':
				return r
			}
			return '_'
		}, s)
	}
	return strings.Join(clean, "-")
}

// SavePlots writes every figure of a report into dir (created if needed), as SVG and PNG
// of about 16 cm × 10 cm: for each task the final-metric figure (final-<task>-<metric>)
// and a learning-curve figure per column value (curves-<task>-<col><value>, e.g.
// curves-adding-T10). Figures without any data line are left out. It returns the paths
// written, sorted.
func SavePlots(dir string, c *Collection, q Query) ([]string, error) {
	tables, err := c.Tables(q)
	if err != nil {
		return nil, err
	}
	return saveFigures(dir, tables, func(t *Table) ([]*report.Figure, error) { return plotTaskFigures(c, q, t) })
}

// saveFigures writes the figures of each table that have a data line into dir (created
// if needed) with [savePlotFiles], a name used twice getting a suffix ("-2", …), and
// returns the paths written, sorted.
func saveFigures(dir string, tables []*Table, figures func(*Table) ([]*report.Figure, error)) ([]string, error) {
	var figs []*report.Figure
	for _, t := range tables {
		more, err := figures(t)
		if err != nil {
			return nil, err
		}
		figs = append(figs, more...)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var paths []string
	used := map[string]bool{}
	for _, f := range figs {
		if len(f.Chart.Series) == 0 {
			continue
		}
		name := f.Name
		for i := 2; used[name]; i++ {
			name = fmt.Sprintf("%s-%d", f.Name, i)
		}
		used[name] = true
		p, err := f.Chart.Plot()
		if err != nil {
			return paths, fmt.Errorf("%s: %w", name, err)
		}
		written, err := savePlotFiles(dir, name, p)
		paths = append(paths, written...)
		if err != nil {
			return paths, err
		}
	}
	sort.Strings(paths)
	return paths, nil
}

// savePlotFiles writes a plot as dir/name.svg and dir/name.png, readable by all, and
// returns the paths written.
func savePlotFiles(dir, name string, p *plot.Plot) ([]string, error) {
	svg, err := report.SVG(p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	png, err := report.PNG(p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var paths []string
	for _, out := range []struct {
		ext  string
		data []byte
	}{{".svg", svg}, {".png", png}} {
		path := filepath.Join(dir, name+out.ext)
		if err := trialdir.WriteFileAtomic(path, out.data); err != nil {
			return paths, err
		}
		// Figures are for sharing: readable by all, like a file written plainly.
		if err := os.Chmod(path, 0o644); err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}
