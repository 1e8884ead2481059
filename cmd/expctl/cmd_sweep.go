package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/expctl/expctl/experiments"
	"github.com/expctl/expctl/results"
	"github.com/expctl/expctl/results/trialdir"
	"github.com/expctl/expctl/runner"
)

func sweepCommand() *cli.Command {
	return &cli.Command{
		Name:         "sweep",
		Usage:        "run every trial of an experiment: a built-in name or a YAML spec file",
		ArgsUsage:    "<experiment | spec.yaml>",
		OnUsageError: onUsageError,
		Description: "Expands the spec into trials and runs those not finished yet, each in its own worker\n" +
			"process, into <out>/<name>/<trial-id>/. Running it again skips finished trials and\n" +
			"resumes interrupted ones from their checkpoints, so a crash, Ctrl-C or preemption\n" +
			"loses at most --checkpoint-every steps per running trial.\n\n" +
			"On a cluster, each job runs one shard: --shard i/n, or a Slurm job array\n" +
			"(SLURM_ARRAY_TASK_ID/COUNT), or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX with\n" +
			"--shards or " + runner.ShardsEnv + "). Shards may share the output directory.\n\n" +
			"A spec's prune section stops unpromising trials early (status pruned): a plateau\n" +
			"rule per trial, and successive halving over groups of trials, which pause at each\n" +
			"rung until their group is ranked. Both decide from the recorded learning curves,\n" +
			"so workers, kills, resumes and shards do not change which trials are pruned; with\n" +
			"halving, shards and --where take whole groups.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Value: "runs", Usage: "parent directory of the sweep's directory"},
			&cli.IntFlag{Name: "workers", Value: runtime.NumCPU(), Usage: "trials run at once, one process each", DefaultText: "number of CPU cores"},
			&cli.BoolFlag{Name: "dry-run", Usage: "print the expanded trial list and its count; run nothing"},
			&cli.BoolFlag{Name: "retry-failed", Usage: "run trials that failed (crashed or errored) again"},
			&cli.BoolFlag{Name: "rerun-stale", Usage: "run again the finished trials that another expctl version or build computed"},
			&cli.StringFlag{Name: "shard", Usage: "run only shard i of n: `i/n`, 0 ≤ i < n (default: from Slurm or Kubernetes, else all)"},
			&cli.IntFlag{Name: "shards", Usage: "number of shards of a Kubernetes Indexed Job (its completions); also " + runner.ShardsEnv},
			&cli.IntFlag{Name: "max-trials", Value: 10000, Usage: "refuse a sweep with more trials than this"},
			&cli.IntFlag{Name: "checkpoint-every", Value: 100, Usage: "steps between checkpoints of a running trial"},
			&cli.BoolFlag{Name: "plain", Usage: "print timestamped lines instead of live progress bars", DefaultText: "on when output is not a terminal"},
			&cli.BoolFlag{Name: "no-tables", Usage: "do not print the report tables when the sweep ends"},
			&cli.GenericFlag{Name: "where", Value: &whereList{},
				Usage: "run only the trials whose field meets `COND` (as in 'expctl report --where', e.g. T<=200; repeatable); with successive halving, whole groups"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("run sweep takes one experiment name or spec file, got %d arguments (built-in: %s)",
					c.NArg(), strings.Join(experiments.Names(), ", "))
			}
			shard, err := runner.ResolveShard(c.String("shard"), c.Int("shards"), os.Getenv)
			if err != nil {
				return err
			}
			exe, err := os.Executable()
			if err != nil {
				return fmt.Errorf("find the expctl binary for workers: %w", err)
			}
			sel, err := sweepSelect(c)
			if err != nil {
				return err
			}
			return runSweep(c.Context, sweepOptions{
				Spec: c.Args().First(), DryRun: c.Bool("dry-run"), Plain: c.Bool("plain") || !isTerminal(c.App.Writer),
				NoTables: c.Bool("no-tables"),
				Sweep: runner.SweepOptions{
					Out: c.String("out"), Workers: c.Int("workers"), Shard: shard, RetryFailed: c.Bool("retry-failed"),
					RerunStale:      c.Bool("rerun-stale"),
					CheckpointEvery: c.Int("checkpoint-every"), MaxTrials: c.Int("max-trials"),
					Worker: []string{exe, "worker"}, Select: sel,
				},
			}, c.App.Writer)
		},
	}
}

// sweepSelect turns run sweep's --where flags into the sweep's selection of trials; nil
// without any.
func sweepSelect(c *cli.Context) (func(experiments.Config) bool, error) {
	where, err := wheres(c)
	if err != nil || len(where) == 0 {
		return nil, err
	}
	for field := range where {
		if _, ok := experiments.LookupField(field); !ok {
			return nil, usagef("invalid --where: %s", experiments.UnknownField(field))
		}
	}
	return func(cfg experiments.Config) bool {
		tc := trialdir.Config{Config: cfg}
		return results.Matches(where, tc.Field)
	}, nil
}

type sweepOptions struct {
	Spec   string // built-in name or path
	DryRun bool
	Plain  bool
	// NoTables skips the report tables printed when the sweep ends.
	NoTables bool
	Sweep    runner.SweepOptions
}

// loadSpec reads a spec from a file, or a built-in experiment by name.
func loadSpec(arg string) (*experiments.Spec, []byte, error) {
	// A directory of that name (such as the sweep directory itself, when run from --out)
	// is not a spec: the name is then a built-in experiment's.
	if fi, err := os.Stat(arg); err == nil && !fi.IsDir() {
		data, err := os.ReadFile(arg)
		if err != nil {
			return nil, nil, usagef("read spec: %v", err)
		}
		name := strings.TrimSuffix(filepath.Base(arg), filepath.Ext(arg))
		spec, err := experiments.ParseSpec(arg, name, data)
		return spec, data, err
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, nil, usagef("read spec: %v", err)
	}
	data, err := experiments.Read(arg)
	if err != nil {
		return nil, nil, usagef("%q is neither a spec file nor a built-in experiment (built-in: %s)",
			arg, strings.Join(experiments.Names(), ", "))
	}
	spec, err := experiments.ParseSpec(arg, arg, data)
	return spec, data, err
}

func runSweep(ctx context.Context, opts sweepOptions, w io.Writer) error {
	spec, data, err := loadSpec(opts.Spec)
	if err != nil {
		return err
	}
	if opts.Sweep.Workers < 1 {
		return &experiments.ConfigError{Field: "workers", Value: opts.Sweep.Workers, Want: "an integer ≥ 1"}
	}
	if opts.Sweep.CheckpointEvery < 1 {
		return &experiments.ConfigError{Field: "checkpoint_every", Value: opts.Sweep.CheckpointEvery, Want: "an integer ≥ 1"}
	}
	if opts.DryRun {
		return dryRun(spec, opts.Sweep, w)
	}
	// Check every trial's configuration before anything is written.
	if _, err := spec.Expand(opts.Sweep.MaxTrials); err != nil {
		return err
	}
	if err := runner.CheckWritable(opts.Sweep.Out); err != nil {
		return err
	}
	var rep reporter
	if opts.Plain {
		rep = newPlainReporter(w)
	} else {
		rep = newBarReporter(w)
	}
	opts.Sweep.Report = rep.event
	opts.Sweep.Notice = func(line string) { fmt.Fprintln(w, line) }
	start := time.Now()
	sum, err := runner.RunSweep(ctx, spec, data, opts.Sweep)
	rep.close()
	if sum != nil {
		fmt.Fprintln(w, summaryLine(spec.Name, sum))
		fmt.Fprintln(w, rateLine(time.Since(start), sum.Ran))
	}
	if err == nil && sum.Waiting > 0 {
		err = fmt.Errorf("%d %s at a rung of successive halving for a trial of their group that did not get there: run the same command again to continue",
			sum.Waiting, plural(sum.Waiting, "trial waits", "trials wait"))
	}
	if err == nil && sum.Busy > 0 {
		// Not an error of this run, but its trials are not all finished: exit non-zero.
		err = fmt.Errorf("%s being run by another process: not finished by this run", fmt.Sprintf("%d %s", sum.Busy, plural(sum.Busy, "trial", "trials")))
	}
	if err != nil || opts.NoTables {
		return err
	}
	// The sweep's tables, as 'expctl report <dir>' prints them.
	fmt.Fprintln(w)
	return runReport(ctx, reportOptions{Dirs: []string{sum.Dir}, Format: results.Terminal}, w, io.Discard)
}

// rateLine is the sweep's wall time and how many trials an hour this run finished:
// "took 3m21s, 4 trials finished (72 trials an hour)".
func rateLine(d time.Duration, ran int) string {
	line := "took " + duration(d.Seconds())
	if ran == 0 || d <= 0 {
		return line + ", no trials finished by this run"
	}
	rate := float64(ran) / d.Hours()
	prec := 0
	if rate < 10 {
		prec = 1
	}
	return line + fmt.Sprintf(", %d %s finished (%.*f trials an hour)", ran, plural(ran, "trial", "trials"), prec, rate)
}

func dryRun(spec *experiments.Spec, opts runner.SweepOptions, w io.Writer) error {
	all, err := spec.Expand(opts.MaxTrials)
	if err != nil {
		return err
	}
	trials, err := runner.SelectTrials(runner.ShardTrials(all, opts.Shard), opts.Select)
	if err != nil {
		return err
	}
	for i, c := range trials {
		fmt.Fprintf(w, "%4d  %s  %s\n", i, c.ID(), spec.Label(c))
	}
	part := opts.Shard.String()
	if opts.Select != nil {
		part += ", selected by --where"
		if opts.Shard.Count <= 1 {
			part = fmt.Sprintf("of %d, selected by --where", len(all))
		}
	}
	fmt.Fprintf(w, "%d trials (%s) of sweep %s, varying %s; would write to %s\n",
		len(trials), part, spec.Name, strings.Join(spec.Axes(), ", "), filepath.Join(opts.Out, spec.Name))
	return nil
}

func summaryLine(name string, s *runner.SweepSummary) string {
	byStatus := results.StatesText(s.Statuses) // in the order of reports: "2 solved, 1 unsolved, 1 pruned"
	if byStatus != "" {
		byStatus += "; "
	}
	line := fmt.Sprintf("sweep %s, %s: %d trials: %d finished (%s%d now, %d before)",
		name, s.Shard, s.Total, s.Skipped+s.Ran, byStatus, s.Ran, s.Skipped)
	if p := s.Pending(); p > 0 && p == s.Busy {
		line += fmt.Sprintf(", %d not finished (being run by another process)", p)
	} else if p > 0 {
		why := ""
		if s.Interrupted > 0 {
			why = fmt.Sprintf("%d interrupted; ", s.Interrupted)
		}
		if s.Busy > 0 {
			why += fmt.Sprintf("%d being run by another process; ", s.Busy)
		}
		if s.Waiting > 0 {
			why += fmt.Sprintf("%d waiting at a rung for their group; ", s.Waiting)
		}
		line += fmt.Sprintf(", %d not finished (%srun the same command again to resume)", p, why)
	}
	return line + " -> " + s.Dir
}
