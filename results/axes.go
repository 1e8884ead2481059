package results

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/expctl/expctl/models"
)

// FieldList splits the value of --rows or --cols into its fields: "cell,forget_bias" is
// cell then forget_bias (spaces around the commas are ignored). An empty string is no
// field.
func FieldList(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
	}
	return parts
}

// fieldsText is how a list of fields heads a table: "cell" or "cell, forget_bias".
func fieldsText(s string) string { return strings.Join(FieldList(s), ", ") }

// GroupsBy reports whether the rows or the columns of q are grouped by field (alone or
// with other fields).
func (q Query) GroupsBy(field string) bool {
	q = q.withDefaults()
	return contains(FieldList(q.Rows), field) || contains(FieldList(q.Cols), field)
}

// checkFields checks the fields of --rows and --cols: each must be a field of some trial,
// listed once. what says where the error comes from.
func (c *Collection) checkFields(q Query, what string) error {
	for _, list := range []string{q.Rows, q.Cols} {
		fields := FieldList(list)
		for i, f := range fields {
			switch {
			case f == "":
				return fmt.Errorf("empty field in %s %q (fields are separated by single commas)", what, list)
			case contains(fields[:i], f):
				return fmt.Errorf("field %q listed twice in %s %q", f, what, list)
			case !c.KnownField(f):
				return fmt.Errorf("unknown field %q for %s (fields: %s)", f, what, strings.Join(c.fields(), ", "))
			}
		}
	}
	return nil
}

// axis groups the trials of a table along its rows or its columns by one or more fields.
// A group is one combination of the fields' values that occurs among the trials.
type axis struct {
	fields []string
	cols   bool // a column: every field is labelled field=value
}

func rowAxis(q Query) axis { return axis{fields: FieldList(q.Rows)} }
func colAxis(q Query) axis { return axis{fields: FieldList(q.Cols), cols: true} }

// values is the value of each field of the axis for trial t.
func (a axis) values(t *Trial) []string {
	out := make([]string, len(a.fields))
	for i, f := range a.fields {
		out[i] = t.Field(f)
	}
	return out
}

// key identifies a combination of values.
func key(values []string) string { return strings.Join(values, "\x1f") }

// keyOf is the key of trial t's group.
func (a axis) keyOf(t *Trial) string { return key(a.values(t)) }

// label names a combination of values in a table. For one field it is the value itself
// (the column heading adds the field: "T=5"). For several fields it is their parts
// joined by spaces, a field without a value adding nothing: the first field as a row
// names it in prose (a word as is, a number as field=value; see rowLabel), the others
// as field=value, e.g. "lstm forget_bias=5" or "rnn clip=norm:1"; in a column every
// field is field=value, e.g. "T=5 clip=none". A field that omit marks (see
// [axis.omitted]) adds nothing either: "gru" rather than "gru forget_bias=1".
func (a axis) label(values []string, omit []bool) string {
	if len(a.fields) == 1 {
		return values[0]
	}
	var parts []string
	for i, v := range values {
		switch {
		case v == "" || (omit != nil && omit[i]):
		case i == 0 && !a.cols:
			parts = append(parts, rowLabel(a.fields[i], v))
		default:
			parts = append(parts, a.fields[i]+"="+v)
		}
	}
	return strings.Join(parts, " ")
}

// cellIgnores maps a field to a test of whether a cell ignores it: every trial's config
// carries forget_bias, but only cells with a forget gate use it (see
// [models.UsesForgetBias]).
var cellIgnores = map[string]func(cell string) bool{
	"forget_bias": func(cell string) bool {
		uses, err := models.UsesForgetBias(cell)
		return err == nil && !uses
	},
}

// omitted says, for each combination of values of the axis, which fields its label leaves
// out (nil: none): a field of [cellIgnores] whose combination's cell ignores it, when
// the axis has several fields and cell is one of them. A field is left out only where the
// labels stay distinct: two combinations that differ only in fields left out (gru at
// forget_bias 1 and 5) both keep them.
func (a axis) omitted(combos [][]string) [][]bool {
	out := make([][]bool, len(combos))
	cell := slices.Index(a.fields, "cell")
	if len(a.fields) < 2 || cell < 0 {
		return out
	}
	reduced := make([]string, len(combos))
	count := map[string]int{}
	for i, vs := range combos {
		omit := make([]bool, len(vs))
		rs := slices.Clone(vs)
		for j, f := range a.fields {
			if ignores, ok := cellIgnores[f]; ok && vs[j] != "" && ignores(vs[cell]) {
				omit[j], rs[j] = true, ""
				out[i] = omit
			}
		}
		reduced[i] = key(rs)
		count[reduced[i]]++
	}
	for i := range out {
		if count[reduced[i]] > 1 {
			out[i] = nil
		}
	}
	return out
}

// labels names each combination of values as [axis.label] does, leaving out the fields
// [axis.omitted] says.
func (a axis) labels(combos [][]string) []string {
	omit := a.omitted(combos)
	out := make([]string, len(combos))
	for i, vs := range combos {
		out[i] = a.label(vs, omit[i])
	}
	return out
}

// arrange returns the combinations of the axis' values that occur among trials, in
// order, with their labels (see [axis.labels]). They are ordered by the first field's
// values, then by the second's among those sharing the first, and so on. The values of a
// field among the combinations that share the fields before it are ordered as
// [orderValues] does: the empty value (a field the trial's config does not set) first,
// then numbers ascending when all the others are numbers (T, lr, seed), else words in the
// order in which they first occur among trials. A sweep lists its trials in its spec's
// grid order, so rows and columns of words follow the spec (rnn, irnn, cec, lstm1997,
// lstm, gru as a grid lists them; clip none, value:1, norm:1), not the alphabet.
func (a axis) arrange(trials []*Trial) (labels []string, values [][]string) {
	seen := map[string]bool{}
	for _, t := range trials {
		vs := a.values(t)
		if k := key(vs); !seen[k] {
			seen[k] = true
			values = append(values, vs)
		}
	}
	values = orderCombinations(values)
	return a.labels(values), values
}

// orderValues orders the distinct values of a field, given in the order in which they
// first occur among trials: the empty value first, then the others numerically as
// [SortValues] does when all of them are numbers, else as given.
func orderValues(vs []string) {
	if i := slices.Index(vs, ""); i > 0 {
		copy(vs[1:i+1], vs[:i])
		vs[0] = ""
	}
	rest := vs
	if len(rest) > 0 && rest[0] == "" {
		rest = rest[1:]
	}
	if sortsNumerically(rest) {
		SortValues(rest)
	}
}

// sortsNumerically reports whether [SortValues] sorts vs as numbers: whether every value
// parses as a number other than NaN.
func sortsNumerically(vs []string) bool {
	for _, v := range vs {
		if f, err := strconv.ParseFloat(v, 64); err != nil || math.IsNaN(f) {
			return false
		}
	}
	return true
}

// orderCombinations orders combinations of values, given in the order in which they first
// occur among trials, as [axis.arrange] says. Words keep the order of their first
// occurrence among all the combinations, so that a value has the same place in every
// group that shares the fields before it.
func orderCombinations(combos [][]string) [][]string {
	if len(combos) == 0 {
		return combos
	}
	first := make([]map[string]int, len(combos[0]))
	for d := range first {
		first[d] = map[string]int{}
		for _, c := range combos {
			if _, ok := first[d][c[d]]; !ok {
				first[d][c[d]] = len(first[d])
			}
		}
	}
	return orderFrom(combos, 0, first)
}

// orderFrom orders combinations from field depth on; first numbers each field's values in
// the order of their first occurrence.
func orderFrom(combos [][]string, depth int, first []map[string]int) [][]string {
	if len(combos) == 0 || depth >= len(combos[0]) {
		return combos
	}
	groups := map[string][][]string{}
	var distinct []string
	for _, c := range combos {
		v := c[depth]
		if _, ok := groups[v]; !ok {
			distinct = append(distinct, v)
		}
		groups[v] = append(groups[v], c)
	}
	slices.SortFunc(distinct, func(a, b string) int { return first[depth][a] - first[depth][b] })
	orderValues(distinct)
	out := make([][]string, 0, len(combos))
	for _, v := range distinct {
		out = append(out, orderFrom(groups[v], depth+1, first)...)
	}
	return out
}

// keyIndex maps the key of each combination to its position.
func keyIndex(values [][]string) map[string]int {
	m := make(map[string]int, len(values))
	for i, vs := range values {
		m[key(vs)] = i
	}
	return m
}

// colName names a column in prose and titles: "T=5" for one field, its label for several.
func colName(field, label string) string {
	if len(FieldList(field)) > 1 {
		return label
	}
	return field + "=" + label
}

// colFileName is the part of a figure's file name that names a column: "T5" for one
// field, its label for several.
func colFileName(field, label string) string {
	if len(FieldList(field)) > 1 {
		return label
	}
	return field + label
}
