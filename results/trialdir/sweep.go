package trialdir

import (
	"encoding/json"
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
