package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
	"github.com/urfave/cli/v2"

	"github.com/expctl/expctl/datasets"
	"github.com/expctl/expctl/experiments"
	"github.com/expctl/expctl/models"
	"github.com/expctl/expctl/models/engine"
	"github.com/expctl/expctl/runner"
)

// benchFormats are the output formats of expctl bench.
var benchFormats = []string{"terminal", "markdown", "csv", "json"}

// gruNote says how PyTorch's GRU differs from expctl's.
const gruNote = "gru: PyTorch's nn.GRU is the reset-after form, n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn)); " +
	"expctl's gru is the reset-before form of Cho et al. 2014, n = tanh(W_n[x; r⊙h] + b_n). " +
	"They differ in where the reset gate r is applied; the matrices have the same sizes."

func benchCommand() *cli.Command {
	d := runner.DefaultBenchConfig()
	return &cli.Command{
		Name:         "bench",
		Usage:        "time training steps, optionally side by side with PyTorch",
		OnUsageError: onUsageError,
		Description: "Times full training steps (forward, backpropagation through time, clipping to norm 1,\n" +
			"Adam) of each --cell at each --T on one fixed batch, on one thread (GOMAXPROCS=1), and\n" +
			"prints per row the step time in ms (median [min–max] over every timed step of every\n" +
			"round), GFLOP/s and the Go heap allocated per step. Each round builds every network\n" +
			"afresh and runs --warmup untimed steps (the first compiles), then --steps timed ones.\n" +
			"GFLOP/s = 6·P·B·L / median step time, with P the scalars of the cell's weight matrices\n" +
			"(those that multiply [x_t; h_{t-1}]) and L the sequence length: the matrix products of\n" +
			"the forward and the backward pass, nothing else. The defaults can take minutes.\n\n" +
			"--vs-pytorch times PyTorch's version of each network as well (nn.RNN, nn.LSTM or\n" +
			"nn.GRU and a Linear readout, Adam, clip_grad_norm_, one thread), alternating with\n" +
			"expctl row by row in every round, and adds PyTorch's step times and the ratio\n" +
			"expctl/PyTorch of the medians. It needs a Python with PyTorch (--python; Debian:\n" +
			"apt-get install python3-torch). PyTorch's GRU is the reset-after form (r applied after\n" +
			"the recurrent product), expctl's gru the reset-before form of Cho et al. 2014: same\n" +
			"matrix sizes, different computation. PyTorch's cells have two bias vectors per gate,\n" +
			"and PyTorch trains on its own random data of the same shapes. --pytorch-script prints\n" +
			"the script, which can also be run by hand (see its header).\n\n" +
			"With the openblas build, OPENBLAS_NUM_THREADS, if set, decides OpenBLAS's threads.",
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "cell", Value: cli.NewStringSlice(pytorchCells...),
				Usage: "cells to time, repeatable or comma-separated: " + strings.Join(models.Names(), ", ")},
			&cli.IntSliceFlag{Name: "T", Value: cli.NewIntSlice(100, 400, 1000),
				Usage: "dependency lengths T, repeatable or comma-separated (adding: T ≥ 2; copy: T ≥ 1)"},
			&cli.IntFlag{Name: "hidden", Value: d.Hidden, Usage: "hidden size H (≥ 1)"},
			&cli.IntFlag{Name: "params", Usage: "parameter budget: each cell gets the largest hidden size whose network fits (overrides --hidden)"},
			&cli.IntFlag{Name: "batch", Value: d.Batch, Usage: "sequences per training step (≥ 1)"},
			&cli.StringFlag{Name: "dtype", Value: d.Dtype, Usage: "floating-point type: float32 or float64"},
			&cli.StringFlag{Name: "task", Value: d.Task, Usage: "task: " + strings.Join(datasets.Names(), ", ")},
			&cli.IntFlag{Name: "steps", Value: d.Steps, Usage: "timed steps per row in each round (≥ 1)"},
			&cli.IntFlag{Name: "warmup", Value: d.Warmup, Usage: "untimed steps before them in each round (≥ 1)"},
			&cli.IntFlag{Name: "rounds", Value: 3, Usage: "rounds over all rows (≥ 1)"},
			&cli.BoolFlag{Name: "vs-pytorch", Usage: "also time PyTorch's version of each network (rnn, lstm, gru)"},
			&cli.StringFlag{Name: "python", Value: "python3", Usage: "Python interpreter with PyTorch, for --vs-pytorch"},
			&cli.StringFlag{Name: "format", Value: "terminal", Usage: "output format: " + strings.Join(benchFormats, ", ")},
			&cli.BoolFlag{Name: "pytorch-script", Usage: "print the PyTorch benchmark script and exit"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("bench takes no arguments, got %q (flags start with --)", c.Args().First())
			}
			if c.Bool("pytorch-script") {
				_, err := io.WriteString(c.App.Writer, pytorchScript)
				return err
			}
			return runBench(c.Context, benchOptions{
				Cells: c.StringSlice("cell"), Ts: c.IntSlice("T"), Hidden: c.Int("hidden"), Params: c.Int("params"), Batch: c.Int("batch"),
				Dtype: c.String("dtype"), Task: c.String("task"), Steps: c.Int("steps"), Warmup: c.Int("warmup"),
				Rounds: c.Int("rounds"), VsPyTorch: c.Bool("vs-pytorch"), Python: c.String("python"),
				Format: c.String("format"),
			}, c.App.Writer, c.App.ErrWriter)
		},
	}
}

// benchOptions are expctl bench's flags.
type benchOptions struct {
	Cells         []string
	Ts            []int
	Hidden, Batch int
	Params        int // parameter budget; 0 uses Hidden
	Dtype, Task   string
	Steps, Warmup int
	Rounds        int
	VsPyTorch     bool
	Python        string
	Format        string
}

// benchRow is one network: expctl's timings and, with --vs-pytorch, PyTorch's.
type benchRow struct {
	cfg    runner.BenchConfig
	expctl *runner.BenchResult
	torch  *runner.BenchResult // nil without --vs-pytorch
}

// benchRun is everything a bench prints.
type benchRun struct {
	opts   benchOptions
	rows   []*benchRow
	torch  *torchServer // nil without --vs-pytorch
	blas   string
	notes  []string
	header []string
}

// benchInterrupted is returned when the bench is stopped before its table is complete.
type benchInterrupted struct{}

func (benchInterrupted) Error() string {
	return "bench interrupted before its table was printed"
}
func (benchInterrupted) Unwrap() error { return context.Canceled }

// runBench checks every option, times every row in every round (alternating with
// PyTorch), then writes the table to w; progress lines go to errw.
func runBench(ctx context.Context, opts benchOptions, w, errw io.Writer) error {
	if !slices.Contains(benchFormats, opts.Format) {
		return usagef("invalid --format %q: want %s", opts.Format, orList(benchFormats))
	}
	if opts.Rounds < 1 {
		return usagef("invalid --rounds %d: want an integer ≥ 1", opts.Rounds)
	}
	if opts.Params < 0 {
		return usagef("invalid --params %d: want a parameter budget ≥ 1, or 0 to use --hidden", opts.Params)
	}
	var rows []*benchRow
	seen := map[runner.BenchConfig]bool{}
	var cells []string
	for _, cell := range opts.Cells {
		if cell = strings.TrimSpace(cell); cell == "all" {
			cells = append(cells, models.Names()...)
		} else {
			cells = append(cells, cell)
		}
	}
	for _, cell := range cells {
		hidden := opts.Hidden
		if opts.Params > 0 {
			h, err := experiments.HiddenForBudget(cell, opts.Task, opts.Params)
			if err != nil {
				return err
			}
			hidden = h
		}
		for _, T := range opts.Ts {
			cfg := runner.BenchConfig{Cell: cell, Task: opts.Task, Dtype: opts.Dtype, T: T,
				Hidden: hidden, Batch: opts.Batch, Steps: opts.Steps, Warmup: opts.Warmup, Seed: 1}
			if err := cfg.Validate(); err != nil {
				return err
			}
			if opts.VsPyTorch && !slices.Contains(pytorchCells, cfg.Cell) {
				return usagef("invalid --cell %q with --vs-pytorch: want %s (the cells PyTorch has)", cfg.Cell, orList(pytorchCells))
			}
			if !seen[cfg] {
				seen[cfg] = true
				rows = append(rows, &benchRow{cfg: cfg})
			}
		}
	}
	if len(rows) == 0 {
		return usagef("bench has nothing to time: give at least one --cell and one --T")
	}
	run := &benchRun{opts: opts, rows: rows, blas: engine.BLAS}
	if opts.VsPyTorch {
		// The server is killed if this thread ends (Pdeathsig): keep it until the server is done.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		s, err := startTorch(ctx, opts.Python)
		if err != nil {
			if ctx.Err() != nil {
				return benchInterrupted{}
			}
			return err
		}
		defer s.close()
		run.torch = s
	}
	if err := run.measure(ctx, errw); err != nil {
		if ctx.Err() != nil {
			return benchInterrupted{}
		}
		return err
	}
	run.describe()
	return run.write(w)
}

// measure runs the rounds: in each, every row's expctl steps, then PyTorch's.
func (r *benchRun) measure(ctx context.Context, errw io.Writer) error {
	prev := runtime.GOMAXPROCS(1) // one thread, as PyTorch's set_num_threads(1)
	defer runtime.GOMAXPROCS(prev)
	for round := 1; round <= r.opts.Rounds; round++ {
		for _, row := range r.rows {
			res, err := runner.BenchSteps(ctx, row.cfg)
			if err != nil {
				return err
			}
			if row.expctl == nil {
				row.expctl = res
			} else if err := row.expctl.Merge(res); err != nil {
				return err
			}
			line := fmt.Sprintf("round %d/%d  %s: expctl %s ms/step", round, r.opts.Rounds, row.cfg, ms(res.Median()))
			if r.torch != nil {
				t, err := r.torchRound(ctx, row)
				if err != nil {
					return err
				}
				line += fmt.Sprintf(", PyTorch %s ms/step", ms(t.Median()))
			}
			fmt.Fprintln(errw, line)
		}
	}
	return nil
}

// torchRound asks the PyTorch server to time row's network and adds its steps to the row.
func (r *benchRun) torchRound(ctx context.Context, row *benchRow) (*runner.BenchResult, error) {
	c := row.cfg
	reply, err := r.torch.bench(ctx, torchRequest{Cell: c.Cell, Task: c.Task, T: c.T, H: c.Hidden, B: c.Batch,
		Dtype: c.Dtype, Steps: c.Steps, Warmup: c.Warmup, Seed: c.Seed})
	if err != nil {
		return nil, err
	}
	res := &runner.BenchResult{Config: c, Len: reply.L, Params: reply.Params, MatrixParams: row.expctl.MatrixParams}
	for _, s := range reply.Times {
		res.Steps = append(res.Steps, time.Duration(s*float64(time.Second)))
	}
	if res.Len != row.expctl.Len {
		return nil, fmt.Errorf("PyTorch %s: sequence length %d, expctl's is %d", c, res.Len, row.expctl.Len)
	}
	if row.torch == nil {
		row.torch = res
		return res, nil
	}
	return res, row.torch.Merge(res)
}

// describe writes the lines above and below the table.
func (r *benchRun) describe() {
	o := r.opts
	blas := r.blas
	if v, ok := os.LookupEnv("OPENBLAS_NUM_THREADS"); ok && blas == "openblas" {
		blas += " (OPENBLAS_NUM_THREADS=" + v + ")"
	}
	r.header = []string{
		o.Task + ": one training step = forward, backpropagation through time, clip norm:1, Adam",
		fmt.Sprintf("%d %s × %d timed %s per row, after %d warm-up %s in each round",
			o.Rounds, plural(o.Rounds, "round", "rounds"), o.Steps, plural(o.Steps, "step", "steps"),
			o.Warmup, plural(o.Warmup, "step", "steps")),
		fmt.Sprintf("expctl %s (%s, GOMAXPROCS=1, BLAS %s)", runner.Version, runtime.Version(), blas),
	}
	if r.torch != nil {
		h := r.torch.Hello
		r.header = append(r.header, fmt.Sprintf("PyTorch %s (%s, Python %s, %d %s, torch BLAS_INFO=%s)",
			h.Torch, r.torch.Python, h.Python, h.Threads, plural(h.Threads, "thread", "threads"), h.BLAS))
	}
	steps := o.Rounds * o.Steps
	r.notes = []string{
		fmt.Sprintf("ms/step: median [min–max] over each row's %d timed %s.", steps, plural(steps, "step", "steps")),
		"GFLOP/s = 6·P·B·L / median step time, P = scalars of the cell's weight matrices (those that multiply " +
			"[x_t; h_{t-1}]), L = sequence length: the matrix products of the forward and backward passes only.",
		"MB/step and allocs/step: Go heap allocated per timed step.",
	}
	if r.torch != nil {
		r.notes = append(r.notes,
			"expctl/PyTorch: ratio of the median step times (above 1: expctl is slower). "+
				"PyTorch's cells have two bias vectors per gate (b_ih, b_hh), and PyTorch trains on its own random data of the same shapes.")
		if slices.ContainsFunc(r.rows, func(row *benchRow) bool { return row.cfg.Cell == "gru" }) {
			r.notes = append(r.notes, gruNote)
		}
	}
}

// ms formats a duration in milliseconds with about three significant digits.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case v >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}

// sig3 formats a number with about three significant digits, without exponent.
func sig3(v float64) string {
	switch {
	case math.Abs(v) >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case math.Abs(v) >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case math.Abs(v) >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}

func spread(r *runner.BenchResult) string {
	return fmt.Sprintf("%s [%s–%s]", ms(r.Median()), ms(r.Min()), ms(r.Max()))
}

// ratio is expctl's median step time over PyTorch's.
func (row *benchRow) ratio() float64 {
	return row.expctl.Median().Seconds() / row.torch.Median().Seconds()
}

func orList(vs []string) string {
	if len(vs) < 2 {
		return strings.Join(vs, "")
	}
	return strings.Join(vs[:len(vs)-1], ", ") + " or " + vs[len(vs)-1]
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (r *benchRun) write(w io.Writer) error {
	switch r.opts.Format {
	case "csv":
		return r.writeCSV(w)
	case "json":
		return r.writeJSON(w)
	}
	return r.writeText(w, r.opts.Format == "markdown")
}

func (r *benchRun) writeText(w io.Writer, md bool) error {
	esc := func(s string) string { return s }
	var rend tw.Renderer = renderer.NewBlueprint()
	if md {
		esc = mdEscaper.Replace
		rend = renderer.NewMarkdown()
	}
	for _, h := range r.header {
		fmt.Fprintln(w, esc(h))
		if md {
			fmt.Fprintln(w)
		}
	}
	header := []any{"cell", "T", "H", "B", "dtype", "ms/step", "GFLOP/s", "MB/step", "allocs/step"}
	align := []tw.Align{tw.AlignLeft, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignLeft,
		tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight}
	if r.torch != nil {
		header = append(header, "PyTorch ms/step", "expctl/PyTorch")
		align = append(align, tw.AlignRight, tw.AlignRight)
	}
	tb := tablewriter.NewTable(w,
		tablewriter.WithRenderer(rend),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: align}),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
	)
	tb.Header(header...)
	for _, row := range r.rows {
		g := row.expctl
		cells := []string{row.cfg.Cell, strconv.Itoa(row.cfg.T), strconv.Itoa(row.cfg.Hidden), strconv.Itoa(row.cfg.Batch),
			row.cfg.Dtype, spread(g), sig3(g.GFLOPS()), sig3(g.BytesPerStep() / 1e6), strconv.FormatFloat(g.AllocsPerStep(), 'f', 0, 64)}
		if row.torch != nil {
			cells = append(cells, spread(row.torch), fmt.Sprintf("%.2f", row.ratio()))
		}
		if err := tb.Append(cells); err != nil {
			return fmt.Errorf("bench table: %w", err)
		}
	}
	if err := tb.Render(); err != nil {
		return fmt.Errorf("bench table: %w", err)
	}
	for _, n := range r.notes {
		if md {
			fmt.Fprintln(w)
			fmt.Fprintln(w, esc(n))
		} else {
			fmt.Fprintln(w, "  "+wrapText(n, 88, "  "))
		}
	}
	return nil
}

var mdEscaper = strings.NewReplacer(`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `|`, `\|`, `<`, `\<`)

// wrapText breaks s at spaces into lines of at most width bytes, indenting the
// continuation lines.
func wrapText(s string, width int, indent string) string {
	var b strings.Builder
	n := 0
	for i, word := range strings.Fields(s) {
		switch {
		case i == 0:
		case n+1+len([]rune(word)) > width:
			b.WriteString("\n" + indent)
			n = 0
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += len([]rune(word))
	}
	return b.String()
}

func (r *benchRun) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := []string{"cell", "task", "T", "L", "H", "B", "dtype", "params", "median_ms", "min_ms", "max_ms", "gflops",
		"bytes_per_step", "allocs_per_step"}
	if r.torch != nil {
		head = append(head, "pytorch_params", "pytorch_median_ms", "pytorch_min_ms", "pytorch_max_ms", "pytorch_gflops", "ratio")
	}
	cw.Write(head)
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	msf := func(d time.Duration) string { return f(float64(d) / float64(time.Millisecond)) }
	for _, row := range r.rows {
		g, c := row.expctl, row.cfg
		rec := []string{c.Cell, c.Task, strconv.Itoa(c.T), strconv.Itoa(g.Len), strconv.Itoa(c.Hidden), strconv.Itoa(c.Batch),
			c.Dtype, strconv.Itoa(g.Params), msf(g.Median()), msf(g.Min()), msf(g.Max()), f(g.GFLOPS()),
			f(g.BytesPerStep()), f(g.AllocsPerStep())}
		if t := row.torch; t != nil {
			rec = append(rec, strconv.Itoa(t.Params), msf(t.Median()), msf(t.Min()), msf(t.Max()), f(t.GFLOPS()), f(row.ratio()))
		}
		cw.Write(rec)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("bench csv: %w", err)
	}
	return nil
}

// benchTimes are one implementation's timings of a row, in the JSON output.
type benchTimes struct {
	Params        int       `json:"params"`
	MedianMS      float64   `json:"median_ms"`
	MinMS         float64   `json:"min_ms"`
	MaxMS         float64   `json:"max_ms"`
	StepsMS       []float64 `json:"steps_ms"`
	GFLOPS        float64   `json:"gflops"`
	BytesPerStep  *float64  `json:"bytes_per_step,omitempty"`
	AllocsPerStep *float64  `json:"allocs_per_step,omitempty"`
}

func timesOf(r *runner.BenchResult) *benchTimes {
	msf := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	t := &benchTimes{Params: r.Params, MedianMS: msf(r.Median()), MinMS: msf(r.Min()), MaxMS: msf(r.Max()),
		GFLOPS: r.GFLOPS(), StepsMS: []float64{}}
	for _, s := range r.Steps {
		t.StepsMS = append(t.StepsMS, msf(s))
	}
	return t
}

func (r *benchRun) writeJSON(w io.Writer) error {
	type jsonRow struct {
		Cell         string      `json:"cell"`
		Task         string      `json:"task"`
		T            int         `json:"T"`
		L            int         `json:"L"`
		H            int         `json:"H"`
		B            int         `json:"B"`
		Dtype        string      `json:"dtype"`
		MatrixParams int         `json:"matrix_params"`
		FLOPsPerStep float64     `json:"flops_per_step"`
		Expctl       *benchTimes `json:"expctl"`
		PyTorch      *benchTimes `json:"pytorch"`
		Ratio        *float64    `json:"ratio"`
	}
	type jsonTorch struct {
		Version string `json:"version"`
		Python  string `json:"python"`
		Threads int    `json:"threads"`
		BLAS    string `json:"blas"`
	}
	doc := struct {
		Task       string     `json:"task"`
		Rounds     int        `json:"rounds"`
		Steps      int        `json:"steps"`
		Warmup     int        `json:"warmup"`
		Version    string     `json:"version"`
		Go         string     `json:"go"`
		GOMAXPROCS int        `json:"gomaxprocs"`
		BLAS       string     `json:"blas"`
		PyTorch    *jsonTorch `json:"pytorch"`
		Rows       []jsonRow  `json:"rows"`
		Notes      []string   `json:"notes"`
	}{Task: r.opts.Task, Rounds: r.opts.Rounds, Steps: r.opts.Steps, Warmup: r.opts.Warmup, Version: runner.Version,
		Go: runtime.Version(), GOMAXPROCS: 1, BLAS: r.blas, Notes: r.notes}
	if r.torch != nil {
		h := r.torch.Hello
		doc.PyTorch = &jsonTorch{Version: h.Torch, Python: r.torch.Python, Threads: h.Threads, BLAS: h.BLAS}
	}
	for _, row := range r.rows {
		g, c := row.expctl, row.cfg
		jr := jsonRow{Cell: c.Cell, Task: c.Task, T: c.T, L: g.Len, H: c.Hidden, B: c.Batch, Dtype: c.Dtype,
			MatrixParams: g.MatrixParams, FLOPsPerStep: g.FLOPsPerStep(), Expctl: timesOf(g)}
		b, a := g.BytesPerStep(), g.AllocsPerStep()
		jr.Expctl.BytesPerStep, jr.Expctl.AllocsPerStep = &b, &a
		if row.torch != nil {
			jr.PyTorch = timesOf(row.torch)
			if ratio := row.ratio(); !math.IsInf(ratio, 0) && !math.IsNaN(ratio) {
				jr.Ratio = &ratio
			}
		}
		doc.Rows = append(doc.Rows, jr)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("bench json: %w", err)
	}
	return nil
}
