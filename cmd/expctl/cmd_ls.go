package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/expctl/expctl/results"
	"github.com/expctl/expctl/results/trialdir"
)

func lsCommand() *cli.Command {
	return &cli.Command{
		Name:      "ls",
		Usage:     "list the trials of sweep directories with their status",
		ArgsUsage: "<sweep-dir> [<sweep-dir>...]",
		Description: "One line per trial: its status (a result status, a pruned one with its rule\n" +
			"and step, \"pruned (plateau @ 4000)\"; or running, incomplete, paused (at a rung of\n" +
			"successive halving, waiting for its group: \"paused @ 500\"), corrupt or missing),\n" +
			"the steps it ran, its final test loss and metric, its wall\n" +
			"time, the number of processes that worked on it, and, when a process runs it\n" +
			"now (it holds the trial's lock), which one. Use `expctl show <trial-dir>` for\n" +
			"one trial.",
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return usagef("ls needs at least one sweep directory (e.g. runs/quick)")
			}
			return runLs(c.Context, c.Args().Slice(), c.App.Writer, c.App.ErrWriter)
		},
	}
}

// runLs writes one line per trial of the sweeps in dirs to w, and problems to errw.
func runLs(_ context.Context, dirs []string, w, errw io.Writer) error {
	col, err := results.Load(dirs...)
	if err != nil {
		return usagef("nothing to list: %v", err)
	}
	for _, p := range col.Problems {
		fmt.Fprintf(errw, "warning: %s\n", p)
	}
	var buf strings.Builder
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TRIAL\tSTATUS\tSTEPS\tTEST LOSS\tMETRIC\tWALL\tATTEMPTS\tNOW")
	counts := map[string]int{}
	for _, t := range col.Trials {
		state, status := t.State, results.StatusText(t.Result)
		if status == "" {
			status = t.State
		}
		steps, loss, metric, wall := trialProgress(t)
		attempts, now := "", ""
		if t.Dir != "" {
			as, err := trialdir.ReadAttempts(t.Dir)
			if err != nil {
				fmt.Fprintf(errw, "warning: %v\n", err)
			}
			if len(as) > 0 {
				attempts = strconv.Itoa(len(as))
				switch last := as[len(as)-1]; {
				case last.How == trialdir.Running:
					now = runningText(last)
				case t.State == results.Paused:
					status = fmt.Sprintf("%s @ %d", results.Paused, last.End)
				}
			}
			if now == "" && trialdir.Locked(t.Dir) {
				now = "running"
			}
		}
		counts[state]++
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, status, dash(steps), dash(loss), dash(metric), dash(wall), dash(attempts), now)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		fmt.Fprint(w, strings.TrimRight(line, " \n"))
		if strings.HasSuffix(line, "\n") {
			fmt.Fprintln(w)
		}
	}
	fmt.Fprintf(w, "%d trials: %s\n", len(col.Trials), results.StatesText(counts))
	return nil
}

// trialProgress returns, as text, the steps a trial ran, its final (or latest) test loss
// and metric, and its wall time: from result.json when it has finished, else from the
// last row of its learning curve; "" for what is unknown.
func trialProgress(t *results.Trial) (steps, loss, metric, wall string) {
	if r := t.Result; r != nil {
		steps = strconv.Itoa(r.StepsRun)
		loss = optNumber(r.TestLoss)
		if m := optNumber(r.TestMetric); m != "" {
			metric = r.Metric + " " + m
		}
		return steps, loss, metric, duration(r.WallSeconds)
	}
	if len(t.Curve) == 0 {
		return "", "", "", ""
	}
	p := t.Curve[len(t.Curve)-1]
	return strconv.Itoa(p.Step), number(p.TestLoss), number(p.TestMetric), duration(p.Seconds)
}

// runningText names the process that runs a trial now.
func runningText(a trialdir.Attempt) string {
	switch {
	case a.Host != "" && a.PID != 0:
		return fmt.Sprintf("running (pid %d on %s)", a.PID, a.Host)
	case a.PID != 0:
		return fmt.Sprintf("running (pid %d)", a.PID)
	}
	return "running"
}

func optNumber(p *float64) string {
	if p == nil {
		return ""
	}
	return number(*p)
}

// number formats a loss or metric with four significant digits; "" for NaN.
func number(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// duration formats seconds of wall time: "0.34s", "12s", "3m21s", "2h05m".
func duration(s float64) string {
	switch {
	case math.IsNaN(s) || s < 0:
		return ""
	case s < 10:
		return strconv.FormatFloat(s, 'f', 2, 64) + "s"
	case s < 60:
		return fmt.Sprintf("%.0fs", s)
	case s < 3600:
		m := int(s) / 60
		return fmt.Sprintf("%dm%02ds", m, int(s)-60*m)
	}
	h := int(s) / 3600
	return fmt.Sprintf("%dh%02dm", h, (int(s)-3600*h)/60)
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
