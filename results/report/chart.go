package report

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Series is one line of a chart: the points of one row, with optional error bars.
type Series struct {
	Name  string
	Style int // index of the colour, dashes and marker: the row's place in its table
	X, Y  []float64
	// Lo and Hi are the ends of each point's error bar (NaN: no bar); nil for none.
	Lo, Hi []float64
	// Band draws Lo–Hi as a shaded band along the line instead of error bars.
	Band bool
}

// Chart describes a figure: what [Chart.Plot] draws.
type Chart struct {
	Title, XLabel, YLabel string
	XTicks                []plot.Tick // fixed x ticks (nil: automatic)
	LogX, LogY            bool
	Series                []Series
	Dodge                 bool      // spread the rows' points apart a little so error bars do not overlap
	HLine                 float64   // a constant baseline (NaN: none)
	HLineName             string    // its name in the legend ("": "baseline")
	BaselineX, BaselineY  []float64 // a baseline that varies along x (nil: none)
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Colour-blind-safe line colours (Okabe & Ito), in order of use; yellow is last because
// it is faint on white.
var lineColors = []color.Color{
	rgb(0x00, 0x72, 0xB2), // blue
	rgb(0xD5, 0x5E, 0x00), // vermillion
	rgb(0x00, 0x9E, 0x73), // bluish green
	rgb(0xCC, 0x79, 0xA7), // reddish purple
	rgb(0xE6, 0x9F, 0x00), // orange
	rgb(0x56, 0xB4, 0xE9), // sky blue
	rgb(0x00, 0x00, 0x00), // black
	rgb(0xB8, 0xA9, 0x00), // dark yellow
}

// Dash patterns, so that rows differ without colour too. There are fewer patterns than
// colours, so that the combinations repeat late.
var lineDashes = [][]vg.Length{
	nil,
	{vg.Points(7), vg.Points(3)},
	{vg.Points(2), vg.Points(2)},
	{vg.Points(8), vg.Points(2), vg.Points(2), vg.Points(2)},
	{vg.Points(12), vg.Points(4)},
	{vg.Points(4), vg.Points(2), vg.Points(1), vg.Points(2), vg.Points(1), vg.Points(2)},
}

// Markers, filled and open.
var markers = []draw.GlyphDrawer{
	draw.CircleGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{}, draw.RingGlyph{},
	draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{},
}

var (
	baselineColor = rgb(0x60, 0x60, 0x60)
	baselineDash  = []vg.Length{vg.Points(5), vg.Points(4)}
	figureFont    = font.Font{Typeface: "Liberation", Variant: "Sans"}
)

func rgb(r, g, b uint8) color.Color { return color.RGBA{R: r, G: g, B: b, A: 0xFF} }

// axis maps data values to the coordinates drawn: log10 of the value on a log axis
// (whose ticks are then labelled with the values). Plotting the logarithms on a linear
// axis, rather than using plot.LogScale, keeps the axis label centred and its padding
// right.
type axis struct {
	log      bool
	min, max float64 // the drawn range, in drawn coordinates
}

// to returns the drawn coordinate of v (NaN when v cannot be shown).
func (a axis) to(v float64) float64 {
	if !finite(v) {
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
func (a axis) toAll(vs []float64) []float64 {
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
func (a axis) norm(u float64) float64 {
	if a.max == a.min {
		return 0.5
	}
	return (u - a.min) / (a.max - a.min)
}

// setRange sets the axis range to cover the finite values of vss with a margin of frac
// on each side; a single value gets a range around it, and no value [0, 1].
func (a *axis) setRange(frac float64, vss ...[]float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, vs := range vss {
		for _, v := range vs {
			if finite(v) {
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
func (a axis) ticker() plot.Ticker {
	return plot.TickerFunc(func(min, max float64) []plot.Tick {
		ts := logTicks{}.Ticks(math.Pow(10, min), math.Pow(10, max))
		for i := range ts {
			ts[i].Value = math.Log10(ts[i].Value)
		}
		return ts
	})
}

// Plot draws the chart.
func (ch *Chart) Plot() (*plot.Plot, error) {
	p := plot.New()
	applyStyle(p)
	p.Title.Text = ch.Title
	p.X.Label.Text = ch.XLabel
	p.Y.Label.Text = ch.YLabel

	// Everything in drawn coordinates from here on.
	xa, ya := axis{log: ch.LogX}, axis{log: ch.LogY}
	series := make([]Series, len(ch.Series))
	for i, s := range ch.Series {
		series[i] = Series{Name: s.Name, Style: s.Style, X: xa.toAll(s.X), Y: ya.toAll(s.Y), Lo: ya.toAll(s.Lo), Hi: ya.toAll(s.Hi), Band: s.Band}
		for j := range s.Lo {
			if finite(s.Lo[j]) && finite(s.Hi[j]) && math.IsNaN(series[i].Lo[j]) {
				series[i].Lo[j] = math.Inf(-1) // a bar reaching zero or below: cut at the axis
			}
		}
	}
	hline := ya.to(ch.HLine)
	bxs, bys := xa.toAll(ch.BaselineX), ya.toAll(ch.BaselineY)
	ticks := make([]plot.Tick, len(ch.XTicks))
	var tickXs []float64
	for i, t := range ch.XTicks {
		ticks[i] = plot.Tick{Value: xa.to(t.Value), Label: t.Label}
		tickXs = append(tickXs, ticks[i].Value)
	}

	// Ranges: the points, the baseline and the error bars.
	var allX, allY [][]float64
	for _, s := range series {
		allX = append(allX, s.X)
		allY = append(allY, s.Y, s.Lo, s.Hi)
	}
	xa.setRange(0.04, append(allX, bxs, tickXs)...)
	ya.setRange(0.04, append(allY, bys, []float64{hline})...)

	if ch.Dodge && len(series) > 1 {
		// Between neighbouring rows: 1.2% of the x axis, 4% for all rows at most.
		step := math.Min(0.012, 0.04/float64(len(series)-1))
		for i := range series {
			s := &series[i]
			off := (float64(i) - float64(len(series)-1)/2) * step * (xa.max - xa.min)
			xd := make([]float64, len(s.X))
			for j, x := range s.X {
				xd[j] = x + off
			}
			s.X = xd
		}
	}

	if ch.LogY {
		p.Y.Tick.Marker = ya.ticker()
	}
	switch {
	case ch.XTicks != nil:
		p.X.Tick.Marker = plot.ConstantTicks(ticks)
	case ch.LogX:
		p.X.Tick.Marker = xa.ticker()
	}

	// Baseline first, so that the data are drawn over it.
	var baseline plot.Thumbnailer
	bstyle := draw.LineStyle{Color: baselineColor, Width: vg.Points(1.5), Dashes: baselineDash}
	switch {
	case finite(hline):
		f := plotter.NewFunction(func(float64) float64 { return hline })
		f.LineStyle = bstyle
		f.Samples = 2
		p.Add(f)
		baseline = f
	case len(bxs) > 0:
		l, err := plotter.NewLine(xys(bxs, bys))
		if err != nil {
			return nil, err
		}
		l.LineStyle = bstyle
		p.Add(l)
		baseline = l
	}

	for _, s := range series {
		i := s.Style
		col := lineColors[i%len(lineColors)]
		var thumbs []plot.Thumbnailer
		if s.Band {
			if band := spreadBand(s, ya, col); band != nil {
				p.Add(band)
			}
		} else if bars := errorBars(s, ya, col); bars != nil {
			p.Add(bars)
		}
		line, err := plotter.NewLine(xys(s.X, s.Y))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.Name, err)
		}
		line.LineStyle = draw.LineStyle{Color: col, Width: vg.Points(1.8), Dashes: lineDashes[i%len(lineDashes)]}
		p.Add(line)
		thumbs = append(thumbs, line)
		// Markers: on long lines on some points only (not the same ones for all rows),
		// enough to tell the lines apart.
		mx, my := s.X, s.Y
		if stride := (len(s.X) + 11) / 12; len(s.X) > 15 {
			mx, my = nil, nil
			for j := i % stride; j < len(s.X); j += stride {
				mx, my = append(mx, s.X[j]), append(my, s.Y[j])
			}
		}
		sc, err := plotter.NewScatter(xys(mx, my))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.Name, err)
		}
		// The glyph cycle shifts each time the colours come round again.
		shape := markers[(i+i/len(lineColors))%len(markers)]
		sc.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(3.5), Shape: shape}
		p.Add(sc)
		thumbs = append(thumbs, sc)
		p.Legend.Add(s.Name, thumbs...)
	}
	if baseline != nil {
		name := ch.HLineName
		if name == "" || !finite(hline) {
			name = "baseline"
		}
		p.Legend.Add(name, baseline)
	}

	placeLegend(p, series, bxs, bys, hline, xa, &ya)
	p.X.Min, p.X.Max = xa.min, xa.max
	p.Y.Min, p.Y.Max = ya.min, ya.max
	return p, nil
}

// applyStyle sets readable fonts and sizes.
func applyStyle(p *plot.Plot) {
	p.Title.TextStyle.Font = font.From(figureFont, 13)
	p.Title.Padding = vg.Points(6)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(figureFont, 11)
		a.Tick.Label.Font = font.From(figureFont, 10)
		a.Padding = vg.Points(6)
	}
	p.Legend.TextStyle.Font = font.From(figureFont, 10)
	p.Legend.ThumbnailWidth = vg.Points(28)
	p.Legend.Padding = vg.Points(1)
}

func xys(xs, ys []float64) plotter.XYs {
	out := make(plotter.XYs, len(xs))
	for i := range xs {
		out[i].X, out[i].Y = xs[i], ys[i]
	}
	return out
}

// spreadBand returns the band between a series' Lo and Hi (in drawn coordinates, cut at
// the bottom of the axis), a translucent version of the line's colour, over the runs of
// points where both are defined; nil when there are none.
func spreadBand(s Series, ya axis, col color.Color) *plotter.Polygon {
	var rings []plotter.XYer
	var lo, hi plotter.XYs
	flush := func() {
		if len(lo) >= 2 {
			ring := append(plotter.XYs{}, lo...)
			for i := len(hi) - 1; i >= 0; i-- {
				ring = append(ring, hi[i])
			}
			rings = append(rings, ring)
		}
		lo, hi = nil, nil
	}
	for i := range s.Lo {
		l, h := s.Lo[i], s.Hi[i]
		if math.IsNaN(l) || !finite(h) || !finite(s.X[i]) {
			flush()
			continue
		}
		l = math.Max(l, ya.min)
		lo, hi = append(lo, plotter.XY{X: s.X[i], Y: l}), append(hi, plotter.XY{X: s.X[i], Y: h})
	}
	flush()
	if len(rings) == 0 {
		return nil
	}
	poly, err := plotter.NewPolygon(rings...)
	if err != nil {
		return nil
	}
	r, g, b, _ := col.RGBA()
	poly.Color = color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 0x38}
	poly.LineStyle.Width = 0
	return poly
}

// errorBars returns the error bars of a series (in drawn coordinates; a low end
// below the axis, e.g. −∞ for zero or less on a log axis, is cut there without a cap);
// nil when it has none.
func errorBars(s Series, ya axis, col color.Color) *plotter.YErrorBars {
	bars := &plotter.YErrorBars{
		LineStyle: draw.LineStyle{Color: col, Width: vg.Points(1)},
		CapWidth:  vg.Points(7),
	}
	for i := range s.Lo {
		lo, hi, y := s.Lo[i], s.Hi[i], s.Y[i]
		if lo < ya.min {
			// Below the axis: end the bar just past it, so that its cap is not drawn.
			lo = ya.min - 1e-3*(ya.max-ya.min)
		}
		if math.IsNaN(lo) || !finite(hi) || hi-lo <= 0 {
			continue
		}
		bars.XYs = append(bars.XYs, plotter.XY{X: s.X[i], Y: y})
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
func placeLegend(p *plot.Plot, series []Series, bxs, bys []float64, hline float64, xa axis, ya *axis) {
	full := draw.Canvas{Rectangle: vg.Rectangle{Max: vg.Point{X: FigureWidth, Y: FigureHeight}}}
	size := p.Legend.Rectangle(full).Size()
	if size.X == 0 {
		return
	}
	// The data area is the figure less the title, the axes and their labels (roughly).
	dataW, dataH := FigureWidth-vg.Points(70), FigureHeight-vg.Points(80)
	fw := float64((size.X + vg.Points(12)) / dataW)
	fh := float64((size.Y + vg.Points(10)) / dataH)

	// Sample the lines, markers and error bars in axis fractions.
	type pt struct{ u, v float64 }
	var pts []pt
	addLine := func(x, y []float64) {
		for i := range x {
			if !finite(x[i]) || !finite(y[i]) {
				continue
			}
			pts = append(pts, pt{xa.norm(x[i]), ya.norm(y[i])})
			if i+1 < len(x) && finite(x[i+1]) && finite(y[i+1]) {
				for k := 1; k < 20; k++ {
					f := float64(k) / 20
					pts = append(pts, pt{xa.norm(x[i]*(1-f) + x[i+1]*f), ya.norm(y[i]*(1-f) + y[i+1]*f)})
				}
			}
		}
	}
	for _, s := range series {
		addLine(s.X, s.Y)
		for i := range s.Lo {
			if !math.IsNaN(s.Lo[i]) {
				addLine([]float64{s.X[i], s.X[i]}, []float64{math.Max(s.Lo[i], ya.min), s.Hi[i]})
			}
		}
	}
	addLine(bxs, bys)
	if finite(hline) {
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
		out := &outsideLegend{legend: p.Legend, width: size.X, gap: vg.Points(10)}
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

// outsideLegend is a legend drawn to the right of the data area. As a plotter it
// reserves its room there through a glyph box, which makes the plot shrink the data area.
type outsideLegend struct {
	legend     plot.Legend
	width, gap vg.Length
}

// Plot implements plot.Plotter: c is the data area; the legend goes right of it.
func (l *outsideLegend) Plot(c draw.Canvas, _ *plot.Plot) {
	area := c
	area.Min.X = c.Max.X + l.gap
	area.Max.X = area.Min.X + l.width
	l.legend.Draw(area)
}

// GlyphBoxes implements plot.GlyphBoxer: a box as wide as the legend right of the data.
func (l *outsideLegend) GlyphBoxes(*plot.Plot) []plot.GlyphBox {
	return []plot.GlyphBox{{X: 1, Y: 0.5, Rectangle: vg.Rectangle{
		Min: vg.Point{X: l.gap},
		Max: vg.Point{X: l.gap + l.width + vg.Points(6)},
	}}}
}

// logTicks labels a log axis with enough ticks to read values: powers of ten over
// wide ranges, 1-2-5 steps over a few decades, every integer multiple of a power of ten
// over about one decade, and evenly spaced values over narrower ranges. Unlabelled ticks
// mark the integer multiples of each power of ten, and over more than [maxMinorDecades]
// decades only the powers of ten: 9 ticks a decade over 50 decades would draw a solid bar.
type logTicks struct{}

// maxMinorDecades is the widest range, in decades, over which a log axis has ticks
// between the powers of ten.
const maxMinorDecades = 8

// Ticks implements plot.Ticker.
func (logTicks) Ticks(min, max float64) []plot.Tick {
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
	multiples := 9 // ticks at m × 10^e for m = 1 … multiples
	if last-first > maxMinorDecades {
		multiples = 1
	}
	for e := first; e <= last; e++ {
		for m := 1; m <= multiples; m++ {
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
