package experiments

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

// TestFieldsDescribeConfig checks the field table against Config: one field per JSON key,
// in declaration order, each addressing its own struct field with the kind of its type.
func TestFieldsDescribeConfig(t *testing.T) {
	typ := reflect.TypeFor[Config]()
	if len(fields) != typ.NumField() {
		t.Fatalf("%d fields in the table, %d in Config", len(fields), typ.NumField())
	}
	kinds := map[reflect.Kind]Kind{reflect.String: KindString, reflect.Int: KindInt,
		reflect.Uint64: KindUint, reflect.Float64: KindFloat, reflect.Bool: KindBool}
	samples := map[Kind]any{KindString: "x", KindInt: 7, KindUint: uint64(7), KindFloat: 0.25, KindBool: true}
	for i, f := range fields {
		sf := typ.Field(i)
		key, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if f.Key != key || f.index != i {
			t.Errorf("field %d: key %q, index %d; Config has %q", i, f.Key, f.index, key)
		}
		ft := sf.Type
		if optional := ft.Kind() == reflect.Pointer; optional != f.Optional {
			t.Errorf("%s: Optional %v, Config's type %s", f.Key, f.Optional, ft)
		} else if optional {
			ft = ft.Elem()
		}
		if kinds[ft.Kind()] != f.Kind {
			t.Errorf("%s: kind %d, Config's type %s", f.Key, f.Kind, ft)
		}
		if f.Flag != "" && f.Flag != strings.ReplaceAll(f.Key, "_", "-") {
			t.Errorf("%s: flag %q", f.Key, f.Flag)
		}
		if (f.Default == nil) != f.Optional {
			t.Errorf("%s: default %v", f.Key, f.Default)
		}

		// Setting the field through the table changes that key of config.json alone.
		c := DefaultConfig()
		before := jsonMap(t, c)
		if err := f.Set(&c, samples[f.Kind]); err != nil {
			t.Fatal(err)
		}
		if got := f.Value(c); got != samples[f.Kind] {
			t.Errorf("%s: Value %v after Set %v", f.Key, got, samples[f.Kind])
		}
		after := jsonMap(t, c)
		for k := range after {
			if changed := !reflect.DeepEqual(before[k], after[k]); changed != (k == f.Key) {
				t.Errorf("setting %s changes %s: %v -> %v", f.Key, k, before[k], after[k])
			}
		}
		if err := f.Set(&c, struct{}{}); err == nil {
			t.Errorf("%s: Set accepts a struct", f.Key)
		}
	}
}

func jsonMap(t *testing.T, c Config) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(c.Canonical(), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestDefaultConfig pins the defaults: they are part of every trial id.
func TestDefaultConfig(t *testing.T) {
	want := `{"task":"adding","T":50,"cell":"lstm","hidden":128,"batch":32,"steps":3000,` +
		`"optimizer":"adam","lr":0.001,"momentum":0,"decay":0.9,"beta1":0.9,"beta2":0.999,` +
		`"epsilon":1e-8,"clip":"norm:1","dtype":"float32","seed":1,"eval_every":100,` +
		`"test_size":1000,"forget_bias":1,"keep_going":false}`
	if got := string(DefaultConfig().Canonical()); got != want {
		t.Errorf("DefaultConfig:\n got %s\nwant %s", got, want)
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Error(err)
	}
}

// TestValidateRules gives each checked field a bad value: Validate names that field.
func TestValidateRules(t *testing.T) {
	bad := map[string]any{"task": "nope", "T": 1, "cell": "nope", "hidden": 0, "batch": 0,
		"steps": -1, "optimizer": "nope", "lr": 0.0, "momentum": 1.0, "decay": -0.5, "beta1": 1.0,
		"beta2": 2.0, "epsilon": -1e-8, "rms_init": -1e-3, "clip": "norm:0", "dtype": "float16", "eval_every": 0,
		"test_size": 0, "forget_bias": math.Inf(1), "params": -1, "solve_loss": math.NaN(),
		"solve_metric": math.Inf(-1), "init_params": "sha256:0123",
		"plateau_patience": -1, "plateau_delta": 1.0, "plateau_min_steps": -5,
		"halving": "over=lr;rungs=150;factor=3"}
	for _, f := range fields {
		v, ok := bad[f.Key]
		if !ok {
			if f.check != nil {
				t.Errorf("%s: no bad value to try", f.Key)
			}
			continue
		}
		c := DefaultConfig()
		if err := f.Set(&c, v); err != nil {
			t.Fatal(err)
		}
		var ce *ConfigError
		if err := c.Validate(); !errors.As(err, &ce) || ce.Field != f.Key {
			t.Errorf("%s = %v: Validate gives %v", f.Key, v, err)
		}
	}
}

// TestSectionFields checks that every key of budget and solve names a field.
func TestSectionFields(t *testing.T) {
	for _, sec := range []section{budgetSection, solveSection} {
		for _, k := range sec.keys {
			if k.f == nil || (k.negate && k.f.Kind != KindBool) {
				t.Errorf("%s.%s: field %v", sec.name, k.key, k.f)
			}
		}
	}
}

// TestInitParamsTrialOnly: a sweep spec cannot set init_params, and a config that leaves
// it empty keeps its canonical form and id.
func TestInitParamsTrialOnly(t *testing.T) {
	for _, src := range []string{"fixed: {init_params: \"sha256:00\"}\n", "grid: {init_params: [\"\"]}\n"} {
		_, err := ParseSpec("s.yaml", "s", []byte(src))
		if err == nil || !strings.Contains(err.Error(), "init_params") || !strings.Contains(err.Error(), "single trial") {
			t.Errorf("%q: error %v, want one saying init_params is for a single trial", src, err)
		}
	}
	c := DefaultConfig()
	if strings.Contains(string(c.Canonical()), "init_params") {
		t.Errorf("default config mentions init_params: %s", c.Canonical())
	}
	id := c.ID()
	c.InitParams = InitParamsPrefix + strings.Repeat("ab", 32)
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.ID() == id {
		t.Error("init_params does not change the trial id")
	}
}
