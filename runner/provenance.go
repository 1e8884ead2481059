package runner

import (
	"bufio"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/expctl/expctl/models/engine"
	"github.com/expctl/expctl/results/trialdir"
)

// provenance describes this process: the build of expctl, the machine it runs on. It is
// recorded in every result; it is found out once.
var provenance = sync.OnceValue(func() trialdir.Provenance {
	p := trialdir.Provenance{GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH, CPU: cpuModel(),
		Kernels: engine.Kernels()}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				p.Revision = s.Value
			case "vcs.modified":
				p.Modified = s.Value == "true"
			}
		}
	}
	if h, err := os.Hostname(); err == nil {
		p.Host = h
	}
	return p
})

// cpuModel is the processor's model name from /proc/cpuinfo; "" where there is none.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
