package results

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// The conditions of a [Query]'s Where map. Where maps a field to the condition its value
// must meet, in one of these forms:
//
//	lstm          equal to lstm (numbers compare as numbers: 0.020 matches 0.02)
//	lstm,gru      one of lstm and gru
//	!=lstm        not lstm (or !=lstm,gru: none of them)
//	>=1e-3        a number at least 1e-3; also >, <= and <
//	>=10 & <100   both conditions
//
// Order comparisons need a number, and a trial whose field is not a number fails them.
// [ParseWhere] reads the command-line form (lr>=1e-3, cell=lstm,gru) into this map.

// condSep joins several conditions on one field.
const condSep = " & "

// ops are the comparison operators, longest first so that ">=" is not read as ">".
var ops = []string{"!=", ">=", "<=", "=", ">", "<"}

// condition is one parsed condition on a field's value.
type condition struct {
	op     string   // one of ops
	values []string // "=" and "!=": the set; otherwise one number
	num    float64  // the number of an order comparison
}

// ParseWhere adds the command-line filter expr (field=value, field=a,b, field!=value,
// field>=x, field>x, field<=x, field<x) to where, joining it with a condition already set
// on the same field (both must hold). It checks the syntax only: [Collection.Tables]
// checks that the field exists.
func ParseWhere(where map[string]string, expr string) error {
	i := strings.IndexAny(expr, "!<>=")
	if i <= 0 {
		return fmt.Errorf("invalid --where %q: want field=value, field=a,b, field!=value or field>=x (also >, <=, <), e.g. cell=lstm,gru or lr>=1e-3", expr)
	}
	field, rest := strings.TrimSpace(expr[:i]), expr[i:]
	op := ""
	for _, o := range ops {
		if strings.HasPrefix(rest, o) {
			op = o
			break
		}
	}
	if op == "" { // a lone "!"
		return fmt.Errorf("invalid --where %q: after %s want =, !=, >=, >, <= or <", expr, field)
	}
	value := strings.TrimSpace(rest[len(op):])
	cond := value
	if op != "=" {
		cond = op + value
	}
	if _, err := parseConditions(cond); err != nil {
		return fmt.Errorf("invalid --where %q: %w", expr, err)
	}
	if prev, ok := where[field]; ok {
		cond = prev + condSep + cond
	}
	where[field] = cond
	return nil
}

// WhereText renders the condition cond on field as a user writes it, e.g. "cell=lstm" or
// "lr>=0.001".
func WhereText(field, cond string) string {
	var parts []string
	for _, c := range strings.Split(cond, condSep) {
		if strings.IndexAny(c, "!<>") == 0 {
			parts = append(parts, field+c)
		} else {
			parts = append(parts, field+"="+c)
		}
	}
	return strings.Join(parts, " and ")
}

// whereTexts renders every condition of where, sorted by field.
func whereTexts(where map[string]string) []string {
	var out []string
	for k, v := range where {
		out = append(out, WhereText(k, v))
	}
	sort.Strings(out)
	return out
}

// parseConditions parses a condition of the Where map.
func parseConditions(cond string) ([]condition, error) {
	var out []condition
	for _, part := range strings.Split(cond, condSep) {
		c := condition{op: "="}
		for _, o := range ops {
			if strings.HasPrefix(part, o) {
				c.op, part = o, part[len(o):]
				break
			}
		}
		switch c.op {
		case "=", "!=":
			for _, v := range strings.Split(part, ",") {
				c.values = append(c.values, strings.TrimSpace(v))
			}
		default:
			f, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
			if err != nil {
				return nil, fmt.Errorf("%s needs a number, not %q", c.op, part)
			}
			c.num = f
		}
		out = append(out, c)
	}
	return out, nil
}

// holds reports whether the field value v meets the condition.
func (c condition) holds(v string) bool {
	switch c.op {
	case "=", "!=":
		in := false
		for _, w := range c.values {
			if sameValue(v, w) {
				in = true
				break
			}
		}
		return in == (c.op == "=")
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return false
	}
	switch c.op {
	case ">=":
		return x >= c.num
	case ">":
		return x > c.num
	case "<=":
		return x <= c.num
	default:
		return x < c.num
	}
}

// matches reports whether the field value v meets every condition of cond; a condition
// that does not parse matches nothing.
func matches(v, cond string) bool {
	cs, err := parseConditions(cond)
	if err != nil {
		return false
	}
	for _, c := range cs {
		if !c.holds(v) {
			return false
		}
	}
	return true
}

// Matches reports whether a trial whose field values field returns (as config.json has
// them) meets every condition of where (see [ParseWhere]).
func Matches(where map[string]string, field func(name string) string) bool {
	for name, cond := range where {
		if !matches(field(name), cond) {
			return false
		}
	}
	return true
}

// Unmatched explains why no trial meets the conditions of where: each condition that no
// trial meets, with the values its field has, or, when each is met by some trial, that
// they are not met together. It is "" when some trial meets them all.
func (c *Collection) Unmatched(where map[string]string) string {
	q := Query{Where: where}
	for _, t := range c.Trials {
		if q.keeps(t) {
			return ""
		}
	}
	if len(c.Trials) == 0 {
		return "the sweeps have no trials"
	}
	var fields []string
	for k := range where {
		fields = append(fields, k)
	}
	sort.Strings(fields)
	var msgs []string
	for _, f := range fields {
		hit := false
		for _, t := range c.Trials {
			if matches(t.Field(f), where[f]) {
				hit = true
				break
			}
		}
		if !hit {
			vals := c.Values(f)
			for i, v := range vals {
				if v == "" {
					vals[i] = "(unset)"
				}
			}
			msgs = append(msgs, fmt.Sprintf("no trial has %s (%s: %s)", WhereText(f, where[f]), f, strings.Join(vals, ", ")))
		}
	}
	if len(msgs) == 0 {
		return "no trial meets " + strings.Join(whereTexts(where), " and ") + " together, though each holds for some trials"
	}
	return strings.Join(msgs, "; ")
}
