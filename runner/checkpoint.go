package runner

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/expctl/expctl/results"
)

// CheckpointFile is the name of a trial's checkpoint inside its directory.
const CheckpointFile = "checkpoint.gob"

// checkpointVersion changes whenever the checkpoint layout does; an older checkpoint is
// ignored and its trial restarts.
const checkpointVersion = 2

// state is everything a trial carries from one step to the next. Saved whole, it lets a
// resumed trial continue exactly as if it had never stopped: batches are derived from the
// step number, so there is no random-generator state to keep.
type state struct {
	Version int
	ID      string // the trial id the state belongs to
	Expctl  string // version and build that wrote it: a checkpoint of another is not resumed
	Step    int    // training steps completed

	Params   [][]float64 // network parameters, exact (float32 values convert losslessly)
	OptT     int
	OptM     [][]float64
	OptV     [][]float64
	Curve    []results.Point
	SumLoss  float64 // accumulators of the evaluation window in progress
	SumNorm  float64
	NClipped int
	NWindow  int
	SolvedAt *int
	TestLoss *float64
	TestMetr *float64
	Elapsed  float64 // wall-clock seconds spent before this process took over
}

// producer names the version and build whose checkpoints a trial resumes.
func producer() string { return Version + "/" + Build }

// saveCheckpoint writes the state atomically.
func saveCheckpoint(dir string, s *state) error {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(s); err != nil {
		return fmt.Errorf("encode checkpoint: %w", err)
	}
	return results.WriteFileAtomic(filepath.Join(dir, CheckpointFile), buf.Bytes())
}

// loadCheckpoint returns the saved state of trial id in dir, or nil when there is none
// usable (missing, from another layout version, or for another trial).
func loadCheckpoint(dir, id string) (*state, error) {
	b, err := os.ReadFile(filepath.Join(dir, CheckpointFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read checkpoint: %w", err)
	}
	var s state
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&s); err != nil {
		return nil, fmt.Errorf("%s: corrupt checkpoint: %w", filepath.Join(dir, CheckpointFile), err)
	}
	if s.Version != checkpointVersion || s.ID != id || s.Expctl != producer() {
		return nil, nil
	}
	return &s, nil
}
