//go:build !faultinject

package trialdir

import "os"

// faultPoint marks a point where a build with the faultinject tag can kill the process
// (see fault_inject.go). In other builds it does nothing and compiles away.
func faultPoint(op, path string, f *os.File, data []byte) {}
