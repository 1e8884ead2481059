package results

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// Append-only record files (gradflow.csv, spectra.csv) grow by one block of rows per
// evaluation. A crash in the middle of an append can leave a partial last line: readers
// ignore it, and a resumed trial truncates the file to its checkpoint.

// appendRecords appends body to the file at path, writing header first if the file is new.
func appendRecords(path, header string, body []byte) error {
	_, err := os.Stat(path)
	fresh := errors.Is(err, fs.ErrNotExist)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("append %s: %w", path, err)
	}
	if fresh {
		body = append([]byte(header+"\n"), body...)
	}
	if _, err := f.Write(body); err != nil {
		f.Close()
		return fmt.Errorf("append %s: %w", path, err)
	}
	return f.Close()
}

// readRecords returns the complete lines of a record file after checking its header:
// nil for a missing file, and without a partial last line.
func readRecords(path, header string) ([]string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	text := string(b)
	if i := strings.LastIndexByte(text, '\n'); i != len(text)-1 {
		text = text[:i+1] // a partial last line from an interrupted append
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) == 0 || lines[0] != header {
		return nil, fmt.Errorf("%s: missing header %q", path, header)
	}
	return lines[1:], nil
}

// truncateRecords keeps the rows of a record file whose first field, the training step,
// is at most step, atomically: a resumed trial then appends what it records again.
func truncateRecords(path, header string, step int) error {
	lines, err := readRecords(path, header)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(header + "\n")
	for _, line := range lines {
		first, _, _ := strings.Cut(line, ",")
		if s, err := strconv.Atoi(first); err == nil && s <= step {
			b.WriteString(line + "\n")
		}
	}
	return WriteFileAtomic(path, []byte(b.String()))
}
