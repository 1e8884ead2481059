//go:build faultinject

package trialdir

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// A binary built with -tags faultinject can be killed at a chosen point of writing a trial
// directory, to test that a crashed machine or a job killed outright loses nothing but the
// work since the last checkpoint. Builds without the tag have no kill points.
//
// KillAtEnv is <op>:<file>:<n>: the process kills its whole process group with SIGKILL
// the n-th time (counted from 1, in this process) it reaches the point op of the file
// named file. The points are
//
//	write:<file>   halfway through writing the temporary file of an atomic write
//	rename:<file>  the temporary file complete and synced, not yet renamed over <file>
//	after:<file>   just after <file> was replaced (renamed, directory synced)
//	append:<file>  halfway through appending a block to a record file or a line to the
//	               attempts file
//
// Before it kills, the process appends "<op>:<file> <n> <trial directory> <pid>" and a
// newline to the file that KillLogEnv names, if set.
const (
	KillAtEnv  = "EXPCTL_KILL_AT"
	KillLogEnv = "EXPCTL_KILL_LOG"
)

var kill struct {
	once  sync.Once
	mu    sync.Mutex
	point string
	n     int
	seen  int
}

// faultPoint kills the process group when it is the point and occurrence of KillAtEnv.
// With f and data, it first writes the first half of data to f and syncs it: a write cut
// short.
func faultPoint(op, path string, f *os.File, data []byte) {
	kill.once.Do(func() {
		spec := os.Getenv(KillAtEnv)
		i := strings.LastIndexByte(spec, ':')
		if i < 0 {
			return
		}
		n, err := strconv.Atoi(spec[i+1:])
		if err != nil || n < 1 {
			return
		}
		kill.point, kill.n = spec[:i], n
	})
	point := op + ":" + filepath.Base(path)
	if kill.point == "" || point != kill.point {
		return
	}
	kill.mu.Lock()
	defer kill.mu.Unlock()
	kill.seen++
	if kill.seen != kill.n {
		return
	}
	if f != nil && len(data) > 1 {
		f.Write(data[:len(data)/2])
		f.Sync()
	}
	if log := os.Getenv(KillLogEnv); log != "" {
		line := fmt.Sprintf("%s %d %s %d\n", point, kill.n, filepath.Dir(path), os.Getpid())
		appendLog(log, line)
	}
	syscall.Kill(0, syscall.SIGKILL)
	for { // the signal is on its way
		time.Sleep(time.Second)
	}
}

// appendLog appends line to the file at path and syncs it.
func appendLog(path, line string) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, FileMode)
	if err != nil {
		return
	}
	f.WriteString(line)
	f.Sync()
	f.Close()
}
