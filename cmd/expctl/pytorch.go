package main

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// pytorchScript times PyTorch's version of a benchmarked network; see its header.
//
//go:embed pytorch_bench.py
var pytorchScript string

// pytorchCells are the cells PyTorch has, under expctl's names.
var pytorchCells = []string{"rnn", "lstm", "gru"}

// torchHello is the server's first line.
type torchHello struct {
	Ready   bool   `json:"ready"`
	Torch   string `json:"torch"`
	Python  string `json:"python"`
	Threads int    `json:"threads"`
	BLAS    string `json:"blas"`
}

// torchRequest asks the server to time steps of one network.
type torchRequest struct {
	Cell   string `json:"cell"`
	Task   string `json:"task"`
	T      int    `json:"T"`
	H      int    `json:"H"`
	B      int    `json:"B"`
	Dtype  string `json:"dtype"`
	Steps  int    `json:"steps"`
	Warmup int    `json:"warmup"`
	Seed   uint64 `json:"seed"`
}

// torchReply is the server's answer: the wall time of each timed step, in seconds.
type torchReply struct {
	Error  string    `json:"error"`
	Cell   string    `json:"cell"`
	L      int       `json:"L"`
	Params int       `json:"params"`
	Times  []float64 `json:"times"`
}

// torchServer is the PyTorch script running as a server in a child process.
type torchServer struct {
	Python string // the interpreter, as found on PATH
	Hello  torchHello

	cmd    *exec.Cmd
	in     io.WriteCloser
	lines  chan []byte // stdout, line by line; closed at its end
	stderr *tailBuffer
	quit   chan struct{} // closed when no more lines are wanted
	done   chan struct{} // closed once the process has exited
	err    error         // from Wait, set before done is closed
	once   sync.Once
}

// closeGrace is how long a server may take to exit once its input is closed.
const closeGrace = 5 * time.Second

// startTorch starts the script under python and waits until it has imported torch. A
// python that cannot be run or cannot import torch is a usage error naming --python or
// --vs-pytorch.
func startTorch(ctx context.Context, python string) (*torchServer, error) {
	path, err := exec.LookPath(python)
	if err != nil {
		return nil, usagef("invalid --python %q: %v (want a Python 3 with PyTorch)", python, execReason(err))
	}
	s := &torchServer{Python: path, lines: make(chan []byte, 1), stderr: &tailBuffer{max: 4096},
		quit: make(chan struct{}), done: make(chan struct{})}
	s.cmd = exec.Command(path, "-c", pytorchScript, "server")
	// One thread for PyTorch and the libraries under it, as GOMAXPROCS=1 is for expctl.
	s.cmd.Env = append(os.Environ(), "OMP_NUM_THREADS=1", "MKL_NUM_THREADS=1", "OPENBLAS_NUM_THREADS=1")
	// A process group of its own keeps the terminal's Ctrl-C away from it (expctl stops
	// it), and it is killed if expctl dies: Pdeathsig fires when the thread that started it
	// exits, so the caller keeps its goroutine locked to its thread while the server runs.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	s.cmd.Stderr = s.stderr
	if s.in, err = s.cmd.StdinPipe(); err != nil {
		return nil, fmt.Errorf("start PyTorch: %w", err)
	}
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("start PyTorch: %w", err)
	}
	if err := s.cmd.Start(); err != nil {
		return nil, usagef("invalid --python %q: %v (want a Python 3 with PyTorch)", python, execReason(err))
	}
	go func() {
		r := bufio.NewReader(stdout)
		for {
			line, err := r.ReadBytes('\n')
			if len(bytes.TrimSpace(line)) > 0 {
				select {
				case s.lines <- line:
				case <-s.quit:
					io.Copy(io.Discard, r)
					err = io.EOF
				}
			}
			if err != nil {
				break
			}
		}
		close(s.lines)
		s.err = s.cmd.Wait() // only once stdout is drained
		close(s.done)
	}()
	line, err := s.readLine(ctx)
	if err == nil {
		err = json.Unmarshal(line, &s.Hello)
	}
	if err != nil || !s.Hello.Ready {
		s.kill()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if !canImportTorch(ctx, path) {
			return nil, usagef("--vs-pytorch needs PyTorch: %s cannot import torch (Debian: apt-get install python3-torch)", path)
		}
		return nil, fmt.Errorf("PyTorch benchmark script under %s did not start: %s", path, s.failure(err))
	}
	return s, nil
}

// execReason is the reason an interpreter cannot be run, without exec's prefix.
func execReason(err error) error {
	var e *exec.Error
	if errors.As(err, &e) {
		return e.Err
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// canImportTorch reports whether python can import torch.
func canImportTorch(ctx context.Context, python string) bool {
	return exec.CommandContext(ctx, python, "-c", "import torch").Run() == nil
}

// readLine returns the next line of JSON the server writes; other lines are skipped.
func (s *torchServer) readLine(ctx context.Context) ([]byte, error) {
	for {
		select {
		case <-ctx.Done():
			s.kill()
			return nil, ctx.Err()
		case line, ok := <-s.lines:
			if !ok {
				<-s.done
				if s.err != nil {
					return nil, fmt.Errorf("PyTorch server exited: %w", s.err)
				}
				return nil, errors.New("PyTorch server exited")
			}
			if line = bytes.TrimSpace(line); len(line) > 0 && line[0] == '{' {
				return line, nil
			}
		}
	}
}

// bench sends one request and waits for its answer.
func (s *torchServer) bench(ctx context.Context, req torchRequest) (*torchReply, error) {
	b, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("PyTorch request: %w", err)
	}
	if _, err := s.in.Write(append(b, '\n')); err != nil {
		return nil, fmt.Errorf("PyTorch server: %s", s.failure(err))
	}
	line, err := s.readLine(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, fmt.Errorf("PyTorch server: %s", s.failure(err))
	}
	var r torchReply
	if err := json.Unmarshal(line, &r); err != nil {
		return nil, fmt.Errorf("PyTorch server: bad answer %q: %w", line, err)
	}
	if r.Error != "" {
		return nil, fmt.Errorf("PyTorch %s %s T=%d: %s", req.Cell, req.Task, req.T, r.Error)
	}
	if len(r.Times) != req.Steps {
		return nil, fmt.Errorf("PyTorch server: %d step times for %d steps", len(r.Times), req.Steps)
	}
	return &r, nil
}

// failure describes why the server stopped: the last line of its error output if any.
func (s *torchServer) failure(err error) string {
	if tail := s.stderr.lastLine(); tail != "" {
		return tail
	}
	return err.Error()
}

// close ends the server: end of input, then a kill if it does not exit in time.
func (s *torchServer) close() {
	s.stop()
	select {
	case <-s.done:
	case <-time.After(closeGrace):
		s.kill()
	}
}

// kill stops the server at once and waits for it.
func (s *torchServer) kill() {
	s.stop()
	s.cmd.Process.Kill()
	<-s.done
}

// stop closes the server's input and stops passing on its output.
func (s *torchServer) stop() {
	s.once.Do(func() {
		s.in.Close()
		close(s.quit)
	})
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = t.buf[len(t.buf)-t.max:]
	}
	return len(p), nil
}

// lastLine is the last non-empty line written.
func (t *tailBuffer) lastLine() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := strings.Split(strings.TrimSpace(string(t.buf)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
