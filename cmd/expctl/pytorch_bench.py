#!/usr/bin/env python3
"""PyTorch reference timings for expctl's training steps.

`expctl bench --vs-pytorch` runs this script (embedded in the expctl binary) as a server
and times PyTorch's version of each benchmarked network next to expctl's. It builds the
same network as an expctl trial: nn.RNN (tanh), nn.LSTM or nn.GRU (batch_first=False),
hidden size H, input size D (2 for adding, 10 for copy), a Linear readout; MSE on the
last step (adding) or cross-entropy on every step (copy); Adam with lr 1e-3; gradients
clipped to global norm 1 (clip_grad_norm_); float32 or float64; one thread
(torch.set_num_threads(1)). One timed step is zero_grad, forward, loss, backward, clip
and the Adam step, on one fixed batch, timed with time.perf_counter.

PyTorch's GRU is the reset-after form, n = tanh(W_in x + b_in + r*(W_hn h + b_hn)), while
expctl's gru is the reset-before form of Cho et al. (2014), n = tanh(W_n [x; r*h] + b_n):
they differ in where the reset gate r is applied. The matrices have the same sizes; PyTorch
has a second bias vector per gate (b_ih and b_hh) for every cell.

Data come from torch's own random generator: they are for timing only and do not match
expctl's data.

Run by hand (get the script with `expctl bench --pytorch-script > pytorch_bench.py`, or
use cmd/expctl/pytorch_bench.py in the expctl repository):

  python3 pytorch_bench.py server
      Reads one JSON request per line on stdin and answers one JSON line per request on
      stdout, after a first line {"ready": true, "torch": "<version>", ...}. A request:
        {"cell": "lstm", "task": "adding", "T": 100, "H": 128, "B": 32,
         "dtype": "float32", "steps": 5, "warmup": 1, "seed": 1}
      ("task" defaults to adding, "warmup" to 1, "seed" to 1). The answer:
        {"cell": "lstm", "task": "adding", "T": 100, "L": 100, "H": 128, "B": 32,
         "dtype": "float32", "params": 67713, "times": [0.081, ...]}
      with the wall time of each timed step in seconds, or {"error": "..."}. The server
      exits at the end of its input. For example:
        echo '{"cell":"gru","T":100,"H":128,"B":32,"dtype":"float32","steps":3}' \\
          | python3 pytorch_bench.py server

  python3 pytorch_bench.py trial --cell lstm --T 100 --hidden 128 --batch 32 \\
          --steps 1000 --eval-every 100 --test-size 1000
      Trains the adding problem on the schedule of an expctl trial: at step 0 and every
      --eval-every steps (and after the last) it evaluates the test set in chunks of 250
      sequences (forward only, no gradients) and, as expctl's gradient-flow diagnostic does,
      runs one extra forward and backward pass on one batch (the first --batch test
      sequences) and takes the largest singular value of every recurrent gate block. It
      prints one line per evaluation and the total wall time. It always trains every step;
      compare it with
        GOMAXPROCS=1 expctl run trial --cell lstm --T 100 --hidden 128 --batch 32 \\
          --steps 1000 --eval-every 100 --test-size 1000 --keep-going
"""

import argparse
import json
import math
import platform
import re
import sys
import time

try:
    import torch
    from torch import nn
except ImportError as e:  # expctl checks for this itself and says how to install PyTorch
    print(f"pytorch_bench.py: cannot import torch: {e}", file=sys.stderr)
    sys.exit(3)

CELLS = ("rnn", "lstm", "gru")
TASKS = {"adding": (2, 1), "copy": (10, 10)}  # task: (input size D, output size K)
DTYPES = {"float32": torch.float32, "float64": torch.float64}
EVAL_CHUNK = 250
COPY_N = 10  # symbols to remember in the copy task


def one_thread():
    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # already set, or parallel work has started
        pass


def seq_len(task, T):
    return T if task == "adding" else T + 2 * COPY_N


class Net(nn.Module):
    """A recurrent layer and a linear readout, as in an expctl trial."""

    def __init__(self, cell, D, H, K):
        super().__init__()
        if cell == "rnn":
            self.rnn = nn.RNN(D, H, nonlinearity="tanh")
        elif cell == "lstm":
            self.rnn = nn.LSTM(D, H)
        else:
            self.rnn = nn.GRU(D, H)
        self.readout = nn.Linear(H, K)

    def forward(self, x):  # x: (L, B, D); returns every hidden state, (L, B, H)
        out, _ = self.rnn(x)
        return out


def adding_batch(T, B, gen, dtype):
    """Values U[0,1) and a marker channel with one 1 in each half; target their sum."""
    x = torch.zeros(T, B, 2, dtype=dtype)
    x[:, :, 0] = torch.rand(T, B, generator=gen, dtype=dtype)
    half = T // 2
    i = torch.randint(0, half, (B,), generator=gen)
    j = torch.randint(half, T, (B,), generator=gen)
    cols = torch.arange(B)
    x[i, cols, 1] = 1
    x[j, cols, 1] = 1
    y = (x[i, cols, 0] + x[j, cols, 0]).unsqueeze(1)
    return x, y


def copy_batch(T, B, gen, dtype):
    """10 symbols from 1..8, T-1 blanks, a delimiter (9), 10 blanks; recall the symbols."""
    L = T + 2 * COPY_N
    data = torch.randint(1, 9, (COPY_N, B), generator=gen)
    seq = torch.zeros(L, B, dtype=torch.long)
    seq[:COPY_N] = data
    seq[T + COPY_N - 1] = 9
    target = torch.zeros(L, B, dtype=torch.long)
    target[L - COPY_N:] = data
    return nn.functional.one_hot(seq, 10).to(dtype), target


def make_batch(task, T, B, gen, dtype):
    return (adding_batch if task == "adding" else copy_batch)(T, B, gen, dtype)


def loss_of(model, task, x, y):
    h = model(x)
    if task == "adding":  # MSE on the last step
        return nn.functional.mse_loss(model.readout(h[-1]), y)
    logits = model.readout(h)  # cross-entropy on every step
    return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))


def train_step(model, opt, task, x, y):
    opt.zero_grad(set_to_none=True)
    loss = loss_of(model, task, x, y)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    return loss.item()


def build(cell, task, H, dtype, seed):
    torch.manual_seed(seed)
    D, K = TASKS[task]
    model = Net(cell, D, H, K).to(DTYPES[dtype])
    return model, torch.optim.Adam(model.parameters(), lr=1e-3)


def positive_int(req, key, default=None, least=1):
    v = req.get(key, default)
    if not isinstance(v, int) or isinstance(v, bool) or v < least:
        raise ValueError(f"{key} {v!r}: want an integer >= {least}")
    return v


def bench(req):
    """Answers one server request: the wall time of each timed training step."""
    cell, task, dtype = req.get("cell"), req.get("task", "adding"), req.get("dtype", "float32")
    if cell not in CELLS:
        raise ValueError(f"cell {cell!r}: want one of {', '.join(CELLS)}")
    if task not in TASKS:
        raise ValueError(f"task {task!r}: want one of {', '.join(TASKS)}")
    if dtype not in DTYPES:
        raise ValueError(f"dtype {dtype!r}: want float32 or float64")
    T = positive_int(req, "T", least=2 if task == "adding" else 1)
    H, B, steps = positive_int(req, "H"), positive_int(req, "B"), positive_int(req, "steps")
    warmup = positive_int(req, "warmup", 1, least=0)
    seed = positive_int(req, "seed", 1, least=0)
    model, opt = build(cell, task, H, dtype, seed)
    gen = torch.Generator().manual_seed(seed)
    x, y = make_batch(task, T, B, gen, DTYPES[dtype])
    for _ in range(warmup):
        train_step(model, opt, task, x, y)
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        train_step(model, opt, task, x, y)
        times.append(time.perf_counter() - start)
    return {"cell": cell, "task": task, "T": T, "L": seq_len(task, T), "H": H, "B": B, "dtype": dtype,
            "params": sum(p.numel() for p in model.parameters()), "times": times}


def blas_info():
    m = re.search(r"BLAS_INFO=([^,\s]+)", torch.__config__.show())
    return m.group(1) if m else "unknown"


def serve():
    one_thread()
    hello = {"ready": True, "torch": torch.__version__, "python": platform.python_version(),
             "threads": torch.get_num_threads(), "blas": blas_info()}
    print(json.dumps(hello), flush=True)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
            if not isinstance(req, dict):
                raise ValueError("want a JSON object")
            answer = bench(req)
        except Exception as e:  # answer every request; the client decides what to do
            answer = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(answer), flush=True)


def gate_sigmas(model, H):
    """Largest singular value of each gate's H×H recurrent block (expctl's spectra.csv)."""
    w = model.rnn.weight_hh_l0
    return [torch.linalg.matrix_norm(w[k:k + H], ord=2).item() for k in range(0, w.shape[0], H)]


def trial(argv):
    p = argparse.ArgumentParser(prog="pytorch_bench.py trial",
                                description="Train the adding problem on an expctl trial's schedule; print the wall time.")
    p.add_argument("--cell", default="lstm", choices=CELLS)
    p.add_argument("--T", type=int, default=50)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--eval-every", type=int, default=100)
    p.add_argument("--test-size", type=int, default=1000)
    p.add_argument("--dtype", default="float32", choices=sorted(DTYPES))
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args(argv)
    for name in ("T", "hidden", "batch", "steps", "eval_every", "test_size"):
        least = 2 if name == "T" else 1
        if getattr(a, name) < least:
            p.error(f"--{name.replace('_', '-')} {getattr(a, name)}: want an integer >= {least}")
    one_thread()
    dt = DTYPES[a.dtype]
    start = time.perf_counter()
    model, opt = build(a.cell, "adding", a.hidden, a.dtype, a.seed)
    train_gen = torch.Generator().manual_seed(a.seed)
    test_x, test_y = adding_batch(a.T, a.test_size, torch.Generator().manual_seed(a.seed + 1_000_003), dt)
    diag_x, diag_y = test_x[:, :a.batch], test_y[:a.batch]
    print(f"pytorch {torch.__version__}: adding T={a.T}, {a.cell} H={a.hidden}, adam lr=0.001, clip norm:1, "
          f"batch {a.batch}, {a.steps} steps, {a.dtype}, 1 thread", flush=True)

    def record(step, train_loss):
        loss = metric = 0.0
        with torch.no_grad():
            for lo in range(0, a.test_size, EVAL_CHUNK):
                hi = min(lo + EVAL_CHUNK, a.test_size)
                out = model.readout(model(test_x[:, lo:hi])[-1])
                w = (hi - lo) / a.test_size
                loss += w * nn.functional.mse_loss(out, test_y[lo:hi]).item()
                metric += w * ((out - test_y[lo:hi]).abs() < 0.04).to(dt).mean().item()
        model.zero_grad(set_to_none=True)  # the gradient-flow diagnostic: one more pass
        loss_of(model, "adding", diag_x, diag_y).backward()
        model.zero_grad(set_to_none=True)
        with torch.no_grad():
            gate_sigmas(model, a.hidden)
        train = "-" if train_loss is None else f"{train_loss:.4g}"
        print(f"step {step:>{len(str(a.steps))}}/{a.steps}  train {train:<9} test {loss:<9.4g} (baseline 0.1667)  "
              f"acc@0.04 {metric:<6.3f} {time.perf_counter() - start:6.1f}s", flush=True)
        return loss

    record(0, None)
    total, n = 0.0, 0
    for step in range(1, a.steps + 1):
        x, y = adding_batch(a.T, a.batch, train_gen, dt)
        loss = train_step(model, opt, "adding", x, y)
        if not math.isfinite(loss):
            print(f"diverged: training loss {loss} at step {step}", flush=True)
            break
        total, n = total + loss, n + 1
        if step % a.eval_every == 0 or step == a.steps:
            record(step, total / n)
            total, n = 0.0, 0
    print(f"total wall time: {time.perf_counter() - start:.2f}s", flush=True)


def main(argv):
    if len(argv) >= 1 and argv[0] == "server":
        if len(argv) > 1:
            sys.exit("pytorch_bench.py server takes no arguments (requests come on stdin)")
        serve()
    elif len(argv) >= 1 and argv[0] == "trial":
        trial(argv[1:])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:  # the client went away
        sys.exit(0)
