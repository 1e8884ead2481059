package experiments

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"gorgonia.org/tensor"

	"github.com/expctl/expctl/datasets"
	"github.com/expctl/expctl/models"
)

// Config is the complete description of one trial. Two trials with equal configs produce
// identical results; [Config.ID] names a trial by a hash of it.
type Config struct {
	Task   string `json:"task"`   // datasets task name
	T      int    `json:"T"`      // dependency length
	Cell   string `json:"cell"`   // models cell name
	Hidden int    `json:"hidden"` // hidden size H
	Batch  int    `json:"batch"`  // sequences per training step
	Steps  int    `json:"steps"`  // training steps (the budget)

	Optimizer string  `json:"optimizer"` // sgd | rmsprop | adam
	LR        float64 `json:"lr"`        // learning rate
	Momentum  float64 `json:"momentum"`  // sgd: heavy-ball momentum
	Decay     float64 `json:"decay"`     // rmsprop: decay ρ of the squared-gradient average
	Beta1     float64 `json:"beta1"`     // adam
	Beta2     float64 `json:"beta2"`     // adam
	Epsilon   float64 `json:"epsilon"`   // rmsprop, adam
	Clip      string  `json:"clip"`      // none | value:C | norm:C

	Dtype      string  `json:"dtype"`       // float32 | float64
	Seed       uint64  `json:"seed"`        // seeds data, test set and initial weights
	EvalEvery  int     `json:"eval_every"`  // steps between test-set evaluations
	TestSize   int     `json:"test_size"`   // held-out sequences
	ForgetBias float64 `json:"forget_bias"` // initial forget-gate bias (cells with one)
	KeepGoing  bool    `json:"keep_going"`  // train the whole budget even once solved

	// Params, when > 0, is a parameter budget: Hidden becomes the largest hidden size whose
	// network (cell and readout) has at most Params trainable parameters (see [Config.Resolve]).
	Params int `json:"params,omitempty"`

	// SolveLoss and SolveMetric, when set, replace the task's solve criterion: the trial
	// is solved when test loss ≤ SolveLoss and test metric ≥ SolveMetric (each if set).
	SolveLoss   *float64 `json:"solve_loss,omitempty"`
	SolveMetric *float64 `json:"solve_metric,omitempty"`
}

// DefaultConfig returns the defaults of every field.
func DefaultConfig() Config {
	return Config{
		Task: "adding", T: 50, Cell: "lstm", Hidden: 128, Batch: 32, Steps: 3000,
		Optimizer: "adam", LR: 1e-3, Momentum: 0, Decay: 0.9, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-8,
		Clip: "norm:1", Dtype: "float32", Seed: 1, EvalEvery: 100, TestSize: 1000, ForgetBias: 1,
	}
}

// ConfigError reports an invalid field of a [Config].
type ConfigError struct {
	Field string // the JSON key, e.g. "eval_every"
	Value any
	Want  string // the allowed values
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("invalid %s %v: want %s", e.Field, e.Value, e.Want)
}

// Optimizers lists the optimizer names.
var Optimizers = []string{"sgd", "rmsprop", "adam"}

// Clip is a parsed gradient-clipping rule.
type Clip struct {
	Kind      string  // "none", "value" (element-wise) or "norm" (global L2 norm)
	Threshold float64 // C
}

// ParseClip parses "none", "value:C" or "norm:C" with C > 0.
func ParseClip(s string) (Clip, error) {
	if s == "none" {
		return Clip{Kind: "none"}, nil
	}
	kind, num, ok := strings.Cut(s, ":")
	c, err := strconv.ParseFloat(num, 64)
	if !ok || (kind != "value" && kind != "norm") || err != nil || !(c > 0) || math.IsInf(c, 0) {
		return Clip{}, &ConfigError{"clip", strconv.Quote(s), `none, value:C or norm:C with C > 0 (e.g. norm:1)`}
	}
	return Clip{Kind: kind, Threshold: c}, nil
}

// TensorDtype is the tensor type of Dtype.
func (c Config) TensorDtype() tensor.Dtype {
	if c.Dtype == "float64" {
		return tensor.Float64
	}
	return tensor.Float32
}

// Validate checks every field and returns a *ConfigError for the first bad one.
func (c Config) Validate() error {
	task, err := datasets.Lookup(c.Task)
	if err != nil {
		return &ConfigError{"task", strconv.Quote(c.Task), "one of " + strings.Join(datasets.Names(), ", ")}
	}
	if c.T < task.MinT {
		return &ConfigError{"T", c.T, fmt.Sprintf("an integer ≥ %d for %s", task.MinT, c.Task)}
	}
	if _, err := models.Lookup(c.Cell); err != nil {
		return &ConfigError{"cell", strconv.Quote(c.Cell), "one of " + strings.Join(models.Names(), ", ")}
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"hidden", c.Hidden}, {"batch", c.Batch}, {"steps", c.Steps}, {"eval_every", c.EvalEvery}, {"test_size", c.TestSize}} {
		if f.v < 1 {
			return &ConfigError{f.name, f.v, "an integer ≥ 1"}
		}
	}
	known := false
	for _, o := range Optimizers {
		known = known || o == c.Optimizer
	}
	if !known {
		return &ConfigError{"optimizer", strconv.Quote(c.Optimizer), "one of " + strings.Join(Optimizers, ", ")}
	}
	pos := func(name string, v float64) error {
		if !(v > 0) || math.IsInf(v, 0) {
			return &ConfigError{name, v, "a finite number > 0"}
		}
		return nil
	}
	unit := func(name string, v float64) error {
		if !(v >= 0 && v < 1) {
			return &ConfigError{name, v, "a number in [0, 1)"}
		}
		return nil
	}
	for _, err := range []error{pos("lr", c.LR), unit("momentum", c.Momentum), unit("decay", c.Decay),
		unit("beta1", c.Beta1), unit("beta2", c.Beta2), pos("epsilon", c.Epsilon)} {
		if err != nil {
			return err
		}
	}
	if _, err := ParseClip(c.Clip); err != nil {
		return err
	}
	if c.Dtype != "float32" && c.Dtype != "float64" {
		return &ConfigError{"dtype", strconv.Quote(c.Dtype), "float32 or float64"}
	}
	if math.IsNaN(c.ForgetBias) || math.IsInf(c.ForgetBias, 0) {
		return &ConfigError{"forget_bias", c.ForgetBias, "a finite number"}
	}
	if c.SolveLoss != nil && (math.IsNaN(*c.SolveLoss) || math.IsInf(*c.SolveLoss, 0)) {
		return &ConfigError{"solve_loss", *c.SolveLoss, "a finite number"}
	}
	if c.SolveMetric != nil && (math.IsNaN(*c.SolveMetric) || math.IsInf(*c.SolveMetric, 0)) {
		return &ConfigError{"solve_metric", *c.SolveMetric, "a finite number"}
	}
	return nil
}

// Resolve applies the parameter budget, if any: it sets Hidden to the largest hidden size
// whose network fits in Params parameters. Trial ids are computed from resolved configs.
func (c Config) Resolve() (Config, error) {
	if c.Params == 0 {
		return c, nil
	}
	if c.Params < 0 {
		return c, &ConfigError{"params", c.Params, "a parameter budget ≥ 1 (or 0 for none)"}
	}
	h, err := HiddenForBudget(c.Cell, c.Task, c.Params)
	if err != nil {
		return c, err
	}
	c.Hidden = h
	return c, nil
}

// NetworkParams is the number of trainable parameters of a cell with a readout for task,
// at hidden size h.
func NetworkParams(cell, task string, h int) (int, error) {
	t, err := datasets.Lookup(task)
	if err != nil {
		return 0, &ConfigError{"task", strconv.Quote(task), "one of " + strings.Join(datasets.Names(), ", ")}
	}
	c, err := models.New(cell, models.Config{In: t.InDim, Hidden: h})
	if err != nil {
		return 0, &ConfigError{"cell", strconv.Quote(cell), "one of " + strings.Join(models.Names(), ", ")}
	}
	return models.CountParams(c.Params()) + models.CountParams(models.ReadoutParams(h, t.OutDim)), nil
}

// HiddenForBudget returns the largest hidden size whose network has at most budget
// parameters.
func HiddenForBudget(cell, task string, budget int) (int, error) {
	fits := func(h int) (bool, error) {
		n, err := NetworkParams(cell, task, h)
		return n <= budget, err
	}
	if ok, err := fits(1); err != nil {
		return 0, err
	} else if !ok {
		n, _ := NetworkParams(cell, task, 1)
		return 0, &ConfigError{"params", budget, fmt.Sprintf("at least %d, the size of a %s with one hidden unit on %s", n, cell, task)}
	}
	lo, hi := 1, 2 // parameter counts grow with h: find the last h that fits
	for {
		ok, _ := fits(hi)
		if !ok {
			break
		}
		lo, hi = hi, hi*2
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if ok, _ := fits(mid); ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo, nil
}

// Canonical returns the config as canonical JSON: fixed key order, shortest exact numbers.
func (c Config) Canonical() []byte {
	b, err := json.Marshal(c)
	if err != nil {
		panic(err) // a Config of plain fields always marshals
	}
	return b
}

// ID names the trial: readable parts, then the first 12 hex digits of the SHA-256 of the
// canonical config, so any change to any field gives a new id.
func (c Config) ID() string {
	sum := sha256.Sum256(c.Canonical())
	return fmt.Sprintf("%s-T%d-%s-h%d-s%d-%s", c.Task, c.T, c.Cell, c.Hidden, c.Seed, hex.EncodeToString(sum[:6]))
}

// Solved applies the configured solve criterion, or the task's own.
func (c Config) Solved(t datasets.Task, loss, metric float64) bool {
	if c.SolveLoss == nil && c.SolveMetric == nil {
		return t.Solved(loss, metric)
	}
	return (c.SolveLoss == nil || loss <= *c.SolveLoss) && (c.SolveMetric == nil || metric >= *c.SolveMetric)
}

// Criterion describes the solve criterion in force.
func (c Config) Criterion(t datasets.Task) string {
	if c.SolveLoss == nil && c.SolveMetric == nil {
		return t.Criterion
	}
	var parts []string
	if c.SolveLoss != nil {
		parts = append(parts, fmt.Sprintf("test loss ≤ %g", *c.SolveLoss))
	}
	if c.SolveMetric != nil {
		parts = append(parts, fmt.Sprintf("test %s ≥ %g", t.MetricName, *c.SolveMetric))
	}
	return strings.Join(parts, " and ")
}
