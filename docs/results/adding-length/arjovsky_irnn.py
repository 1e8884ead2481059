"""Arjovsky et al.'s IRNN on the adding problem, transcribed to PyTorch from their code
(github.com/amarshah/complex_RNN: models.py IRNN, optimizations.py rms_prop,
adding_problem.py): Glorot-uniform input and output weights drawn from
RandomState(1234), identity recurrence, zero biases and learned h_0; element-wise gradient
clipping at 1; RMSProp with decay 0.9, lr 1e-3, no epsilon and the average of squared
gradients starting at 1e-3 (and, for comparison, at 1e-12, as good as expctl's 0);
batch 20, float32. It trains STEPS steps at each T on fresh batches of three data seeds and
prints the step at which the loss stops being finite, if it does.

    python3 docs/results/adding-length/arjovsky_irnn.py [STEPS] [T...]   # default: 30 400 750 1000

It needs numpy and torch and takes under a minute on one CPU thread.
"""
import sys

import numpy as np
import torch


def glorot(rng, n_in, n_out):
    b = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-b, b, size=(n_in, n_out)).astype(np.float32)


def batch(rs, T, n):
    """adding_problem.py's generate_data: values U[0,1], a marker in each half."""
    x = np.zeros((T, n, 2), np.float32)
    x[:, :, 0] = rs.uniform(0, 1, size=(T, n))
    inds = rs.randint(T // 2, size=(n, 2))
    inds[:, 1] += T // 2
    for i in range(n):
        x[inds[i, 0], i, 1] = 1
        x[inds[i, 1], i, 1] = 1
    y = (x[:, :, 0] * x[:, :, 1]).sum(0).reshape(n, 1)
    return torch.tensor(x), torch.tensor(y)


def run(T, data_seed, steps, rms0, H=128, n=20, lr=1e-3):
    rng = np.random.RandomState(1234)
    V = torch.tensor(glorot(rng, 2, H), requires_grad=True)
    W = torch.eye(H, requires_grad=True)
    U = torch.tensor(glorot(rng, H, 1), requires_grad=True)
    h0 = torch.zeros(1, H, requires_grad=True)
    b = torch.zeros(H, requires_grad=True)
    c = torch.zeros(1, requires_grad=True)
    params = [h0, V, W, U, b, c]
    ms = [torch.full_like(p, rms0) for p in params]
    rs = np.random.RandomState(data_seed)
    for step in range(1, steps + 1):
        x, y = batch(rs, T, n)
        h = h0.expand(n, H)
        for t in range(T):
            h = torch.relu(h @ W + x[t] @ V + b)
        loss = ((h @ U + c - y) ** 2).mean()
        big = h.detach().abs().max().item()
        if not torch.isfinite(loss):
            return f"loss {loss.item()} at step {step} (largest |h_T| {big:.2g})"
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p, g, m in zip(params, grads, ms):
                g = g.clamp(-1, 1)
                m.mul_(0.9).add_(0.1 * g * g)
                p.sub_(lr * g / m.sqrt())
    return f"finite for {steps} steps: last loss {loss.item():.3g} (largest |h_T| {big:.2g})"


def main():
    torch.set_num_threads(1)
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    Ts = [int(a) for a in sys.argv[2:]] or [400, 750, 1000]
    for T in Ts:
        for rms0 in (1e-3, 1e-12):
            for s in (1, 2, 3):
                print(f"T={T} rms0={rms0:g} data seed {s}: {run(T, s, steps, rms0)}", flush=True)


if __name__ == "__main__":
    main()
