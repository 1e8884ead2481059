package trialdir

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// CheckpointVersion changes whenever the checkpoint layout does; a checkpoint of another
// version is ignored and its trial restarts.
const CheckpointVersion = 2

// Checkpoint is checkpoint.gob: everything a trial carries from one step to the next.
// Saved whole, it lets a resumed trial continue exactly as if it had never stopped:
// batches are derived from the step number, so there is no random-generator state to keep.
type Checkpoint struct {
	Version int    // CheckpointVersion when saved
	ID      string // the trial id the state belongs to
	Expctl  string // version and build that wrote it: a checkpoint of another is not resumed
	Step    int    // training steps completed

	Params   [][]float64 // network parameters, exact (float32 values convert losslessly)
	OptT     int
	OptM     [][]float64
	OptV     [][]float64
	Curve    []Point
	SumLoss  float64 // accumulators of the evaluation window in progress
	SumNorm  float64
	NClipped int
	NWindow  int
	SolvedAt *int
	TestLoss *float64
	TestMetr *float64
	Elapsed  float64 // wall-clock seconds spent before this process took over
}

// state is the name checkpoint.gob gives the encoded type.
type state Checkpoint

// SaveCheckpoint writes dir/checkpoint.gob atomically.
func SaveCheckpoint(dir string, c *Checkpoint) error {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode((*state)(c)); err != nil {
		return fmt.Errorf("encode checkpoint: %w", err)
	}
	return WriteFileAtomic(filepath.Join(dir, CheckpointFile), buf.Bytes())
}

// LoadCheckpoint returns the saved state of trial id in dir, or nil when there is none
// usable: missing, of another layout version, for another trial, or written by another
// producer (version and build) than producer. A checkpoint that cannot be decoded
// (truncated, or not a checkpoint) is a *[CorruptError] naming the file.
func LoadCheckpoint(dir, id, producer string) (*Checkpoint, error) {
	path := filepath.Join(dir, CheckpointFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read checkpoint: %w", err)
	}
	var s state
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&s); err != nil {
		return nil, &CorruptError{Path: path, Err: fmt.Errorf("corrupt checkpoint: %w", err)}
	}
	if s.Version != CheckpointVersion || s.ID != id || s.Expctl != producer {
		return nil, nil
	}
	return (*Checkpoint)(&s), nil
}

// RemoveCheckpoint deletes dir/checkpoint.gob, if any: the trial finished.
func RemoveCheckpoint(dir string) {
	os.Remove(filepath.Join(dir, CheckpointFile))
}

// DropLeftCheckpoint removes the checkpoint of a finished trial: one that a process killed
// between writing result.json and removing the checkpoint left behind. It holds the
// trial's lock while it looks, so it never touches a trial that another process is
// running (or running again, after --retry-failed), and it does nothing to an unfinished
// trial. It reports whether it removed a file.
func DropLeftCheckpoint(dir string) bool {
	path := filepath.Join(dir, CheckpointFile)
	if _, err := os.Stat(path); err != nil || !Done(dir) {
		return false
	}
	unlock, err := Lock(dir)
	if err != nil {
		return false
	}
	defer unlock()
	return Done(dir) && os.Remove(path) == nil
}
