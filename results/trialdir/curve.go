package trialdir

import (
	"errors"
	"fmt"
	"strconv"
)

// Point is one row of curve.csv. Seconds (time since the trial started) is the only
// wall-clock column. NaN marks a value that is not defined, e.g. the training loss before
// the first step; it is written as an empty field.
type Point struct {
	Step       int
	TrainLoss  float64 // mean training loss since the previous row
	TestLoss   float64
	TestMetric float64
	GradNorm   float64 // mean global gradient norm before clipping since the previous row
	ClipRate   float64 // fraction of steps since the previous row whose gradients were clipped
	Seconds    float64
}

// Curve is curve.csv, the learning curve: one [Point] per evaluation, and one for the step
// at which a trial diverged. An evaluation appends its row last, after its other records.
var Curve = &RecordFile[Point]{
	name:   CurveFile,
	header: []string{"step", "train_loss", "test_loss", "test_metric", "grad_norm", "clip_rate", "seconds"},
	encode: func(p Point) []string {
		return []string{strconv.Itoa(p.Step), formatFloat(p.TrainLoss), formatFloat(p.TestLoss),
			formatFloat(p.TestMetric), formatFloat(p.GradNorm), formatFloat(p.ClipRate), formatFloat(p.Seconds)}
	},
	decode: func(f []string) (Point, error) {
		var p Point
		var err error
		if p.Step, err = strconv.Atoi(f[0]); err != nil {
			return p, fmt.Errorf("step: %w", err)
		}
		names := []string{"train_loss", "test_loss", "test_metric", "grad_norm", "clip_rate", "seconds"}
		var errs []error
		for i, dst := range []*float64{&p.TrainLoss, &p.TestLoss, &p.TestMetric, &p.GradNorm, &p.ClipRate, &p.Seconds} {
			if *dst, err = parseFloat(f[i+1]); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", names[i], err))
			}
		}
		return p, errors.Join(errs...)
	},
}

// ReadCurve reads dir/curve.csv. It returns an error wrapping fs.ErrNotExist when the
// trial has none yet.
func ReadCurve(dir string) ([]Point, error) { return Curve.Read(dir) }

// curveHas reports whether the curve of the trial in dir has a row for step.
func curveHas(dir string, step int) bool {
	pts, err := Curve.Read(dir)
	if err != nil {
		return false
	}
	for _, p := range pts {
		if p.Step == step {
			return true
		}
	}
	return false
}
