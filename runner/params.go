package runner

import (
	"fmt"
	"slices"
	"strings"

	"github.com/expctl/expctl/datasets"
	"github.com/expctl/expctl/experiments"
	"github.com/expctl/expctl/models"
	"github.com/expctl/expctl/results/trialdir"
)

// ParamNames are the names of the network's parameters in params.npz, in the order of
// [Network.Params]: "cell/" and the cell's parameter name for each cell parameter (e.g.
// "cell/W", "cell/b"), then "readout/V" (K, H) and "readout/c" (K, 1).
func (n *Network) ParamNames() []string {
	nc := len(n.Cell.Params())
	out := make([]string, len(n.Specs))
	for i, s := range n.Specs {
		owner := "cell/"
		if i >= nc {
			owner = "readout/"
		}
		out[i] = owner + s.Name
	}
	return out
}

// Arrays returns the parameters as named arrays of shape (rows, cols), row-major, in the
// network's dtype: the content of params.npz.
func (n *Network) Arrays() []trialdir.Array {
	names := n.ParamNames()
	out := make([]trialdir.Array, len(n.Params))
	for i, p := range n.Params {
		out[i] = trialdir.Array{Name: names[i], Shape: []int{n.Specs[i].Rows, n.Specs[i].Cols},
			Dtype: n.Dtype.String(), Data: float64s(p)}
	}
	return out
}

// SetArrays replaces the parameters with the named arrays: every parameter must be given
// once, of its shape (rows, cols), and nothing else. Values of another dtype convert to
// the network's: float32 and integers widen to float64 exactly; float64 rounds to the
// nearest float32. The error, in one line, names the missing or unexpected arrays or the
// array of the wrong shape, with the shape expected and found.
func (n *Network) SetArrays(arrays []trialdir.Array) error {
	names := n.ParamNames()
	byName := map[string]trialdir.Array{}
	var extra []string
	for _, a := range arrays {
		if _, dup := byName[a.Name]; dup || !slices.Contains(names, a.Name) {
			extra = append(extra, a.Name)
			continue
		}
		byName[a.Name] = a
	}
	var missing []string
	for _, name := range names {
		if _, ok := byName[name]; !ok {
			missing = append(missing, name)
		}
	}
	net := fmt.Sprintf("cell %s, D=%d, H=%d, K=%d", n.Cell.Name(), n.Cell.Config().In, n.Cell.Config().Hidden, n.Out)
	want := fmt.Sprintf("(want, for %s: %s)", net, strings.Join(names, ", "))
	switch {
	case len(missing) > 0 && len(extra) > 0:
		return fmt.Errorf("missing arrays %s and unexpected arrays %s %s", strings.Join(missing, ", "), strings.Join(extra, ", "), want)
	case len(missing) > 0:
		return fmt.Errorf("missing arrays %s %s", strings.Join(missing, ", "), want)
	case len(extra) > 0:
		return fmt.Errorf("unexpected arrays %s %s", strings.Join(extra, ", "), want)
	}
	for i, name := range names {
		a, s := byName[name], n.Specs[i]
		if len(a.Shape) != 2 || a.Shape[0] != s.Rows || a.Shape[1] != s.Cols {
			return fmt.Errorf("array %s has shape %s, want (%d, %d) for %s", name, shapeString(a.Shape), s.Rows, s.Cols, net)
		}
	}
	for i, name := range names {
		setFloat64s(n.Params[i], byName[name].Data)
	}
	return nil
}

func shapeString(shape []int) string {
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = fmt.Sprint(d)
	}
	if len(parts) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// InitParams are initial weights read from an .npz file, for a trial whose config's
// init_params field holds their hash (see [ReadInitParams]).
type InitParams struct {
	Path   string
	Hash   string // the config's init_params value: "sha256:" and the file's SHA-256
	Arrays []trialdir.Array
}

// ReadInitParams reads the initial weights of a trial from the .npz file at path: one
// array per parameter, named and shaped as in params.npz ([Network.ParamNames]). Set the
// config's InitParams to the result's Hash and pass it in [TrialOptions.InitParams].
func ReadInitParams(path string) (*InitParams, error) {
	arrays, sum, err := trialdir.ReadArrays(path)
	if err != nil {
		return nil, fmt.Errorf("init params: %w", err)
	}
	return &InitParams{Path: path, Hash: experiments.InitParamsPrefix + sum, Arrays: arrays}, nil
}

// setInit replaces the drawn initial weights with init's, which must be the weights whose
// hash the config names.
func (tr *trial) setInit(init *InitParams) error {
	switch {
	case tr.cfg.InitParams == "" && init == nil:
		return nil
	case init == nil:
		return &experiments.ConfigError{Field: "init_params", Value: tr.cfg.InitParams,
			Want: "the weights file it is the hash of ('expctl run trial --init-params FILE.npz')"}
	case tr.cfg.InitParams != init.Hash:
		return &experiments.ConfigError{Field: "init_params", Value: fmt.Sprintf("%q", tr.cfg.InitParams),
			Want: fmt.Sprintf("%s, the hash of %s", init.Hash, init.Path)}
	}
	if err := tr.net.SetArrays(init.Arrays); err != nil {
		return fmt.Errorf("init params %s: %w", init.Path, err)
	}
	return nil
}

// CheckInitParams reports, as [RunTrialIn] would, whether init can start the trial of cfg:
// the hash cfg names and every array's name and shape. It trains nothing.
func CheckInitParams(cfg experiments.Config, init *InitParams) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	task, err := datasets.Lookup(cfg.Task)
	if err != nil {
		return err
	}
	cell, err := models.New(cfg.Cell, models.Config{In: task.InDim, Hidden: cfg.Hidden, ForgetBias: cfg.ForgetBias})
	if err != nil {
		return err
	}
	net, err := NewNetwork(cell, task.Loss, task.OutDim, cfg.TensorDtype(), initRNG(cfg.Seed))
	if err != nil {
		return err
	}
	return (&trial{cfg: cfg, net: net}).setInit(init)
}
