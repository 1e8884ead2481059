package trialdir

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// File names inside a trial directory.
const (
	ConfigFile     = "config.json"
	CurveFile      = "curve.csv"
	ResultFile     = "result.json"
	GradFlowFile   = "gradflow.csv"
	SpectraFile    = "spectra.csv"
	CheckpointFile = "checkpoint.gob"
	lockFile       = ".lock"
)

// File names inside a sweep directory.
const (
	// TrialsFile lists a sweep's trials, written by the sweep executor: the resolved spec.
	TrialsFile = "trials.json"
	// SpecFile is the copy of the sweep's specification, as the user wrote it.
	SpecFile = "spec.yaml"
)

// TrialPath is the directory of trial id in the sweep directory sweep.
func TrialPath(sweep, id string) string { return filepath.Join(sweep, id) }

// WriteFileAtomic replaces path with data: it writes a temporary file in the same
// directory, syncs it, renames it over path and syncs the directory. On any error the old
// file, if any, is untouched and the temporary file is removed.
func WriteFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("rename into %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// WriteJSON writes v as indented JSON atomically.
func WriteJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return WriteFileAtomic(path, append(b, '\n'))
}

// ReadJSON decodes the JSON file at path into v.
func ReadJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// remove deletes the file name in dir; a file that does not exist is no error.
func remove(dir, name string) error {
	if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// Has reports whether the directory dir holds the file name (one of the names above).
func Has(dir, name string) bool {
	_, err := os.Stat(filepath.Join(dir, name))
	return err == nil
}
