package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/expctl/expctl/datasets"
	"github.com/expctl/expctl/experiments"
	"github.com/expctl/expctl/results/trialdir"
)

// readData reads an .npz file of 'expctl data' back into its arrays by name.
func readData(t *testing.T, path string) map[string]trialdir.Array {
	t.Helper()
	arrays, _, err := trialdir.ReadArrays(path)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]trialdir.Array{}
	for _, a := range arrays {
		m[a.Name] = a
	}
	return m
}

// batchAt rebuilds batch n (of a stacked train.npz; n = -1 for test.npz) in the layout of
// datasets.Batch, from the documented layout of the arrays.
func batchAt(m map[string]trialdir.Array, n int, task datasets.Task) *datasets.Batch {
	x := m["x"]
	shape := x.Shape
	if n >= 0 {
		shape = shape[1:]
	} else {
		n = 0
	}
	P, B, D := shape[0], shape[1], shape[2] // P: the padded length
	L, steps := P, m["loss_steps"]
	if lengths, ok := m["lengths"]; ok { // ragged train.npz: batch n's own length and loss steps
		L = int(lengths.Data[n])
		S := steps.Shape[1]
		steps.Data = steps.Data[n*S : (n+1)*S]
	}
	b := &datasets.Batch{Len: L, Size: B, InDim: D, OutDim: task.OutDim, X: make([]float64, L*D*B)}
	for _, s := range steps.Data {
		b.LossSteps = append(b.LossSteps, int(s))
	}
	S, K := len(b.LossSteps), task.OutDim
	for t := range P {
		for s := range B {
			for d := range D {
				v := x.Data[n*P*B*D+(t*B+s)*D+d]
				if t < L {
					b.X[(t*D+d)*B+s] = v
				} else if v != 0 {
					b.X = nil // padding must be zero
				}
			}
		}
	}
	if task.Loss == datasets.CrossEntropy {
		for _, v := range m["labels"].Data[n*S*B : (n+1)*S*B] {
			b.Labels = append(b.Labels, int(v))
		}
		return b
	}
	b.Y = make([]float64, K*S*B)
	for j := range S {
		for s := range B {
			for k := range K {
				b.Y[k*S*B+j*B+s] = m["y"].Data[n*S*B*K+(j*B+s)*K+k]
			}
		}
	}
	return b
}

// TestDataRoundTrip: the batches of train.npz are those a trial draws at steps 1..N, and
// test.npz is its test set, for every task; numpy reads the same shapes when it is there.
func TestDataRoundTrip(t *testing.T) {
	for _, name := range datasets.Names() {
		task, _ := datasets.Lookup(name)
		cfg := experiments.DefaultConfig()
		cfg.Task, cfg.T, cfg.Seed, cfg.Batch, cfg.Steps, cfg.TestSize, cfg.Dtype = name, max(7, task.MinT), 3, 5, 4, 6, "float64"
		if task.Spread != nil {
			cfg.T, cfg.Steps = 40, 8 // lengths 40..44: the batches differ in length
		}
		out := t.TempDir()
		if err := writeData(cfg, out, io.Discard); err != nil {
			t.Fatal(err)
		}
		train, test := readData(t, filepath.Join(out, trainDataFile)), readData(t, filepath.Join(out, testDataFile))
		L := task.MaxLen(cfg.T)
		if got := train["x"].Shape; !slices.Equal(got, []int{cfg.Steps, L, cfg.Batch, task.InDim}) {
			t.Errorf("%s: train x shape %v", name, got)
		}
		for i := range cfg.Steps {
			want, _ := datasets.TrainBatch(task, cfg.Seed, cfg.T, cfg.Batch, i)
			if got := batchAt(train, i, task); !batchesEqual(got, want) {
				t.Errorf("%s: batch %d of train.npz is not the batch of step %d", name, i, i+1)
			}
		}
		want, _ := datasets.TestSet(task, cfg.Seed, cfg.T, cfg.TestSize)
		if got := batchAt(test, -1, task); !batchesEqual(got, want) {
			t.Errorf("%s: test.npz is not the test set", name)
		}
		if task.Spread != nil {
			checkRagged(t, train, cfg, task)
			continue
		}
		checkNumpy(t, out, name, cfg, L, len(want.LossSteps), task)
	}
}

// checkRagged checks the extra arrays of a ragged train.npz: lengths (N,) and loss_steps
// (N, S), with at least two different lengths among the batches.
func checkRagged(t *testing.T, train map[string]trialdir.Array, cfg experiments.Config, task datasets.Task) {
	t.Helper()
	lengths, steps := train["lengths"], train["loss_steps"]
	if !slices.Equal(lengths.Shape, []int{cfg.Steps}) || lengths.Dtype != "int64" || !slices.Equal(steps.Shape, []int{cfg.Steps, 1}) {
		t.Fatalf("%s: lengths %v %s, loss_steps %v", task.Name, lengths.Shape, lengths.Dtype, steps.Shape)
	}
	seen := map[float64]bool{}
	for i, l := range lengths.Data {
		seen[l] = true
		if int(l) < task.Len(cfg.T) || int(l) > task.MaxLen(cfg.T) || steps.Data[i] != l-1 {
			t.Errorf("%s: batch %d has length %v, loss step %v", task.Name, i, l, steps.Data[i])
		}
	}
	if len(seen) < 2 {
		t.Errorf("%s: all %d batches have one length %v", task.Name, cfg.Steps, lengths.Data)
	}
}

func batchesEqual(a, b *datasets.Batch) bool {
	return a.Len == b.Len && a.Size == b.Size && a.InDim == b.InDim && slices.Equal(a.X, b.X) &&
		slices.Equal(a.LossSteps, b.LossSteps) && slices.Equal(a.Y, b.Y) && slices.Equal(a.Labels, b.Labels)
}

// checkNumpy reads the files with numpy.load, when /usr/bin/python3 has numpy, and
// checks the array names, shapes and dtypes.
func checkNumpy(t *testing.T, dir, name string, cfg experiments.Config, L, S int, task datasets.Task) {
	const python = "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		t.Logf("numpy check skipped: no %s", python)
		return
	}
	if exec.Command(python, "-c", "import numpy").Run() != nil {
		t.Logf("numpy check skipped: %s cannot import numpy", python)
		return
	}
	script := `import sys, numpy as np
for f in ("train.npz", "test.npz"):
    z = np.load(sys.argv[1] + "/" + f)
    print(f, " ".join("%s%s%s" % (k, z[k].shape, z[k].dtype) for k in z.files))`
	out, err := exec.Command(python, "-c", script, dir).CombinedOutput()
	if err != nil {
		t.Fatalf("numpy: %v\n%s", err, out)
	}
	var want string
	if task.Loss == datasets.CrossEntropy {
		want = fmt.Sprintf("train.npz x(%d, %d, %d, %d)float64 labels(%d, %d, %d)int64 loss_steps(%d,)int64\n"+
			"test.npz x(%d, %d, %d)float64 labels(%d, %d)int64 loss_steps(%d,)int64\n",
			cfg.Steps, L, cfg.Batch, task.InDim, cfg.Steps, S, cfg.Batch, S, L, cfg.TestSize, task.InDim, S, cfg.TestSize, S)
	} else {
		want = fmt.Sprintf("train.npz x(%d, %d, %d, %d)float64 y(%d, %d, %d, %d)float64 loss_steps(%d,)int64\n"+
			"test.npz x(%d, %d, %d)float64 y(%d, %d, %d)float64 loss_steps(%d,)int64\n",
			cfg.Steps, L, cfg.Batch, task.InDim, cfg.Steps, S, cfg.Batch, task.OutDim, S, L, cfg.TestSize, task.InDim, S, cfg.TestSize, task.OutDim, S)
	}
	if strings.TrimSpace(string(out)) != strings.TrimSpace(want) {
		t.Errorf("%s: numpy reads\n%s\nwant\n%s", name, out, want)
	}
}

// TestDataFloat32: --dtype float32 stores x and y rounded to the nearest float32.
func TestDataFloat32(t *testing.T) {
	cfg := experiments.DefaultConfig()
	cfg.T, cfg.Batch, cfg.Steps, cfg.TestSize, cfg.Dtype = 4, 2, 2, 3, "float32"
	out := t.TempDir()
	if err := writeData(cfg, out, io.Discard); err != nil {
		t.Fatal(err)
	}
	task, _ := datasets.Lookup(cfg.Task)
	train := readData(t, filepath.Join(out, trainDataFile))
	if train["x"].Dtype != "float32" || train["y"].Dtype != "float32" || train["loss_steps"].Dtype != "int64" {
		t.Fatalf("dtypes %s %s %s", train["x"].Dtype, train["y"].Dtype, train["loss_steps"].Dtype)
	}
	want, _ := datasets.TrainBatch(task, cfg.Seed, cfg.T, cfg.Batch, 1)
	got := batchAt(train, 1, task)
	for i, v := range want.X {
		if got.X[i] != float64(float32(v)) {
			t.Fatalf("x[%d] = %v, want float32(%v)", i, got.X[i], v)
		}
	}
}
