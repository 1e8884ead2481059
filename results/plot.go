package results

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/expctl/expctl/results/report"
)

// Figure size: about 16 cm × 10 cm.
const (
	plotWidth  = report.FigureWidth
	plotHeight = report.FigureHeight
)

// Colour-blind-safe line colours (Okabe & Ito), in order of use; yellow is last because
// it is faint on white.
var plotColors = []color.Color{
	plotRGB(0x00, 0x72, 0xB2), // blue
	plotRGB(0xD5, 0x5E, 0x00), // vermillion
	plotRGB(0x00, 0x9E, 0x73), // bluish green
	plotRGB(0xCC, 0x79, 0xA7), // reddish purple
	plotRGB(0xE6, 0x9F, 0x00), // orange
	plotRGB(0x56, 0xB4, 0xE9), // sky blue
	plotRGB(0x00, 0x00, 0x00), // black
	plotRGB(0xB8, 0xA9, 0x00), // dark yellow
}

// Dash patterns, so that rows differ without colour too. There are fewer patterns than
// colours, so that the combinations repeat late.
var plotDashes = [][]vg.Length{
	nil,
	{vg.Points(7), vg.Points(3)},
	{vg.Points(2), vg.Points(2)},
	{vg.Points(8), vg.Points(2), vg.Points(2), vg.Points(2)},
	{vg.Points(12), vg.Points(4)},
	{vg.Points(4), vg.Points(2), vg.Points(1), vg.Points(2), vg.Points(1), vg.Points(2)},
}

// Markers, filled and open.
var plotGlyphs = []draw.GlyphDrawer{
	draw.CircleGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{}, draw.RingGlyph{},
	draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{},
}

var (
	plotBaselineColor = plotRGB(0x60, 0x60, 0x60)
	plotBaselineDash  = []vg.Length{vg.Points(5), vg.Points(4)}
	plotFont          = font.Font{Typeface: "Liberation", Variant: "Sans"}
)

func plotRGB(r, g, b uint8) color.Color { return color.RGBA{R: r, G: g, B: b, A: 0xFF} }

// plotSeries is one line of a chart: the points of one row, with optional error bars.
type plotSeries struct {
	name   string
	style  int // index of the colour, dashes and marker: the row's place in its table
	xs, ys []float64
	// lo and hi are the ends of each point's error bar (NaN: no bar); nil for none.
	lo, hi []float64
}

// plotChart describes a figure before it is turned into a plot.
type plotChart struct {
	title, xLabel, yLabel string
	xTicks                []plot.Tick // fixed x ticks (nil: automatic)
	logX, logY            bool
	series                []plotSeries
	dodge                 bool      // spread the rows' points apart a little so error bars do not overlap
	hline                 float64   // a constant baseline (NaN: none)
	bxs, bys              []float64 // a baseline that varies along x (nil: none)
}

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
	p, err := ch.build()
	return p, len(ch.series), err
}

// finalChart describes the figure of PlotFinal.
func finalChart(t *Table) *plotChart {
	q := t.Query.withDefaults()
	ch := &plotChart{
		title:  fmt.Sprintf("%s: final %s vs %s", t.Task, t.MetricName, q.Cols),
		xLabel: q.Cols,
		hline:  math.NaN(),
		dodge:  true,
	}
	if q.Agg == Median {
		ch.yLabel = t.MetricName + " (median, min–max)"
	} else {
		ch.yLabel = t.MetricName + " (mean ± sd)"
	}
	xs, numeric := plotColumnPositions(t.Cols)
	ch.logX = numeric && plotLogSpan(xs)
	ch.xTicks = make([]plot.Tick, len(t.Cols))
	for i, col := range t.Cols {
		ch.xTicks[i] = plot.Tick{Value: xs[i], Label: col}
	}
	ch.logY = q.Metric != TestMetric
	for r, row := range t.Rows {
		s := plotSeries{name: row, style: r}
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
			s.xs, s.ys = append(s.xs, xs[c]), append(s.ys, y)
			s.lo, s.hi = append(s.lo, lo), append(s.hi, hi)
			if y <= 0 {
				ch.logY = false
			}
		}
		if len(s.xs) > 0 {
			ch.series = append(ch.series, s)
		}
	}
	if q.Metric == TestLoss || q.Metric == BestTestLoss {
		ch.baseline(xs, t.ColBaseline)
	}
	return ch
}

// baseline sets the chart's baseline from one value per x position (NaN where unknown):
// a horizontal line when all known values agree, else a polyline through them.
func (ch *plotChart) baseline(xs, bs []float64) {
	var bx, by []float64
	for i, b := range bs {
		if plotFinite(b) && (b > 0 || !ch.logY) {
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
		ch.hline = by[0]
		return
	}
	ch.bxs, ch.bys = bx, by
}

// PlotCurves plots the learning curves of one task at one column value (e.g. T=10): test
// loss against step on a log scale, one line per row value (cell by default), each the
// median over that row's trials of their test loss at each evaluated step (only trials
// with a curve count, each as far as it got, so the median is over the trials that
// reached the step), with the task's baseline as a dashed line when it is the same for
// all those trials. The query's Where applies; its Metric and Agg do not.
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
	p, err := ch.build()
	return p, len(ch.series), err
}

// figureTrials checks the query's fields and returns the row values of a task's table (at
// any column value, so that a row keeps its colour across figures), sorted, and the trials
// of the task at one column value grouped by row.
func figureTrials(c *Collection, q Query, task, colValue string) (rows []string, at map[string][]*Trial, err error) {
	for _, f := range []string{q.Rows, q.Cols} {
		if !c.KnownField(f) {
			return nil, nil, fmt.Errorf("unknown field %q (fields: %s)", f, strings.Join(c.fields(), ", "))
		}
	}
	at = map[string][]*Trial{}
	seen := map[string]bool{}
	n := 0
	for _, t := range c.Trials {
		if !q.keeps(t) || t.Field("task") != task {
			continue
		}
		r := t.Field(q.Rows)
		if !seen[r] {
			seen[r] = true
			rows = append(rows, r)
		}
		if t.Field(q.Cols) == colValue {
			at[r] = append(at[r], t)
			n++
		}
	}
	if n == 0 {
		return nil, nil, fmt.Errorf("no trials of task %q with %s=%s", task, q.Cols, colValue)
	}
	SortValues(rows)
	return rows, at, nil
}

// curvesChart describes the figure of PlotCurves.
func curvesChart(c *Collection, q Query, task, colValue string) (*plotChart, error) {
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
	ch := rowChart(task, q, colValue, "test loss vs step", "step", "test loss (median over trials)")
	for i, r := range rows {
		if trials := byRow[r]; len(trials) > 0 {
			ch.addRow(plotMedianCurve(trials), i, r, len(trials), "")
		}
	}
	if plotFinite(base) && base > 0 {
		ch.hline = base
	}
	return ch, nil
}

// plotMedianCurve returns, for each step at which one of the trials has a usable test
// loss, the median of the trials' test losses at that step.
func plotMedianCurve(trials []*Trial) plotSeries {
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
	var s plotSeries
	for _, st := range steps {
		_, _, med, _, _ := Summarize(at[st])
		s.xs, s.ys = append(s.xs, float64(st)), append(s.ys, med)
	}
	return s
}

// rowChart is a figure of one task at one column value with a line per row value, on a
// log y axis; it has no baseline until one is set.
func rowChart(task string, q Query, colValue, what, xLabel, yLabel string) *plotChart {
	return &plotChart{
		title:  fmt.Sprintf("%s, %s=%s: %s", task, q.Cols, colValue, what),
		xLabel: xLabel, yLabel: yLabel,
		logY: true, hline: math.NaN(),
	}
}

// addRow adds s as the line of the row value row, the style-th of its table, drawn from
// n trials, when it has points: named "row (n trials<detail>)".
func (ch *plotChart) addRow(s plotSeries, style int, row string, n int, detail string) {
	if len(s.xs) == 0 {
		return
	}
	s.style = style
	s.name = fmt.Sprintf("%s (%s%s)", row, plural(n, "trial", "trials"), detail)
	ch.series = append(ch.series, s)
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

// plotAxis maps data values to the coordinates drawn: log10 of the value on a log axis
// (whose ticks are then labelled with the values). Plotting the logarithms on a linear
// axis, rather than using plot.LogScale, keeps the axis label centred and its padding
// right.
type plotAxis struct {
	log      bool
	min, max float64 // the drawn range, in drawn coordinates
}

// to returns the drawn coordinate of v (NaN when v cannot be shown).
func (a plotAxis) to(v float64) float64 {
	if !plotFinite(v) {
		return math.NaN()
	}
	if a.log {
		if v <= 0 {
			return math.NaN()
		}
		return math.Log10(v)
	}
	return v
}

// toAll maps a slice with to.
func (a plotAxis) toAll(vs []float64) []float64 {
	if vs == nil {
		return nil
	}
	out := make([]float64, len(vs))
	for i, v := range vs {
		out[i] = a.to(v)
	}
	return out
}

// norm returns the fraction of the axis at drawn coordinate u.
func (a plotAxis) norm(u float64) float64 {
	if a.max == a.min {
		return 0.5
	}
	return (u - a.min) / (a.max - a.min)
}

// setRange sets the axis range to cover the finite values of vss with a margin of frac
// on each side; a single value gets a range around it, and no value [0, 1].
func (a *plotAxis) setRange(frac float64, vss ...[]float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, vs := range vss {
		for _, v := range vs {
			if plotFinite(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	switch {
	case lo > hi:
		lo, hi = 0, 1
		if a.log {
			lo, hi = -1, 0
		}
	case lo == hi && a.log:
		lo, hi = lo-0.3, hi+0.3
	case lo == hi && lo == 0:
		lo, hi = -1, 1
	case lo == hi:
		d := math.Abs(lo) / 2
		lo, hi = lo-d, hi+d
	default:
		d := (hi - lo) * frac
		lo, hi = lo-d, hi+d
	}
	a.min, a.max = lo, hi
}

// ticker returns the tick marker of a log axis.
func (a plotAxis) ticker() plot.Ticker {
	return plot.TickerFunc(func(min, max float64) []plot.Tick {
		ts := plotLogTicks{}.Ticks(math.Pow(10, min), math.Pow(10, max))
		for i := range ts {
			ts[i].Value = math.Log10(ts[i].Value)
		}
		return ts
	})
}

// build turns the chart into a plot.
func (ch *plotChart) build() (*plot.Plot, error) {
	p := plot.New()
	plotStyle(p)
	p.Title.Text = ch.title
	p.X.Label.Text = ch.xLabel
	p.Y.Label.Text = ch.yLabel

	// Everything in drawn coordinates from here on.
	xa, ya := plotAxis{log: ch.logX}, plotAxis{log: ch.logY}
	series := make([]plotSeries, len(ch.series))
	for i, s := range ch.series {
		series[i] = plotSeries{name: s.name, style: s.style, xs: xa.toAll(s.xs), ys: ya.toAll(s.ys), lo: ya.toAll(s.lo), hi: ya.toAll(s.hi)}
		for j := range s.lo {
			if plotFinite(s.lo[j]) && plotFinite(s.hi[j]) && math.IsNaN(series[i].lo[j]) {
				series[i].lo[j] = math.Inf(-1) // a bar reaching zero or below: cut at the axis
			}
		}
	}
	hline := ya.to(ch.hline)
	bxs, bys := xa.toAll(ch.bxs), ya.toAll(ch.bys)
	ticks := make([]plot.Tick, len(ch.xTicks))
	var tickXs []float64
	for i, t := range ch.xTicks {
		ticks[i] = plot.Tick{Value: xa.to(t.Value), Label: t.Label}
		tickXs = append(tickXs, ticks[i].Value)
	}

	// Ranges: the points, the baseline and the error bars.
	var allX, allY [][]float64
	for _, s := range series {
		allX = append(allX, s.xs)
		allY = append(allY, s.ys, s.lo, s.hi)
	}
	xa.setRange(0.04, append(allX, bxs, tickXs)...)
	ya.setRange(0.04, append(allY, bys, []float64{hline})...)

	if ch.dodge && len(series) > 1 {
		// Between neighbouring rows: 1.2% of the x axis, 4% for all rows at most.
		step := math.Min(0.012, 0.04/float64(len(series)-1))
		for i := range series {
			s := &series[i]
			off := (float64(i) - float64(len(series)-1)/2) * step * (xa.max - xa.min)
			xd := make([]float64, len(s.xs))
			for j, x := range s.xs {
				xd[j] = x + off
			}
			s.xs = xd
		}
	}

	if ch.logY {
		p.Y.Tick.Marker = ya.ticker()
	}
	switch {
	case ch.xTicks != nil:
		p.X.Tick.Marker = plot.ConstantTicks(ticks)
	case ch.logX:
		p.X.Tick.Marker = xa.ticker()
	}

	// Baseline first, so that the data are drawn over it.
	var baseline plot.Thumbnailer
	bstyle := draw.LineStyle{Color: plotBaselineColor, Width: vg.Points(1.5), Dashes: plotBaselineDash}
	switch {
	case plotFinite(hline):
		f := plotter.NewFunction(func(float64) float64 { return hline })
		f.LineStyle = bstyle
		f.Samples = 2
		p.Add(f)
		baseline = f
	case len(bxs) > 0:
		l, err := plotter.NewLine(plotXYs(bxs, bys))
		if err != nil {
			return nil, err
		}
		l.LineStyle = bstyle
		p.Add(l)
		baseline = l
	}

	for _, s := range series {
		i := s.style
		col := plotColors[i%len(plotColors)]
		var thumbs []plot.Thumbnailer
		if bars := plotErrorBars(s, ya, col); bars != nil {
			p.Add(bars)
		}
		line, err := plotter.NewLine(plotXYs(s.xs, s.ys))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
		line.LineStyle = draw.LineStyle{Color: col, Width: vg.Points(1.8), Dashes: plotDashes[i%len(plotDashes)]}
		p.Add(line)
		thumbs = append(thumbs, line)
		// Markers: on long lines on some points only (not the same ones for all rows),
		// enough to tell the lines apart.
		mx, my := s.xs, s.ys
		if stride := (len(s.xs) + 11) / 12; len(s.xs) > 15 {
			mx, my = nil, nil
			for j := i % stride; j < len(s.xs); j += stride {
				mx, my = append(mx, s.xs[j]), append(my, s.ys[j])
			}
		}
		sc, err := plotter.NewScatter(plotXYs(mx, my))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
		// The glyph cycle shifts each time the colours come round again.
		shape := plotGlyphs[(i+i/len(plotColors))%len(plotGlyphs)]
		sc.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(3.5), Shape: shape}
		p.Add(sc)
		thumbs = append(thumbs, sc)
		p.Legend.Add(s.name, thumbs...)
	}
	if baseline != nil {
		p.Legend.Add("baseline", baseline)
	}

	placeLegend(p, series, bxs, bys, hline, xa, &ya)
	p.X.Min, p.X.Max = xa.min, xa.max
	p.Y.Min, p.Y.Max = ya.min, ya.max
	return p, nil
}

// plotStyle sets readable fonts and sizes.
func plotStyle(p *plot.Plot) {
	p.Title.TextStyle.Font = font.From(plotFont, 13)
	p.Title.Padding = vg.Points(6)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(plotFont, 11)
		a.Tick.Label.Font = font.From(plotFont, 10)
		a.Padding = vg.Points(6)
	}
	p.Legend.TextStyle.Font = font.From(plotFont, 10)
	p.Legend.ThumbnailWidth = vg.Points(28)
	p.Legend.Padding = vg.Points(1)
}

func plotXYs(xs, ys []float64) plotter.XYs {
	out := make(plotter.XYs, len(xs))
	for i := range xs {
		out[i].X, out[i].Y = xs[i], ys[i]
	}
	return out
}

// plotErrorBars returns the error bars of a series (in drawn coordinates; a low end
// below the axis, e.g. −∞ for zero or less on a log axis, is cut there without a cap);
// nil when it has none.
func plotErrorBars(s plotSeries, ya plotAxis, col color.Color) *plotter.YErrorBars {
	bars := &plotter.YErrorBars{
		LineStyle: draw.LineStyle{Color: col, Width: vg.Points(1)},
		CapWidth:  vg.Points(7),
	}
	for i := range s.lo {
		lo, hi, y := s.lo[i], s.hi[i], s.ys[i]
		if lo < ya.min {
			// Below the axis: end the bar just past it, so that its cap is not drawn.
			lo = ya.min - 1e-3*(ya.max-ya.min)
		}
		if math.IsNaN(lo) || !plotFinite(hi) || hi-lo <= 0 {
			continue
		}
		bars.XYs = append(bars.XYs, plotter.XY{X: s.xs[i], Y: y})
		bars.YErrors = append(bars.YErrors, struct{ Low, High float64 }{y - lo, hi - y})
	}
	if len(bars.XYs) == 0 {
		return nil
	}
	return bars
}

// placeLegend puts the legend in the corner of the data area that holds the fewest data,
// preferring the top right; when every corner holds some, it raises the top of the y
// axis to make room for it there. Coordinates are drawn ones.
func placeLegend(p *plot.Plot, series []plotSeries, bxs, bys []float64, hline float64, xa plotAxis, ya *plotAxis) {
	full := draw.Canvas{Rectangle: vg.Rectangle{Max: vg.Point{X: plotWidth, Y: plotHeight}}}
	size := p.Legend.Rectangle(full).Size()
	if size.X == 0 {
		return
	}
	// The data area is the figure less the title, the axes and their labels (roughly).
	dataW, dataH := plotWidth-vg.Points(70), plotHeight-vg.Points(80)
	fw := float64((size.X + vg.Points(12)) / dataW)
	fh := float64((size.Y + vg.Points(10)) / dataH)

	// Sample the lines, markers and error bars in axis fractions.
	type pt struct{ u, v float64 }
	var pts []pt
	addLine := func(x, y []float64) {
		for i := range x {
			if !plotFinite(x[i]) || !plotFinite(y[i]) {
				continue
			}
			pts = append(pts, pt{xa.norm(x[i]), ya.norm(y[i])})
			if i+1 < len(x) && plotFinite(x[i+1]) && plotFinite(y[i+1]) {
				for k := 1; k < 20; k++ {
					f := float64(k) / 20
					pts = append(pts, pt{xa.norm(x[i]*(1-f) + x[i+1]*f), ya.norm(y[i]*(1-f) + y[i+1]*f)})
				}
			}
		}
	}
	for _, s := range series {
		addLine(s.xs, s.ys)
		for i := range s.lo {
			if !math.IsNaN(s.lo[i]) {
				addLine([]float64{s.xs[i], s.xs[i]}, []float64{math.Max(s.lo[i], ya.min), s.hi[i]})
			}
		}
	}
	addLine(bxs, bys)
	if plotFinite(hline) {
		addLine([]float64{xa.min, xa.max}, []float64{hline, hline})
	}

	type corner struct{ top, left bool }
	corners := []corner{{true, false}, {true, true}, {false, false}, {false, true}}
	best, bestN := corners[0], -1
	for _, c := range corners {
		n := 0
		for _, q := range pts {
			inX := q.u >= 1-fw
			if c.left {
				inX = q.u <= fw
			}
			inY := q.v >= 1-fh
			if !c.top {
				inY = q.v <= fh
			}
			if inX && inY {
				n++
			}
		}
		if bestN < 0 || n < bestN {
			best, bestN = c, n
		}
	}
	switch {
	case bestN > 0 && fh <= 0.25:
		// Raise the top so that all data sit below the legend.
		best = corner{top: true}
		ya.max = ya.min + (ya.max-ya.min)/(1-fh)
	case bestN > 0:
		// A tall legend: beside the data rather than over them.
		out := &plotOutsideLegend{legend: p.Legend, width: size.X, gap: vg.Points(10)}
		out.legend.Top, out.legend.Left = true, true
		p.Add(out)
		p.Legend = plot.NewLegend()
		return
	}
	p.Legend.Top, p.Legend.Left = best.top, best.left
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(6), -vg.Points(4)
	if best.left {
		p.Legend.XOffs = vg.Points(8)
	}
	if !best.top {
		p.Legend.YOffs = vg.Points(6)
	}
}

// plotOutsideLegend is a legend drawn to the right of the data area. As a plotter it
// reserves its room there through a glyph box, which makes the plot shrink the data area.
type plotOutsideLegend struct {
	legend     plot.Legend
	width, gap vg.Length
}

// Plot implements plot.Plotter: c is the data area; the legend goes right of it.
func (l *plotOutsideLegend) Plot(c draw.Canvas, _ *plot.Plot) {
	area := c
	area.Min.X = c.Max.X + l.gap
	area.Max.X = area.Min.X + l.width
	l.legend.Draw(area)
}

// GlyphBoxes implements plot.GlyphBoxer: a box as wide as the legend right of the data.
func (l *plotOutsideLegend) GlyphBoxes(*plot.Plot) []plot.GlyphBox {
	return []plot.GlyphBox{{X: 1, Y: 0.5, Rectangle: vg.Rectangle{
		Min: vg.Point{X: l.gap},
		Max: vg.Point{X: l.gap + l.width + vg.Points(6)},
	}}}
}

// plotLogTicks labels a log axis with enough ticks to read values: powers of ten over
// wide ranges, 1-2-5 steps over a few decades, every integer multiple of a power of ten
// over about one decade, and evenly spaced values over narrower ranges.
type plotLogTicks struct{}

// Ticks implements plot.Ticker.
func (plotLogTicks) Ticks(min, max float64) []plot.Tick {
	if min <= 0 || max <= min {
		return plot.DefaultTicks{}.Ticks(min, max)
	}
	first := int(math.Floor(math.Log10(min)))
	last := int(math.Ceil(math.Log10(max)))
	inRange := func(v float64) bool { return v >= min*(1-1e-9) && v <= max*(1+1e-9) }
	// Label sets, from coarse to fine; use the first that labels at least 4 ticks.
	levels := [][]int{{1}, {1, 2, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9}}
	every := 1 // label every this many powers of ten (over very wide ranges)
	if d := last - first; d > 8 {
		every = (d + 7) / 8
	}
	var labels []int
	for _, lv := range levels {
		labels = lv
		n := 0
		for e := first; e <= last; e++ {
			for _, m := range lv {
				if inRange(float64(m)*math.Pow(10, float64(e))) && (m != 1 || (e-first)%every == 0) {
					n++
				}
			}
		}
		if n >= 4 {
			break
		}
	}
	var ticks []plot.Tick
	labelled := 0
	for e := first; e <= last; e++ {
		for m := 1; m < 10; m++ {
			v := float64(m) * math.Pow(10, float64(e))
			if !inRange(v) {
				continue
			}
			t := plot.Tick{Value: v}
			for _, l := range labels {
				if l == m && (m != 1 || (e-first)%every == 0) {
					t.Label = strconv.FormatFloat(v, 'g', 3, 64)
					labelled++
				}
			}
			ticks = append(ticks, t)
		}
	}
	if labelled >= 3 {
		return ticks
	}
	// A narrow range: evenly spaced labels, as on a linear axis, if they are more.
	var out []plot.Tick
	n := 0
	for _, t := range (plot.DefaultTicks{}).Ticks(min, max) {
		if t.Value > 0 {
			out = append(out, t)
			if t.Label != "" {
				n++
			}
		}
	}
	if n > labelled {
		return out
	}
	return ticks
}

// plotFigure is one plot of a report.
type plotFigure struct {
	name  string // file name without extension
	title string
	plot  *plot.Plot
	lines int // data lines drawn
}

// plotTaskFigures returns the final-metric figure of a table and one learning-curve
// figure per column value; a figure's lines tell whether it shows any data.
func plotTaskFigures(c *Collection, q Query, t *Table) ([]plotFigure, error) {
	q = q.withDefaults()
	var figs []plotFigure
	p, n, err := finalPlot(t)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.Task, err)
	}
	figs = append(figs, plotFigure{
		name:  plotFileName("final", t.Task, q.Metric),
		title: p.Title.Text, plot: p, lines: n,
	})
	for _, col := range t.Cols {
		p, n, err := curvesPlot(c, q, t.Task, col)
		if err != nil {
			return nil, fmt.Errorf("%s, %s=%s: %w", t.Task, q.Cols, col, err)
		}
		figs = append(figs, plotFigure{
			name:  plotFileName("curves", t.Task, q.Cols+col),
			title: p.Title.Text, plot: p, lines: n,
		})
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
	return saveFigures(dir, tables, func(t *Table) ([]plotFigure, error) { return plotTaskFigures(c, q, t) })
}

// saveFigures writes the figures of each table that have a data line into dir (created
// if needed) with [savePlotFiles], a name used twice getting a suffix ("-2", …), and
// returns the paths written, sorted.
func saveFigures(dir string, tables []*Table, figures func(*Table) ([]plotFigure, error)) ([]string, error) {
	var figs []plotFigure
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
		if f.lines == 0 {
			continue
		}
		name := f.name
		for i := 2; used[name]; i++ {
			name = fmt.Sprintf("%s-%d", f.name, i)
		}
		used[name] = true
		written, err := savePlotFiles(dir, name, f.plot)
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
		if err := WriteFileAtomic(path, out.data); err != nil {
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
