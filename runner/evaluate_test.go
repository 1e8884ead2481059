package runner

import (
	"testing"

	"github.com/expctl/expctl/experiments"
)

// TestEvaluateSumsChunksInOrder: the test loss and metric are the sums, in chunk order, of
// each chunk's value weighted by its share of the test set. The order is part of what makes
// two versions of expctl give the same bits for one config, so it is checked exactly: a
// test set of several chunks (one of them partial), evaluated chunk by chunk here.
func TestEvaluateSumsChunksInOrder(t *testing.T) {
	for _, tc := range []struct {
		task, cell, dtype string
	}{
		{"adding", "lstm", "float64"}, {"adding", "rnn", "float32"},
		{"copy", "gru", "float64"}, {"copy", "lstm", "float32"},
	} {
		for seed := uint64(1); seed <= 4; seed++ { // a reordered sum need not change every value's last bit
			cfg := experiments.DefaultConfig()
			cfg.Task, cfg.Cell, cfg.Dtype, cfg.Seed = tc.task, tc.cell, tc.dtype, seed
			cfg.T, cfg.Hidden, cfg.TestSize = 8, 8, 3*evalChunk+117
			tr, err := newTrial(cfg)
			if err != nil {
				t.Fatal(err)
			}
			loss, metric, err := tr.evaluate()
			if err != nil {
				t.Fatal(err)
			}
			var wantLoss, wantMetric float64
			n := cfg.TestSize
			for lo := 0; lo < n; lo += evalChunk {
				hi := min(lo+evalChunk, n)
				b := tr.test.Slice(lo, hi)
				out, err := tr.net.Forward(b)
				if err != nil {
					t.Fatal(err)
				}
				w := float64(hi-lo) / float64(n)
				wantLoss += w * out.Loss
				wantMetric += w * tr.task.Metric(b, out.Y)
			}
			if loss != wantLoss || metric != wantMetric {
				t.Errorf("%+v seed %d: evaluate gives loss %v, metric %v; the chunks summed in order give %v, %v",
					tc, seed, loss, metric, wantLoss, wantMetric)
			}
		}
	}
}
