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

	Optimizer string  `json:"optimizer"`          // sgd | rmsprop | adam
	LR        float64 `json:"lr"`                 // learning rate
	Momentum  float64 `json:"momentum"`           // sgd: heavy-ball momentum
	Decay     float64 `json:"decay"`              // rmsprop: decay ρ of the squared-gradient average
	Beta1     float64 `json:"beta1"`              // adam
	Beta2     float64 `json:"beta2"`              // adam
	Epsilon   float64 `json:"epsilon"`            // rmsprop, adam
	RMSInit   float64 `json:"rms_init,omitempty"` // rmsprop: where the average of g² starts (0: PyTorch's)
	Clip      string  `json:"clip"`               // none | value:C | norm:C

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

	// PlateauPatience, when > 0, prunes the trial once its best test loss has not improved
	// by PlateauDelta (relative) over that many evaluations, never before PlateauMinSteps
	// (see [Plateau]). The trial then ends with status pruned.
	PlateauPatience int     `json:"plateau_patience,omitempty"`
	PlateauDelta    float64 `json:"plateau_delta,omitempty"`
	PlateauMinSteps int     `json:"plateau_min_steps,omitempty"`

	// Halving, when set, is the successive-halving policy of the trial's sweep in the
	// form [Halving.String] gives; only a spec's prune.halving sets it. It is part of the
	// trial's identity because the trial's outcome depends on it.
	Halving string `json:"halving,omitempty"`

	// InitParams, when set, is "sha256:" and the SHA-256 (hex) of the .npz file the trial's
	// initial weights are read from instead of being drawn from Seed (see 'expctl run
	// trial --init-params'). The file's hash, not its path, is part of the trial's identity:
	// other weights give another trial id. Sweeps cannot set it.
	InitParams string `json:"init_params,omitempty"`
}

// DefaultConfig returns the defaults of every field (see [Fields]).
func DefaultConfig() Config { return defaults }

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

const clipWant = `none, value:C or norm:C with C > 0 (e.g. norm:1)`

// ParseClip parses "none", "value:C" or "norm:C" with C > 0.
func ParseClip(s string) (Clip, error) {
	if s == "none" {
		return Clip{Kind: "none"}, nil
	}
	kind, num, ok := strings.Cut(s, ":")
	c, err := strconv.ParseFloat(num, 64)
	if !ok || (kind != "value" && kind != "norm") || err != nil || !(c > 0) || math.IsInf(c, 0) {
		return Clip{}, &ConfigError{"clip", strconv.Quote(s), clipWant}
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

// Validate checks every field by the rule of its [Field], in field order, and returns a
// *ConfigError for the first bad one.
func (c Config) Validate() error {
	for _, f := range fields {
		if err := f.validate(c); err != nil {
			return err
		}
	}
	return nil
}

// Resolve applies the parameter budget, if any: it sets Hidden to the largest hidden size
// whose network fits in Params parameters. Trial ids are computed from resolved configs.
func (c Config) Resolve() (Config, error) {
	if c.Params == 0 {
		return c, nil
	}
	if err := fieldIndex["params"].validate(c); err != nil {
		return c, err
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
