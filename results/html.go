package results

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/expctl/expctl/results/report"
)

// WriteHTML writes a report as one self-contained HTML page that needs no network: inline
// CSS and inline SVG figures. It shows
//
//   - a title naming the sweep(s) and the generation facts: the sweeps and their trial
//     counts, the trials by state, the query, the expctl versions that produced the results;
//   - each sweep's specification as written (deduplicated when shards share it);
//   - for each task: the metric table (entries are [Aggregate.Text]; for a loss a last
//     "baseline" row), the steps-to-solve table (median [min–max] over the solved trials)
//     and the "longest T solved" summary (see [Table.LongestSolved], k = minSolved, 0 for
//     all trials of a cell), all as <table> elements; the final-metric figure
//     ([PlotFinal]) and a learning-curve figure per column value ([PlotCurves]);
//   - for each of the [Diagnostics] that a trial has records of, its section; for the
//     gradient flow (when any trial has a gradflow.csv) per task the table of σ_max and
//     clip rates ([Collection.GradientTables]; σ_max below its threshold 1/γ in
//     class "below", above it in class "above") and, per column value, the gradient-flow
//     figures at init and at the end of training ([PlotGradFlow]);
//   - the trials that the sweep's prune rule stopped, with the rule, the step and its
//     reason ([StatusText]), the trials that did not finish normally (diverged, failed,
//     running, incomplete, missing) with their error, and the problems found while
//     loading, when there are any.
//
// Numeric entries have class "num"; entries that are words (states such as "2 diverged",
// "—" for no value, "·" for no such trial) have class "state" and are set apart. Text
// from the files (names, specification, errors) is escaped. The output depends only on
// the inputs: two calls give the same bytes.
func WriteHTML(w io.Writer, c *Collection, q Query, minSolved int) error {
	r, err := NewReport(c, q, minSolved)
	if err != nil {
		return err
	}
	d, err := pageDocument(c, r)
	if err != nil {
		return err
	}
	return report.WriteHTML(w, d)
}

// pageDocument is the report as a page: its facts, the sweeps' specifications, per task
// the report's section with what the task asks and its figures, the gradient part when
// there are records, the unfinished trials and the problems.
func pageDocument(c *Collection, r *Report) (*report.Document, error) {
	q := r.Query
	d := &report.Document{}

	// Title and facts.
	var names []string
	for _, s := range c.Sweeps {
		if !contains(names, s.Name) {
			names = append(names, s.Name)
		}
	}
	d.Title = "expctl report: " + strings.Join(names, ", ")
	if len(names) == 0 {
		d.Title = "expctl report"
	}
	for _, s := range c.Sweeps {
		n := 0
		for _, t := range c.Trials {
			if t.Sweep == s.Dir {
				n++
			}
		}
		d.Facts = append(d.Facts, report.Fact{Name: "Sweep", Value: fmt.Sprintf("%s (%s): %s", s.Name, s.Dir, plural(n, "trial", "trials"))})
	}
	var kept []*Trial
	for _, t := range c.Trials {
		if q.keeps(t) {
			kept = append(kept, t)
		}
	}
	if len(kept) == len(c.Trials) {
		d.Facts = append(d.Facts, report.Fact{Name: "Trials", Value: trialsSummary(kept)})
	} else {
		d.Facts = append(d.Facts, report.Fact{Name: "Trials shown", Value: trialsSummary(kept)},
			report.Fact{Name: "All trials", Value: trialsSummary(c.Trials)})
	}
	query := fmt.Sprintf("rows %s, columns %s, metric %s, %s", fieldsText(q.Rows), fieldsText(q.Cols), q.Metric, aggName(q.Agg))
	if len(q.Where) > 0 {
		query += ", where " + strings.Join(whereTexts(q.Where), ", ")
	}
	d.Facts = append(d.Facts, report.Fact{Name: "Query", Value: query})
	var versions []string
	for _, t := range kept {
		if t.Result != nil && t.Result.Version != "" && !contains(versions, t.Result.Version) {
			versions = append(versions, t.Result.Version)
		}
	}
	if len(versions) > 0 {
		sort.Strings(versions)
		d.Facts = append(d.Facts, report.Fact{Name: "expctl version", Value: strings.Join(versions, ", ")})
	}
	if len(r.Problems) > 0 {
		d.Facts = append(d.Facts, report.Fact{Name: "Problems", Value: fmt.Sprintf("%d (listed at the end)", len(r.Problems))})
	}

	// Specifications, one per distinct text.
	bySpec := map[string]int{}
	for _, s := range c.Sweeps {
		if s.Spec == "" {
			continue
		}
		who := s.Name + " (" + s.Dir + ")"
		if i, ok := bySpec[s.Spec]; ok {
			d.Listings[i].Heading += ", " + who
			continue
		}
		bySpec[s.Spec] = len(d.Listings)
		d.Listings = append(d.Listings, report.Listing{Heading: "Specification: " + who, Text: s.Spec})
	}

	// One section per task.
	main := r.Part()
	ids := map[string]bool{}
	for i, t := range r.Tables {
		s := main.Sections[i]
		s.ID = htmlID("task-"+t.Task, ids)
		for _, tr := range c.Trials {
			if tr.Field("task") == t.Task && q.keeps(tr) && tr.Result != nil && tr.Result.Criterion != "" {
				s.About = "Solved when " + tr.Result.Criterion + "."
				break
			}
		}
		figs, err := plotTaskFigures(c, q, t)
		if err != nil {
			return nil, err
		}
		var noCurves []string
		for i, f := range figs {
			switch {
			case len(f.Chart.Series) > 0:
				s.Figures = append(s.Figures, f)
			case i == 0:
				s.Notes = append(s.Notes, "No cell has a value to plot yet.")
			default:
				noCurves = append(noCurves, colName(q.Cols, t.Cols[i-1]))
			}
		}
		if len(noCurves) > 0 {
			s.Notes = append(s.Notes, "No learning curves yet for "+strings.Join(noCurves, ", ")+".")
		}
	}
	d.Parts = append(d.Parts, main)

	// The diagnostics, each when a trial has its records.
	for _, diag := range Diagnostics {
		if !diag.recorded(kept) {
			continue
		}
		part, err := diag.PagePart(c, q)
		if err != nil {
			return nil, err
		}
		part.ID = htmlID(diag.PageID, ids)
		d.Parts = append(d.Parts, part)
	}

	// Trials the prune rule stopped, and trials that did not finish normally.
	pruned := &report.List{Class: "pruned", Heading: "Trials stopped by the prune rule", ItemsClass: "trials",
		Note: "Counted in the tables but never averaged with complete trials: their numbers are those of the step they were stopped at."}
	unfinished := &report.List{Class: "unfinished", Heading: "Trials that did not finish normally", ItemsClass: "trials"}
	for _, t := range kept {
		switch t.State {
		case Solved, Unsolved:
			continue
		case Pruned:
			it := report.Item{Code: t.ID, Text: StatusText(t.Result)}
			if t.Result != nil && t.Result.Pruned != nil {
				it.Detail = firstLine(t.Result.Pruned.Reason, 300)
			}
			pruned.Items = append(pruned.Items, it)
			continue
		}
		it := report.Item{Code: t.ID, Text: t.State}
		if t.Result != nil {
			it.Detail = firstLine(t.Result.Error, 300)
		}
		unfinished.Items = append(unfinished.Items, it)
	}
	if len(pruned.Items) > 0 {
		d.Lists = append(d.Lists, pruned)
	}
	if len(unfinished.Items) > 0 {
		d.Lists = append(d.Lists, unfinished)
	}
	if len(r.Problems) > 0 {
		problems := &report.List{Class: "problems", ID: "problems", Heading: "Problems", ItemsClass: "problems",
			Note: "Files that could not be used; the trials concerned are skipped or counted as unfinished."}
		for _, p := range r.Problems {
			problems.Items = append(problems.Items, report.Item{Code: p.Path, Text: p.Msg})
		}
		d.Lists = append(d.Lists, problems)
	}
	return d, nil
}

// gradientPagePart is the gradient part with, per task, the gradient-flow figures.
func gradientPagePart(c *Collection, q Query) (*report.Part, error) {
	ts, err := c.GradientTables(q)
	if err != nil {
		return nil, err
	}
	tables, err := c.Tables(gradientQuery(q))
	if err != nil {
		return nil, err
	}
	p := GradientPart(ts)
	for i, s := range p.Sections {
		figs, err := gradientFigures(c, q, tables[i])
		if err != nil {
			return nil, err
		}
		var none []string
		for j, f := range figs {
			if len(f.Chart.Series) == 0 {
				if j%2 == 0 {
					none = append(none, colName(q.withDefaults().Cols, tables[i].Cols[j/2]))
				}
				continue
			}
			s.Figures = append(s.Figures, f)
		}
		if len(none) > 0 {
			s.Notes = append(s.Notes, "No gradient-flow records for "+strings.Join(none, ", ")+".")
		}
	}
	return p, nil
}

// trialsSummary is "16 trials: 6 solved, 5 unsolved, 1 diverged, …".
func trialsSummary(trials []*Trial) string {
	m := map[string]int{}
	for _, t := range trials {
		m[t.State]++
	}
	s := plural(len(trials), "trial", "trials")
	if states := statesText(m); states != "" {
		s += ": " + states
	}
	return s
}

// firstLine returns the first line of s, cut to at most max bytes (on a rune boundary).
func firstLine(s string, max int) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > max {
		s = strings.ToValidUTF8(s[:max], "") + "…"
	}
	return s
}

// htmlID returns a unique element id made of safe characters.
func htmlID(s string, used map[string]bool) string {
	id := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return '_'
	}, s)
	base := id
	for i := 2; used[id]; i++ {
		id = base + "-" + strconv.Itoa(i)
	}
	used[id] = true
	return id
}
