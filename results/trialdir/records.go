package trialdir

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// RecordFile is a per-evaluation record of a trial: a CSV file of rows of type R that
// grows by one block of rows per evaluation. Its first column is the training step. A
// crash in the middle of an append can leave a partial last line, or the first rows of a
// block: readers ignore both (they read only whole blocks), and a resumed trial truncates
// the file to its checkpoint ([Rewind]).
//
// The record files of a trial are [Curve], [GradFlow] and [Spectra]; a new kind of record
// is a row type, its RecordFile, and an entry in the list that [Rewind] and [Restart] go
// through.
type RecordFile[R any] struct {
	name   string
	header []string
	encode func(R) []string
	decode func(fields []string) (R, error)
	// whole, for a record of several rows per evaluation, reports whether last, the rows of
	// the file's last step, are the whole block an evaluation appends. first holds the rows
	// of the file's first step, or is nil when last is the first step's block; dir is the
	// trial directory, "" when the content is not read from one. Nil: every row is a block.
	whole func(dir string, first, last []R) bool
	step  func(R) int
}

// recordFile is a [RecordFile] of any row type.
type recordFile interface {
	Name() string
	truncate(dir string, step int) error
}

// recordFiles are every per-evaluation record of a trial.
var recordFiles = []recordFile{Curve, GradFlow, Spectra}

// Outputs lists the files a finished trial leaves: config.json, every record file,
// params.npz, then result.json. Two runs of one config hold them with equal content, wall-clock fields
// aside ([StripWallClock]).
func Outputs() []string {
	names := []string{ConfigFile}
	for _, r := range recordFiles {
		names = append(names, r.Name())
	}
	return append(names, ParamsFile, ResultFile)
}

// Rewind truncates every record file of the trial in dir to the rows of steps up to and
// including step, atomically, so that a trial resumed after step appends what it records
// again. A missing record file is created with its header only.
func Rewind(dir string, step int) error {
	for _, f := range recordFiles {
		if err := f.truncate(dir, step); err != nil {
			return err
		}
	}
	return nil
}

// Restart removes every record file of the trial in dir, for a trial that starts from
// step 0: what an earlier, unfinished attempt appended is dropped.
func Restart(dir string) error {
	for _, f := range recordFiles {
		if err := remove(dir, f.Name()); err != nil {
			return fmt.Errorf("start trial: %w", err)
		}
	}
	return nil
}

// Name is the file's name inside a trial directory.
func (f *RecordFile[R]) Name() string { return f.name }

func (f *RecordFile[R]) headerLine() string { return strings.Join(f.header, ",") }

func (f *RecordFile[R]) path(dir string) string { return filepath.Join(dir, f.name) }

// encodeRows renders rows as CSV, after the header row when header is true.
func (f *RecordFile[R]) encodeRows(rows []R, header bool) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if header {
		w.Write(f.header)
	}
	for _, r := range rows {
		w.Write(f.encode(r))
	}
	w.Flush()
	return b.Bytes()
}

// Encode renders rows as the whole file, header included.
func (f *RecordFile[R]) Encode(rows []R) []byte { return f.encodeRows(rows, true) }

// Append appends rows to the file in dir, creating it with its header and mode
// [FileMode] (less the umask) if it does not exist, and syncs it. When the rows cannot be
// written whole (a full disk), the file is cut back to its previous length.
func (f *RecordFile[R]) Append(dir string, rows []R) error {
	path := f.path(dir)
	fi, err := os.Stat(path)
	fresh := errors.Is(err, fs.ErrNotExist)
	file, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, FileMode)
	if err != nil {
		return fmt.Errorf("append %s: %w", path, err)
	}
	data := f.encodeRows(rows, fresh)
	faultPoint("append", path, file, data)
	if _, err := file.Write(data); err != nil {
		if fresh {
			file.Truncate(0)
		} else {
			file.Truncate(fi.Size())
		}
		file.Close()
		return fmt.Errorf("append %s: %w", path, err)
	}
	if err := file.Sync(); err != nil {
		file.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err := file.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	return nil
}

// Read reads the file in dir, without a partial block an interrupted append left at its
// end. It returns an error wrapping fs.ErrNotExist when the file does not exist.
func (f *RecordFile[R]) Read(dir string) ([]R, error) {
	path := f.path(dir)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	rows, err := f.decodeRows(b, path)
	if err != nil {
		return nil, err
	}
	return f.wholeBlocks(dir, rows), nil
}

// Decode parses the content of the file, ignoring a partial last line and a partial last
// block, as far as the content alone tells (see [RecordFile.Read]); name is used in
// errors.
func (f *RecordFile[R]) Decode(data []byte, name string) ([]R, error) {
	rows, err := f.decodeRows(data, name)
	if err != nil {
		return nil, err
	}
	return f.wholeBlocks("", rows), nil
}

// wholeBlocks returns rows without their last block when that block is partial.
func (f *RecordFile[R]) wholeBlocks(dir string, rows []R) []R {
	if f.whole == nil || len(rows) == 0 {
		return rows
	}
	firstEnd := 1
	for firstEnd < len(rows) && f.step(rows[firstEnd]) == f.step(rows[0]) {
		firstEnd++
	}
	lastStart := len(rows) - 1
	for lastStart > 0 && f.step(rows[lastStart-1]) == f.step(rows[len(rows)-1]) {
		lastStart--
	}
	var first []R
	if lastStart > 0 {
		first = rows[:firstEnd]
	}
	if f.whole(dir, first, rows[lastStart:]) {
		return rows
	}
	return rows[:lastStart]
}

// decodeRows parses the content of the file, ignoring a partial last line.
func (f *RecordFile[R]) decodeRows(data []byte, name string) ([]R, error) {
	lines, err := f.lines(data, name)
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(strings.NewReader(strings.Join(lines, "\n")))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	out := make([]R, 0, len(recs))
	for i, rec := range recs {
		if len(rec) != len(f.header) {
			return nil, fmt.Errorf("%s:%d: want %d fields", name, i+2, len(f.header))
		}
		row, err := f.decode(rec)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, i+2, err)
		}
		out = append(out, row)
	}
	return out, nil
}

// lines returns the complete lines of the file's content after checking its header,
// without a partial last line.
func (f *RecordFile[R]) lines(data []byte, name string) ([]string, error) {
	text := string(data)
	if i := strings.LastIndexByte(text, '\n'); i != len(text)-1 {
		text = text[:i+1] // a partial last line from an interrupted append
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) == 0 || lines[0] != f.headerLine() {
		return nil, fmt.Errorf("%s: missing header %q", name, f.headerLine())
	}
	return lines[1:], nil
}

// truncate keeps the rows of the file whose step is at most step, atomically.
func (f *RecordFile[R]) truncate(dir string, step int) error {
	path := f.path(dir)
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	var lines []string
	if err == nil {
		if lines, err = f.lines(b, path); err != nil {
			return err
		}
	}
	var out strings.Builder
	out.WriteString(f.headerLine() + "\n")
	for _, line := range lines {
		first, _, _ := strings.Cut(line, ",")
		if s, err := strconv.Atoi(first); err == nil && s <= step {
			out.WriteString(line + "\n")
		}
	}
	return WriteFileAtomic(path, []byte(out.String()))
}

// formatFloat writes v in the shortest exact form; NaN, a value that is not defined, is
// the empty field.
func formatFloat(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// parseFloat reads a field written by formatFloat.
func parseFloat(s string) (float64, error) {
	if s == "" {
		return math.NaN(), nil
	}
	return strconv.ParseFloat(s, 64)
}

// Header returns the names of the file's columns, as its header row lists them.
func (f *RecordFile[R]) Header() []string { return append([]string(nil), f.header...) }
