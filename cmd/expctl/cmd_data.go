package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/expctl/expctl/datasets"
	"github.com/expctl/expctl/experiments"
	"github.com/expctl/expctl/results/trialdir"
	"github.com/expctl/expctl/runner"
)

// Files written by 'expctl data'.
const (
	trainDataFile = "train.npz"
	testDataFile  = "test.npz"
)

func dataCommand() *cli.Command {
	def := experiments.DefaultConfig()
	return &cli.Command{
		Name:         "data",
		Usage:        "write a task's training batches and test set as NumPy .npz files",
		OnUsageError: onUsageError,
		Description: "Writes <out>/train.npz with the batches a trial of this task, T, seed and batch size\n" +
			"trains on at steps 1..--steps, and <out>/test.npz with its --test-size test sequences:\n" +
			"  x           train (N, L, B, D), test (L, M, D): inputs, time-major as torch.nn.RNN reads them\n" +
			"  loss_steps  (S,) int64: the time steps at which the loss reads the output\n" +
			"  y           MSE tasks: train (N, S, B, K), test (S, M, K): targets at the loss steps\n" +
			"  labels      cross-entropy tasks: train (N, S, B), test (S, M) int64: target classes\n" +
			"Batch n of train.npz is the batch of training step n+1. For a task whose length varies\n" +
			"per batch (adding-hochreiter, multiply), train.npz pads each batch with zeros after its\n" +
			"last step to the longest possible length, has loss_steps (N, S) for each batch's own\n" +
			"loss steps and adds lengths (N,) int64; the test set has one length. Values are float64 unless\n" +
			"--dtype float32 (a float32 trial rounds the float64 values to nearest, as numpy's astype does).",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "task", Value: def.Task, Usage: "task: " + strings.Join(datasets.Names(), ", ")},
			&cli.IntFlag{Name: "T", Value: def.T, Usage: "dependency length T"},
			&cli.Uint64Flag{Name: "seed", Value: def.Seed, Usage: "the trial seed the data are derived from"},
			&cli.IntFlag{Name: "batch", Value: def.Batch, Usage: "sequences per training batch B"},
			&cli.IntFlag{Name: "steps", Value: 100, Usage: "training batches N: those of steps 1..N"},
			&cli.IntFlag{Name: "test-size", Value: def.TestSize, Usage: "test sequences M"},
			&cli.StringFlag{Name: "dtype", Value: "float64", Usage: "floating-point type of x and y: float64 or float32"},
			&cli.StringFlag{Name: "out", Value: "data", Usage: "directory that receives train.npz and test.npz"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("data takes no arguments, got %q (flags start with --)", c.Args().First())
			}
			cfg := experiments.DefaultConfig()
			cfg.Task, cfg.T, cfg.Seed, cfg.Batch, cfg.TestSize = c.String("task"), c.Int("T"), c.Uint64("seed"), c.Int("batch"), c.Int("test-size")
			cfg.Steps, cfg.Dtype = c.Int("steps"), c.String("dtype")
			if err := cfg.Validate(); err != nil {
				return err
			}
			return writeData(cfg, c.String("out"), c.App.Writer)
		},
	}
}

// writeData writes train.npz and test.npz for cfg's task, T, seed, batch size, steps,
// test size and dtype into out.
func writeData(cfg experiments.Config, out string, w io.Writer) error {
	task, err := datasets.Lookup(cfg.Task)
	if err != nil {
		return err
	}
	if err := runner.CheckWritable(out); err != nil {
		return err
	}
	batches := make([]*datasets.Batch, cfg.Steps)
	for i := range batches {
		if batches[i], err = datasets.TrainBatch(task, cfg.Seed, cfg.T, cfg.Batch, i); err != nil {
			return err
		}
	}
	test, err := datasets.TestSet(task, cfg.Seed, cfg.T, cfg.TestSize)
	if err != nil {
		return err
	}
	train := filepath.Join(out, trainDataFile)
	if err := trialdir.WriteArrays(train, dataArrays(batches, cfg.Dtype, true, task.Spread != nil)); err != nil {
		return err
	}
	testPath := filepath.Join(out, testDataFile)
	if err := trialdir.WriteArrays(testPath, dataArrays([]*datasets.Batch{test}, cfg.Dtype, false, false)); err != nil {
		return err
	}
	b := batches[0]
	length := fmt.Sprintf("L=%d", b.Len)
	if task.Spread != nil {
		length = fmt.Sprintf("L=%d..%d (padded to %d)", task.Len(cfg.T), task.MaxLen(cfg.T), task.MaxLen(cfg.T))
	}
	fmt.Fprintf(w, "%s: %d batches of %d sequences, %s, D=%d, K=%d, %d loss step(s), %s\n",
		train, cfg.Steps, cfg.Batch, length, b.InDim, b.OutDim, len(b.LossSteps), cfg.Dtype)
	fmt.Fprintf(w, "%s: %d sequences\n", testPath, test.Size)
	return nil
}

// dataArrays lays out batches as the arrays of train.npz (stacked: a leading axis of one
// entry per batch) or, for one batch, of test.npz (no leading axis). Stacked batches of a
// task whose length varies per batch (ragged) are padded with zeros after their last step to
// the longest length, and get per-batch loss_steps (N, S) and lengths (N,).
func dataArrays(batches []*datasets.Batch, dtype string, stacked, ragged bool) []trialdir.Array {
	b0 := batches[0]
	L, B, D, K, S := b0.Len, b0.Size, b0.InDim, b0.OutDim, len(b0.LossSteps)
	ragged = ragged && stacked
	if ragged {
		for _, b := range batches {
			L = max(L, b.Len)
		}
	}
	lead := func(shape ...int) []int {
		if stacked {
			return append([]int{len(batches)}, shape...)
		}
		return shape
	}
	x := trialdir.Array{Name: "x", Shape: lead(L, B, D), Dtype: dtype}
	y := trialdir.Array{Name: "y", Shape: lead(S, B, K), Dtype: dtype}
	labels := trialdir.Array{Name: "labels", Shape: lead(S, B), Dtype: "int64"}
	steps := trialdir.Array{Name: "loss_steps", Shape: []int{S}, Dtype: "int64"}
	lengths := trialdir.Array{Name: "lengths", Shape: []int{len(batches)}, Dtype: "int64"}
	if ragged {
		steps.Shape = []int{len(batches), S}
		for _, b := range batches {
			for _, s := range b.LossSteps {
				steps.Data = append(steps.Data, float64(s))
			}
			lengths.Data = append(lengths.Data, float64(b.Len))
		}
	} else {
		for _, s := range b0.LossSteps {
			steps.Data = append(steps.Data, float64(s))
		}
	}
	N := S * B
	for _, b := range batches {
		for t := range b.Len {
			for s := range B {
				for d := range D {
					x.Data = append(x.Data, b.X[(t*D+d)*B+s])
				}
			}
		}
		x.Data = append(x.Data, make([]float64, (L-b.Len)*B*D)...)
		for j := range S {
			for s := range B {
				if b.Labels != nil {
					labels.Data = append(labels.Data, float64(b.Labels[j*B+s]))
					continue
				}
				for k := range K {
					y.Data = append(y.Data, b.Y[k*N+j*B+s])
				}
			}
		}
	}
	arrays := []trialdir.Array{x, y, steps}
	if b0.Labels != nil {
		arrays = []trialdir.Array{x, labels, steps}
	}
	if ragged {
		arrays = append(arrays, lengths)
	}
	return arrays
}
