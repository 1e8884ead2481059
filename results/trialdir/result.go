package trialdir

import (
	"fmt"
	"os"
	"path/filepath"
)

// Trial statuses: the Status of a [Result].
const (
	Solved   = "solved"   // the task's solve criterion was met on the test set
	Unsolved = "unsolved" // the budget ran out first
	Diverged = "diverged" // the loss or a gradient became NaN or infinite
	Failed   = "failed"   // the trial could not run (an error or a crash)
)

// Result is the content of result.json. Fields that may be undefined (a diverged trial
// has no final loss) are pointers and encode as null. WallSeconds is the only field that
// depends on the wall clock.
type Result struct {
	ID           string   `json:"id"`
	Status       string   `json:"status"`
	StepsRun     int      `json:"steps_run"`
	SolvedAtStep *int     `json:"solved_at_step"`
	TestLoss     *float64 `json:"test_loss"`
	TestMetric   *float64 `json:"test_metric"`
	Metric       string   `json:"metric"`    // name of test_metric, e.g. "acc@0.04"
	Baseline     float64  `json:"baseline"`  // the task's memoryless baseline loss
	Criterion    string   `json:"criterion"` // the solve criterion, in words
	Params       int      `json:"params"`    // trainable parameters
	Error        string   `json:"error,omitempty"`
	WallSeconds  float64  `json:"wall_seconds"`
	Version      string   `json:"version"`         // expctl version that produced it
	Build        string   `json:"build,omitempty"` // its arithmetic: "go" or "openblas"
}

// WriteResult writes dir/result.json, atomically: the trial is finished once it exists.
func WriteResult(dir string, r *Result) error {
	return WriteJSON(filepath.Join(dir, ResultFile), r)
}

// ReadResult reads dir/result.json. It returns an error wrapping fs.ErrNotExist for a
// trial that has not finished.
func ReadResult(dir string) (*Result, error) {
	var r Result
	if err := ReadJSON(filepath.Join(dir, ResultFile), &r); err != nil {
		return nil, err
	}
	if r.Status == "" {
		return nil, fmt.Errorf("%s: no status", filepath.Join(dir, ResultFile))
	}
	return &r, nil
}

// Done reports whether the trial in dir has finished, i.e. its result.json exists.
func Done(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, ResultFile))
	return err == nil
}

// Unfinish removes the trial's result and checkpoint, so that it runs again from the
// start; its records are replaced when it does. Files that are absent, or cannot be
// removed, are skipped.
func Unfinish(dir string) {
	os.Remove(filepath.Join(dir, ResultFile))
	os.Remove(filepath.Join(dir, CheckpointFile))
}
