package runner

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/expctl/expctl/experiments"
	"github.com/expctl/expctl/results/trialdir"
)

func paramsConfig(cell, dtype string) experiments.Config {
	c := experiments.DefaultConfig()
	c.Cell, c.Dtype, c.T, c.Hidden, c.Batch, c.Steps, c.EvalEvery, c.TestSize = cell, dtype, 6, 3, 4, 3, 3, 8
	return c
}

// TestParamsNPZ: a finished trial's params.npz holds its final parameters, named, shaped
// and typed as documented, and a trial started from them (--init-params) has another id
// and starts from exactly those weights.
func TestParamsNPZ(t *testing.T) {
	for _, dt := range []string{"float32", "float64"} {
		cfg := paramsConfig("gru-torch", dt)
		out := t.TempDir()
		if _, err := RunTrial(context.Background(), cfg, out, TrialOptions{}); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(out, cfg.ID(), trialdir.ParamsFile)
		arrays, _, err := trialdir.ReadArrays(path)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, a := range arrays {
			names = append(names, a.Name+" "+a.Dtype+" "+shapeString(a.Shape))
		}
		want := []string{"cell/Wrz", "cell/brz", "cell/Win", "cell/bin", "cell/Whn", "cell/bhn", "readout/V", "readout/c"}
		shapes := []string{"(6, 5)", "(6, 1)", "(3, 2)", "(3, 1)", "(3, 3)", "(3, 1)", "(1, 3)", "(1, 1)"}
		for i := range want {
			want[i] += " " + dt + " " + shapes[i]
		}
		if !slices.Equal(names, want) {
			t.Errorf("%s: params.npz holds %q, want %q", dt, names, want)
		}

		init, err := ReadInitParams(path)
		if err != nil {
			t.Fatal(err)
		}
		c2 := cfg
		c2.InitParams = init.Hash
		if c2.ID() == cfg.ID() {
			t.Errorf("init_params does not change the id")
		}
		tr, err := newTrial(c2)
		if err != nil {
			t.Fatal(err)
		}
		if err := tr.setInit(init); err != nil {
			t.Fatal(err)
		}
		for i, a := range tr.net.Arrays() {
			if !slices.Equal(a.Data, arrays[i].Data) {
				t.Errorf("%s: %s not set from the file", dt, a.Name)
			}
		}
		if err := tr.setInit(nil); err == nil {
			t.Error("a config with init_params runs without its weights")
		}
		c2.InitParams = experiments.InitParamsPrefix + strings.Repeat("0", 64)
		tr, _ = newTrial(c2)
		if err := tr.setInit(init); err == nil || !strings.Contains(err.Error(), init.Hash) {
			t.Errorf("weights of another hash: %v", err)
		}
	}
}

// TestInitParamsErrors: the error names the array and both shapes, or the missing and
// unexpected arrays, in one line.
func TestInitParamsErrors(t *testing.T) {
	tr, err := newTrial(paramsConfig("rnn", "float64"))
	if err != nil {
		t.Fatal(err)
	}
	good := tr.net.Arrays()
	bad := slices.Clone(good)
	bad[0].Shape = []int{3, 4}
	bad[0].Data = make([]float64, 12)
	cases := map[string][]trialdir.Array{
		"array cell/W has shape (3, 4), want (3, 5)": bad,
		"missing arrays readout/c":                   good[:3],
		"unexpected arrays extra":                    append(slices.Clone(good), trialdir.Array{Name: "extra", Shape: []int{1}, Data: []float64{1}}),
	}
	for want, arrays := range cases {
		err := tr.net.SetArrays(arrays)
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("got %v, want a line with %q", err, want)
		}
	}
	// float32 values given to a float64 network widen exactly.
	f32 := slices.Clone(good)
	for i := range f32 {
		f32[i].Dtype = "float32"
		f32[i].Data = []float64{}
		for _, v := range good[i].Data {
			f32[i].Data = append(f32[i].Data, float64(float32(v)))
		}
	}
	if err := tr.net.SetArrays(f32); err != nil {
		t.Fatal(err)
	}
	if got := tr.net.Arrays()[0].Data; !slices.Equal(got, f32[0].Data) {
		t.Errorf("float32 weights changed on the way in")
	}
}
