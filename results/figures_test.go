package results

import (
	"math"
	"testing"
)

func TestMetricWords(t *testing.T) {
	for _, tc := range []struct{ task, metric, name, want string }{
		{"adding", TestLoss, "", "test MSE"},
		{"copy", BestTestLoss, "", "best test cross-entropy"},
		{"copy", TestMetric, "recall_acc", "recall accuracy"},
		{"adding", TestMetric, "acc@0.04", "accuracy (|error| < 0.04)"},
	} {
		if got := metricWords(tc.task, tc.metric, tc.name); got != tc.want {
			t.Errorf("metricWords(%s, %s) = %q, want %q", tc.task, tc.metric, got, tc.want)
		}
	}
}

// TestFigureChanceAndBand: an accuracy figure has the task's chance line; learning curves
// have a spread band across seeds.
func TestFigureChanceAndBand(t *testing.T) {
	c, err := Load(fixture)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := c.Tables(Query{Metric: TestMetric})
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		ch := finalChart(tb)
		want := map[string]float64{"copy": 0.125, "adding": 1 - 0.96*0.96}[tb.Task]
		if ch.LogY || math.Abs(ch.HLine-want) > 1e-12 || ch.HLineName != "chance" {
			t.Errorf("%s: log %v, line %v %q; want chance %v on a linear axis", tb.Task, ch.LogY, ch.HLine, ch.HLineName, want)
		}
	}
	ch, err := curvesChart(c, Query{}, "adding", "5")
	if err != nil {
		t.Fatal(err)
	}
	banded := false
	for _, s := range ch.Series {
		for i := range s.Lo {
			banded = banded || (s.Band && s.Lo[i] < s.Hi[i])
		}
	}
	if !banded || ch.YLabel != "test MSE (median over trials; band: min–max)" {
		t.Errorf("curves: band %v, y label %q", banded, ch.YLabel)
	}
}

func TestCommonFinalStep(t *testing.T) {
	flow := func(steps ...int) []FlowPoint {
		var out []FlowPoint
		for _, s := range steps {
			out = append(out, FlowPoint{Step: s, Lag: 0, Norm: 1})
		}
		return out
	}
	for _, tc := range []struct {
		flows  map[string][][]FlowPoint
		common int
		differ bool
	}{
		{map[string][][]FlowPoint{"a": {flow(0, 100, 200)}, "b": {flow(0, 100, 200)}}, 200, false},
		{map[string][][]FlowPoint{"a": {flow(0, 100, 200)}, "b": {flow(0, 100)}}, 100, true},
		{map[string][][]FlowPoint{"a": {flow(0, 200)}, "b": {flow(0, 100)}}, -1, true},
	} {
		common, differ := commonFinalStep(tc.flows)
		if common != tc.common || differ != tc.differ {
			t.Errorf("%v: common %d differ %v, want %d %v", tc.flows, common, differ, tc.common, tc.differ)
		}
	}
}
