package experiments

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ErrSpec is wrapped by every error about a sweep specification, from [ParseSpec] and
// [Spec.Expand]; test for it with errors.Is. The concrete error is a *[SpecError].
var ErrSpec = errors.New("invalid sweep spec")

// MaxSpecSize is the size in bytes of the largest spec [ParseSpec] accepts (1 MiB).
const MaxSpecSize = 1 << 20

// MaxRandomSamples is the largest random.n a spec may ask for.
const MaxRandomSamples = 10_000

// SpecError reports a problem with a sweep spec. Its text is
// "<source>:<line>: <path>: <message>", leaving out the parts that are unknown.
// It wraps [ErrSpec], and Err when set.
type SpecError struct {
	Source string // the source given to ParseSpec, e.g. a file path
	Line   int    // 1-based line of the offending YAML; 0 when the problem has no single line
	Path   string // where in the spec, e.g. "grid.T" or "random.params.lr"; empty for the whole spec
	Msg    string // what is wrong
	Err    error  // the underlying error (e.g. a *ConfigError from Config.Validate), or nil
}

// Error formats the error as "<source>:<line>: <path>: <message>".
func (e *SpecError) Error() string {
	var b strings.Builder
	switch {
	case e.Source != "" && e.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", e.Source, e.Line)
	case e.Source != "":
		b.WriteString(e.Source + ": ")
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns [ErrSpec] and, when set, the underlying error.
func (e *SpecError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrSpec, e.Err}
	}
	return []error{ErrSpec}
}

// Spec is a parsed sweep specification: a set of trials given by fixed values, a grid of
// axes (or a list of sub-grids) and random search over [Config] fields. See [ParseSpec]
// for the format and [Spec.Expand] for the trials.
type Spec struct {
	Name        string // the spec's name: its name key, or the default given to ParseSpec
	Description string // one line saying what the sweep is for
	Seed        uint64 // seed of the random-search sampler (not a trial seed)
	Source      string // the source given to ParseSpec, used in errors

	settings []specSetting     // budget, solve and fixed values
	grids    []specGrid        // the grid mapping, or the sub-grids of a grid list, in order
	params   []specParam       // random-search parameters, in Config field order
	draw     []int             // indices into params in field-name order: the sampling order
	n        int               // random samples; 0 without random search
	origins  map[string]origin // field key → where budget, solve, fixed, random or the grid mapping set it
}

// specGrid is the grid mapping or one sub-grid of a grid list: its trials are the
// cartesian product of its axes.
type specGrid struct {
	axes    []specAxis        // in Config field order
	origins map[string]origin // field key → its axis
}

// origin is where a spec sets a field.
type origin struct {
	path  string // e.g. "grid.T"
	line  int
	param bool // set by random.params
}

// specSetting is a value that budget, solve or fixed gives a field.
type specSetting struct {
	f *Field
	v any // of the Go type of f.Kind
}

type specAxis struct {
	f      *Field
	values []any
}

type specParam struct {
	f       *Field
	dist    string // choice, uniform, log_uniform or int
	lo, hi  any    // bounds of uniform, log_uniform (float64) and int (of f.Kind)
	choices []any  // of f.Kind
}

func fieldNames() string {
	var names []string
	for _, f := range fields {
		if !f.TrialOnly {
			names = append(names, f.Key)
		}
	}
	return strings.Join(names, ", ")
}

// want describes the values of a kind.
func (k Kind) want() string {
	switch k {
	case KindString:
		return "a string"
	case KindInt:
		return "an integer"
	case KindUint:
		return "a non-negative integer"
	case KindFloat:
		return "a number"
	default:
		return "true or false"
	}
}

// kindName names a field of the kind for messages about distributions.
func (k Kind) kindName() string {
	switch k {
	case KindString:
		return "a string field"
	case KindInt, KindUint:
		return "an integer field"
	case KindFloat:
		return "a float field"
	default:
		return "a boolean field"
	}
}

// ParseSpec parses and checks a sweep spec written in YAML. source names the spec in
// errors (a file path, or a built-in experiment's name); name is the spec's Name unless
// the spec sets its own.
//
// The format:
//
//	name: quick                 # optional; default: the name given to ParseSpec
//	                            #   (letters, digits, '.', '_', '-': it names the sweep's directory)
//	description: one line       # optional
//	seed: 0                     # optional: seed of the random-search sampler
//	fixed:                      # optional: Config field (JSON key) → one value
//	  hidden: 32
//	grid:                       # optional: Config field → non-empty list; trials = cartesian product
//	  cell: [rnn, lstm]
//	  T: [10, 20]
//	# or a list of such mappings (sub-grids); trials = those of each sub-grid in turn:
//	# grid:
//	#   - {task: [adding], T: [10, 20, 40], cell: [rnn, lstm]}
//	#   - {task: [copy], T: [5, 10], cell: [rnn, lstm], steps: [1000]}
//	random:                     # optional: n samples, each combined with every grid point
//	  n: 4
//	  params:
//	    lr: {log_uniform: [1.0e-4, 1.0e-2]}   # float fields; 0 < lo < hi
//	    momentum: {uniform: [0, 0.9]}         # float fields; lo < hi
//	    hidden: {int: [16, 64]}               # integer fields; lo ≤ hi, inclusive
//	    optimizer: {choice: [adam, rmsprop]}  # any field
//	budget:                     # optional
//	  steps: 1500               # Config.steps
//	  eval_every: 100           # Config.eval_every
//	  test_size: 500            # Config.test_size
//	  early_stop: true          # default true; false sets Config.keep_going
//	solve:                      # optional: replaces the task's solve criterion
//	  test_loss: 0.01           # Config.solve_loss
//	  test_metric: 0.99         # Config.solve_metric
//
// The fields a spec sets are those of [Fields], by their JSON keys, and their values are of
// the field's [Kind]. A spec needs grid axes or random search or both; random.n is at most
// [MaxRandomSamples], the grid has at most 2²⁰ values in all (an alias counts each time
// it is used) and the spec at most [MaxSpecSize] bytes. YAML anchors and aliases
// may be used; merge keys (<<) may not. Each field may be set in one place only, with one
// exception: an axis of a sub-grid may also be set by budget, solve or fixed, and then
// overrides it for that sub-grid's trials (e.g. a smaller steps budget for one task).
// Sub-grids may share axes; a sub-grid axis may not be a random-search param. Unknown
// keys, values of the wrong type, empty lists, an empty grid or sub-grid, repeated grid
// values and invalid ranges are errors; every error is a *[SpecError] giving the line
// and a path such as grid.T, or grid[1].T in a sub-grid, and wraps [ErrSpec]. Whether
// the resulting configs are valid is checked by [Spec.Expand].
func ParseSpec(source, name string, data []byte) (spec *Spec, err error) {
	defer func() {
		if r := recover(); r != nil {
			spec, err = nil, &SpecError{Source: source, Msg: fmt.Sprintf("cannot parse the spec: %v", r)}
		}
	}()
	if len(data) > MaxSpecSize {
		return nil, &SpecError{Source: source, Msg: fmt.Sprintf("the spec is %d bytes, more than the limit of %d (1 MiB)", len(data), MaxSpecSize)}
	}
	p := &specParser{src: source, s: &Spec{Name: name, Source: source, origins: map[string]origin{}}, subAxes: map[string]origin{}}
	if err := p.parse(data); err != nil {
		return nil, err
	}
	return p.s, nil
}

type specParser struct {
	src     string
	s       *Spec
	random  bool              // a random section was given
	subAxes map[string]origin // field key → its first axis in the sub-grids of a grid list
	nvalues int               // grid values decoded so far, counting each use of an alias
}

func (p *specParser) errf(line int, path, format string, args ...any) error {
	return &SpecError{Source: p.src, Line: line, Path: path, Msg: fmt.Sprintf(format, args...)}
}

// yamlError turns an error of the YAML library into a *SpecError, moving its line out.
func (p *specParser) yamlError(err error) error {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimSpace(strings.TrimPrefix(msg, "yaml: "))
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, after, ok := strings.Cut(rest, ": "); ok {
			if n, err := strconv.Atoi(num); err == nil && n > 0 {
				line, msg = n, after
			}
		}
	}
	return &SpecError{Source: p.src, Line: line, Msg: "invalid YAML: " + msg}
}

// deref follows aliases to the node they name.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 64; i++ {
		if n.Alias == nil {
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: n.Line, Column: n.Column}
		}
		n = n.Alias
	}
	if n == nil {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"}
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names a node's value for error messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "nothing (null)"
		}
		v := n.Value
		if r := []rune(v); len(r) > 40 {
			v = string(r[:40]) + "…"
		}
		return strconv.Quote(v)
	case yaml.DocumentNode:
		return "a document"
	default:
		return "an alias"
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// entry is one key and value of a mapping.
type entry struct {
	key  string
	k, v *yaml.Node
}

// mapping returns the entries of a mapping node in order, rejecting repeated keys.
// A null node is an empty mapping when nullOK.
func (p *specParser) mapping(n *yaml.Node, path string, nullOK bool) ([]entry, error) {
	n = deref(n)
	if nullOK && isNull(n) {
		return nil, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, p.errf(n.Line, path, "want a mapping, got %s", describe(n))
	}
	var out []entry
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := deref(n.Content[i])
		if k.Kind != yaml.ScalarNode {
			return nil, p.errf(k.Line, path, "want a plain key, got %s", describe(k))
		}
		if line, dup := seen[k.Value]; dup {
			return nil, p.errf(k.Line, path, "duplicate key %q (first at line %d)", k.Value, line)
		}
		seen[k.Value] = k.Line
		out = append(out, entry{k.Value, k, n.Content[i+1]})
	}
	return out, nil
}

// scalar decodes a scalar node into a value of kind k, accepting only YAML values of the
// matching type.
func (p *specParser) scalar(n *yaml.Node, path string, k Kind) (any, error) {
	n = deref(n)
	if n.Kind != yaml.ScalarNode {
		return nil, p.errf(n.Line, path, "want %s, got %s", k.want(), describe(n))
	}
	var v any
	var err error
	switch tag := n.ShortTag(); {
	case k == KindString && tag == "!!str":
		v, err = decodeAs[string](n)
	case k == KindInt && tag == "!!int":
		v, err = decodeAs[int](n)
	case k == KindUint && tag == "!!int":
		v, err = decodeAs[uint64](n)
	case k == KindFloat && (tag == "!!int" || tag == "!!float"):
		v, err = decodeAs[float64](n)
	case k == KindBool && tag == "!!bool":
		v, err = decodeAs[bool](n)
	}
	if v == nil || err != nil {
		return nil, p.errf(n.Line, path, "want %s, got %s", k.want(), describe(n))
	}
	return v, nil
}

func decodeAs[T any](n *yaml.Node) (any, error) {
	var v T
	err := n.Decode(&v)
	return v, err
}

// field looks up a Config field by its JSON key.
func (p *specParser) field(e entry, path string) (*Field, error) {
	if f, ok := fieldIndex[e.key]; ok && f.TrialOnly {
		return nil, p.errf(e.k.Line, join(path, e.key), "field %q is for a single trial only ('expctl run trial'); a sweep cannot set it", e.key)
	} else if ok && f.SpecKey != "" {
		return nil, p.errf(e.k.Line, join(path, e.key), "field %q is set by %s, not here", e.key, f.SpecKey)
	} else if ok {
		return f, nil
	}
	return nil, p.errf(e.k.Line, join(path, e.key), "%s", UnknownField(e.key))
}

// UnknownField says that key is not a field of [Config]: the field it may stand for (a different case
// or separator, or a near spelling) and the fields there are.
func UnknownField(key string) string {
	hint := ""
	for _, f := range fields {
		if strings.EqualFold(f.Key, key) || strings.EqualFold(strings.ReplaceAll(f.Key, "_", ""), strings.ReplaceAll(strings.ReplaceAll(key, "-", ""), "_", "")) {
			hint = fmt.Sprintf(" (did you mean %s?)", f.Key)
			break
		}
	}
	near := ""
	if hint == "" {
		keys := make([]string, len(fields))
		for i, f := range fields {
			keys[i] = f.Key
		}
		near = didYouMean(key, keys)
	}
	return fmt.Sprintf("unknown field %q%s; the fields are %s%s", key, hint, fieldNames(), near)
}

// set records that budget, solve, fixed, random.params (param) or the grid mapping sets
// field f at path and line. Each field may be set in one place only; the sub-grids of a
// grid list are the exception (see setSubAxis).
func (p *specParser) set(f *Field, path string, line int, param bool) error {
	if o, dup := p.s.origins[f.Key]; dup {
		return p.duplicate(f, o, path, line)
	}
	if o, dup := p.subAxes[f.Key]; dup && param {
		return p.duplicate(f, o, path, line)
	}
	p.s.origins[f.Key] = origin{path, line, param}
	return nil
}

// setSubAxis records that a sub-grid of a grid list has an axis of field f at path and
// line. Sub-grids may share axes, and an axis overrides budget, solve and fixed for the
// sub-grid's own trials; a field of random.params may not be an axis.
func (p *specParser) setSubAxis(f *Field, path string, line int) error {
	if o, dup := p.s.origins[f.Key]; dup && o.param {
		return p.duplicate(f, o, path, line)
	}
	if _, seen := p.subAxes[f.Key]; !seen {
		p.subAxes[f.Key] = origin{path: path, line: line}
	}
	return nil
}

func (p *specParser) duplicate(f *Field, o origin, path string, line int) error {
	return p.errf(line, path, "duplicate axis %s: set at line %d (%s) and line %d (%s); set each field in one place",
		f.Key, o.line, o.path, line, path)
}

var specKeys = []string{"name", "description", "seed", "fixed", "grid", "random", "budget", "solve", "prune"}

func unknownKey(p *specParser, e entry, path string, valid []string) error {
	return p.errf(e.k.Line, path, "unknown key %q; want one of %s%s", e.key, strings.Join(valid, ", "), didYouMean(e.key, valid))
}

func (p *specParser) parse(data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return p.yamlError(err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		line := extra.Line
		if len(extra.Content) > 0 {
			line = extra.Content[0].Line
		}
		return p.errf(line, "", "a second YAML document; a spec is a single document")
	} else if !errors.Is(err, io.EOF) {
		return p.yamlError(err)
	}
	var root *yaml.Node
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		root = deref(doc.Content[0])
	}
	var top []entry
	if root != nil && !isNull(root) {
		if root.Kind != yaml.MappingNode {
			return p.errf(root.Line, "", "want a mapping with keys %s; got %s", strings.Join(specKeys, ", "), describe(root))
		}
		var err error
		if top, err = p.mapping(root, "", false); err != nil {
			return err
		}
	}
	grid := false
	for _, e := range top {
		var err error
		switch e.key {
		case "name":
			var v any
			if v, err = p.scalar(e.v, "name", KindString); err == nil {
				name := v.(string)
				if !validSpecName(name) {
					err = p.errf(deref(e.v).Line, "name", "want a name of at most 100 letters, digits, '.', '_' or '-', starting with a letter or digit (it names the sweep's directory); got %s", describe(deref(e.v)))
				}
				p.s.Name = name
			}
		case "description":
			var v any
			if v, err = p.scalar(e.v, "description", KindString); err == nil {
				p.s.Description = v.(string)
			}
		case "seed":
			var v any
			if v, err = p.scalar(e.v, "seed", KindUint); err == nil {
				p.s.Seed = v.(uint64)
			}
		case "fixed":
			err = p.settings(e, fixedSection)
		case "grid":
			grid = true
			err = p.grid(e)
		case "random":
			p.random = true
			err = p.randomSearch(e)
		case "budget":
			err = p.settings(e, budgetSection)
		case "solve":
			err = p.settings(e, solveSection)
		case "prune":
			err = p.prune(e)
		default:
			err = unknownKey(p, e, "", specKeys)
		}
		if err != nil {
			return err
		}
	}
	if !grid && !p.random {
		return p.errf(0, "", "nothing to sweep: add grid axes or random search (for a single trial use 'expctl run trial')")
	}
	s := p.s
	slices.SortFunc(s.params, func(a, b specParam) int { return a.f.index - b.f.index })
	s.draw = make([]int, len(s.params))
	for i := range s.draw {
		s.draw[i] = i
	}
	slices.SortFunc(s.draw, func(a, b int) int { return strings.Compare(s.params[a].f.Key, s.params[b].f.Key) })
	return nil
}

// validSpecName reports whether a name set by a spec is safe as a directory name.
func validSpecName(name string) bool {
	if name == "" || len(name) > 100 {
		return false
	}
	for i, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case i > 0 && (r == '.' || r == '_' || r == '-'):
		default:
			return false
		}
	}
	return true
}

// section is a part of a spec that gives fields one value each: fixed, budget or solve.
type section struct {
	name string
	keys []sectionKey // the keys of the section; nil for every field, by its JSON key
}

// sectionKey is a key of budget or solve and the field it sets.
type sectionKey struct {
	key    string
	f      *Field
	negate bool // the key is a boolean that sets the field to its negation
}

var (
	fixedSection  = section{name: "fixed"}
	budgetSection = section{name: "budget", keys: []sectionKey{
		{key: "steps", f: fieldIndex["steps"]},
		{key: "eval_every", f: fieldIndex["eval_every"]},
		{key: "test_size", f: fieldIndex["test_size"]},
		{key: "early_stop", f: fieldIndex["keep_going"], negate: true},
	}}
	plateauSection = section{name: "prune.plateau", keys: []sectionKey{
		{key: "delta", f: fieldIndex["plateau_delta"]},
		{key: "patience", f: fieldIndex["plateau_patience"]},
		{key: "min_steps", f: fieldIndex["plateau_min_steps"]},
	}}
	solveSection = section{name: "solve", keys: []sectionKey{
		{key: "test_loss", f: fieldIndex["solve_loss"]},
		{key: "test_metric", f: fieldIndex["solve_metric"]},
	}}
)

// settings parses section sec, the value of top: a mapping of keys to one value each.
func (p *specParser) settings(top entry, sec section) error {
	entries, err := p.mapping(top.v, sec.name, true)
	if err != nil {
		return err
	}
	for _, e := range entries {
		path := sec.name + "." + e.key
		f, negate, err := p.sectionField(e, sec)
		if err != nil {
			return err
		}
		v, err := p.scalar(e.v, path, f.Kind)
		if err != nil {
			return err
		}
		if negate {
			v = !v.(bool)
		}
		if err := p.set(f, path, e.k.Line, false); err != nil {
			return err
		}
		p.s.settings = append(p.s.settings, specSetting{f, v})
	}
	return nil
}

// prune parses the prune section: plateau (a section of the plateau_* fields) and
// halving (see [Halving]), each optional.
func (p *specParser) prune(top entry) error {
	entries, err := p.mapping(top.v, "prune", false)
	if err != nil {
		return err
	}
	for _, e := range entries {
		switch e.key {
		case "plateau":
			if err := p.settings(e, plateauSection); err != nil {
				return err
			}
			if _, ok := p.s.origins["plateau_patience"]; !ok {
				return p.errf(e.k.Line, "prune.plateau", "want patience, the evaluations without improvement before a trial is pruned (an integer ≥ 1)")
			}
		case "halving":
			if err := p.halving(e); err != nil {
				return err
			}
		default:
			return unknownKey(p, e, "prune", []string{"plateau", "halving"})
		}
	}
	return nil
}

// halving parses prune.halving: over (field keys), rungs (steps) and factor (default 3).
func (p *specParser) halving(top entry) error {
	const path = "prune.halving"
	entries, err := p.mapping(top.v, path, false)
	if err != nil {
		return err
	}
	h := Halving{Factor: 3}
	seen := map[string]bool{}
	for _, e := range entries {
		seen[e.key] = true
		switch e.key {
		case "over":
			vs, err := p.values(e.v, path+".over", KindString, true)
			if err != nil {
				return err
			}
			var fs []*Field
			for _, v := range vs {
				name := v.(string)
				f, ok := fieldIndex[name]
				switch {
				case !ok:
					return p.errf(deref(e.v).Line, path+".over", "%s", UnknownField(name))
				case f.SpecKey != "" || f.TrialOnly || strings.HasPrefix(name, "plateau_"):
					return p.errf(deref(e.v).Line, path+".over", "field %q cannot vary within a group: it is part of the prune policy or of a single trial", name)
				}
				fs = append(fs, f)
			}
			slices.SortFunc(fs, func(a, b *Field) int { return a.index - b.index })
			for _, f := range fs {
				h.Over = append(h.Over, f.Key)
			}
		case "rungs":
			vs, err := p.values(e.v, path+".rungs", KindInt, true)
			if err != nil {
				return err
			}
			for _, v := range vs {
				h.Rungs = append(h.Rungs, v.(int))
			}
		case "factor":
			v, err := p.scalar(e.v, path+".factor", KindInt)
			if err != nil {
				return err
			}
			h.Factor = v.(int)
		default:
			return unknownKey(p, e, path, []string{"over", "rungs", "factor"})
		}
	}
	for _, k := range []string{"over", "rungs"} {
		if !seen[k] {
			return p.errf(top.k.Line, path, "want %s: %s", k, map[string]string{
				"over":  "the fields that vary within a group, e.g. over: [lr]",
				"rungs": "the steps at which a group is ranked, e.g. rungs: [500, 1000]"}[k])
		}
	}
	if why := h.check(); why != "" {
		return p.errf(top.k.Line, path, "want %s (%s)", halvingWant, why)
	}
	f := fieldIndex["halving"]
	if err := p.set(f, path, top.k.Line, false); err != nil {
		return err
	}
	p.s.settings = append(p.s.settings, specSetting{f, h.String()})
	return nil
}

// sectionField returns the field that key e of section sec sets.
func (p *specParser) sectionField(e entry, sec section) (f *Field, negate bool, err error) {
	if sec.keys == nil {
		f, err = p.field(e, sec.name)
		return f, false, err
	}
	keys := make([]string, len(sec.keys))
	for i, k := range sec.keys {
		if k.key == e.key {
			return k.f, k.negate, nil
		}
		keys[i] = k.key
	}
	return nil, false, unknownKey(p, e, sec.name, keys)
}

// list returns the elements of a non-empty sequence node.
func (p *specParser) list(n *yaml.Node, path string) ([]*yaml.Node, error) {
	n = deref(n)
	if n.Kind != yaml.SequenceNode {
		return nil, p.errf(n.Line, path, "want a list of values such as [a, b], got %s", describe(n))
	}
	if len(n.Content) == 0 {
		return nil, p.errf(n.Line, path, "empty list; want at least one value")
	}
	return n.Content, nil
}

// values decodes the elements of a non-empty list into values of kind k.
func (p *specParser) values(n *yaml.Node, path string, k Kind, unique bool) ([]any, error) {
	items, err := p.list(n, path)
	if err != nil {
		return nil, err
	}
	var out []any
	seen := map[string]int{}
	for _, item := range items {
		v, err := p.scalar(item, path, k)
		if err != nil {
			return nil, err
		}
		line := deref(item).Line
		if first, dup := seen[valueKey(v)]; dup && unique {
			return nil, p.errf(line, path, "duplicate value %s (also at line %d)", formatValue(v), first)
		}
		seen[valueKey(v)] = line
		out = append(out, v)
	}
	return out, nil
}

// maxGridValues is the most grid values a spec may have in all, counting an alias each
// time it is used: it bounds the work of parsing a spec that repeats a large sub-grid by
// alias.
const maxGridValues = 1 << 20

const gridHint = "a field and a list of values, e.g. T: [10, 20]"

// grid parses the grid: a mapping of axes, or a list of such mappings (sub-grids).
func (p *specParser) grid(top entry) error {
	n := deref(top.v)
	if n.Kind != yaml.SequenceNode {
		if !isNull(n) && n.Kind != yaml.MappingNode {
			return p.errf(n.Line, "grid", "want a mapping of fields to lists of values, or a list of such mappings (sub-grids); got %s", describe(n))
		}
		entries, err := p.mapping(n, "grid", true)
		if err != nil {
			return err
		}
		if len(entries) == 0 {
			return p.errf(top.k.Line, "grid", "empty grid; add at least one axis (%s)", gridHint)
		}
		g, err := p.axes(entries, "grid", false)
		if err != nil {
			return err
		}
		p.s.grids = append(p.s.grids, g)
		return nil
	}
	if len(n.Content) == 0 {
		return p.errf(top.k.Line, "grid", "empty grid; add at least one sub-grid (a mapping of axes, e.g. - {T: [10, 20]})")
	}
	for i, item := range n.Content {
		path := fmt.Sprintf("grid[%d]", i)
		d := deref(item)
		if !isNull(d) && d.Kind != yaml.MappingNode {
			return p.errf(d.Line, path, "want a sub-grid: a mapping of fields to lists of values; got %s", describe(d))
		}
		entries, err := p.mapping(d, path, true)
		if err != nil {
			return err
		}
		if len(entries) == 0 {
			line := d.Line
			if line == 0 {
				line = top.k.Line
			}
			return p.errf(line, path, "empty sub-grid; add at least one axis (%s)", gridHint)
		}
		g, err := p.axes(entries, path, true)
		if err != nil {
			return err
		}
		p.s.grids = append(p.s.grids, g)
	}
	return nil
}

// axes parses the axes of the grid mapping or of a sub-grid (sub) at path.
func (p *specParser) axes(entries []entry, path string, sub bool) (specGrid, error) {
	g := specGrid{origins: map[string]origin{}}
	for _, e := range entries {
		apath := join(path, e.key)
		f, err := p.field(e, path)
		if err != nil {
			return g, err
		}
		values, err := p.values(e.v, apath, f.Kind, true)
		if err != nil {
			return g, err
		}
		if p.nvalues += len(values); p.nvalues > maxGridValues {
			return g, p.errf(e.k.Line, apath, "the grid has more than %d values in all (an alias counts each time it is used)", maxGridValues)
		}
		if sub {
			err = p.setSubAxis(f, apath, e.k.Line)
		} else {
			err = p.set(f, apath, e.k.Line, false)
		}
		if err != nil {
			return g, err
		}
		g.origins[f.Key] = origin{path: apath, line: e.k.Line}
		g.axes = append(g.axes, specAxis{f, values})
	}
	slices.SortFunc(g.axes, func(a, b specAxis) int { return a.f.index - b.f.index })
	return g, nil
}

var distributions = []string{"choice", "uniform", "log_uniform", "int"}

func (p *specParser) randomSearch(top entry) error {
	entries, err := p.mapping(top.v, "random", true)
	if err != nil {
		return err
	}
	var haveN, haveParams bool
	for _, e := range entries {
		switch e.key {
		case "n":
			v, err := p.scalar(e.v, "random.n", KindInt)
			if err != nil {
				return err
			}
			if n := v.(int); n < 1 || n > MaxRandomSamples {
				return p.errf(deref(e.v).Line, "random.n", "want a number of samples from 1 to %d, got %d", MaxRandomSamples, n)
			}
			p.s.n, haveN = v.(int), true
		case "params":
			params, err := p.mapping(e.v, "random.params", true)
			if err != nil {
				return err
			}
			if len(params) == 0 {
				return p.errf(e.k.Line, "random.params", "no params; add at least one field and its distribution, e.g. lr: {log_uniform: [1.0e-4, 1.0e-2]}")
			}
			for _, pe := range params {
				if err := p.param(pe); err != nil {
					return err
				}
			}
			haveParams = true
		default:
			return unknownKey(p, e, "random", []string{"n", "params"})
		}
	}
	if !haveN {
		return p.errf(top.k.Line, "random", "missing n, the number of samples (e.g. n: 8)")
	}
	if !haveParams {
		return p.errf(top.k.Line, "random", "missing params, the fields to sample (e.g. params: {lr: {log_uniform: [1.0e-4, 1.0e-2]}})")
	}
	return nil
}

func (p *specParser) param(e entry) error {
	path := "random.params." + e.key
	f, err := p.field(e, "random.params")
	if err != nil {
		return err
	}
	want := "a distribution: a mapping with exactly one of " + strings.Join(distributions, ", ") + ", e.g. {uniform: [0, 0.9]}"
	d := deref(e.v)
	if d.Kind != yaml.MappingNode {
		return p.errf(d.Line, path, "want %s; got %s", want, describe(d))
	}
	entries, err := p.mapping(d, path, false)
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return p.errf(d.Line, path, "want %s; got an empty mapping", want)
	}
	for _, de := range entries {
		if !slices.Contains(distributions, de.key) {
			return p.errf(de.k.Line, path, "unknown distribution %q; want one of %s%s", de.key, strings.Join(distributions, ", "), didYouMean(de.key, distributions))
		}
	}
	if len(entries) > 1 {
		return p.errf(entries[1].k.Line, path, "both %s and %s; want exactly one distribution", entries[0].key, entries[1].key)
	}
	de := entries[0]
	dpath := path + "." + de.key
	sp := specParam{f: f, dist: de.key}
	switch de.key {
	case "choice":
		if sp.choices, err = p.values(de.v, dpath, f.Kind, false); err != nil {
			return err
		}
	case "uniform", "log_uniform":
		if f.Kind != KindFloat {
			return p.errf(de.k.Line, path, "%s needs a float field, and %s is %s; use choice%s", de.key, f.Key, f.Kind.kindName(), intHint(f))
		}
		lo, hi, line, err := p.bounds(de.v, dpath, KindFloat)
		if err != nil {
			return err
		}
		a, b := lo.(float64), hi.(float64)
		switch {
		case math.IsNaN(a) || math.IsInf(a, 0) || math.IsNaN(b) || math.IsInf(b, 0):
			return p.errf(line, dpath, "want finite bounds, got [%v, %v]", a, b)
		case de.key == "log_uniform" && !(a > 0 && a < b):
			return p.errf(line, dpath, "want [lo, hi] with 0 < lo < hi, got [%v, %v]", a, b)
		case !(a < b):
			return p.errf(line, dpath, "want [lo, hi] with lo < hi, got [%v, %v]", a, b)
		case math.IsInf(b-a, 0):
			return p.errf(line, dpath, "the range [%v, %v] is too wide", a, b)
		}
		sp.lo, sp.hi = lo, hi
	case "int":
		if f.Kind != KindInt && f.Kind != KindUint {
			alt := "choice"
			if f.Kind == KindFloat {
				alt = "uniform, log_uniform or choice"
			}
			return p.errf(de.k.Line, path, "int needs an integer field, and %s is %s; use %s", f.Key, f.Kind.kindName(), alt)
		}
		lo, hi, line, err := p.bounds(de.v, dpath, f.Kind)
		if err != nil {
			return err
		}
		if (f.Kind == KindInt && lo.(int) > hi.(int)) || (f.Kind == KindUint && lo.(uint64) > hi.(uint64)) {
			return p.errf(line, dpath, "want [lo, hi] with lo ≤ hi, got [%v, %v]", lo, hi)
		}
		sp.lo, sp.hi = lo, hi
	}
	if err := p.set(f, path, e.k.Line, true); err != nil {
		return err
	}
	p.s.params = append(p.s.params, sp)
	return nil
}

func intHint(f *Field) string {
	if f.Kind == KindInt || f.Kind == KindUint {
		return " or int"
	}
	return ""
}

// bounds decodes a [lo, hi] pair.
func (p *specParser) bounds(n *yaml.Node, path string, k Kind) (lo, hi any, line int, err error) {
	n = deref(n)
	if n.Kind != yaml.SequenceNode || len(n.Content) != 2 {
		return lo, hi, 0, p.errf(n.Line, path, "want two bounds [lo, hi], got %s", describeList(n))
	}
	if lo, err = p.scalar(n.Content[0], path, k); err != nil {
		return
	}
	if hi, err = p.scalar(n.Content[1], path, k); err != nil {
		return
	}
	return lo, hi, n.Line, nil
}

func describeList(n *yaml.Node) string {
	if n.Kind == yaml.SequenceNode {
		return fmt.Sprintf("a list of %d", len(n.Content))
	}
	return describe(n)
}

// valueKey is a string that is equal for two values exactly when their JSON is equal.
func valueKey(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return formatValue(v)
}

// formatValue formats a field value: numbers in their shortest exact form, "none" for an
// unset optional field (nil).
func formatValue(v any) string {
	switch v := v.(type) {
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case nil:
		return "none"
	default:
		return fmt.Sprint(v)
	}
}

// sample draws the value of a random-search parameter.
func (sp *specParam) sample(r *rand.Rand) any {
	switch sp.dist {
	case "uniform":
		lo, hi := sp.lo.(float64), sp.hi.(float64)
		return lo + (hi-lo)*r.Float64()
	case "log_uniform":
		lo, hi := sp.lo.(float64), sp.hi.(float64)
		x := math.Exp(math.Log(lo) + (math.Log(hi)-math.Log(lo))*r.Float64())
		return min(max(x, lo), hi)
	case "int":
		// lo + IntN(hi-lo+1), computed without overflow for any bounds.
		if sp.f.Kind == KindUint {
			lo, hi := sp.lo.(uint64), sp.hi.(uint64)
			return lo + uniformN(r, hi-lo)
		}
		lo, hi := sp.lo.(int), sp.hi.(int)
		k := uniformN(r, uint64(hi)-uint64(lo))
		return int(uint64(lo) + k)
	default: // choice
		return sp.choices[r.IntN(len(sp.choices))]
	}
}

// uniformN returns a uniform integer in [0, span], as r.IntN(span+1) does when it fits.
func uniformN(r *rand.Rand, span uint64) uint64 {
	if span == math.MaxUint64 {
		return r.Uint64()
	}
	return r.Uint64N(span + 1)
}

// samples draws the random-search samples 0..n-1 and returns the distinct ones in order
// (a sample equal to an earlier one gives the same trials). Sample i draws its params in
// field-name order from a generator seeded with (s.Seed, i). Without random search there
// is one empty sample.
func (s *Spec) samples() [][]any {
	if len(s.params) == 0 || s.n < 1 {
		return [][]any{nil}
	}
	var out [][]any
	seen := map[string]bool{}
	var key strings.Builder
	for i := range s.n {
		r := rand.New(rand.NewPCG(s.Seed, uint64(i)))
		vals := make([]any, len(s.params))
		for _, j := range s.draw {
			vals[j] = s.params[j].sample(r)
		}
		key.Reset()
		for _, v := range vals {
			key.WriteString(valueKey(v))
			key.WriteByte(0)
		}
		if !seen[key.String()] {
			seen[key.String()] = true
			out = append(out, vals)
		}
	}
	return out
}

// Expand returns the trials of the sweep in a deterministic order: the grid points, with
// axes in the order of Config's fields, the last varying fastest and each axis's values
// in the order written; each grid point is combined with random samples 0..n-1. A grid
// list gives the points of its first sub-grid in that order, then those of the second,
// and so on. Each trial is [DefaultConfig] overridden by budget and solve, then fixed,
// then the grid point, then the random sample. Random sample i draws its params in
// field-name order from rand.New(rand.NewPCG(s.Seed, i)): uniform lo+(hi-lo)·Float64(),
// log_uniform exp(U(log lo, log hi)), int lo+IntN(hi-lo+1), choice values[IntN(len)].
//
// Trials with equal [Config.ID] are kept once, at their first occurrence. Every trial
// must pass [Config.Validate]; the error for one that does not gives the line of the spec
// that set the offending field for that trial. When there are more than maxTrials trials
// (counting each distinct trial once, also across sub-grids) Expand returns an error
// naming both numbers, before building any; maxTrials ≤ 0 means no limit. Every error
// wraps [ErrSpec].
func (s *Spec) Expand(maxTrials int) (trials []Config, err error) {
	defer func() {
		if r := recover(); r != nil {
			trials, err = nil, &SpecError{Source: s.Source, Msg: fmt.Sprintf("cannot expand the sweep: %v", r)}
		}
	}()
	samples := s.samples()
	perPoint := uint64(len(samples))
	grids := s.grids
	if len(grids) == 0 {
		grids = []specGrid{{}} // random search only: one empty grid point
	}
	// total counts the trials of every sub-grid, a trial repeated in several sub-grids
	// each time; over says the sum is more than math.MaxInt.
	var total uint64
	over := false
	for _, g := range grids {
		points, ok := g.points()
		hi, n := bits.Mul64(points, perPoint)
		if !ok || hi != 0 || n > math.MaxInt {
			// The trials of one (sub-)grid are all distinct.
			return nil, &SpecError{Source: s.Source, Msg: fmt.Sprintf("the sweep has more than %d trials", math.MaxInt)}
		}
		if sum, carry := bits.Add64(total, n, 0); carry != 0 || sum > math.MaxInt {
			over = true
		} else {
			total = sum
		}
	}
	if over && maxTrials <= 0 {
		return nil, &SpecError{Source: s.Source, Msg: fmt.Sprintf("the sub-grids have more than %d trials in all", math.MaxInt)}
	}
	if maxTrials > 0 && (over || total > uint64(maxTrials)) {
		if len(grids) == 1 {
			return nil, &SpecError{Source: s.Source, Msg: fmt.Sprintf("the sweep has %d trials, more than the limit of %d", total, maxTrials)}
		}
		// Sub-grids may share points: count the distinct ones, exactly up to at least
		// the limit.
		limit := uint64(maxTrials) / perPoint
		exact := max(limit, 1<<16)
		if n := s.countPoints(exact); n > exact {
			return nil, &SpecError{Source: s.Source, Msg: fmt.Sprintf("the sweep has more than %d trials, more than the limit of %d", exact*perPoint, maxTrials)}
		} else if n > limit {
			return nil, &SpecError{Source: s.Source, Msg: fmt.Sprintf("the sweep has %d trials, more than the limit of %d", n*perPoint, maxTrials)}
		}
		total = uint64(maxTrials)
	}
	trials = make([]Config, 0, min(total, 1<<16))
	seen := make(map[string]bool, min(total, 1<<16))
	// A point of a sub-grid that an earlier sub-grid has too gives only repeated trials.
	var keys *pointKeys
	var points map[string]bool
	if len(grids) > 1 {
		keys, points = s.pointKeys(), map[string]bool{}
	}
	for gi := range grids {
		g := &grids[gi]
		idx := make([]int, len(g.axes))
		var pos []int
		if keys != nil {
			pos = keys.positions(g)
		}
		for {
			if keys != nil {
				k := keys.key(g, pos, idx)
				if points[k] {
					if !g.next(idx) {
						break
					}
					continue
				}
				points[k] = true
			}
			for _, sample := range samples {
				c, err := s.trial(g, idx, sample)
				if err != nil {
					return nil, err
				}
				if err := c.Validate(); err != nil {
					return nil, s.configError(err, g)
				}
				if c, err = c.Resolve(); err != nil { // a parameter budget sets the hidden size
					return nil, s.configError(err, g)
				}
				if id := c.ID(); !seen[id] {
					seen[id] = true
					trials = append(trials, c)
				}
			}
			if !g.next(idx) {
				break
			}
		}
	}
	return trials, nil
}

// trial returns the config of grid g's point idx with a random sample: DefaultConfig
// overridden by budget, solve and fixed, then the grid point, then the sample.
func (s *Spec) trial(g *specGrid, idx []int, sample []any) (Config, error) {
	c, err := s.base()
	for i, a := range g.axes {
		err = errors.Join(err, a.f.Set(&c, a.values[idx[i]]))
	}
	for i, v := range sample {
		err = errors.Join(err, s.params[i].f.Set(&c, v))
	}
	if err != nil {
		return c, &SpecError{Source: s.Source, Msg: err.Error(), Err: err}
	}
	return c, nil
}

// base returns DefaultConfig overridden by budget, solve and fixed.
func (s *Spec) base() (Config, error) {
	c := DefaultConfig()
	var err error
	for _, st := range s.settings {
		err = errors.Join(err, st.f.Set(&c, st.v))
	}
	return c, err
}

// points returns the number of points of the grid; ok is false when it overflows.
func (g *specGrid) points() (n uint64, ok bool) {
	n = 1
	for _, a := range g.axes {
		hi, lo := bits.Mul64(n, uint64(len(a.values)))
		if hi != 0 {
			return 0, false
		}
		n = lo
	}
	return n, true
}

// next advances idx, the value index of each axis, to the next grid point, the last axis
// fastest; it returns false after the last point.
func (g *specGrid) next(idx []int) bool {
	for i := len(idx) - 1; i >= 0; i-- {
		if idx[i]++; idx[i] < len(g.axes[i].values) {
			return true
		}
		idx[i] = 0
	}
	return false
}

// countPoints returns the number of distinct grid points of all sub-grids when it is at
// most limit, and a number greater than limit otherwise.
func (s *Spec) countPoints(limit uint64) uint64 {
	keys := s.pointKeys()
	seen := map[string]struct{}{}
	for gi := range s.grids {
		g := &s.grids[gi]
		pos := keys.positions(g)
		idx := make([]int, len(g.axes))
		for {
			seen[keys.key(g, pos, idx)] = struct{}{}
			if uint64(len(seen)) > limit {
				return uint64(len(seen))
			}
			if !g.next(idx) {
				break
			}
		}
	}
	return uint64(len(seen))
}

// pointKeys names the grid points of sub-grids: two points have equal keys exactly when
// they give the same trials. A key lists the point's value of every field that is an
// axis of any sub-grid, taking the value of budget, solve, fixed or DefaultConfig for a
// field that is not an axis of the point's own sub-grid; every other field is the same
// for every point.
type pointKeys struct {
	fields []*Field // the axes of all sub-grids, in Config field order
	base   Config   // a Config with budget, solve and fixed
	b      strings.Builder
}

func (s *Spec) pointKeys() *pointKeys {
	base, _ := s.base() // the values were decoded for their fields: trial reports any error
	return &pointKeys{fields: s.gridFields(), base: base}
}

// positions returns, for each of k.fields, the index of g's axis that varies it, or -1.
func (k *pointKeys) positions(g *specGrid) []int {
	pos := make([]int, len(k.fields))
	for j, f := range k.fields {
		pos[j] = slices.IndexFunc(g.axes, func(a specAxis) bool { return a.f == f })
	}
	return pos
}

// key returns the key of g's point idx; pos is positions(g).
func (k *pointKeys) key(g *specGrid, pos, idx []int) string {
	k.b.Reset()
	for j, f := range k.fields {
		if a := pos[j]; a >= 0 {
			k.b.WriteString(valueKey(g.axes[a].values[idx[a]]))
		} else {
			k.b.WriteString(valueKey(f.Value(k.base)))
		}
		k.b.WriteByte(0)
	}
	return k.b.String()
}

// gridFields returns the fields that are axes of the grid or of any sub-grid, in the
// order of Config's fields.
func (s *Spec) gridFields() []*Field {
	var out []*Field
	for _, g := range s.grids {
		for _, a := range g.axes {
			if !slices.Contains(out, a.f) {
				out = append(out, a.f)
			}
		}
	}
	slices.SortFunc(out, func(a, b *Field) int { return a.index - b.index })
	return out
}

// configError reports an invalid trial of grid g at the line of the spec that set the
// bad field: g's axis, or budget, solve, fixed or random.params.
func (s *Spec) configError(err error, g *specGrid) error {
	var ce *ConfigError
	if errors.As(err, &ce) {
		o, ok := g.origins[ce.Field]
		if !ok {
			o, ok = s.origins[ce.Field]
		}
		if ok {
			return &SpecError{Source: s.Source, Line: o.line, Path: o.path, Msg: ce.Error(), Err: err}
		}
		return &SpecError{Source: s.Source, Msg: ce.Error() + " (the default value)", Err: err}
	}
	return &SpecError{Source: s.Source, Msg: err.Error(), Err: err}
}

// Axes returns the names (JSON keys) of the fields the sweep varies: the axes of the grid
// (of all its sub-grids, for a grid list), then the random-search params, each in the
// order of Config's fields.
func (s *Spec) Axes() []string {
	var out []string
	for _, f := range s.gridFields() {
		out = append(out, f.Key)
	}
	for _, p := range s.params {
		out = append(out, p.f.Key)
	}
	return out
}

// Label describes a trial of the sweep by its values of [Spec.Axes], e.g.
// "T=10 cell=rnn seed=1". With sub-grids it gives every field of Axes, also those that
// are not axes of the trial's own sub-grid.
func (s *Spec) Label(c Config) string {
	var parts []string
	for _, name := range s.Axes() {
		parts = append(parts, name+"="+formatValue(fieldIndex[name].Value(c)))
	}
	return strings.Join(parts, " ")
}
