package runner

import (
	"slices"
	"testing"
)

// TestOneThreadEnv: a worker gets GOMAXPROCS=1 and OPENBLAS_NUM_THREADS=1 unless its
// environment sets them already.
func TestOneThreadEnv(t *testing.T) {
	for _, tc := range []struct {
		env, want []string
	}{
		{[]string{"HOME=/h"}, []string{"HOME=/h", "GOMAXPROCS=1", "OPENBLAS_NUM_THREADS=1"}},
		{[]string{"GOMAXPROCS=4"}, []string{"GOMAXPROCS=4", "OPENBLAS_NUM_THREADS=1"}},
		{[]string{"OPENBLAS_NUM_THREADS=2", "GOMAXPROCS=3"}, []string{"OPENBLAS_NUM_THREADS=2", "GOMAXPROCS=3"}},
		{[]string{"GOMAXPROCS_X=4"}, []string{"GOMAXPROCS_X=4", "GOMAXPROCS=1", "OPENBLAS_NUM_THREADS=1"}},
	} {
		if got := oneThreadEnv(slices.Clone(tc.env)); !slices.Equal(got, tc.want) {
			t.Errorf("oneThreadEnv(%q) = %q, want %q", tc.env, got, tc.want)
		}
	}
}
