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
	// Pruned: a prune rule of its sweep stopped it before the end of its budget, as
	// unpromising; Result.Pruned says which rule and at which step.
	Pruned = "pruned"
)

// Prune rules: the Rule of a [Pruning].
const (
	PrunePlateau = "plateau" // the trial's best test loss stopped improving
	PruneHalving = "halving" // successive halving ranked it out of its group at a rung
)

// Pruning records why and when a pruned trial was stopped.
type Pruning struct {
	Step   int    `json:"step"`   // the step it was stopped at: its last evaluation
	Rule   string `json:"rule"`   // PrunePlateau or PruneHalving
	Reason string `json:"reason"` // the rule's finding in words
}

// Result is the content of result.json. Fields that may be undefined (a diverged trial
// has no final loss) are pointers and encode as null. WallSeconds is the only field that
// depends on the wall clock; the [Provenance] fields say where and by which build the
// trial ran. [StripWallClock] drops both kinds.
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
	Pruned       *Pruning `json:"pruned,omitempty"` // Status Pruned: the rule that stopped it
	WallSeconds  float64  `json:"wall_seconds"`
	Version      string   `json:"version"`         // expctl version that produced it
	Build        string   `json:"build,omitempty"` // its arithmetic: "go" or "openblas"
	Provenance
}

// Provenance records where and by which build of expctl a trial ran. Results written
// before it was recorded lack it; every field may be empty where it cannot be found out.
type Provenance struct {
	Revision  string `json:"revision,omitempty"`   // VCS revision expctl was built from
	Modified  bool   `json:"modified,omitempty"`   // the build had uncommitted changes
	GoVersion string `json:"go_version,omitempty"` // the Go toolchain that built it, e.g. "go1.22.2"
	Platform  string `json:"platform,omitempty"`   // operating system and architecture, e.g. "linux/amd64"
	CPU       string `json:"cpu,omitempty"`        // the processor's model name
	Host      string `json:"host,omitempty"`       // the machine's host name
	// Kernels names the code that did the arithmetic, e.g. "gemm avx512, fastmath avx2":
	// the same configuration computed by other kernels differs in the last digits.
	Kernels string `json:"kernels,omitempty"`
}

// provenanceFields are the JSON names of the [Provenance] fields.
var provenanceFields = []string{"revision", "modified", "go_version", "platform", "cpu", "host", "kernels"}

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
