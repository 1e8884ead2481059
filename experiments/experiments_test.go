package experiments_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/expctl/expctl/experiments"
)

func TestNames(t *testing.T) {
	names := experiments.Names()
	if !slices.Contains(names, "quick") {
		t.Fatalf("Names() = %v, want it to contain quick", names)
	}
	if !slices.IsSorted(names) {
		t.Errorf("Names() = %v, not sorted", names)
	}
	for _, name := range names {
		if strings.HasSuffix(name, ".yaml") || name == "" {
			t.Errorf("Names() has %q, want names without .yaml", name)
		}
		data, err := experiments.Read(name)
		if err != nil {
			t.Errorf("Read(%q): %v", name, err)
			continue
		}
		if !strings.Contains(string(data), "name: "+name+"\n") {
			t.Errorf("Read(%q): the spec does not say name: %s", name, name)
		}
	}
}

func TestReadUnknown(t *testing.T) {
	for _, name := range []string{"", "nope", "quick.yaml", "../quick", "./quick", "QUICK", "*"} {
		data, err := experiments.Read(name)
		if err == nil || data != nil {
			t.Errorf("Read(%q) = %d bytes, %v; want an error", name, len(data), err)
			continue
		}
		if !errors.Is(err, experiments.ErrUnknown) {
			t.Errorf("Read(%q): %v does not wrap ErrUnknown", name, err)
		}
		for _, known := range experiments.Names() {
			if !strings.Contains(err.Error(), known) {
				t.Errorf("Read(%q): %q does not list %s", name, err, known)
			}
		}
	}
}

func Example() {
	data, err := experiments.Read("quick")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strings.SplitN(string(data), "\n", 2)[0])

	_, err = experiments.Read("slow")
	fmt.Println(errors.Is(err, experiments.ErrUnknown))
	// Output:
	// name: quick
	// true
}
