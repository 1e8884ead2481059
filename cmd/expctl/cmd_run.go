package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/expctl/expctl/experiments"
	"io"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/expctl/expctl/datasets"
	"github.com/expctl/expctl/models"
	"github.com/expctl/expctl/runner"
)

func runCommand() *cli.Command {
	return &cli.Command{
		Name:         "run",
		Usage:        "train a single trial or a sweep",
		OnUsageError: onUsageError,
		Subcommands:  []*cli.Command{trialCommand(), sweepCommand()},
	}
}

// flagName maps a config field (JSON key) to its command-line flag.
func flagName(field string) string { return strings.ReplaceAll(field, "_", "-") }

func trialFlags() []cli.Flag {
	d := experiments.DefaultConfig()
	return []cli.Flag{
		&cli.StringFlag{Name: "task", Value: d.Task, Usage: "task: " + strings.Join(datasets.Names(), ", ") + " (see 'expctl tasks')"},
		&cli.IntFlag{Name: "T", Value: d.T, Usage: "dependency length T (adding: sequence length, T ≥ 2; copy: blanks before the delimiter + 1, T ≥ 1)"},
		&cli.StringFlag{Name: "cell", Value: d.Cell, Usage: "recurrent cell: " + strings.Join(models.Names(), ", ") + " (see 'expctl cells')"},
		&cli.IntFlag{Name: "hidden", Value: d.Hidden, Usage: "hidden size H (≥ 1)"},
		&cli.IntFlag{Name: "batch", Value: d.Batch, Usage: "sequences per training step (≥ 1)"},
		&cli.IntFlag{Name: "steps", Value: d.Steps, Usage: "training steps: the budget (≥ 1)"},
		&cli.StringFlag{Name: "optimizer", Value: d.Optimizer, Usage: "optimizer: " + strings.Join(experiments.Optimizers, ", ")},
		&cli.Float64Flag{Name: "lr", Value: d.LR, Usage: "learning rate (> 0)"},
		&cli.Float64Flag{Name: "momentum", Value: d.Momentum, Usage: "sgd: heavy-ball momentum in [0, 1)"},
		&cli.Float64Flag{Name: "decay", Value: d.Decay, Usage: "rmsprop: decay of the squared-gradient average, in [0, 1)"},
		&cli.Float64Flag{Name: "beta1", Value: d.Beta1, Usage: "adam: first-moment decay, in [0, 1)"},
		&cli.Float64Flag{Name: "beta2", Value: d.Beta2, Usage: "adam: second-moment decay, in [0, 1)"},
		&cli.Float64Flag{Name: "epsilon", Value: d.Epsilon, Usage: "rmsprop, adam: denominator offset (> 0)"},
		&cli.StringFlag{Name: "clip", Value: d.Clip, Usage: "gradient clipping: none, value:C (element-wise to [-C, C]) or norm:C (global L2 norm ≤ C)"},
		&cli.StringFlag{Name: "dtype", Value: d.Dtype, Usage: "floating-point type: float32 or float64"},
		&cli.Uint64Flag{Name: "seed", Value: d.Seed, Usage: "seed of the training data, the test set and the initial weights"},
		&cli.IntFlag{Name: "eval-every", Value: d.EvalEvery, Usage: "steps between evaluations on the test set (≥ 1)"},
		&cli.IntFlag{Name: "test-size", Value: d.TestSize, Usage: "held-out test sequences (≥ 1)"},
		&cli.Float64Flag{Name: "forget-bias", Value: d.ForgetBias, Usage: "initial forget-gate bias, for cells with a forget gate"},
		&cli.BoolFlag{Name: "keep-going", Usage: "train the whole budget even after the task is solved (default: stop when solved)"},
	}
}

func trialCommand() *cli.Command {
	return &cli.Command{
		Name:         "trial",
		Usage:        "train one cell on one task and write its trial directory",
		OnUsageError: onUsageError,
		Description: "Trains with full backpropagation through time, evaluates on a fixed held-out set\n" +
			"every --eval-every steps, and stops when the task's solve criterion is met (unless\n" +
			"--keep-going). Writes <out>/<trial-id>/{config.json, curve.csv, result.json}; the\n" +
			"trial id is a hash of the configuration. A NaN or infinite loss ends the trial as\n" +
			"'diverged'. Ctrl-C stops between steps and leaves no result.json.",
		Flags: append(trialFlags(), &cli.StringFlag{Name: "out", Value: "runs", Usage: "directory that receives the trial directory"}),
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("run trial takes no arguments, got %q (flags start with --)", c.Args().First())
			}
			return runTrial(c.Context, trialOptions{Config: configFromFlags(c), Out: c.String("out")}, c.App.Writer)
		},
	}
}

func configFromFlags(c *cli.Context) experiments.Config {
	return experiments.Config{
		Task: c.String("task"), T: c.Int("T"), Cell: c.String("cell"), Hidden: c.Int("hidden"),
		Batch: c.Int("batch"), Steps: c.Int("steps"), Optimizer: c.String("optimizer"), LR: c.Float64("lr"),
		Momentum: c.Float64("momentum"), Decay: c.Float64("decay"), Beta1: c.Float64("beta1"),
		Beta2: c.Float64("beta2"), Epsilon: c.Float64("epsilon"), Clip: c.String("clip"),
		Dtype: c.String("dtype"), Seed: c.Uint64("seed"), EvalEvery: c.Int("eval-every"),
		TestSize: c.Int("test-size"), ForgetBias: c.Float64("forget-bias"), KeepGoing: c.Bool("keep-going"),
	}
}

type trialOptions struct {
	Config experiments.Config
	Out    string
}

// runTrial trains one trial, printing a line per evaluation and a summary.
func runTrial(ctx context.Context, opts trialOptions, w io.Writer) error {
	cfg := opts.Config
	if err := cfg.Validate(); err != nil {
		return err
	}
	if err := runner.CheckWritable(opts.Out); err != nil {
		return err
	}
	fmt.Fprintf(w, "trial %s: %s T=%d, %s H=%d, %s lr=%g, clip %s, batch %d, %d steps, %s\n",
		cfg.ID(), cfg.Task, cfg.T, cfg.Cell, cfg.Hidden, cfg.Optimizer, cfg.LR, cfg.Clip, cfg.Batch, cfg.Steps, cfg.Dtype)
	progress := func(p runner.Progress) {
		fmt.Fprintf(w, "step %*d/%d  train %-9s test %-9.4g (baseline %.4g)  %s %-6.3f %6.1fs\n",
			len(fmt.Sprint(p.Steps)), p.Step, p.Steps, fmtLoss(p.Point.TrainLoss), p.Point.TestLoss, p.Baseline,
			p.Metric, p.Point.TestMetric, p.Point.Seconds)
	}
	res, err := runner.RunTrial(ctx, cfg, opts.Out, runner.TrialOptions{Progress: progress})
	dir := filepath.Join(opts.Out, cfg.ID())
	if errors.Is(err, runner.ErrInterrupted) {
		fmt.Fprintf(w, "interrupted: no result written; partial curve in %s\n", dir)
		return err
	}
	if res == nil {
		return err
	}
	summary := fmt.Sprintf("%s after %d steps", res.Status, res.StepsRun)
	if res.SolvedAtStep != nil {
		summary = fmt.Sprintf("solved at step %d", *res.SolvedAtStep)
	}
	loss, metric := "n/a", "n/a"
	if res.TestLoss != nil {
		loss, metric = fmt.Sprintf("%.4g", *res.TestLoss), fmt.Sprintf("%.3f", *res.TestMetric)
	}
	fmt.Fprintf(w, "%s: test loss %s (baseline %.4g), %s %s, %d params, %.1fs -> %s\n",
		summary, loss, res.Baseline, res.Metric, metric, res.Params, res.WallSeconds, dir)
	if res.Error != "" {
		fmt.Fprintf(w, "  %s\n", res.Error)
	}
	return err
}

func fmtLoss(v float64) string {
	if v != v { // NaN: no training step yet
		return "-"
	}
	return fmt.Sprintf("%.4g", v)
}
