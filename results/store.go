package results

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
)

// File names inside a trial directory.
const (
	ConfigFile = "config.json"
	CurveFile  = "curve.csv"
	ResultFile = "result.json"
)

// Trial statuses.
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

// Point is one row of curve.csv. Seconds (time since the trial started) is the only
// wall-clock column. NaN marks a value that is not defined, e.g. the training loss before
// the first step; it is written as an empty field.
type Point struct {
	Step       int
	TrainLoss  float64 // mean training loss since the previous row
	TestLoss   float64
	TestMetric float64
	GradNorm   float64 // mean global gradient norm before clipping since the previous row
	ClipRate   float64 // fraction of steps since the previous row whose gradients were clipped
	Seconds    float64
}

// CurveHeader is the header row of curve.csv.
var CurveHeader = []string{"step", "train_loss", "test_loss", "test_metric", "grad_norm", "clip_rate", "seconds"}

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

func formatFloat(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// EncodeCurve renders points as curve.csv.
func EncodeCurve(points []Point) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(CurveHeader)
	for _, p := range points {
		w.Write([]string{strconv.Itoa(p.Step), formatFloat(p.TrainLoss), formatFloat(p.TestLoss),
			formatFloat(p.TestMetric), formatFloat(p.GradNorm), formatFloat(p.ClipRate), formatFloat(p.Seconds)})
	}
	w.Flush()
	return buf.Bytes()
}

// WriteCurve replaces dir/curve.csv with points, atomically.
func WriteCurve(dir string, points []Point) error {
	return WriteFileAtomic(filepath.Join(dir, CurveFile), EncodeCurve(points))
}

// ReadCurve reads dir/curve.csv.
func ReadCurve(dir string) ([]Point, error) {
	path := filepath.Join(dir, CurveFile)
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return DecodeCurve(f, path)
}

// DecodeCurve parses curve.csv content; name is used in errors.
func DecodeCurve(r io.Reader, name string) ([]Point, error) {
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(rows) == 0 || len(rows[0]) != len(CurveHeader) {
		return nil, fmt.Errorf("%s: missing or wrong header", name)
	}
	for i, h := range CurveHeader {
		if rows[0][i] != h {
			return nil, fmt.Errorf("%s: header column %d is %q, want %q", name, i+1, rows[0][i], h)
		}
	}
	out := make([]Point, 0, len(rows)-1)
	for ln, row := range rows[1:] {
		var p Point
		var err error
		if p.Step, err = strconv.Atoi(row[0]); err != nil {
			return nil, fmt.Errorf("%s:%d: step: %w", name, ln+2, err)
		}
		fs := []*float64{&p.TrainLoss, &p.TestLoss, &p.TestMetric, &p.GradNorm, &p.ClipRate, &p.Seconds}
		for i, dst := range fs {
			if row[i+1] == "" {
				*dst = math.NaN()
				continue
			}
			if *dst, err = strconv.ParseFloat(row[i+1], 64); err != nil {
				return nil, fmt.Errorf("%s:%d: %s: %w", name, ln+2, CurveHeader[i+1], err)
			}
		}
		out = append(out, p)
	}
	return out, nil
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

// StripWallClock returns the content of a trial file with its wall-clock fields removed
// (curve.csv's seconds column emptied, result.json's wall_seconds dropped), so that two
// runs of one trial can be compared byte for byte. Other files are returned unchanged.
func StripWallClock(name string, data []byte) ([]byte, error) {
	switch filepath.Base(name) {
	case CurveFile:
		pts, err := DecodeCurve(bytes.NewReader(data), name)
		if err != nil {
			return nil, err
		}
		for i := range pts {
			pts[i].Seconds = math.NaN()
		}
		return EncodeCurve(pts), nil
	case ResultFile:
		var m map[string]json.RawMessage
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		delete(m, "wall_seconds")
		return json.Marshal(m)
	}
	return data, nil
}
