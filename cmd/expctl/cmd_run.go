package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/expctl/expctl/experiments"
	"github.com/expctl/expctl/results/trialdir"
	"github.com/expctl/expctl/runner"
)

func runCommand() *cli.Command {
	return &cli.Command{
		Name:         "run",
		Usage:        "train a single trial or a sweep",
		OnUsageError: onUsageError,
		Subcommands:  []*cli.Command{trialCommand(), sweepCommand()},
		Action:       unknownCommand,
	}
}

// flagName maps a config field (JSON key) to its command-line flag.
func flagName(field string) string { return strings.ReplaceAll(field, "_", "-") }

// splitDefault splits a help text ending in "(default: …)" into the text and the default,
// so that the help shows the default once, where it shows every flag's default.
func splitDefault(help string) (usage, def string) {
	i := strings.LastIndex(help, " (default: ")
	if i < 0 || !strings.HasSuffix(help, ")") {
		return help, ""
	}
	return help[:i], strings.TrimSuffix(help[i+len(" (default: "):], ")")
}

// trialFlags are the flags of the config fields that have one (see experiments.Fields),
// with their defaults and help texts.
func trialFlags() []cli.Flag {
	var flags []cli.Flag
	for _, f := range experiments.Fields() {
		if f.Flag == "" {
			continue
		}
		usage, def := splitDefault(f.Help)
		switch v := f.Default.(type) {
		case string:
			flags = append(flags, &cli.StringFlag{Name: f.Flag, Value: v, Usage: usage, DefaultText: def})
		case int:
			flags = append(flags, &cli.IntFlag{Name: f.Flag, Value: v, Usage: usage, DefaultText: def})
		case uint64:
			flags = append(flags, &cli.Uint64Flag{Name: f.Flag, Value: v, Usage: usage, DefaultText: def})
		case float64:
			flags = append(flags, &cli.Float64Flag{Name: f.Flag, Value: v, Usage: usage, DefaultText: def})
		case bool:
			flags = append(flags, &cli.BoolFlag{Name: f.Flag, Value: v, Usage: usage, DefaultText: def})
		}
	}
	return flags
}

func trialCommand() *cli.Command {
	return &cli.Command{
		Name:         "trial",
		Usage:        "train one cell on one task and write its trial directory",
		OnUsageError: onUsageError,
		Description: "Trains with full backpropagation through time, evaluates on a fixed held-out set\n" +
			"every --eval-every steps, and stops when the task's solve criterion is met (unless\n" +
			"--keep-going). Writes <out>/<trial-id>/{config.json, curve.csv, params.npz, result.json};\n" +
			"params.npz holds the final weights (NumPy .npz: cell/<name>, readout/V, readout/c);\n" +
			"--init-params FILE.npz starts from such weights instead of --seed's. The\n" +
			"trial id is a hash of the configuration. A NaN or infinite loss ends the trial as\n" +
			"'diverged'. Ctrl-C stops between steps and leaves no result.json; with\n" +
			"--checkpoint-every it saves a checkpoint first, and running the same command again\n" +
			"resumes from it (\"resumed at step N\").",
		Flags: append(trialFlags(), &cli.StringFlag{Name: "out", Value: "runs", Usage: "directory that receives the trial directory"},
			&cli.IntFlag{Name: "checkpoint-every", Usage: "save the trial's state every that many steps and when interrupted (0: never)"},
			&cli.StringFlag{Name: "init-params", Usage: "start from the weights in this .npz file (named and shaped as a trial's params.npz) instead of drawing them from --seed; its SHA-256 becomes the config's init_params"}),
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("run trial takes no arguments, got %q (flags start with --)", c.Args().First())
			}
			cfg, err := configFromFlags(c)
			if err != nil {
				return err
			}
			if c.Int("checkpoint-every") < 0 {
				return &experiments.ConfigError{Field: "checkpoint_every", Value: c.Int("checkpoint-every"), Want: "an integer ≥ 0"}
			}
			opts := trialOptions{Config: cfg, Out: c.String("out"), CheckpointEvery: c.Int("checkpoint-every")}
			if path := c.String("init-params"); path != "" {
				if opts.InitParams, err = runner.ReadInitParams(path); err != nil {
					return err
				}
				opts.Config.InitParams = opts.InitParams.Hash
			}
			return runTrial(c.Context, opts, c.App.Writer)
		},
	}
}

// configFromFlags is the config the trial flags give.
func configFromFlags(c *cli.Context) (experiments.Config, error) {
	cfg := experiments.DefaultConfig()
	for _, f := range experiments.Fields() {
		if f.Flag == "" {
			continue
		}
		if err := f.Set(&cfg, c.Value(f.Flag)); err != nil {
			return cfg, fmt.Errorf("flag --%s: %w", f.Flag, err)
		}
	}
	return cfg, nil
}

type trialOptions struct {
	Config experiments.Config
	Out    string
	// CheckpointEvery saves a checkpoint every that many steps and on interruption (0:
	// never). A checkpoint left in the trial directory is resumed from either way.
	CheckpointEvery int
	// InitParams, if set, are the initial weights whose hash Config.InitParams holds.
	InitParams *runner.InitParams
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
	if opts.InitParams != nil {
		if err := runner.CheckInitParams(cfg, opts.InitParams); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "trial %s: %s T=%d, %s H=%d, %s lr=%g, clip %s, batch %d, %d steps, %s\n",
		cfg.ID(), cfg.Task, cfg.T, cfg.Cell, cfg.Hidden, cfg.Optimizer, cfg.LR, cfg.Clip, cfg.Batch, cfg.Steps, cfg.Dtype)
	progress := func(p runner.Progress) {
		fmt.Fprintf(w, "step %*d/%d  train %-9s test %-9.4g (baseline %.4g)  %s %-6.3f %6.1fs\n",
			len(fmt.Sprint(p.Steps)), p.Step, p.Steps, fmtLoss(p.Point.TrainLoss), p.Point.TestLoss, p.Baseline,
			p.Metric, p.Point.TestMetric, p.Point.Seconds)
	}
	dir := trialdir.TrialPath(opts.Out, cfg.ID())
	resumed := func(step int) {
		fmt.Fprintf(w, "resumed at step %d from %s\n", step, filepath.Join(dir, trialdir.CheckpointFile))
	}
	res, err := runner.RunTrialIn(ctx, cfg, dir, runner.TrialOptions{Progress: progress, Resumed: resumed,
		CheckpointEvery: opts.CheckpointEvery, Resume: true, InitParams: opts.InitParams})
	if errors.Is(err, runner.ErrInterrupted) {
		again := ""
		if opts.CheckpointEvery > 0 {
			again = "; run the same command again to resume"
		}
		fmt.Fprintf(w, "interrupted: no result written; partial curve in %s%s\n", dir, again)
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
	if res.Pruned != nil {
		fmt.Fprintf(w, "  pruned by the %s rule: %s\n", res.Pruned.Rule, res.Pruned.Reason)
	}
	return err
}

func fmtLoss(v float64) string {
	if v != v { // NaN: no training step yet
		return "-"
	}
	return fmt.Sprintf("%.4g", v)
}
