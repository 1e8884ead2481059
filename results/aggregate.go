package results

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/expctl/expctl/datasets"
)

// Metrics that a table can show, one number per finished trial.
const (
	TestLoss     = "test_loss"      // final test loss
	TestMetric   = "test_metric"    // final task metric (e.g. acc@0.04, recall_acc)
	BestTestLoss = "best_test_loss" // lowest test loss of the learning curve
	StepsToSolve = "steps_to_solve" // step at which the solve criterion was first met (solved trials only)
)

// Metrics lists the metric names.
var Metrics = []string{TestLoss, TestMetric, BestTestLoss, StepsToSolve}

// Aggregations.
const (
	Mean   = "mean"   // mean ± sample standard deviation
	Median = "median" // median with min–max
)

// Query selects and groups trials into tables.
type Query struct {
	// Rows and Cols are the configuration fields of the rows and the columns (default cell
	// and T), each one field or several separated by commas ("cell,forget_bias"): a row
	// is then one combination of their values that occurs among the trials.
	Rows, Cols string
	Metric     string            // one of Metrics (default test_loss)
	Agg        string            // Mean or Median (default Mean)
	Where      map[string]string // keep only trials whose fields meet these conditions (see [ParseWhere])
}

func (q Query) withDefaults() Query {
	if q.Rows == "" {
		q.Rows = "cell"
	}
	if q.Cols == "" {
		q.Cols = "T"
	}
	q.Rows, q.Cols = strings.Join(FieldList(q.Rows), ","), strings.Join(FieldList(q.Cols), ",")
	if q.Metric == "" {
		q.Metric = TestLoss
	}
	if q.Agg == "" {
		q.Agg = Mean
	}
	return q
}

// Aggregate summarises the trials that share a row and a column value of a [Table] (one
// entry of the table).
type Aggregate struct {
	Values                     []float64      // the metric of each trial that defines it
	Mean, SD, Median, Min, Max float64        // NaN without values (SD also with one value)
	States                     map[string]int // trials by state: solved, unsolved, pruned, diverged, failed, running, incomplete, corrupt, missing
	N                          int            // trials in the cell
	Baseline                   float64        // the task's memoryless baseline loss (NaN if it varies)
	// Why counts the cell's unsolved and pruned trials by why they did not solve the
	// task, from their learning curves (see [Attribute]).
	Why Attribution
}

// Count returns the number of trials in state s.
func (c *Aggregate) Count(s string) int { return c.States[s] }

// Table is one task's trials grouped by two fields.
type Table struct {
	Task       string
	Query      Query
	MetricName string // what the numbers are, e.g. "test_loss" or "recall_acc"
	// Rows and Cols label the rows and the columns: for one field its values; for several
	// (see [FieldList]) the combinations of their values that the trials have, the first
	// field of a row as is (a number as field=value), every other field as field=value and
	// a field the trial's config does not set left out, e.g. "lstm forget_bias=5" or
	// "gru"; a column names every field, "T=10 clip=none". With cell among the fields, a
	// field the row's cell ignores is left out too ("gru" for gru at forget_bias=1, which
	// has no forget gate), unless two rows differ only in it (see [axis.omitted]). They
	// come in order: numbers ascending, words in the order in which the trials first have
	// them (a sweep's grid order: rnn, lstm, gru as its spec lists them), the value of a
	// field a config does not set first (see [axis.arrange]).
	Rows, Cols []string
	// RowValues and ColValues are, per row and per column, the value of each field of
	// Query.Rows and Query.Cols, in the order of the fields.
	RowValues, ColValues [][]string
	Cells                [][]*Aggregate // [row][col]; nil where no trial has that combination
	// ColBaseline is the baseline of each column when it is the same for the whole
	// column (NaN otherwise): the line a loss should beat.
	ColBaseline []float64
	// Over names the other fields that vary among the trials of a cell besides seed: the
	// aggregate mixes them.
	Over []string
	// Builds counts the finished trials by the build of expctl that computed them, when
	// more than one did (nil otherwise).
	Builds []BuildCount
}

// KnownField reports whether name is a configuration field of some trial.
func (c *Collection) KnownField(name string) bool {
	if name == SweepField {
		return true
	}
	for _, t := range c.Trials {
		if t.Config.Has(name) {
			return true
		}
	}
	return false
}

// Tables groups the trials into one table per task (tasks have different losses and
// baselines, so they never share a table).
func (c *Collection) Tables(q Query) ([]*Table, error) {
	q = q.withDefaults()
	if err := c.checkFields(q, "--rows/--cols"); err != nil {
		return nil, err
	}
	for f, cond := range q.Where {
		if !c.KnownField(f) {
			return nil, fmt.Errorf("unknown field %q in --where (fields: %s)", f, strings.Join(c.fields(), ", "))
		}
		if _, err := parseConditions(cond); err != nil {
			return nil, fmt.Errorf("invalid --where %s: %w", WhereText(f, cond), err)
		}
	}
	if !contains(Metrics, q.Metric) {
		return nil, fmt.Errorf("unknown metric %q (known: %s)", q.Metric, strings.Join(Metrics, ", "))
	}
	if q.Agg != Mean && q.Agg != Median {
		return nil, fmt.Errorf("unknown aggregation %q (known: mean, median)", q.Agg)
	}
	byTask := map[string][]*Trial{}
	var tasks []string
	for _, t := range c.Trials {
		if !q.keeps(t) {
			continue
		}
		task := t.Field("task")
		if _, ok := byTask[task]; !ok {
			tasks = append(tasks, task)
		}
		byTask[task] = append(byTask[task], t)
	}
	sort.Strings(tasks)
	var out []*Table
	for _, task := range tasks {
		tb := buildTable(task, q, byTask[task])
		tb.Builds = buildsOf(byTask[task])
		out = append(out, tb)
	}
	return out, nil
}

func (q Query) keeps(t *Trial) bool {
	for k, v := range q.Where {
		if !matches(t.Field(k), v) {
			return false
		}
	}
	return true
}

// sameValue compares field values as numbers when both are numbers (so lr=0.020 matches
// 0.02), else as text.
func sameValue(a, b string) bool {
	x, errx := strconv.ParseFloat(a, 64)
	y, erry := strconv.ParseFloat(b, 64)
	if errx == nil && erry == nil {
		return x == y
	}
	return a == b
}

func (c *Collection) fields() []string {
	seen := map[string]bool{}
	for _, t := range c.Trials {
		for _, k := range t.Config.Fields() {
			seen[k] = true
		}
	}
	seen[SweepField] = true
	var out []string
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func buildTable(task string, q Query, trials []*Trial) *Table {
	tb := &Table{Task: task, Query: q, MetricName: q.Metric}
	for _, t := range trials {
		if q.Metric == TestMetric && t.Result != nil && t.Result.Metric != "" {
			tb.MetricName = t.Result.Metric
		}
	}
	ra, ca := rowAxis(q), colAxis(q)
	tb.Rows, tb.RowValues = ra.arrange(trials)
	tb.Cols, tb.ColValues = ca.arrange(trials)
	ri, ci := keyIndex(tb.RowValues), keyIndex(tb.ColValues)
	groups := make([][][]*Trial, len(tb.Rows))
	for i := range groups {
		groups[i] = make([][]*Trial, len(tb.Cols))
	}
	for _, t := range trials {
		r, c := ri[ra.keyOf(t)], ci[ca.keyOf(t)]
		groups[r][c] = append(groups[r][c], t)
	}
	grouped := append(append([]string(nil), ra.fields...), ca.fields...)
	tb.Cells = make([][]*Aggregate, len(tb.Rows))
	over := map[string]bool{}
	for r := range groups {
		tb.Cells[r] = make([]*Aggregate, len(tb.Cols))
		for c, g := range groups[r] {
			if len(g) > 0 {
				tb.Cells[r][c] = aggregate(g, q.Metric)
				for _, f := range varying(g, grouped) {
					over[f] = true
				}
			}
		}
	}
	for f := range over {
		tb.Over = append(tb.Over, f)
	}
	sort.Strings(tb.Over)
	tb.ColBaseline = make([]float64, len(tb.Cols))
	for c := range tb.Cols {
		b := math.NaN()
		for r := range tb.Rows {
			cell := tb.Cells[r][c]
			if cell == nil {
				continue
			}
			switch {
			case math.IsNaN(cell.Baseline):
				b = math.NaN()
			case math.IsNaN(b) || b == cell.Baseline:
				b = cell.Baseline
			default:
				b = math.NaN()
			}
			if math.IsNaN(b) {
				break
			}
		}
		tb.ColBaseline[c] = b
	}
	return tb
}

// varying returns the fields other than seed and the grouped ones (those of the rows and
// the columns) whose values differ in g.
func varying(g []*Trial, grouped []string) []string {
	keys := map[string]bool{}
	for _, t := range g {
		for _, k := range t.Config.Fields() {
			keys[k] = true
		}
	}
	var out []string
	for k := range keys {
		if k == "seed" || contains(grouped, k) {
			continue
		}
		for _, t := range g[1:] {
			if t.Field(k) != g[0].Field(k) {
				out = append(out, k)
				break
			}
		}
	}
	return out
}

// metricOf returns a trial's value of the metric, if it has one. A pruned trial has none:
// its final loss and metric are those of the step its prune rule stopped it at, not of the
// end of its budget, and averaging them with complete trials would mix two different
// things; it is counted in the cell's note instead (and it never solved the task).
func metricOf(t *Trial, metric string) (float64, bool) {
	r := t.Result
	if r == nil || r.Status == Pruned {
		return 0, false
	}
	switch metric {
	case TestLoss:
		if r.TestLoss != nil {
			return *r.TestLoss, true
		}
	case TestMetric:
		if r.TestMetric != nil {
			return *r.TestMetric, true
		}
	case StepsToSolve:
		if r.SolvedAtStep != nil {
			return float64(*r.SolvedAtStep), true
		}
	case BestTestLoss:
		if r.Status == Diverged || r.Status == Failed {
			return 0, false
		}
		best, ok := math.Inf(1), false
		for _, p := range t.Curve {
			if !math.IsNaN(p.TestLoss) && p.TestLoss < best {
				best, ok = p.TestLoss, true
			}
		}
		return best, ok
	}
	return 0, false
}

// baselineOf is the task's memoryless baseline loss for the trial's T.
func baselineOf(t *Trial) float64 {
	if t.Result != nil && t.Result.Baseline > 0 {
		return t.Result.Baseline
	}
	task, err := datasets.Lookup(t.Field("task"))
	if err != nil {
		return math.NaN()
	}
	T, err := strconv.Atoi(t.Field("T"))
	if err != nil || T < task.MinT {
		return math.NaN()
	}
	return task.Baseline(T)
}

func aggregate(g []*Trial, metric string) *Aggregate {
	c := &Aggregate{States: map[string]int{}, N: len(g), Baseline: baselineOf(g[0])}
	for _, t := range g {
		c.States[t.State]++
		c.Why.add(t)
		if v, ok := metricOf(t, metric); ok {
			c.Values = append(c.Values, v)
		}
		if b := baselineOf(t); b != c.Baseline {
			c.Baseline = math.NaN()
		}
	}
	c.Mean, c.SD, c.Median, c.Min, c.Max = Summarize(c.Values)
	return c
}

// Summarize returns the mean, sample standard deviation (n−1), median, minimum and
// maximum of vs; NaN where undefined (all of them for no values, the SD for one).
func Summarize(vs []float64) (mean, sd, median, lo, hi float64) {
	n := len(vs)
	if n == 0 {
		nan := math.NaN()
		return nan, nan, nan, nan, nan
	}
	s := append([]float64(nil), vs...)
	sort.Float64s(s)
	for _, v := range s {
		mean += v
	}
	mean /= float64(n)
	sd = math.NaN()
	if n > 1 {
		ss := 0.0
		for _, v := range s {
			ss += (v - mean) * (v - mean)
		}
		sd = math.Sqrt(ss / float64(n-1))
	}
	median = s[n/2]
	if n%2 == 0 {
		median = (s[n/2-1] + s[n/2]) / 2
	}
	return mean, sd, median, s[0], s[n-1]
}

// Longest is one line of the summary "longest T solved in ≥ k of n seeds".
type Longest struct {
	Row    string   // the row's label, e.g. the cell name (see [Table.Rows])
	Values []string // the row's value of each field of the rows (nil when the table has none)
	Col    string   // the largest column value solved often enough ("" if none)
	Solved int      // trials solved in that column
	Of     int      // trials in that column
}

// LongestSolved returns, for each row of t, the largest column value (T by default) whose
// trials were solved at least k times (k ≤ 0, or more than a cell has: all of its trials).
// It is the largest such column, not the end of an unbroken run from the smallest.
func (t *Table) LongestSolved(k int) []Longest {
	out := make([]Longest, len(t.Rows))
	for r, row := range t.Rows {
		out[r].Row = row
		if r < len(t.RowValues) {
			out[r].Values = t.RowValues[r]
		}
		for c, col := range t.Cols {
			cell := t.Cells[r][c]
			if cell == nil {
				continue
			}
			need := k
			if need <= 0 || need > cell.N {
				need = cell.N
			}
			if s := cell.Count(Solved); s >= need && s > 0 {
				out[r].Col, out[r].Solved, out[r].Of = col, s, cell.N
			}
		}
	}
	return out
}

// Text renders a cell for a table: "mean ± sd" or "median [min–max]" with 3 significant
// digits, followed by how many trials have a value when that is not all of them, e.g.
// "0.0123 ± 0.004 (2/3, 1 diverged)"; a pruned trial is never among the values either,
// "0.0123 ± 0.004 (2/3, 1 pruned)". A cell without values shows its trials' states
// instead, so diverged, failed, running and missing entries never look like numbers; a
// nil cell is "·" (no such trial).
func (c *Aggregate) Text(agg string) string {
	if c == nil {
		return "·"
	}
	var notes []string
	for _, s := range noteStates {
		if n := c.Count(s); n > 0 {
			notes = append(notes, fmt.Sprintf("%d %s", n, s))
		}
	}
	if len(c.Values) == 0 {
		if n := c.Count(Unsolved); n > 0 && len(notes) > 0 {
			// e.g. steps to solve: say what the trials without a value did
			notes = append([]string{fmt.Sprintf("%d %s", n, Unsolved)}, notes...)
		}
		if len(notes) == 0 {
			return "—" // finished, but the metric is undefined (e.g. never solved)
		}
		return strings.Join(notes, ", ")
	}
	var s string
	switch {
	case agg == Median:
		s = fmt.Sprintf("%s [%s–%s]", num(c.Median), num(c.Min), num(c.Max))
		if c.Min == c.Max {
			s = num(c.Median)
		}
	case len(c.Values) == 1:
		s = num(c.Mean)
	default:
		s = fmt.Sprintf("%s ± %s", num(c.Mean), num(c.SD))
	}
	if len(c.Values) < c.N {
		s += fmt.Sprintf(" (%d/%d", len(c.Values), c.N)
		if len(notes) > 0 {
			s += ", " + strings.Join(notes, ", ")
		}
		s += ")"
	}
	return s
}

// num formats a value with 3 significant digits, and whole numbers up to a million (step
// counts) in full.
func num(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e6 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}
