package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/expctl/expctl/results/trialdir"
)

type (
	// TrialList is the content of trials.json: every trial of the sweep, in order.
	TrialList = trialdir.TrialList
	// ListedTrial is one entry of trials.json.
	ListedTrial = trialdir.ListedTrial
)

// Trial states: a finished trial's state is its result status.
const (
	Running    = "running"    // unfinished, and a process holds its lock
	Incomplete = "incomplete" // unfinished and nobody running it: interrupted or crashed
	// Paused: unfinished, its last attempt paused at a rung of successive halving, where
	// it waits for the rest of its group.
	Paused  = trialdir.Paused
	Corrupt = "corrupt" // a file of the trial exists but cannot be read
	Missing = "missing" // listed in trials.json but never started
)

// Trial is one trial of a collection.
type Trial struct {
	ID     string
	Dir    string          // its directory ("" when missing)
	Sweep  string          // the sweep directory it belongs to
	Config trialdir.Config // from config.json, or trials.json for a missing trial
	Result *Result         // nil unless finished
	Curve  []Point         // nil when there is none yet
	State  string          // a result status, Running, Paused, Incomplete, Corrupt or Missing

	// SweepName is its sweep's name (from trials.json, else the directory's name); the
	// directory instead when two sweeps of a collection share a name. It is the value of
	// the field [SweepField].
	SweepName string
}

// SweepField is the field whose value is a trial's [Trial.SweepName]: grouping or
// filtering by it compares sweeps.
const SweepField = "sweep"

// Field returns the value of a configuration field, by its JSON name, as it appears in
// config.json ("" when absent or null), or for [SweepField] the trial's sweep name.
func (t *Trial) Field(name string) string {
	if name == SweepField {
		return t.SweepName
	}
	return t.Config.Field(name)
}

// Sweep describes one loaded sweep directory.
type Sweep struct {
	Dir  string
	Name string
	Spec string   // spec.yaml as written ("" if absent)
	Axes []string // varying fields, from trials.json
}

// Problem is something in the store that could not be used; the rest is still reported.
type Problem struct {
	Path string
	Msg  string
}

func (p Problem) String() string { return p.Path + ": " + p.Msg }

// Collection is the trials of one or more sweep directories, merged.
type Collection struct {
	Sweeps   []Sweep
	Trials   []*Trial
	Problems []Problem
}

// ErrNotSweep is returned by [Load] for a directory that holds no sweep.
var ErrNotSweep = errors.New("not a sweep directory (no trials.json, spec.yaml or trial directories)")

// Load reads sweep directories (shards of one sweep, or different sweeps) into one
// collection; a trial directory given in place of a sweep directory adds that trial. A trial found twice with identical files (wall-clock fields aside) counts
// once; with different files it is kept once and reported as a conflict in Problems.
// Unreadable or partial trial files, and directories that are not sweeps, are reported in
// Problems and skipped (or the trial counted as unfinished). Load fails only when no
// directory holds a sweep; the error then names each directory and what is wrong with it.
func Load(dirs ...string) (*Collection, error) { return load(false, dirs) }

// LoadSeparate reads sweep directories as different sweeps, to compare them: as [Load],
// but trials of different directories are never merged, even when their ids are equal.
// Group or filter by [SweepField] to tell them apart.
func LoadSeparate(dirs ...string) (*Collection, error) { return load(true, dirs) }

func load(separate bool, dirs []string) (*Collection, error) {
	c := &Collection{}
	byID := map[string]*Trial{}
	var errs []error
	for _, dir := range dirs {
		if separate {
			byID = map[string]*Trial{}
		}
		if err := c.loadSweep(dir, byID); err != nil {
			errs = append(errs, err)
			c.problem(dir, "%v", err)
		}
	}
	if len(c.Sweeps) == 0 {
		if len(errs) == 0 {
			return nil, errors.New("no sweep directory given")
		}
		return nil, errors.Join(errs...)
	}
	c.nameSweeps(separate)
	return c, nil
}

// nameSweeps sets each trial's SweepName: its sweep's name or, for separate sweeps, the
// directory when another sweep directory of the collection has the same name.
func (c *Collection) nameSweeps(separate bool) {
	dirsOf := map[string]map[string]bool{}
	for _, s := range c.Sweeps {
		if dirsOf[s.Name] == nil {
			dirsOf[s.Name] = map[string]bool{}
		}
		dirsOf[s.Name][s.Dir] = true
	}
	name := map[string]string{}
	for _, s := range c.Sweeps {
		name[s.Dir] = s.Name
		if separate && len(dirsOf[s.Name]) > 1 {
			name[s.Dir] = filepath.Clean(s.Dir)
		}
	}
	for _, t := range c.Trials {
		t.SweepName = name[t.Sweep]
	}
}

func (c *Collection) problem(path, format string, a ...any) {
	c.Problems = append(c.Problems, Problem{path, fmt.Sprintf(format, a...)})
}

func (c *Collection) loadSweep(dir string, byID map[string]*Trial) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("%s: cannot read sweep: %w", dir, err)
	}
	sw := Sweep{Dir: dir, Name: filepath.Base(filepath.Clean(dir))}
	if trialdir.HasConfig(dir) { // a single trial directory
		t := c.loadTrial(dir, dir)
		if t == nil {
			return fmt.Errorf("%s: unreadable trial directory", dir)
		}
		c.Sweeps = append(c.Sweeps, sw)
		if _, ok := byID[t.ID]; !ok {
			byID[t.ID] = t
			c.Trials = append(c.Trials, t)
		}
		return nil
	}
	if b, err := trialdir.ReadSpec(dir); err == nil {
		sw.Spec = string(b)
	}
	list := &TrialList{}
	listed := map[string]bool{}
	hasList := false
	if l, err := trialdir.ReadTrialList(dir); err == nil {
		list, hasList = l, true
		if list.Name != "" {
			sw.Name = list.Name
		}
		sw.Axes = list.Axes
	} else if !errors.Is(err, fs.ErrNotExist) {
		c.problem(trialdir.TrialsPath(dir), "%v", err)
	}
	var trialDirs []string
	for _, e := range entries {
		if e.IsDir() && trialdir.HasConfig(trialdir.TrialPath(dir, e.Name())) {
			trialDirs = append(trialDirs, e.Name())
		}
	}
	if !hasList && sw.Spec == "" && len(trialDirs) == 0 {
		return fmt.Errorf("%s: %w", dir, ErrNotSweep)
	}
	c.Sweeps = append(c.Sweeps, sw)

	add := func(t *Trial) {
		if prev, ok := byID[t.ID]; ok {
			if prev.State == Missing && t.State != Missing {
				*prev = *t
			} else if t.State != Missing && prev.State != Missing && !trialdir.SameTrial(prev.Dir, t.Dir) {
				c.problem(t.Dir, "conflict: trial %s also in %s with different results; kept the first", t.ID, prev.Dir)
			}
			return
		}
		byID[t.ID] = t
		c.Trials = append(c.Trials, t)
	}
	// Listed trials first, in the sweep's order; then trials no longer in the spec.
	present := map[string]bool{}
	for _, name := range trialDirs {
		present[name] = true
	}
	for _, lt := range list.Trials {
		listed[lt.ID] = true
		var t *Trial
		if present[lt.ID] {
			if t = c.loadTrial(trialdir.TrialPath(dir, lt.ID), dir); t != nil {
				add(t)
				continue
			}
		}
		cfg, err := trialdir.DecodeConfig(lt.Config)
		if err != nil {
			c.problem(trialdir.TrialsPath(dir), "trial %s: %s", lt.ID, plainError(err))
			continue
		}
		if present[lt.ID] { // its config.json cannot be read: counted, by the listed config
			add(&Trial{ID: lt.ID, Dir: trialdir.TrialPath(dir, lt.ID), Sweep: dir, Config: cfg, State: Corrupt})
			continue
		}
		add(&Trial{ID: lt.ID, Sweep: dir, Config: cfg, State: Missing})
	}
	for _, name := range trialDirs {
		if !listed[name] {
			if t := c.loadTrial(trialdir.TrialPath(dir, name), dir); t != nil {
				add(t)
			}
		}
	}
	return nil
}

// loadTrial reads one trial directory; problems are recorded, once each and by path. A
// trial whose config cannot be read is skipped (nil); one with an unreadable result or
// curve is [Corrupt] unless its result could be read.
func (c *Collection) loadTrial(dir, sweep string) *Trial {
	cfg, err := trialdir.ReadConfig(dir)
	if err != nil {
		c.problem(filepath.Join(dir, trialdir.ConfigFile), "corrupt: %s", plainError(err))
		return nil
	}
	t := &Trial{ID: filepath.Base(dir), Dir: dir, Sweep: sweep, Config: cfg}
	corrupt := false
	if pts, err := trialdir.ReadCurve(dir); err == nil {
		t.Curve = pts
	} else if !errors.Is(err, fs.ErrNotExist) {
		c.problem(filepath.Join(dir, trialdir.CurveFile), "corrupt: %s", plainError(err))
		corrupt = true
	}
	res, err := trialdir.ReadResult(dir)
	switch {
	case err == nil:
		t.Result, t.State = res, res.Status
	case errors.Is(err, fs.ErrNotExist):
		t.State = Incomplete
		if trialdir.Locked(dir) {
			t.State = Running
		} else if corrupt {
			t.State = Corrupt
		} else if att, err := trialdir.ReadAttempts(dir); err == nil && len(att) > 0 && att[len(att)-1].How == trialdir.Paused {
			t.State = Paused
		}
	default:
		c.problem(filepath.Join(dir, trialdir.ResultFile), "corrupt: %s", plainError(err))
		t.State = Corrupt
	}
	return t
}

// plainError says what is wrong with a file's content in words: without the file's path
// (the problem names it) and without the Go types of the decoder.
func plainError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "unexpected end of JSON input"):
		return "truncated JSON"
	case errors.As(err, &syn):
		return fmt.Sprintf("not valid JSON (at byte %d)", syn.Offset)
	case errors.As(err, &typ):
		what := "value"
		if typ.Field != "" {
			what = "field " + strconv.Quote(typ.Field)
		}
		return fmt.Sprintf("%s is a JSON %s, want %s", what, typ.Value, jsonKind(typ.Type))
	}
	// Errors of the store begin with the file's path, which the problem names already.
	msg := err.Error()
	if i := strings.Index(msg, ": "); i > 0 && strings.ContainsRune(msg[:i], filepath.Separator) {
		msg = msg[i+2:]
	}
	return msg
}

// jsonKind names the JSON kind of a Go type in words.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Pointer:
		return jsonKind(t.Elem()) + " or null"
	}
	return "an object"
}

// Values returns the distinct values of a field over the trials, sorted: numerically when
// all are numbers, else as text.
func (c *Collection) Values(field string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range c.Trials {
		v := t.Field(field)
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	SortValues(out)
	return out
}

// SortValues sorts field values numerically when all parse as numbers, else as text.
func SortValues(vs []string) {
	nums := make([]float64, len(vs))
	numeric := true
	for i, v := range vs {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) {
			numeric = false
			break
		}
		nums[i] = f
	}
	if numeric {
		idx := make([]int, len(vs))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool { return nums[idx[a]] < nums[idx[b]] })
		sorted := make([]string, len(vs))
		for i, j := range idx {
			sorted[i] = vs[j]
		}
		copy(vs, sorted)
		return
	}
	sort.Strings(vs)
}
