package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/expctl/expctl/results"
	"github.com/expctl/expctl/results/report"
	"github.com/expctl/expctl/results/trialdir"
)

func reportCommand() *cli.Command {
	formats := make([]string, len(results.Formats))
	for i, f := range results.Formats {
		formats[i] = string(f)
	}
	var flags []cli.Flag
	about := ""
	for _, d := range results.Diagnostics {
		flags = append(flags, &cli.BoolFlag{Name: d.Flag, Usage: d.Usage})
		about += "\n\n" + d.About
	}
	return &cli.Command{
		Name:         "report",
		Usage:        "tables, plots and an HTML page from one or more sweep directories",
		ArgsUsage:    "<sweep-dir> [<sweep-dir>...]",
		OnUsageError: onUsageError,
		Description: "Reads sweep directories (shards are merged; a trial found twice with different\n" +
			"results is reported as a conflict) and prints, per task: the metric table with the\n" +
			"task's baseline, the steps-to-solve table, and the longest T each cell solved.\n" +
			"Works on unfinished sweeps: running, interrupted and missing trials are counted.\n" +
			"Rows and columns follow the sweep: numbers (T, lr) ascending, words (cells, clip\n" +
			"rules) in the order of the spec's grid.\n\n" +
			"--rows and --cols take one field or several, comma-separated: --rows cell,forget_bias\n" +
			"has a row per combination of cell and forget_bias that the trials have, ordered by\n" +
			"cell then forget_bias and labelled \"lstm forget_bias=5\" (a field a config does not\n" +
			"set adds nothing, nor forget_bias for a cell without a forget gate: \"gru\", unless\n" +
			"two rows differ only in it); the other fields, seeds among them, are aggregated over.\n\n" +
			"To compare sweeps, use the field \"sweep\" in --rows, --cols or --where (e.g.\n" +
			"--rows sweep or sweep,cell): each directory is then a separate sweep, named by its trials.json\n" +
			"(or by its directory when two share a name), and trials are not merged across them.\n\n" +
			"--where keeps trials whose field meets a condition; repeat it for several:\n" +
			"  cell=lstm   cell=lstm,gru (one of)   cell!=rnn   lr>=1e-3   T<100 (also >, <=)\n" +
			"Numbers compare as numbers (lr=0.020 matches 0.02); two conditions on one field\n" +
			"must both hold (--where T>=10 --where T<100).\n\n" +
			"The formats are for reading. For pandas, R or polars, 'expctl export' writes one\n" +
			"row per trial and the learning curves as typed CSV or Parquet tables." + about,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "rows", Value: "cell", Usage: "configuration field(s) for the table rows, comma-separated (e.g. cell,forget_bias)"},
			&cli.StringFlag{Name: "cols", Value: "T", Usage: "configuration field(s) for the table columns, comma-separated (e.g. T,clip)"},
			&cli.StringFlag{Name: "metric", Value: results.TestLoss, Usage: "metric: " + strings.Join(results.Metrics, ", ")},
			&cli.StringFlag{Name: "agg", Value: results.Mean, Usage: "aggregation over trials (seeds): mean (± sd) or median ([min–max])"},
			&cli.StringFlag{Name: "format", Value: string(results.Terminal), Usage: "table format: " + strings.Join(formats, ", ") + " (for reading; programs: expctl export)"},
			whereFlag(),
			&cli.IntFlag{Name: "min-solved", Usage: "k in \"longest T solved in ≥ k seeds\", from 1 to the number of seeds", DefaultText: "all seeds of a cell"},
			&cli.StringFlag{Name: "plots", Usage: "also write SVG and PNG figures into `DIR`"},
			&cli.StringFlag{Name: "html", Usage: "also write a self-contained HTML report to `FILE`"},
		}, flags...),
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return usagef("report needs at least one sweep directory (e.g. runs/quick)")
			}
			where, err := wheres(c)
			if err != nil {
				return err
			}
			f, err := results.ParseFormat(c.String("format"))
			if err != nil {
				return usagef("invalid --format: %v", err)
			}
			var diags []*results.Diagnostic
			for _, d := range results.Diagnostics {
				if c.Bool(d.Flag) {
					diags = append(diags, d)
				}
			}
			return runReport(c.Context, reportOptions{
				Dirs:   c.Args().Slice(),
				Query:  results.Query{Rows: c.String("rows"), Cols: c.String("cols"), Metric: c.String("metric"), Agg: c.String("agg"), Where: where},
				Format: f, MinSolved: c.Int("min-solved"), MinSolvedSet: c.IsSet("min-solved"), Plots: c.String("plots"), HTML: c.String("html"),
				Diagnostics: diags,
			}, c.App.Writer, c.App.ErrWriter)
		},
	}
}

// whereList collects the values of a repeatable flag as given: unlike a string-slice
// flag, it does not split them at commas (cell=lstm,gru is one condition).
type whereList []string

func (w *whereList) Set(s string) error { *w = append(*w, s); return nil }
func (w *whereList) String() string     { return strings.Join(*w, " ") }

// whereFlag is the --where flag of report and export.
func whereFlag() cli.Flag {
	return &cli.GenericFlag{Name: "where", Value: &whereList{},
		Usage: "keep only trials whose field meets `COND`: field=a,b (one of), field!=a, field>=x, >, <=, < (repeatable; see below)"}
}

// wheres reads the --where flags into a Query's Where.
func wheres(c *cli.Context) (map[string]string, error) {
	where := map[string]string{}
	list, _ := c.Generic("where").(*whereList)
	if list == nil {
		return where, nil
	}
	for _, e := range *list {
		if err := results.ParseWhere(where, e); err != nil {
			return nil, usagef("%v", err)
		}
	}
	return where, nil
}

// loadSweeps loads dirs as shards of one sweep or, when the query groups or filters by
// the sweep, as separate sweeps.
func loadSweeps(dirs []string, q results.Query) (*results.Collection, error) {
	_, bySweep := q.Where[results.SweepField]
	if bySweep || q.GroupsBy(results.SweepField) {
		return results.LoadSeparate(dirs...)
	}
	return results.Load(dirs...)
}

type reportOptions struct {
	Dirs      []string
	Query     results.Query
	Format    results.Format
	MinSolved int
	// MinSolvedSet tells that MinSolved was given: it must then be from 1 to the number
	// of seeds; unset, the summary asks for all seeds of a cell.
	MinSolvedSet bool
	Plots        string
	HTML         string
	Diagnostics  []*results.Diagnostic // also their tables and figures
}

// runReport loads the sweeps and writes the tables to w, warnings to errw, and the figures
// and HTML page where asked.
func runReport(_ context.Context, opts reportOptions, w, errw io.Writer) error {
	col, err := loadSweeps(opts.Dirs, opts.Query)
	if err != nil {
		return usagef("nothing to report: %v", err)
	}
	// The report lists the problems at its end; on a terminal that is where they are read,
	// once. Written to a file or a pipe, they are also shown on stderr.
	if !isTerminal(w) {
		for _, p := range col.Problems {
			fmt.Fprintf(errw, "warning: %s\n", p)
		}
	}
	if opts.MinSolvedSet {
		seeds := len(col.Values("seed"))
		if opts.MinSolved < 1 || opts.MinSolved > seeds {
			return usagef("invalid --min-solved %d: want an integer from 1 to %d (the number of seeds)", opts.MinSolved, seeds)
		}
	}
	rep, err := results.NewReport(col, opts.Query, opts.MinSolved)
	if err != nil {
		return usagef("%v", err)
	}
	if len(rep.Tables) == 0 {
		if len(opts.Query.Where) == 0 {
			return usagef("nothing to report: %s", col.Unmatched(nil))
		}
		return usagef("no trials match --where: %s", col.Unmatched(opts.Query.Where))
	}
	doc := &report.Document{Parts: []*report.Part{rep.Part()}}
	for _, d := range opts.Diagnostics {
		part, warning, err := d.Part(col, opts.Query)
		if err != nil {
			return usagef("%v", err)
		}
		if warning != "" {
			fmt.Fprintf(errw, "warning: %s\n", warning)
		}
		doc.Parts = append(doc.Parts, part)
	}
	if err := report.Render(w, doc, opts.Format); err != nil {
		return err
	}
	if opts.Plots != "" {
		if err := os.MkdirAll(opts.Plots, 0o755); err != nil {
			return &usageError{fmt.Sprintf("invalid --plots: %v", err)}
		}
		files, err := results.SavePlots(opts.Plots, col, opts.Query)
		if err != nil {
			return fmt.Errorf("plots: %w", err)
		}
		for _, d := range opts.Diagnostics {
			if d.SavePlots == nil {
				continue
			}
			more, err := d.SavePlots(opts.Plots, col, opts.Query)
			if err != nil {
				return fmt.Errorf("%s plots: %w", d.Flag, err)
			}
			files = append(files, more...)
		}
		fmt.Fprintf(errw, "wrote %d figures to %s\n", len(files), opts.Plots)
	}
	if opts.HTML != "" {
		var buf strings.Builder
		if err := results.WriteHTML(&buf, col, opts.Query, opts.MinSolved); err != nil {
			return fmt.Errorf("html: %w", err)
		}
		if err := os.MkdirAll(filepath.Dir(opts.HTML), 0o755); err != nil {
			return &usageError{fmt.Sprintf("invalid --html: %v", err)}
		}
		if err := trialdir.WriteFileAtomic(opts.HTML, []byte(buf.String())); err != nil {
			return fmt.Errorf("html: %w", err)
		}
		fmt.Fprintf(errw, "wrote %s\n", opts.HTML)
	}
	return nil
}
