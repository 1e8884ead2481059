package results

import (
	"fmt"
	"sort"
	"strings"
)

// BuildCount is how many trials of a table one build of expctl computed.
type BuildCount struct {
	Build  string // e.g. "expctl 0.2.0, openblas build, revision 0d18b42c1a2b"
	Trials int
}

// buildName names the build that computed a result: its version, arithmetic and, where
// recorded, VCS revision.
func buildName(r *Result) string {
	parts := []string{"expctl " + r.Version}
	if r.Build != "" {
		parts = append(parts, r.Build+" build")
	}
	if rev := r.Revision; rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if r.Modified {
			rev += " with uncommitted changes"
		}
		parts = append(parts, "revision "+rev)
	}
	return strings.Join(parts, ", ")
}

// buildsOf counts the finished trials by the build that computed them, most trials
// first; nil when they all come from one build.
func buildsOf(trials []*Trial) []BuildCount {
	n := map[string]int{}
	for _, t := range trials {
		if t.Result != nil {
			n[buildName(t.Result)]++
		}
	}
	if len(n) < 2 {
		return nil
	}
	out := make([]BuildCount, 0, len(n))
	for b, k := range n {
		out = append(out, BuildCount{b, k})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Trials != out[j].Trials {
			return out[i].Trials > out[j].Trials
		}
		return out[i].Build < out[j].Build
	})
	return out
}

// buildsNote is the footnote of a table whose trials different builds computed.
func buildsNote(bs []BuildCount) string {
	parts := make([]string, len(bs))
	for i, b := range bs {
		parts[i] = fmt.Sprintf("%s (%s)", b.Build, plural(b.Trials, "trial", "trials"))
	}
	return "Computed by different builds, whose numbers may differ: " + strings.Join(parts, "; ") + "."
}
