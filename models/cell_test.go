package models

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// TestRegistry: every cell is documented, counts its parameters as its formula says, and
// its step compiles in both dtypes.
func TestRegistry(t *testing.T) {
	formulas := map[string]func(D, H int) int{
		"rnn":      func(D, H int) int { return H*(D+H) + H },
		"lstm1997": func(D, H int) int { return 3*H*(D+H) + 3*H },
		"lstm":     func(D, H int) int { return 4*H*(D+H) + 4*H },
		"gru":      func(D, H int) int { return 3*H*(D+H) + 3*H },
		// PyTorch's reset-after GRU: W_r, W_z over [x; h], W_in, W_hn, and b_hn apart.
		"gru-torch": func(D, H int) int { return 2*H*(D+H) + 2*H + H*D + H + H*H + H },
		"cec":       func(D, H int) int { return H*(D+H) + H },
		"irnn":      func(D, H int) int { return H*(D+H) + H },
		// Greff et al. 2016: fused W and b over the gates present and g, one (H, 1)
		// peephole per gate present, and fgr's nine H×H gate-recurrence matrices.
		"peephole": func(D, H int) int { return 4*H*(D+H) + 4*H + 3*H },
		"nig":      func(D, H int) int { return 3*H*(D+H) + 3*H + 2*H },
		"nfg":      func(D, H int) int { return 3*H*(D+H) + 3*H + 2*H },
		"nog":      func(D, H int) int { return 3*H*(D+H) + 3*H + 2*H },
		"niaf":     func(D, H int) int { return 4*H*(D+H) + 4*H + 3*H },
		"noaf":     func(D, H int) int { return 4*H*(D+H) + 4*H + 3*H },
		"np":       func(D, H int) int { return 4*H*(D+H) + 4*H },
		"cifg":     func(D, H int) int { return 3*H*(D+H) + 3*H + 2*H },
		"fgr":      func(D, H int) int { return 4*H*(D+H) + 4*H + 3*H + 9*H*H },
		// Jozefowicz et al. 2015, with the (H, D) input embedding E where the paper adds x.
		"mut1": func(D, H int) int { return H*D + H + H*(D+H) + H + H*H + H + H*D },
		"mut2": func(D, H int) int { return H*(D+H) + H + H*D + H*H + H + H*(D+H) + H },
		"mut3": func(D, H int) int { return 3*H*(D+H) + 3*H },
	}
	for _, info := range Infos() {
		t.Run(info.Name, func(t *testing.T) {
			if info.Summary == "" || info.Equation == "" || info.Count == "" {
				t.Fatalf("incomplete registry entry %+v", info)
			}
			f, ok := formulas[info.Name]
			if !ok {
				t.Fatalf("no parameter formula in this test for %s", info.Name)
			}
			for _, sz := range [][2]int{{2, 3}, {10, 128}} {
				c, err := New(info.Name, Config{In: sz[0], Hidden: sz[1], ForgetBias: 1})
				if err != nil {
					t.Fatal(err)
				}
				if got, want := CountParams(c.Params()), f(sz[0], sz[1]); got != want {
					t.Errorf("D=%d H=%d: %d parameters, formula %q gives %d", sz[0], sz[1], got, info.Count, want)
				}
			}
			for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
				c, _ := New(info.Name, Config{In: 2, Hidden: 3})
				if _, err := NewSequence(c, dt, 4); err != nil {
					t.Errorf("%v: %v", dt, err)
				}
			}
		})
	}
}

func TestLookupErrors(t *testing.T) {
	_, err := New("lsmt", Config{In: 1, Hidden: 1})
	if err == nil || !strings.Contains(err.Error(), "known: ") || !strings.Contains(err.Error(), "lstm") {
		t.Errorf("unknown cell error = %v, want it to list the known cells", err)
	}
	if _, err := New("lstm", Config{In: 1, Hidden: 0}); err == nil {
		t.Error("hidden size 0 accepted")
	}
}

// TestForgetBiasInit: the forget block, and only it, starts at the configured bias.
func TestForgetBiasInit(t *testing.T) {
	c, _ := New("lstm", Config{In: 2, Hidden: 3, ForgetBias: 1.5})
	b := c.Params()[1]
	v := b.Init(rand.New(rand.NewPCG(1, 1)), b.Rows, b.Cols)
	want := []float64{0, 0, 0, 1.5, 1.5, 1.5, 0, 0, 0, 0, 0, 0}
	if fmt.Sprint(v) != fmt.Sprint(want) {
		t.Fatalf("bias init %v, want %v", v, want)
	}
}

// TestInitDeterministic: initial values depend only on the rng given.
func TestInitDeterministic(t *testing.T) {
	draw := func() []float64 {
		c, _ := New("gru", Config{In: 2, Hidden: 5})
		rng := rand.New(rand.NewPCG(9, 9))
		var all []float64
		for _, p := range c.Params() {
			all = append(all, p.Init(rng, p.Rows, p.Cols)...)
		}
		return all
	}
	first, second := draw(), draw()
	if fmt.Sprint(first) != fmt.Sprint(second) {
		t.Fatal("same seed, different initial values")
	}
}

func ExampleInfos() {
	for _, c := range Infos() {
		fmt.Printf("%-9s %s\n", c.Name, c.Count)
	}
	// Output:
	// cec       H(D+H) + H
	// cifg      3H(D+H) + 5H
	// fgr       4H(D+H) + 7H + 9H²
	// gru       3H(D+H) + 3H
	// gru-torch 3H(D+H) + 4H
	// irnn      H(D+H) + H
	// lstm      4H(D+H) + 4H
	// lstm1997  3H(D+H) + 3H
	// mut1      3HD + 2H² + 3H
	// mut2      3H(D+H) + 3H
	// mut3      3H(D+H) + 3H
	// nfg       3H(D+H) + 5H
	// niaf      4H(D+H) + 7H
	// nig       3H(D+H) + 5H
	// noaf      4H(D+H) + 7H
	// nog       3H(D+H) + 5H
	// np        4H(D+H) + 4H
	// peephole  4H(D+H) + 7H
	// rnn       H(D+H) + H
}

// TestRecurrentBlocks: every cell declares the gates of its recurrent matrices, one H-row
// block each, covering the matrix; an LSTM's are i, f, o (sigmoid) and g (tanh).
func TestRecurrentBlocks(t *testing.T) {
	for _, info := range Infos() {
		c, _ := New(info.Name, Config{In: 2, Hidden: 3, ForgetBias: 1})
		blocks := RecurrentBlocks(c)
		if len(blocks) == 0 {
			t.Errorf("%s declares no recurrent block", info.Name)
		}
		for _, p := range c.Params() {
			if len(p.Gates) > 0 && (p.Rows != 3*len(p.Gates) || (p.Cols != 2+3 && p.Cols != 3)) {
				t.Errorf("%s.%s: %d gates for a %dx%d matrix", info.Name, p.Name, len(p.Gates), p.Rows, p.Cols)
			}
		}
	}
	c, _ := New("lstm", Config{In: 2, Hidden: 3})
	var got []string
	for _, b := range RecurrentBlocks(c) {
		got = append(got, fmt.Sprintf("%s[%s %s %g] at (%d,%d)", b.Name, b.Gate.Name, b.Gate.Act, 1/b.Gate.Gamma(), b.Row0, b.Col0))
	}
	want := "W[i sigmoid 4] at (0,2) W[f sigmoid 4] at (3,2) W[o sigmoid 4] at (6,2) W[g tanh 1] at (9,2)"
	if strings.Join(got, " ") != want {
		t.Errorf("lstm blocks %q, want %q", strings.Join(got, " "), want)
	}
}

// TestUsesForgetBias: the cells with a forget gate initialised from Config.ForgetBias use
// it, cifg too (b_i starts at −ForgetBias); the others do not.
func TestUsesForgetBias(t *testing.T) {
	uses := map[string]bool{
		"lstm": true, "peephole": true, "nig": true, "nog": true, "niaf": true, "noaf": true,
		"np": true, "cifg": true, "fgr": true,
		"nfg": false, "lstm1997": false, "gru": false, "gru-torch": false, "rnn": false,
		"irnn": false, "cec": false, "mut1": false, "mut2": false, "mut3": false,
	}
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			want, ok := uses[name]
			if !ok {
				t.Fatalf("this test does not say whether %s uses ForgetBias", name)
			}
			for range 2 { // the second answer comes from the cache
				got, err := UsesForgetBias(name)
				if err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Fatalf("UsesForgetBias(%q) = %v, want %v", name, got, want)
				}
			}
		})
	}
	if _, err := UsesForgetBias("nosuchcell"); err == nil {
		t.Error("an unknown cell: no error")
	}
}
