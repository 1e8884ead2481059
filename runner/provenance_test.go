package runner

import (
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	"github.com/expctl/expctl/results/trialdir"
)

// TestProvenance: results record where and by which build they ran, and comparisons of
// trial files leave those fields out.
func TestProvenance(t *testing.T) {
	p := provenance()
	if p.GoVersion != runtime.Version() || p.Platform != runtime.GOOS+"/"+runtime.GOARCH {
		t.Errorf("provenance %+v", p)
	}
	if runtime.GOOS == "linux" && p.CPU == "" {
		t.Errorf("no CPU model from /proc/cpuinfo")
	}
	res := &trialdir.Result{ID: "x", Status: trialdir.Solved, Version: Version, Provenance: trialdir.Provenance{
		Revision: "abc", Modified: true, GoVersion: "go1", Platform: "linux/amd64", CPU: "cpu", Host: "h"}}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{`"revision":"abc"`, `"modified":true`, `"go_version":"go1"`, `"platform":"linux/amd64"`, `"cpu":"cpu"`, `"host":"h"`} {
		if !strings.Contains(string(b), f) {
			t.Errorf("result.json lacks %s: %s", f, b)
		}
	}
	s, err := trialdir.StripWallClock(trialdir.ResultFile, b)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"revision", "modified", "go_version", "platform", "cpu", "host", "wall_seconds"} {
		if strings.Contains(string(s), `"`+f+`"`) {
			t.Errorf("stripped result keeps %s: %s", f, s)
		}
	}
}
