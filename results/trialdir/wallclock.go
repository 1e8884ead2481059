package trialdir

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
)

// StripWallClock returns the content of a trial file with its wall-clock fields removed
// (curve.csv's seconds column emptied, result.json's wall_seconds dropped), so that two
// runs of one trial can be compared byte for byte. result.json's [Provenance] fields (host,
// CPU, revision, …) are dropped too: like the wall clock they tell where a trial ran, not
// what it computed. Other files are returned unchanged.
func StripWallClock(name string, data []byte) ([]byte, error) {
	switch filepath.Base(name) {
	case CurveFile:
		pts, err := Curve.Decode(data, name)
		if err != nil {
			return nil, err
		}
		for i := range pts {
			pts[i].Seconds = math.NaN()
		}
		return Curve.Encode(pts), nil
	case ResultFile:
		var m map[string]json.RawMessage
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		delete(m, "wall_seconds")
		for _, f := range provenanceFields {
			delete(m, f)
		}
		return json.Marshal(m)
	}
	return data, nil
}

// SameTrial reports whether two copies of a trial directory hold the same config, curve
// and result, wall-clock fields aside.
func SameTrial(a, b string) bool {
	for _, f := range []string{ConfigFile, CurveFile, ResultFile} {
		x, errx := os.ReadFile(filepath.Join(a, f))
		y, erry := os.ReadFile(filepath.Join(b, f))
		if errx != nil || erry != nil {
			if (errx == nil) != (erry == nil) {
				return false
			}
			continue
		}
		x, errx = StripWallClock(f, x)
		y, erry = StripWallClock(f, y)
		if errx != nil || erry != nil || !bytes.Equal(x, y) {
			return false
		}
	}
	return true
}
