package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/expctl/expctl/experiments"
	"github.com/expctl/expctl/models"
)

// tinyBench is the command line of a bench small enough for tests (H=4, T=5, one timed
// step) followed by args.
func tinyBench(args ...string) []string {
	return append([]string{"bench", "--hidden", "4", "--T", "5", "--steps", "1", "--rounds", "1"}, args...)
}

// systemPython is Debian's interpreter, where python3-torch installs PyTorch.
const systemPython = "/usr/bin/python3"

// needTorch skips the test unless systemPython can import torch.
func needTorch(t *testing.T) {
	t.Helper()
	if exec.Command(systemPython, "-c", "import torch").Run() != nil {
		t.Skipf("%s cannot import torch", systemPython)
	}
}

// TestBenchBadInput: each mistake is one line naming the flag and the allowed values, exit
// status 2, before anything is timed.
func TestBenchBadInput(t *testing.T) {
	fake := filepath.Join(t.TempDir(), "python3")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\necho \"ModuleNotFoundError: No module named 'torch'\" >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--cell", "lsmt"}, `invalid --cell "lsmt": want one of ` + strings.Join(models.Names(), ", ")},
		{[]string{"--cell", "rnn,lsmt"}, `invalid --cell "lsmt"`},
		{[]string{"--T", "1"}, "invalid --T 1: want an integer ≥ 2"},
		{[]string{"--T", "100,0"}, "invalid --T 0: want an integer ≥ 2"},
		{[]string{"--task", "copy", "--T", "0"}, "invalid --T 0: want an integer ≥ 1"},
		{[]string{"--dtype", "float16"}, `invalid --dtype "float16": want float32 or float64`},
		{[]string{"--format", "latex"}, `invalid --format "latex": want terminal, markdown, csv or json`},
		{[]string{"--task", "sort"}, `invalid --task "sort": want one of adding, adding-hochreiter, copy, long-lag, multiply, temporal-order, temporal-order3`},
		{[]string{"--hidden", "0"}, "invalid --hidden 0: want an integer ≥ 1"},
		{[]string{"--batch", "0"}, "invalid --batch 0: want an integer ≥ 1"},
		{[]string{"--steps", "0"}, "invalid --steps 0: want an integer ≥ 1"},
		{[]string{"--warmup", "0"}, "invalid --warmup 0: want an integer ≥ 1"},
		{[]string{"--rounds", "0"}, "invalid --rounds 0: want an integer ≥ 1"},
		{[]string{"--T", "ten"}, `invalid value "ten" for flag -T`},
		{[]string{"--vs-pytorch", "--cell", "peephole"}, `invalid --cell "peephole" with --vs-pytorch: want rnn, lstm or gru`},
		{[]string{"--vs-pytorch", "--python", filepath.Join(t.TempDir(), "nowhere")}, "invalid --python"},
		{[]string{"--vs-pytorch", "--python", fake}, "expctl: --vs-pytorch needs PyTorch: " + fake +
			" cannot import torch (Debian: apt-get install python3-torch)"},
		{[]string{"lstm"}, `bench takes no arguments, got "lstm"`},
	} {
		code, stdout, stderr := runCLI(t, tinyBench(tc.args...)...)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want %d (stderr %q)", tc.args, code, exitUsage, stderr)
		}
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if len(lines) != 1 || !strings.Contains(lines[0], tc.want) {
			t.Errorf("%v: stderr %q, want one line containing %q", tc.args, stderr, tc.want)
		}
		if stdout != "" {
			t.Errorf("%v: printed %q", tc.args, stdout)
		}
	}
}

// TestBenchTiny: a real run prints one row per cell and T, in every format.
func TestBenchTiny(t *testing.T) {
	code, stdout, stderr := runCLI(t, tinyBench("--cell", "rnn,gru", "--cell", "lstm", "--T", "6")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, w := range []string{"GOMAXPROCS=1", "ms/step", "GFLOP/s", "MB/step", "allocs/step", "6·P·B·L"} {
		if !strings.Contains(stdout, w) {
			t.Errorf("output lacks %q:\n%s", w, stdout)
		}
	}
	for _, cell := range []string{"rnn", "gru", "lstm"} {
		for _, T := range []string{"5", "6"} {
			if !containsRow(stdout, "│ "+cell+" ", "│ "+T+" │ 4 │ 32 │ float32 │") {
				t.Errorf("no row for %s T=%s:\n%s", cell, T, stdout)
			}
		}
		if !strings.Contains(stderr, "round 1/1  "+cell+" adding T=5 H=4 B=32 float32: expctl ") {
			t.Errorf("no progress line for %s:\n%s", cell, stderr)
		}
	}
	if strings.Contains(stdout, "PyTorch") {
		t.Errorf("PyTorch columns without --vs-pytorch:\n%s", stdout)
	}

	code, stdout, stderr = runCLI(t, tinyBench("--cell", "rnn", "--format", "csv")...)
	recs, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if code != 0 || err != nil || len(recs) != 2 || recs[0][0] != "cell" || recs[1][0] != "rnn" || recs[1][2] != "5" {
		t.Errorf("csv: exit %d, %v: %q %s", code, err, stdout, stderr)
	}

	code, stdout, stderr = runCLI(t, tinyBench("--cell", "gru", "--task", "copy", "--format", "json")...)
	var doc struct {
		GOMAXPROCS int `json:"gomaxprocs"`
		Rows       []struct {
			Cell   string `json:"cell"`
			L      int    `json:"L"`
			Expctl struct {
				StepsMS      []float64 `json:"steps_ms"`
				BytesPerStep *float64  `json:"bytes_per_step"`
			} `json:"expctl"`
			PyTorch *json.RawMessage `json:"pytorch"`
		} `json:"rows"`
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &doc) != nil || doc.GOMAXPROCS != 1 || len(doc.Rows) != 1 ||
		doc.Rows[0].L != 25 || len(doc.Rows[0].Expctl.StepsMS) != 1 || doc.Rows[0].Expctl.BytesPerStep == nil || doc.Rows[0].PyTorch != nil {
		t.Errorf("json: exit %d: %s %s", code, stdout, stderr)
	}

	code, stdout, _ = runCLI(t, tinyBench("--cell", "rnn", "--format", "markdown")...)
	if code != 0 || !strings.Contains(stdout, "| rnn ") || !strings.Contains(stdout, "[x\\_t; h\\_{t-1}]") {
		t.Errorf("markdown: exit %d:\n%s", code, stdout)
	}
}

// containsRow reports whether a line of out contains every part.
func containsRow(out string, parts ...string) bool {
	for _, line := range strings.Split(out, "\n") {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(line, p)
		}
		if ok {
			return true
		}
	}
	return false
}

func TestBenchCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := runBench(ctx, benchOptions{Cells: []string{"lstm"}, Ts: []int{5}, Hidden: 4, Batch: 2, Dtype: "float32",
		Task: "adding", Steps: 1, Warmup: 1, Rounds: 1, Format: "terminal"}, &strings.Builder{}, &strings.Builder{})
	if exitCode(err) != exitInterrupted {
		t.Errorf("got %v (exit %d), want exit %d", err, exitCode(err), exitInterrupted)
	}
}

func TestBenchPrintsScript(t *testing.T) {
	code, stdout, _ := runCLI(t, "bench", "--pytorch-script")
	if code != 0 || stdout != pytorchScript || !strings.HasPrefix(stdout, "#!/usr/bin/env python3\n") {
		t.Errorf("exit %d, printed %.80q", code, stdout)
	}
}

// TestBenchVsPyTorch: with PyTorch, each row gets PyTorch's times and the ratio.
func TestBenchVsPyTorch(t *testing.T) {
	needTorch(t)
	code, stdout, stderr := runCLI(t, tinyBench("--vs-pytorch", "--python", systemPython, "--rounds", "2")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, w := range []string{"PyTorch ms/step", "expctl/PyTorch", "PyTorch 1.", "reset-after", "reset-before"} {
		if !strings.Contains(stdout, w) {
			t.Errorf("output lacks %q:\n%s", w, stdout)
		}
	}
	if n := strings.Count(stderr, ", PyTorch "); n != 6 {
		t.Errorf("%d progress lines with PyTorch, want 6:\n%s", n, stderr)
	}

	code, stdout, stderr = runCLI(t, tinyBench("--vs-pytorch", "--python", systemPython, "--cell", "lstm", "--format", "json")...)
	var doc struct {
		PyTorch struct {
			Version string `json:"version"`
			Threads int    `json:"threads"`
		} `json:"pytorch"`
		Rows []struct {
			PyTorch struct {
				Params  int       `json:"params"`
				StepsMS []float64 `json:"steps_ms"`
			} `json:"pytorch"`
			Ratio *float64 `json:"ratio"`
		} `json:"rows"`
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &doc) != nil || len(doc.Rows) != 1 {
		t.Fatalf("json: exit %d: %s %s", code, stdout, stderr)
	}
	// PyTorch's LSTM has two bias vectors per gate: 4H more than expctl's.
	want, _ := experiments.NetworkParams("lstm", "adding", 4)
	r := doc.Rows[0]
	if doc.PyTorch.Version == "" || doc.PyTorch.Threads != 1 || r.PyTorch.Params != want+4*4 || len(r.PyTorch.StepsMS) != 1 ||
		r.Ratio == nil || !(*r.Ratio > 0) {
		t.Errorf("json: %s", stdout)
	}
}

// TestBenchPyTorchServer speaks the script's protocol: one answer line per request, errors
// answered without ending the server, exit at the end of input.
func TestBenchPyTorchServer(t *testing.T) {
	needTorch(t)
	ctx := context.Background()
	s, err := startTorch(ctx, systemPython)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	if !s.Hello.Ready || s.Hello.Threads != 1 || s.Hello.Torch == "" || s.Python != systemPython {
		t.Errorf("hello %+v from %s", s.Hello, s.Python)
	}
	for _, tc := range []struct {
		req    torchRequest
		L      int // sequence length
		biases int // PyTorch's bias vectors of H beyond expctl's
	}{
		{torchRequest{Cell: "rnn", Task: "adding", T: 5, H: 3, B: 2, Dtype: "float32", Steps: 2, Warmup: 1, Seed: 1}, 5, 1},
		{torchRequest{Cell: "lstm", Task: "adding", T: 7, H: 3, B: 2, Dtype: "float64", Steps: 1, Warmup: 0, Seed: 2}, 7, 4},
		{torchRequest{Cell: "gru", Task: "copy", T: 1, H: 3, B: 2, Dtype: "float32", Steps: 3, Warmup: 1, Seed: 1}, 21, 3},
	} {
		r, err := s.bench(ctx, tc.req)
		if err != nil {
			t.Fatalf("%+v: %v", tc.req, err)
		}
		base, _ := experiments.NetworkParams(tc.req.Cell, tc.req.Task, tc.req.H)
		if r.Cell != tc.req.Cell || r.L != tc.L || len(r.Times) != tc.req.Steps || r.Params != base+tc.biases*tc.req.H {
			t.Errorf("%+v: answer %+v (expctl params %d)", tc.req, r, base)
		}
		for _, sec := range r.Times {
			if !(sec > 0) {
				t.Errorf("%+v: step time %g", tc.req, sec)
			}
		}
	}
	for _, bad := range []torchRequest{
		{Cell: "peephole", Task: "adding", T: 5, H: 3, B: 2, Dtype: "float32", Steps: 1},
		{Cell: "rnn", Task: "adding", T: 1, H: 3, B: 2, Dtype: "float32", Steps: 1},
		{Cell: "rnn", Task: "adding", T: 5, H: 3, B: 2, Dtype: "float16", Steps: 1},
	} {
		if _, err := s.bench(ctx, bad); err == nil || !strings.Contains(err.Error(), "want") {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	if _, err := s.bench(ctx, torchRequest{Cell: "rnn", Task: "adding", T: 2, H: 1, B: 1, Dtype: "float32", Steps: 1}); err != nil {
		t.Errorf("after errors: %v", err)
	}
	s.close()
	if s.err != nil {
		t.Errorf("server exit: %v", s.err)
	}
}

// TestBenchPyTorchTrialMode runs the script's trial mode, which imitates an expctl trial.
func TestBenchPyTorchTrialMode(t *testing.T) {
	needTorch(t)
	out, err := exec.Command(systemPython, "-c", pytorchScript, "trial", "--steps", "3", "--eval-every", "2",
		"--test-size", "260", "--hidden", "4", "--T", "5", "--batch", "4").CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, w := range []string{"step 0/3", "step 2/3", "step 3/3", "acc@0.04", "total wall time: "} {
		if !strings.Contains(string(out), w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

// TestBenchInterruptBinary: SIGINT to a running bench stops it with exit status 130 and
// one line, and stops its PyTorch server too (when PyTorch is there to start one).
func TestBenchInterruptBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	args := tinyBench("--cell", "rnn", "--rounds", "1000000")
	torch := exec.Command(systemPython, "-c", "import torch").Run() == nil
	if torch {
		args = append(args, "--vs-pytorch", "--python", systemPython)
	}
	cmd := exec.Command(bin, args...)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), "round 1/1000000  rnn") {
		cmd.Process.Kill()
		t.Fatalf("first line %q, %v", sc.Text(), sc.Err())
	}
	var children []int
	files, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", cmd.Process.Pid)) // Linux
	for _, file := range files {
		b, _ := os.ReadFile(file)
		for _, f := range strings.Fields(string(b)) {
			if pid, err := strconv.Atoi(f); err == nil {
				children = append(children, pid)
			}
		}
	}
	cmd.Process.Signal(syscall.SIGINT)
	var last string
	for sc.Scan() {
		last = sc.Text()
	}
	waitInterrupted(t, cmd)
	if !strings.HasPrefix(last, "expctl: bench interrupted") {
		t.Errorf("last line %q", last)
	}
	for _, pid := range children {
		if syscall.Kill(pid, 0) == nil {
			t.Errorf("child process %d still running", pid)
		}
	}
	if torch && len(children) == 0 {
		t.Log("could not list the PyTorch server process")
	}
}
