package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/expctl/expctl/results"
	"github.com/expctl/expctl/results/trialdir"
)

func showCommand() *cli.Command {
	return &cli.Command{
		Name:      "show",
		Usage:     "print one trial: its config, result, attempts and learning curve",
		ArgsUsage: "<trial-dir>",
		Description: "Prints the trial's configuration, its result (or that it is unfinished, and\n" +
			"whether a process runs it now), the processes that worked on it, and its learning\n" +
			"curve as one sparkline per column (▁ lowest to █ highest, over the steps shown).",
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("show needs one trial directory (e.g. runs/quick/adding-T5-lstm-h16-s1-…)")
			}
			return runShow(c.Context, c.Args().First(), c.App.Writer)
		},
	}
}

// sparkWidth is the most curve points a sparkline shows; longer curves are sampled evenly.
const sparkWidth = 60

// runShow writes the trial in dir to w.
func runShow(_ context.Context, dir string, w io.Writer) error {
	cfg, err := trialdir.ReadConfig(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return usagef("%s: not a trial directory (no %s)", dir, trialdir.ConfigFile)
	}
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	fmt.Fprintf(w, "Trial %s\n\nConfig\n", filepath.Base(filepath.Clean(dir)))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, f := range cfg.Fields() {
		fmt.Fprintf(tw, "  %s\t%s\n", f, dash(cfg.Field(f)))
	}
	tw.Flush()

	fmt.Fprintln(w, "\nResult")
	res, err := trialdir.ReadResult(dir)
	switch {
	case err == nil:
		showResult(w, res)
	case errors.Is(err, fs.ErrNotExist):
		as, _ := trialdir.ReadAttempts(dir)
		switch {
		case trialdir.Locked(dir):
			fmt.Fprintln(w, "  unfinished: a process is running it now")
		case len(as) > 0 && as[len(as)-1].How == trialdir.Paused:
			fmt.Fprintf(w, "  unfinished: paused at step %d, at a rung of successive halving, until its group is ranked\n", as[len(as)-1].End)
		default:
			fmt.Fprintln(w, "  unfinished: nobody is running it (interrupted, crashed or not started)")
		}
	default:
		fmt.Fprintf(w, "  corrupt: %s cannot be read\n", filepath.Join(dir, trialdir.ResultFile))
	}

	fmt.Fprintln(w, "\nAttempts")
	as, err := trialdir.ReadAttempts(dir)
	if err != nil {
		fmt.Fprintf(w, "  corrupt: %s cannot be read\n", filepath.Join(dir, trialdir.AttemptsFile))
	} else if len(as) == 0 {
		fmt.Fprintln(w, "  none recorded")
	}
	for i, a := range as {
		fmt.Fprintf(w, "  %d. %s\n", i+1, attemptText(a))
	}

	fmt.Fprintln(w, "\nLearning curve")
	pts, err := trialdir.ReadCurve(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist) || (err == nil && len(pts) == 0):
		fmt.Fprintln(w, "  no evaluations yet")
		return nil
	case err != nil:
		fmt.Fprintf(w, "  corrupt: %s cannot be read\n", filepath.Join(dir, trialdir.CurveFile))
		return nil
	}
	fmt.Fprintf(w, "  %d evaluations, steps %d to %d\n", len(pts), pts[0].Step, pts[len(pts)-1].Step)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, col := range []struct {
		name string
		get  func(trialdir.Point) float64
	}{
		{"test loss", func(p trialdir.Point) float64 { return p.TestLoss }},
		{"train loss", func(p trialdir.Point) float64 { return p.TrainLoss }},
		{"test metric", func(p trialdir.Point) float64 { return p.TestMetric }},
		{"grad norm", func(p trialdir.Point) float64 { return p.GradNorm }},
	} {
		vs := make([]float64, len(pts))
		for i, p := range pts {
			vs[i] = col.get(p)
		}
		line, lo, hi, ok := sparkline(vs, sparkWidth)
		if !ok {
			continue
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s → %s\t(min %s, max %s)\n", col.name, line, number(first(vs)), number(last(vs)), number(lo), number(hi))
	}
	return tw.Flush()
}

func showResult(w io.Writer, r *trialdir.Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "  %s\t%s\n", k, dash(v)) }
	row("status", results.StatusText(r))
	if r.Pruned != nil && r.Pruned.Reason != "" {
		row("pruned because", r.Pruned.Reason)
	}
	row("steps run", fmt.Sprint(r.StepsRun))
	if r.SolvedAtStep != nil {
		row("solved at step", fmt.Sprint(*r.SolvedAtStep))
	}
	row("test loss", optNumber(r.TestLoss))
	row("test metric", strings.TrimSpace(r.Metric+" "+optNumber(r.TestMetric)))
	row("baseline", number(r.Baseline))
	row("criterion", r.Criterion)
	row("parameters", fmt.Sprint(r.Params))
	if r.Error != "" {
		row("error", r.Error)
	}
	row("wall time", duration(r.WallSeconds))
	v := r.Version
	if r.Build != "" {
		v += " (" + r.Build + ")"
	}
	row("version", v)
	if p := r.Provenance; p != (trialdir.Provenance{}) {
		rev := p.Revision
		if p.Modified {
			rev += " (with uncommitted changes)"
		}
		for _, kv := range [][2]string{{"revision", rev}, {"go", p.GoVersion}, {"platform", p.Platform}, {"cpu", p.CPU}, {"kernels", p.Kernels}, {"host", p.Host}} {
			if kv[1] != "" {
				row(kv[0], kv[1])
			}
		}
	}
	tw.Flush()
}

// attemptText describes one attempt in a line.
func attemptText(a trialdir.Attempt) string {
	var b strings.Builder
	if a.Resumed {
		fmt.Fprintf(&b, "resumed at step %d", a.Start)
	} else {
		fmt.Fprintf(&b, "started at step %d", a.Start)
	}
	if !a.Time.IsZero() {
		fmt.Fprintf(&b, " at %s", a.Time.UTC().Format("2006-01-02 15:04:05Z"))
	}
	if a.Host != "" {
		fmt.Fprintf(&b, " on %s", a.Host)
	}
	if a.PID != 0 {
		fmt.Fprintf(&b, " (pid %d)", a.PID)
	}
	b.WriteString(": ")
	switch a.How {
	case trialdir.Finished:
		fmt.Fprintf(&b, "finished at step %d, %s", a.End, a.Status)
	case trialdir.Interrupted:
		fmt.Fprintf(&b, "interrupted at step %d (checkpoint saved)", a.End)
	case trialdir.Paused:
		fmt.Fprintf(&b, "paused at step %d (rung of successive halving; checkpoint saved)", a.End)
	case trialdir.Stopped:
		fmt.Fprintf(&b, "stopped at step %d: %s", a.End, a.Error)
	case trialdir.Crashed:
		b.WriteString("crashed")
		if a.Error != "" {
			b.WriteString(": " + a.Error)
		}
	case trialdir.Running:
		fmt.Fprintf(&b, "running now (last checkpoint at step %d)", a.End)
	default:
		fmt.Fprintf(&b, "killed; work kept up to step %d", a.End)
	}
	return b.String()
}

// sparkline draws vs as block characters scaled between their minimum and maximum,
// sampling at most width of them evenly; NaN values are spaces. ok is false when no value
// is defined.
func sparkline(vs []float64, width int) (line string, lo, hi float64, ok bool) {
	const blocks = "▁▂▃▄▅▆▇█"
	bars := []rune(blocks)
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range vs {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			lo, hi, ok = math.Min(lo, v), math.Max(hi, v), true
		}
	}
	if !ok {
		return "", math.NaN(), math.NaN(), false
	}
	n := min(len(vs), width)
	var b strings.Builder
	for i := range n {
		v := vs[i*len(vs)/n]
		if n > 1 && i == n-1 {
			v = vs[len(vs)-1]
		}
		switch {
		case math.IsNaN(v) || math.IsInf(v, 0):
			b.WriteRune(' ')
		case hi == lo:
			b.WriteRune(bars[len(bars)/2])
		default:
			b.WriteRune(bars[int(math.Round((v-lo)/(hi-lo)*float64(len(bars)-1)))])
		}
	}
	return b.String(), lo, hi, true
}

// first and last return the first and last defined values of vs, NaN if none.
func first(vs []float64) float64 {
	for _, v := range vs {
		if !math.IsNaN(v) {
			return v
		}
	}
	return math.NaN()
}

func last(vs []float64) float64 {
	for i := len(vs) - 1; i >= 0; i-- {
		if !math.IsNaN(vs[i]) {
			return vs[i]
		}
	}
	return math.NaN()
}
