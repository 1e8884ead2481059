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
	L, B, D := shape[0], shape[1], shape[2]
	b := &datasets.Batch{Len: L, Size: B, InDim: D, OutDim: task.OutDim, X: make([]float64, L*D*B)}
	for _, s := range m["loss_steps"].Data {
		b.LossSteps = append(b.LossSteps, int(s))
	}
	S, K := len(b.LossSteps), task.OutDim
	for t := range L {
		for s := range B {
			for d := range D {
				b.X[(t*D+d)*B+s] = x.Data[n*L*B*D+(t*B+s)*D+d]
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
		cfg.Task, cfg.T, cfg.Seed, cfg.Batch, cfg.Steps, cfg.TestSize, cfg.Dtype = name, 7, 3, 5, 4, 6, "float64"
		out := t.TempDir()
		if err := writeData(cfg, out, io.Discard); err != nil {
			t.Fatal(err)
		}
		train, test := readData(t, filepath.Join(out, trainDataFile)), readData(t, filepath.Join(out, testDataFile))
		L := task.Len(cfg.T)
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
		checkNumpy(t, out, name, cfg, L, len(want.LossSteps), task)
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
