package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/expctl/expctl/models"
	"github.com/expctl/expctl/results/trialdir"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(context.Background(), append([]string{"expctl"}, args...), &o, &e)
	return code, o.String(), e.String()
}

func TestListings(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"cells"}, []string{"lstm ", "4H(D+H) + 4H", "c_t = f_t⊙c_{t-1} + i_t⊙g_t", "rnn ", "gru ", "lstm1997 "}},
		{[]string{"tasks"}, []string{"adding:", "MSE = 1/6", "test MSE ≤ 0.01", "copy:", "10·ln 8/(T+20)", "recall_acc ≥ 0.99"}},
		{[]string{"run", "trial", "--help"}, []string{"--clip value", "norm:C", "(default: \"norm:1\")", "-T value", "--keep-going"}},
	} {
		code, out, errOut := runCLI(t, tc.args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", tc.args, code, errOut)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: output lacks %q:\n%s", tc.args, w, out)
			}
		}
	}
}

// TestBadInput: each mistake gets one line naming the flag and the allowed values, exit
// status 2, and nothing is written.
func TestBadInput(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--cell", "lsmt"}, `--cell "lsmt": want one of ` + strings.Join(models.Names(), ", ")},
		{[]string{"--task", "sort"}, `--task "sort": want one of adding, adding-hochreiter, copy, long-lag, multiply, temporal-order, temporal-order3`},
		{[]string{"--T", "0"}, "--T 0: want an integer ≥ 2"},
		{[]string{"--task", "copy", "--T", "-3"}, "--T -3: want an integer ≥ 1"},
		{[]string{"--hidden", "0"}, "--hidden 0: want an integer ≥ 1"},
		{[]string{"--batch", "0"}, "--batch 0"},
		{[]string{"--steps", "0"}, "--steps 0"},
		{[]string{"--lr", "0"}, "--lr 0: want a finite number > 0"},
		{[]string{"--lr", "-0.1"}, "--lr -0.1"},
		{[]string{"--clip", "norm"}, `--clip "norm": want none, value:C or norm:C`},
		{[]string{"--clip", "value:0"}, `--clip "value:0"`},
		{[]string{"--optimizer", "adagrad"}, "--optimizer \"adagrad\": want one of sgd, rmsprop, adam"},
		{[]string{"--out", filepath.Join(file, "runs")}, "--out"},
		{[]string{"--hidden", "many"}, "invalid value \"many\" for flag -hidden"},
		{[]string{"--no-such-flag"}, "flag provided but not defined"},
	} {
		out := t.TempDir()
		args := append([]string{"run", "trial", "--steps", "1", "--out", filepath.Join(out, "runs")}, tc.args...)
		code, stdout, stderr := runCLI(t, args...)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want %d (stderr %q)", tc.args, code, exitUsage, stderr)
		}
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if len(lines) != 1 || !strings.Contains(lines[0], tc.want) {
			t.Errorf("%v: stderr %q, want one line containing %q", tc.args, stderr, tc.want)
		}
		if stdout != "" && !strings.Contains(tc.want, "flag") {
			t.Errorf("%v: printed %q", tc.args, stdout)
		}
		if entries, _ := os.ReadDir(out); len(entries) != 0 {
			t.Errorf("%v: wrote %v", tc.args, entries)
		}
	}
}

func TestRunTrialWritesTrial(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := runCLI(t, "run", "trial", "--task", "copy", "--T", "3", "--cell", "gru", "--hidden", "8",
		"--steps", "20", "--eval-every", "10", "--test-size", "20", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "step 20/20") || !strings.Contains(stdout, "unsolved after 20 steps") {
		t.Errorf("output:\n%s", stdout)
	}
	dirs, _ := filepath.Glob(filepath.Join(out, "copy-T3-gru-h8-s1-*"))
	if len(dirs) != 1 {
		t.Fatalf("trial directories: %v", dirs)
	}
	for _, f := range []string{trialdir.ConfigFile, trialdir.CurveFile, trialdir.ResultFile} {
		if _, err := os.Stat(filepath.Join(dirs[0], f)); err != nil {
			t.Error(err)
		}
	}
}

// TestInterruptBinary: SIGINT (Ctrl-C) or SIGTERM (a job scheduler) to a real expctl
// process stops the trial cleanly: exit status 130, the interrupted line, a complete curve,
// no result.json and no temporary files.
func TestInterruptBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		out := t.TempDir()
		cmd := exec.Command(bin, "run", "trial", "--T", "20", "--hidden", "16", "--steps", "100000",
			"--eval-every", "5", "--test-size", "50", "--out", out)
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		for seen := 0; seen < 2 && sc.Scan(); {
			if strings.HasPrefix(sc.Text(), "step") {
				seen++
			}
		}
		cmd.Process.Signal(sig)
		var rest strings.Builder
		for sc.Scan() {
			rest.WriteString(sc.Text() + "\n")
		}
		waitInterrupted(t, cmd)
		if !strings.Contains(rest.String(), "interrupted: no result written") {
			t.Errorf("%v: output after the signal:\n%s", sig, rest.String())
		}
		dirs, _ := filepath.Glob(filepath.Join(out, "adding-*"))
		if len(dirs) != 1 {
			t.Fatalf("%v: trial directories: %v", sig, dirs)
		}
		if trialdir.Done(dirs[0]) {
			t.Errorf("%v: result.json written for an interrupted trial", sig)
		}
		if _, err := trialdir.ReadCurve(dirs[0]); err != nil {
			t.Errorf("%v: curve: %v", sig, err)
		}
		entries, _ := os.ReadDir(dirs[0])
		for _, e := range entries {
			if trialdir.IsTemp(e.Name()) {
				t.Errorf("%v: temporary file left: %s", sig, e.Name())
			}
		}
	}
}

// TestBadSpecs: a mistake in a spec names the file, the line and the field, exits 2, and
// writes nothing.
func TestBadSpecs(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"grid:\n  cell: [rnn, lsmt]\n", `s.yaml:2: grid.cell: invalid cell "lsmt"`},
		{"grid:\n  cell: [rnn]\n  T: [0]\n", "s.yaml:3: grid.T: invalid T 0"},
		{"grid:\n  colour: [red]\n", `s.yaml:2: grid.colour: unknown field "colour"`},
		{"fixed: {hidden: abc}\ngrid: {cell: [rnn]}\n", `s.yaml:1: fixed.hidden: want an integer, got "abc"`},
		{"grid: {}\n", "s.yaml:1: grid: empty grid"},
		{"grid:\n  cell: [rnn\n", "s.yaml:1: invalid YAML"},
	} {
		dir := t.TempDir()
		spec := filepath.Join(dir, "s.yaml")
		os.WriteFile(spec, []byte(tc.spec), 0o644)
		out := filepath.Join(dir, "out")
		code, _, stderr := runCLI(t, "run", "sweep", spec, "--out", out)
		if code != exitUsage || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%q: exit %d, stderr %q, want one line containing %q", tc.spec, code, stderr, tc.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%q: wrote %s", tc.spec, out)
		}
	}
}

// waitInterrupted waits for a command that was sent SIGINT and checks that it exits with
// the interrupted status within 30 s.
func waitInterrupted(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("did not stop within 30 s of SIGINT")
	}
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
		t.Errorf("exit status %d, want %d", code, exitInterrupted)
	}
}

// TestInitParamsFlag: a trial started from another's params.npz records the file's hash
// and has another id; weights of another shape, or no file, are one line and no trial.
func TestInitParamsFlag(t *testing.T) {
	out := t.TempDir()
	base := []string{"run", "trial", "--cell", "rnn", "--T", "5", "--hidden", "4", "--steps", "2", "--eval-every", "2",
		"--test-size", "8", "--batch", "4", "--out", out}
	if code, _, stderr := runCLI(t, base...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	first, _ := filepath.Glob(filepath.Join(out, "*", trialdir.ParamsFile))
	if len(first) != 1 {
		t.Fatalf("params.npz files: %v", first)
	}
	if code, _, stderr := runCLI(t, append(base, "--init-params", first[0])...); code != 0 {
		t.Fatalf("--init-params: exit %d: %s", code, stderr)
	}
	dirs, _ := filepath.Glob(filepath.Join(out, "*"))
	if len(dirs) != 2 {
		t.Fatalf("trial directories %v, want 2", dirs)
	}
	found := false
	for _, d := range dirs {
		b, _ := os.ReadFile(filepath.Join(d, trialdir.ConfigFile))
		found = found || strings.Contains(string(b), `"init_params": "sha256:`)
	}
	if !found {
		t.Error("no config.json records init_params")
	}
	for args, want := range map[string]string{
		"--hidden 5":                 "array cell/W has shape (4, 6), want (5, 7)",
		"--init-params-file missing": "no such file",
	} {
		a := strings.Fields(args)
		extra := []string{"--init-params", first[0]}
		if a[0] == "--init-params-file" {
			a, extra = nil, []string{"--init-params", filepath.Join(out, "missing.npz")}
		}
		o2 := t.TempDir()
		cmd := append(append(append([]string{}, base...), a...), extra...)
		cmd = append(cmd, "--out", filepath.Join(o2, "runs"))
		code, _, stderr := runCLI(t, cmd...)
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if code == 0 || len(lines) != 1 || !strings.Contains(lines[0], want) {
			t.Errorf("%s: exit %d, stderr %q, want one line with %q", args, code, stderr, want)
		}
		if entries, _ := os.ReadDir(filepath.Join(o2, "runs")); len(entries) != 0 {
			t.Errorf("%s: wrote %v", args, entries)
		}
	}
}
