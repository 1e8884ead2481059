package experiments

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

//go:embed *.yaml
var files embed.FS

// ErrUnknown is wrapped by the error [Read] returns for a name that is not a built-in
// experiment.
var ErrUnknown = errors.New("unknown experiment")

// Names returns the built-in experiment names (file names without .yaml), sorted.
func Names() []string {
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		return nil // the embedded directory always reads
	}
	var names []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".yaml"); ok && !e.IsDir() {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// Read returns the YAML of a built-in experiment; the error for an unknown name wraps
// [ErrUnknown] and lists the known ones.
func Read(name string) ([]byte, error) {
	if slices.Contains(Names(), name) {
		if data, err := files.ReadFile(name + ".yaml"); err == nil {
			return data, nil
		}
	}
	return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknown, name, strings.Join(Names(), ", "))
}
