package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/expctl/expctl/results"
	"github.com/expctl/expctl/results/trialdir"
)

func exportCommand() *cli.Command {
	return &cli.Command{
		Name:         "export",
		Usage:        "tidy CSV or Parquet tables of sweep directories, for pandas, R or polars",
		ArgsUsage:    "<sweep-dir> [<sweep-dir>...]",
		OnUsageError: onUsageError,
		Description: "Writes into --out:\n" +
			"  trials.csv    one row per trial: trial_id, sweep (its name), shard (the directory it\n" +
			"                was read from), state (solved, unsolved, pruned, diverged, failed,\n" +
			"                running, paused, incomplete, corrupt or missing), attempts (processes\n" +
			"                that worked on it), every config field, every result.json field\n" +
			"                (result_params: the network's parameters; params is the config's\n" +
			"                budget), then prune_rule, prune_step and prune_reason (null unless\n" +
			"                pruned)\n" +
			"and with --curves, stacked in long format, each row led by trial_id and sweep (which\n" +
			"together identify a trial; join them with trials.csv on both):\n" +
			"  curves.csv    trial_id, sweep, step, train_loss, test_loss, test_metric, grad_norm,\n" +
			"                clip_rate, seconds: every row of every curve.csv\n" +
			"  gradflow.csv  trial_id, sweep, step, t, lag, norm: every gradflow.csv\n" +
			"  spectra.csv   trial_id, sweep, step, param, gate, act, sigma_max, threshold\n" +
			"With --parquet, each table is also written as .parquet beside its CSV.\n\n" +
			"Columns are typed: integers (steps, T, seed, counts) are integers (Parquet INT64),\n" +
			"other numbers doubles (DOUBLE), text UTF-8 strings, booleans true/false. A value\n" +
			"that is not defined (NaN, an unset field, a result of an unfinished trial) is null:\n" +
			"an empty CSV field. Floats are written in full precision.\n\n" +
			"Directories are shards of one sweep, merged as 'report' merges them; with --separate\n" +
			"(or --where sweep=...) each is its own sweep: trials are not merged, and the sweep\n" +
			"column tells them apart.\n" +
			"--where keeps some trials, as for 'report' (cell=lstm,gru, lr>=1e-3, T<100).\n\n" +
			"In Python: pandas.read_parquet(\"export/curves.parquet\") or\n" +
			"pandas.read_csv(\"export/trials.csv\").",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Value: "export", Usage: "write the tables into `DIR`"},
			&cli.BoolFlag{Name: "curves", Usage: "also write the learning curves, gradient flow and spectra (long format)"},
			&cli.BoolFlag{Name: "parquet", Usage: "also write every table as Parquet"},
			&cli.BoolFlag{Name: "separate", Usage: "each directory is a separate sweep (default: shards of one sweep, merged)"},
			whereFlag(),
		},
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return usagef("export needs at least one sweep directory (e.g. runs/quick)")
			}
			where, err := wheres(c)
			if err != nil {
				return err
			}
			return runExport(c.Context, exportOptions{
				Dirs: c.Args().Slice(), Out: c.String("out"), Curves: c.Bool("curves"),
				Parquet: c.Bool("parquet"), Separate: c.Bool("separate"), Where: where,
			}, c.App.Writer, c.App.ErrWriter)
		},
	}
}

type exportOptions struct {
	Dirs     []string
	Out      string
	Curves   bool // also curves, gradflow and spectra
	Parquet  bool // also .parquet files
	Separate bool // directories are separate sweeps
	Where    map[string]string
}

// runExport loads the sweeps and writes their tables into opts.Out, one line per file to
// w and warnings to errw.
func runExport(_ context.Context, opts exportOptions, w, errw io.Writer) error {
	var col *results.Collection
	var err error
	if opts.Separate {
		col, err = results.LoadSeparate(opts.Dirs...)
	} else {
		col, err = loadSweeps(opts.Dirs, results.Query{Where: opts.Where})
	}
	if err != nil {
		return usagef("nothing to export: %v", err)
	}
	trials, err := col.Filter(opts.Where)
	if err != nil {
		return usagef("%v", err)
	}
	if len(trials) == 0 && len(opts.Where) > 0 {
		return usagef("no trials match --where: %s", col.Unmatched(opts.Where))
	}
	problems := col.Problems
	tb, ps := results.TrialsTable(trials)
	tables := []*results.DataTable{tb}
	problems = append(problems, ps...)
	if opts.Curves {
		gf, ps1 := results.GradFlowTable(trials)
		sp, ps2 := results.SpectraTable(trials)
		tables = append(tables, results.CurvesTable(trials), gf, sp)
		problems = append(append(problems, ps1...), ps2...)
	}
	for _, p := range problems {
		fmt.Fprintf(errw, "warning: %s\n", p)
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return usagef("invalid --out: %v", err)
	}
	formats := []string{"csv"}
	if opts.Parquet {
		formats = append(formats, "parquet")
	}
	for _, t := range tables {
		for _, f := range formats {
			b, err := t.Encode(f)
			if err != nil {
				return err
			}
			path := filepath.Join(opts.Out, t.Name+"."+f)
			if err := trialdir.WriteFileAtomic(path, b); err != nil {
				return fmt.Errorf("export: %w", err)
			}
			fmt.Fprintf(w, "wrote %s: %d rows, %d columns\n", path, len(t.Rows), len(t.Columns))
		}
	}
	return nil
}
