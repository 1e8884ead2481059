package runner

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/expctl/expctl/datasets"
	"github.com/expctl/expctl/experiments"
)

// benchTrial prepares an adding-problem trial at H=128, B=32, float32.
func benchTrial(b *testing.B, cell string, T int) (*trial, *datasets.Batch) {
	b.Helper()
	cfg := experiments.DefaultConfig()
	cfg.Cell, cfg.T, cfg.TestSize = cell, T, 1
	tr, err := newTrial(cfg)
	if err != nil {
		b.Fatal(err)
	}
	batch, err := datasets.TrainBatch(tr.task, cfg.Seed, T, cfg.Batch, 0)
	if err != nil {
		b.Fatal(err)
	}
	return tr, batch
}

// BenchmarkTrainStep times one training step (forward, backpropagation through time,
// clipping, Adam) of the adding problem at H=128, B=32, float32.
//
//	go test ./runner -run '^$' -bench TrainStep -benchmem -benchtime 5x
func BenchmarkTrainStep(b *testing.B) {
	for _, cell := range []string{"rnn", "lstm", "gru"} {
		for _, T := range []int{100, 400, 1000} {
			b.Run(fmt.Sprintf("%s/T%d", cell, T), func(b *testing.B) {
				tr, batch := benchTrial(b, cell, T)
				if _, err := tr.net.Backprop(batch, nil); err != nil { // compile outside the timing
					b.Fatal(err)
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					g, err := tr.net.Backprop(batch, nil)
					if err != nil {
						b.Fatal(err)
					}
					clip(tr.clip, g.Params)
					if err := tr.opt.step(tr.net.Params, g.Params); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkSetup times building and compiling a trial's graphs (network, step programs and
// readouts): it does not depend on T, because no graph is unrolled through time.
//
//	go test ./runner -run '^$' -bench Setup -benchmem
func BenchmarkSetup(b *testing.B) {
	for _, T := range []int{100, 1000} {
		b.Run(fmt.Sprintf("lstm/T%d", T), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				tr, batch := benchTrial(b, "lstm", T)
				if _, err := tr.net.step(batch.Size); err != nil {
					b.Fatal(err)
				}
				if _, err := tr.net.readout(len(batch.LossSteps)*batch.Size, true); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkUnrolledStep is the comparison: the same training step's gradient computed by
// one fully unrolled Gorgonia graph (symbolic Grad, one tape machine), as a naive
// implementation would. It reports the one-off setup (Grad and compile) as setup-s.
//
//	go test ./runner -run '^$' -bench 'TrainStep/.*/T100|UnrolledStep' -benchtime 5x
func BenchmarkUnrolledStep(b *testing.B) {
	for _, cell := range []string{"rnn", "lstm"} {
		for _, T := range []int{100, 200} {
			b.Run(fmt.Sprintf("%s/T%d", cell, T), func(b *testing.B) {
				tr, batch := benchTrial(b, cell, T)
				start := time.Now()
				u := buildUnrolled(b, tr.net, batch, tr.net.zeroStates(batch.Size))
				setup := time.Since(start).Seconds()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					u.run(b)
					u.m.Reset()
				}
				b.ReportMetric(setup, "setup-s")
			})
		}
	}
}

// BenchmarkSweepOverhead measures what the executor adds per trial: starting a worker
// process, writing config.json, reading result.json and bookkeeping. Each trial trains one
// step on a tiny network; the trial's own wall_seconds are subtracted.
//
//	go test ./runner -run '^$' -bench SweepOverhead -benchtime 20x
func BenchmarkSweepOverhead(b *testing.B) {
	spec, err := experiments.ParseSpec("overhead", "overhead", []byte(fmt.Sprintf(`
fixed: {hidden: 4, batch: 1, T: 2, test_size: 1}
budget: {steps: 1, eval_every: 1}
random:
  n: %d
  params: {seed: {int: [1, 1000000000]}}
`, b.N)))
	if err != nil {
		b.Fatal(err)
	}
	opts := SweepOptions{Out: b.TempDir(), Workers: 1, CheckpointEvery: 100, Worker: []string{os.Args[0]},
		WorkerEnv: []string{testWorkerEnv + "=1"}}
	var inTrial float64
	opts.Report = func(e SweepEvent) {
		if e.Kind == TrialFinished {
			inTrial += e.Result.WallSeconds
		}
	}
	b.ResetTimer()
	start := time.Now()
	sum, err := RunSweep(context.Background(), spec, nil, opts)
	if err != nil || sum.Ran != b.N {
		b.Fatalf("%+v, %v", sum, err)
	}
	total := time.Since(start).Seconds()
	b.ReportMetric((total-inTrial)/float64(b.N)*1e3, "overhead-ms/trial")
	b.ReportMetric(inTrial/float64(b.N)*1e3, "in-trial-ms/trial")
}

// BenchmarkSubnormal measures the cost of subnormal floats: a float32 rnn at T=1000 whose
// recurrent weights are scaled down so that ∂C/∂h_t decays through the subnormal range
// (below 1.2e-38) to zero on its way back through the sequence. Compare with scale 1.
//
//	go test ./runner -run '^$' -bench Subnormal -benchtime 3x
func BenchmarkSubnormal(b *testing.B) {
	for _, scale := range []float64{1, 0.3, 0.05} {
		b.Run(fmt.Sprintf("rnn/T1000/Wscale%g", scale), func(b *testing.B) {
			tr, batch := benchTrial(b, "rnn", 1000)
			setFloat64s(tr.net.Params[0], scaled(float64s(tr.net.Params[0]), scale))
			g, err := tr.net.Backprop(batch, nil)
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := tr.net.Backprop(batch, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(g.HNorm[0], "dC/dh_0")
		})
	}
}

func scaled(v []float64, s float64) []float64 {
	for i := range v {
		v[i] *= s
	}
	return v
}
