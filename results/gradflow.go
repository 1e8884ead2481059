package results

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
)

// GradFlowFile holds a trial's gradient-flow record: at initialisation and at every
// evaluation, ‖∂C/∂h_t‖ for every time step t of a fixed diagnostic batch.
const GradFlowFile = "gradflow.csv"

// GradFlowHeader is the header row of gradflow.csv.
var GradFlowHeader = []string{"step", "t", "lag", "norm"}

// FlowPoint is one row of gradflow.csv: at training step Step, the gradient of the loss
// with respect to the hidden state after input t has norm Norm; Lag = L−1−t is how many
// steps before the end of the sequence that state is (for the adding problem, whose loss
// sits at the last step, the distance the gradient has travelled).
type FlowPoint struct {
	Step, T, Lag int
	Norm         float64
}

// EncodeGradFlow renders rows of gradflow.csv, with the header when header is true.
func EncodeGradFlow(rows []FlowPoint, header bool) []byte {
	var b bytes.Buffer
	if header {
		b.WriteString(strings.Join(GradFlowHeader, ",") + "\n")
	}
	for _, r := range rows {
		fmt.Fprintf(&b, "%d,%d,%d,%s\n", r.Step, r.T, r.Lag, formatFloat(r.Norm))
	}
	return b.Bytes()
}

// AppendGradFlow appends rows to dir/gradflow.csv (creating it with its header).
func AppendGradFlow(dir string, rows []FlowPoint) error {
	return appendRecords(filepath.Join(dir, GradFlowFile), strings.Join(GradFlowHeader, ","), EncodeGradFlow(rows, false))
}

// ReadGradFlow reads dir/gradflow.csv; a missing file gives no rows and no error, and a
// partial last line (an interrupted append) is ignored.
func ReadGradFlow(dir string) ([]FlowPoint, error) {
	path := filepath.Join(dir, GradFlowFile)
	lines, err := readRecords(path, strings.Join(GradFlowHeader, ","))
	if err != nil {
		return nil, err
	}
	out := make([]FlowPoint, 0, len(lines))
	for i, line := range lines {
		f := strings.Split(line, ",")
		if len(f) != 4 {
			return nil, fmt.Errorf("%s:%d: want 4 fields", path, i+2)
		}
		var p FlowPoint
		var e1, e2, e3, e4 error
		p.Step, e1 = strconv.Atoi(f[0])
		p.T, e2 = strconv.Atoi(f[1])
		p.Lag, e3 = strconv.Atoi(f[2])
		p.Norm = math.NaN()
		if f[3] != "" {
			p.Norm, e4 = strconv.ParseFloat(f[3], 64)
		}
		if err := errors.Join(e1, e2, e3, e4); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, i+2, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// TruncateGradFlow keeps only the rows up to and including step (atomically), so that a
// resumed trial can append what it records again.
func TruncateGradFlow(dir string, step int) error {
	return truncateRecords(filepath.Join(dir, GradFlowFile), strings.Join(GradFlowHeader, ","), step)
}
