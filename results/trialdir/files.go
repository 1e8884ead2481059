package trialdir

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
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

// FileMode is the mode every file of a sweep or trial directory is created with, before the
// umask applies: with the usual umask 022, readable by everyone and writable by its owner.
const FileMode os.FileMode = 0o644

// tempMarker separates a file's name from the random suffix of its temporary files:
// the temporary files of config.json are named .config.json.tmp-<digits>.
const tempMarker = ".tmp-"

// IsTemp reports whether name is the name of a temporary file of [WriteFileAtomic]: one
// that a process killed before renaming it leaves behind, and that nothing reads.
func IsTemp(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, tempMarker)
}

// createTemp creates a new temporary file for path in its directory, with mode [FileMode]
// (less the umask), where os.CreateTemp would give 0600.
func createTemp(path string) (*os.File, error) {
	dir, base := filepath.Dir(path), "."+filepath.Base(path)+tempMarker
	for range 10000 {
		name := filepath.Join(dir, base+strconv.FormatUint(rand.Uint64()%1e12, 10))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, FileMode)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, &fs.PathError{Op: "createtemp", Path: filepath.Join(dir, base+"*"), Err: fs.ErrExist}
}

// RemoveTemps deletes the temporary files in dir that an interrupted [WriteFileAtomic] left
// behind. Only the process that holds the trial's lock may call it: it removes every
// temporary file, including one being written. It returns the names it removed.
func RemoveTemps(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("remove temporary files: %w", err)
	}
	var removed []string
	for _, e := range entries {
		if !e.Type().IsRegular() || !IsTemp(e.Name()) {
			continue
		}
		if err := remove(dir, e.Name()); err != nil {
			return removed, fmt.Errorf("remove temporary file: %w", err)
		}
		removed = append(removed, e.Name())
	}
	return removed, nil
}

// NoSpace reports whether err is the device running out of space or the user out of
// quota: a trial that stops for it has not failed, and runs again once space is freed.
func NoSpace(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

// WriteFileAtomic replaces path with data: it writes a temporary file in the same
// directory with mode [FileMode] (less the umask), syncs it, renames it over path and
// syncs the directory. On any error the old file, if any, is untouched and the temporary
// file is removed.
func WriteFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	f, err := createTemp(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	faultPoint("write", path, f, data)
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, bare(err))
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", path, bare(err))
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, bare(err))
	}
	faultPoint("rename", path, nil, nil)
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("rename into %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	faultPoint("after", path, nil, nil)
	return nil
}

// bare is err without the name of the temporary file it may carry: errors name the file
// being replaced instead.
func bare(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
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
