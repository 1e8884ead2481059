package report

import (
	"bytes"
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// The size of a figure, about 16 cm × 10 cm, and the resolution of its PNG image.
const (
	FigureWidth  = 16 * vg.Centimeter
	FigureHeight = 10 * vg.Centimeter
	FigureDPI    = 150
)

// SVG renders a plot as an SVG document of the figure size.
func SVG(p *plot.Plot) ([]byte, error) {
	c := vgsvg.New(FigureWidth, FigureHeight)
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("svg: %w", err)
	}
	return buf.Bytes(), nil
}

// PNG renders a plot as a PNG image of the figure size.
func PNG(p *plot.Plot) ([]byte, error) {
	c := vgimg.NewWith(vgimg.UseWH(FigureWidth, FigureHeight), vgimg.UseDPI(FigureDPI))
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("png: %w", err)
	}
	return buf.Bytes(), nil
}
