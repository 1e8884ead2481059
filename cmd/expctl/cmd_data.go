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
			"Batch n of train.npz is the batch of training step n+1. Values are float64 unless\n" +
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
	if err := trialdir.WriteArrays(train, dataArrays(batches, cfg.Dtype, true)); err != nil {
		return err
	}
	testPath := filepath.Join(out, testDataFile)
	if err := trialdir.WriteArrays(testPath, dataArrays([]*datasets.Batch{test}, cfg.Dtype, false)); err != nil {
		return err
	}
	b := batches[0]
	fmt.Fprintf(w, "%s: %d batches of %d sequences, L=%d, D=%d, K=%d, %d loss step(s), %s\n",
		train, cfg.Steps, cfg.Batch, b.Len, b.InDim, b.OutDim, len(b.LossSteps), cfg.Dtype)
	fmt.Fprintf(w, "%s: %d sequences\n", testPath, test.Size)
	return nil
}

// dataArrays lays out batches of one size as the arrays of train.npz (stacked: a leading
// axis of one entry per batch) or, for one batch, of test.npz (no leading axis).
func dataArrays(batches []*datasets.Batch, dtype string, stacked bool) []trialdir.Array {
	b0 := batches[0]
	L, B, D, K, S := b0.Len, b0.Size, b0.InDim, b0.OutDim, len(b0.LossSteps)
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
	for _, s := range b0.LossSteps {
		steps.Data = append(steps.Data, float64(s))
	}
	N := S * B
	for _, b := range batches {
		for t := range L {
			for s := range B {
				for d := range D {
					x.Data = append(x.Data, b.X[(t*D+d)*B+s])
				}
			}
		}
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
	if b0.Labels != nil {
		return []trialdir.Array{x, labels, steps}
	}
	return []trialdir.Array{x, y, steps}
}
