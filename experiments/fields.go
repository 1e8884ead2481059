package experiments

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/expctl/expctl/datasets"
	"github.com/expctl/expctl/models"
)

// Kind is the type of the values of a [Field].
type Kind int

// The kinds of field values, with the Go type a value of each kind has.
const (
	KindString Kind = iota // string
	KindInt                // int
	KindUint               // uint64
	KindFloat              // float64
	KindBool               // bool
)

// Field describes one field of [Config]: its names, the type and default of its values,
// its help text and the rule its values follow. [Fields] lists every field, in the order
// of Config's; the flags of 'expctl run trial', the keys a sweep spec can set, the keys of
// config.json and [Config.Validate] all come from that list.
type Field struct {
	Key      string // the JSON key, in config.json and in sweep specs, e.g. "eval_every"
	Flag     string // the command-line flag without dashes, e.g. "eval-every"; empty for none
	Kind     Kind   // the type of the values
	Optional bool   // the field may be unset (a nil pointer in Config); set, its values are of Kind
	Default  any    // the default value, of Kind's Go type; nil for an optional field
	Help     string // what the field is, as the flag's usage text
	// TrialOnly marks a field that a single trial sets and a sweep spec may not: its value
	// names something outside the config (a file) that the sweep cannot hand each trial.
	TrialOnly bool
	// SpecKey, when set, is the one place of a spec that sets the field (e.g.
	// "prune.halving"); fixed, grid and random may not.
	SpecKey string

	// check returns what the field wants when v, a value of the field in c, is not
	// allowed, and "" when it is; nil allows every value. Checks run in field order, so a
	// check may rely on the fields before it being valid.
	check func(c Config, v any) string
	// ptr returns the address of the field in c: *string, *int, *uint64, *float64, *bool
	// or, for an optional field, **float64.
	ptr   func(c *Config) any
	index int // position in Fields
}

var fields = []*Field{
	{Key: "task", Flag: "task", Kind: KindString, Default: "adding", check: checkTask,
		Help: "task: " + strings.Join(datasets.Names(), ", ") + " (see 'expctl tasks')",
		ptr:  func(c *Config) any { return &c.Task }},
	{Key: "T", Flag: "T", Kind: KindInt, Default: 50, check: checkT,
		Help: "dependency length T (adding: sequence length, T ≥ 2; copy: blanks before the delimiter + 1, T ≥ 1)",
		ptr:  func(c *Config) any { return &c.T }},
	{Key: "cell", Flag: "cell", Kind: KindString, Default: "lstm", check: checkCell,
		Help: "recurrent cell: " + strings.Join(models.Names(), ", ") + " (see 'expctl cells')",
		ptr:  func(c *Config) any { return &c.Cell }},
	{Key: "hidden", Flag: "hidden", Kind: KindInt, Default: 128, check: atLeastOne,
		Help: "hidden size H (≥ 1)",
		ptr:  func(c *Config) any { return &c.Hidden }},
	{Key: "batch", Flag: "batch", Kind: KindInt, Default: 32, check: atLeastOne,
		Help: "sequences per training step (≥ 1)",
		ptr:  func(c *Config) any { return &c.Batch }},
	{Key: "steps", Flag: "steps", Kind: KindInt, Default: 3000, check: atLeastOne,
		Help: "training steps: the budget (≥ 1)",
		ptr:  func(c *Config) any { return &c.Steps }},
	{Key: "optimizer", Flag: "optimizer", Kind: KindString, Default: "adam", check: oneOf("one of "+strings.Join(Optimizers, ", "), Optimizers...),
		Help: "optimizer: " + strings.Join(Optimizers, ", "),
		ptr:  func(c *Config) any { return &c.Optimizer }},
	{Key: "lr", Flag: "lr", Kind: KindFloat, Default: 1e-3, check: positive,
		Help: "learning rate (> 0)",
		ptr:  func(c *Config) any { return &c.LR }},
	{Key: "momentum", Flag: "momentum", Kind: KindFloat, Default: 0.0, check: unitInterval,
		Help: "sgd: heavy-ball momentum in [0, 1)",
		ptr:  func(c *Config) any { return &c.Momentum }},
	{Key: "decay", Flag: "decay", Kind: KindFloat, Default: 0.9, check: unitInterval,
		Help: "rmsprop: decay of the squared-gradient average, in [0, 1)",
		ptr:  func(c *Config) any { return &c.Decay }},
	{Key: "beta1", Flag: "beta1", Kind: KindFloat, Default: 0.9, check: unitInterval,
		Help: "adam: first-moment decay, in [0, 1)",
		ptr:  func(c *Config) any { return &c.Beta1 }},
	{Key: "beta2", Flag: "beta2", Kind: KindFloat, Default: 0.999, check: unitInterval,
		Help: "adam: second-moment decay, in [0, 1)",
		ptr:  func(c *Config) any { return &c.Beta2 }},
	{Key: "epsilon", Flag: "epsilon", Kind: KindFloat, Default: 1e-8, check: positive,
		Help: "rmsprop, adam: denominator offset (> 0)",
		ptr:  func(c *Config) any { return &c.Epsilon }},
	{Key: "rms_init", Flag: "rms-init", Kind: KindFloat, Default: 0.0, check: nonNegative,
		Help: "rmsprop: the initial average of squared gradients (≥ 0; 0 as in PyTorch, 1e-3 in Arjovsky et al.'s code)",
		ptr:  func(c *Config) any { return &c.RMSInit }},
	{Key: "clip", Flag: "clip", Kind: KindString, Default: "norm:1", check: checkClip,
		Help: "gradient clipping: none, value:C (element-wise to [-C, C]) or norm:C (global L2 norm ≤ C)",
		ptr:  func(c *Config) any { return &c.Clip }},
	{Key: "dtype", Flag: "dtype", Kind: KindString, Default: "float32", check: oneOf("float32 or float64", "float32", "float64"),
		Help: "floating-point type: float32 or float64",
		ptr:  func(c *Config) any { return &c.Dtype }},
	{Key: "seed", Flag: "seed", Kind: KindUint, Default: uint64(1),
		Help: "seed of the training data, the test set and the initial weights",
		ptr:  func(c *Config) any { return &c.Seed }},
	{Key: "eval_every", Flag: "eval-every", Kind: KindInt, Default: 100, check: atLeastOne,
		Help: "steps between evaluations on the test set (≥ 1)",
		ptr:  func(c *Config) any { return &c.EvalEvery }},
	{Key: "test_size", Flag: "test-size", Kind: KindInt, Default: 1000, check: atLeastOne,
		Help: "held-out test sequences (≥ 1)",
		ptr:  func(c *Config) any { return &c.TestSize }},
	{Key: "forget_bias", Flag: "forget-bias", Kind: KindFloat, Default: 1.0, check: finite,
		Help: "initial forget-gate bias, for cells with a forget gate",
		ptr:  func(c *Config) any { return &c.ForgetBias }},
	{Key: "keep_going", Flag: "keep-going", Kind: KindBool, Default: false,
		Help: "train the whole budget even after the task is solved (default: stop when solved)",
		ptr:  func(c *Config) any { return &c.KeepGoing }},
	{Key: "params", Kind: KindInt, Default: 0, check: budget,
		Help: "parameter budget: the hidden size becomes the largest whose network fits (0 for none)",
		ptr:  func(c *Config) any { return &c.Params }},
	{Key: "solve_loss", Kind: KindFloat, Optional: true, check: finite,
		Help: "solved when the test loss is at most this (replaces the task's criterion)",
		ptr:  func(c *Config) any { return &c.SolveLoss }},
	{Key: "solve_metric", Kind: KindFloat, Optional: true, check: finite,
		Help: "solved when the test metric is at least this (replaces the task's criterion)",
		ptr:  func(c *Config) any { return &c.SolveMetric }},
	{Key: "plateau_patience", Flag: "plateau-patience", Kind: KindInt, Default: 0, check: atLeastZero,
		Help: "prune the trial (status pruned) once its best test loss has not improved by --plateau-delta over this many evaluations (0: never)",
		ptr:  func(c *Config) any { return &c.PlateauPatience }},
	{Key: "plateau_delta", Flag: "plateau-delta", Kind: KindFloat, Default: 0.0, check: unitInterval,
		Help: "plateau rule: the relative improvement of the best test loss that counts, in [0, 1) (0.01: 1%)",
		ptr:  func(c *Config) any { return &c.PlateauDelta }},
	{Key: "plateau_min_steps", Flag: "plateau-min-steps", Kind: KindInt, Default: 0, check: atLeastZero,
		Help: "plateau rule: never prune before this step (≥ 0)",
		ptr:  func(c *Config) any { return &c.PlateauMinSteps }},
	{Key: "halving", Kind: KindString, Default: "", check: checkHalving, SpecKey: "prune.halving",
		Help: "successive halving of the trial's group, as a spec's prune.halving sets it (over=KEYS;rungs=STEPS;factor=N); empty: none",
		ptr:  func(c *Config) any { return &c.Halving }},
	{Key: "init_params", Kind: KindString, Default: "", check: checkInitParams, TrialOnly: true,
		Help: "sha256:<hex> of the .npz file the initial weights were read from ('expctl run trial --init-params'); empty: drawn from the seed",
		ptr:  func(c *Config) any { return &c.InitParams }},
}

var fieldIndex = func() map[string]*Field {
	m := make(map[string]*Field, len(fields))
	for i, f := range fields {
		f.index = i
		m[f.Key] = f
	}
	return m
}()

// defaults is the Config of every field's default.
var defaults = func() Config {
	var c Config
	for _, f := range fields {
		if f.Default != nil {
			if err := f.Set(&c, f.Default); err != nil {
				panic(err) // a wrong default in the table above
			}
		}
	}
	return c
}()

// Fields returns the fields of [Config] in declaration order. The Fields are shared:
// callers must not modify them.
func Fields() []*Field { return fields }

// LookupField returns the field with the JSON key key.
func LookupField(key string) (*Field, bool) {
	f, ok := fieldIndex[key]
	return f, ok
}

// Value returns the field's value in c, of the Go type of f.Kind; nil for an optional
// field that c leaves unset.
func (f *Field) Value(c Config) any {
	switch p := f.ptr(&c).(type) {
	case *string:
		return *p
	case *int:
		return *p
	case *uint64:
		return *p
	case *float64:
		return *p
	case *bool:
		return *p
	case **float64:
		if *p == nil {
			return nil
		}
		return **p
	}
	return nil
}

// Set sets the field in c to v, a value of the Go type of f.Kind; nil unsets an
// optional field. A value of another type is an error and leaves c unchanged.
func (f *Field) Set(c *Config, v any) error {
	ok := false
	switch p := f.ptr(c).(type) {
	case *string:
		ok = assign(p, v)
	case *int:
		ok = assign(p, v)
	case *uint64:
		ok = assign(p, v)
	case *float64:
		ok = assign(p, v)
	case *bool:
		ok = assign(p, v)
	case **float64:
		if x, isFloat := v.(float64); isFloat {
			*p, ok = &x, true
		} else if v == nil {
			*p, ok = nil, true
		}
	}
	if !ok {
		return fmt.Errorf("experiments: cannot set %s to %v: a value of type %T", f.Key, v, v)
	}
	return nil
}

func assign[T any](p *T, v any) bool {
	x, ok := v.(T)
	if ok {
		*p = x
	}
	return ok
}

// validate returns a *ConfigError when the field's value in c is not allowed.
func (f *Field) validate(c Config) error {
	if f.check == nil {
		return nil
	}
	v := f.Value(c)
	if v == nil {
		return nil
	}
	if want := f.check(c, v); want != "" {
		if s, ok := v.(string); ok {
			v = strconv.Quote(s)
		}
		return &ConfigError{Field: f.Key, Value: v, Want: want}
	}
	return nil
}

func checkTask(_ Config, v any) string {
	if _, err := datasets.Lookup(v.(string)); err != nil {
		return "one of " + strings.Join(datasets.Names(), ", ")
	}
	return ""
}

// checkT runs after checkTask, so the task exists.
func checkT(c Config, v any) string {
	if task, err := datasets.Lookup(c.Task); err == nil && v.(int) < task.MinT {
		return fmt.Sprintf("an integer ≥ %d for %s", task.MinT, c.Task)
	}
	return ""
}

func checkCell(_ Config, v any) string {
	if _, err := models.Lookup(v.(string)); err != nil {
		return "one of " + strings.Join(models.Names(), ", ")
	}
	return ""
}

func atLeastOne(_ Config, v any) string {
	if v.(int) < 1 {
		return "an integer ≥ 1"
	}
	return ""
}

// oneOf allows the given strings; want describes them.
func oneOf(want string, allowed ...string) func(Config, any) string {
	return func(_ Config, v any) string {
		for _, a := range allowed {
			if v.(string) == a {
				return ""
			}
		}
		return want
	}
}

func atLeastZero(_ Config, v any) string {
	if v.(int) < 0 {
		return "an integer ≥ 0"
	}
	return ""
}

func budget(_ Config, v any) string {
	if v.(int) < 0 {
		return "a parameter budget ≥ 1 (or 0 for none)"
	}
	return ""
}

func positive(_ Config, v any) string {
	if x := v.(float64); !(x > 0) || math.IsInf(x, 0) {
		return "a finite number > 0"
	}
	return ""
}

func nonNegative(_ Config, v any) string {
	if x := v.(float64); !(x >= 0) || math.IsInf(x, 0) {
		return "a finite number ≥ 0"
	}
	return ""
}

func unitInterval(_ Config, v any) string {
	if x := v.(float64); !(x >= 0 && x < 1) {
		return "a number in [0, 1)"
	}
	return ""
}

func finite(_ Config, v any) string {
	if x := v.(float64); math.IsNaN(x) || math.IsInf(x, 0) {
		return "a finite number"
	}
	return ""
}

// InitParamsPrefix starts the value of the init_params field, followed by the SHA-256 of
// the file, in lower-case hex.
const InitParamsPrefix = "sha256:"

func checkInitParams(_ Config, v any) string {
	s := v.(string)
	if s == "" {
		return ""
	}
	hex, ok := strings.CutPrefix(s, InitParamsPrefix)
	if !ok || len(hex) != 64 || strings.Trim(hex, "0123456789abcdef") != "" {
		return `"" or sha256: and 64 lower-case hex digits (the SHA-256 of the weights file)`
	}
	return ""
}

func checkClip(_ Config, v any) string {
	if _, err := ParseClip(v.(string)); err != nil {
		return clipWant
	}
	return ""
}
