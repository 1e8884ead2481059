package trialdir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// TrialList is the content of trials.json: every trial of the sweep, in order.
type TrialList struct {
	Name   string        `json:"name"`
	Trials []ListedTrial `json:"trials"`
	Axes   []string      `json:"axes"` // the fields that vary across the sweep
}

// ListedTrial is one entry of trials.json.
type ListedTrial struct {
	ID     string          `json:"id"`
	Config json.RawMessage `json:"config"`
}

// SweepPath is the directory of the sweep named name under out.
func SweepPath(out, name string) string { return filepath.Join(out, name) }

// WriteSpec writes the sweep's spec.yaml, as the user wrote it, atomically.
func WriteSpec(sweep string, yaml []byte) error {
	return WriteFileAtomic(filepath.Join(sweep, SpecFile), yaml)
}

// SpecHistoryDir is the directory of a sweep that keeps its earlier specs, when one was
// edited in place: spec.1.yaml is the first, spec.2.yaml the next, and so on.
const SpecHistoryDir = "spec-history"

// ReplaceSpec writes the sweep's spec.yaml like [WriteSpec]; a spec.yaml already there
// with other content is first kept in [SpecHistoryDir] under the next free number.
// kept is the path it was kept at, "" when nothing changed or there was none.
func ReplaceSpec(sweep string, yaml []byte) (kept string, err error) {
	old, err := ReadSpec(sweep)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", WriteSpec(sweep, yaml)
	case err != nil:
		return "", fmt.Errorf("read the earlier spec: %w", err)
	case bytes.Equal(old, yaml):
		return "", nil
	}
	hist := filepath.Join(sweep, SpecHistoryDir)
	if err := os.MkdirAll(hist, 0o755); err != nil {
		return "", fmt.Errorf("keep the earlier spec: %w", err)
	}
	for n := 1; ; n++ {
		kept = filepath.Join(hist, fmt.Sprintf("spec.%d.yaml", n))
		if _, err := os.Stat(kept); errors.Is(err, fs.ErrNotExist) {
			break
		}
	}
	if err := WriteFileAtomic(kept, old); err != nil {
		return "", fmt.Errorf("keep the earlier spec: %w", err)
	}
	return kept, WriteSpec(sweep, yaml)
}

// ReadSpec returns the sweep's spec.yaml.
func ReadSpec(sweep string) ([]byte, error) {
	return os.ReadFile(filepath.Join(sweep, SpecFile))
}

// WriteTrialList writes the sweep's trials.json, atomically.
func WriteTrialList(sweep string, l *TrialList) error {
	return WriteJSON(filepath.Join(sweep, TrialsFile), l)
}

// ReadTrialList reads the sweep's trials.json. It returns an error wrapping
// fs.ErrNotExist when there is none.
func ReadTrialList(sweep string) (*TrialList, error) {
	var l TrialList
	if err := ReadJSON(filepath.Join(sweep, TrialsFile), &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// TrialsPath is the path of the sweep's trials.json, for messages about it.
func TrialsPath(sweep string) string { return filepath.Join(sweep, TrialsFile) }
