#!/usr/bin/python3
"""Agreement of expctl with PyTorch: losses, gradients and 100-step training trajectories.

  /usr/bin/python3 .ci/pytorch_parity.py --expctl ./expctl [--work DIR]

For each cell (expctl's rnn, lstm and gru-torch against torch.nn.RNN, nn.LSTM and nn.GRU)
and dtype (float64, float32), on the adding task (T=20, batch 16, hidden 8, seed 1):

1. Data: `expctl data` writes the training batches of steps 1..100 and the test set; both
   sides read them from train.npz and test.npz.
2. Initial weights: drawn here with numpy (uniform in ±1/√H, in expctl's layout: cell/W,
   cell/b, ..., readout/V, readout/c), saved as an .npz in the trial's dtype and given to
   `expctl run trial --init-params`; the PyTorch modules are loaded with the same values.
3. Loss and gradients: one expctl trial of 1 step of plain SGD with lr 1, no momentum and
   no clipping, so that its params.npz holds θ₁ = θ₀ − g: expctl's gradient is θ₀ − θ₁. It
   is compared with PyTorch's autograd gradient on batch 1; the loss with the trial's
   curve.csv (test loss at step 0, training loss of step 1).
4. Trajectories: one expctl trial per optimizer (SGD with momentum 0.9, RMSProp with its
   average of squared gradients from 0 and from rms_init 1e-3, Adam), 100 steps, gradients
   clipped to global norm 0.5 (which some steps exceed and some do not), evaluated every
   step; PyTorch trains with torch.optim.SGD / RMSprop / Adam on the same batches.
   Compared: the training loss and gradient norm of every step, the final test loss, every
   final parameter.

Layout. expctl fuses [x; h] in one matrix per gate set: torch weight_ih = W[:, :D] and
weight_hh = W[:, D:]. LSTM gates are i, f, o, g in expctl and i, f, g, o in PyTorch. PyTorch
has two biases, b_ih and b_hh, where only their sum acts (every gate of rnn and lstm, r and
z of the GRU): expctl's one bias is b_ih there, and b_hh is held at 0 (its gradient masked to
0, so every optimizer leaves it at 0). The GRU's b_hn is expctl's bhn.

Formulas. torch.optim.SGD (dampening 0, not Nesterov), RMSprop (ε added after the square
root, not centred) and Adam (bias-corrected m and v, ε added after √v̂) use the formulas of
expctl's runner/optim.go, so they are used as they are. Clipping is not: clip_grad_norm_
scales by C / (‖g‖ + 1e-6); expctl by C / ‖g‖ (when ‖g‖ > C), which this script applies.

Differences are relative: max |a − b| / max |b| over an array (b is PyTorch's), |a − b| / |b|
for a scalar. The script exits 1 when one exceeds its bound (1e-9 in float64; see BOUND32
for float32), and prints a one-line reason and exits 0 when torch is missing.
"""

import argparse
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import torch
except ImportError as e:
    print(f"pytorch parity skipped: {e} (install python3-torch python3-numpy)")
    sys.exit(0)

T, B, H, SEED, STEPS, TEST = 20, 16, 8, 1, 100, 32
D, K = 2, 1
CLIP = 0.5
BOUND64 = 1e-9
# float32: both sides round every operation to 24 bits (unit roundoff 6e-8), in different
# orders: fused [x; h] gate matrices against PyTorch's separate ih and hh products, sums of
# squares and optimizer state in float64 (expctl) against float32 (PyTorch). Measured
# (torch 1.13): losses within 2e-7, gradients within 9e-7, 100-step trajectories within
# 1e-5 (Adam and RMSProp, whose division by √v enlarges the rounding of small gradients,
# differ the most). The bounds
# are ten times those: a real difference in a formula shows as 1e-3 or more.
BOUND32 = {"loss": 2e-6, "grad": 1e-5, "traj": 1e-4}
OPTIMIZERS = {
    "sgd": (["--optimizer", "sgd", "--lr", "0.05", "--momentum", "0.9"],
            lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9)),
    "rmsprop": (["--optimizer", "rmsprop", "--lr", "0.003", "--decay", "0.9", "--epsilon", "1e-8"],
                lambda ps: torch.optim.RMSprop(ps, lr=0.003, alpha=0.9, eps=1e-8)),
    "rmsprop rms_init": (["--optimizer", "rmsprop", "--lr", "0.003", "--decay", "0.9", "--epsilon", "1e-8", "--rms-init", "1e-3"],
                         lambda ps: rmsprop_from(ps, 1e-3, lr=0.003, alpha=0.9, eps=1e-8)),
    "adam": (["--optimizer", "adam", "--lr", "0.003", "--beta1", "0.9", "--beta2", "0.999", "--epsilon", "1e-8"],
             lambda ps: torch.optim.Adam(ps, lr=0.003, betas=(0.9, 0.999), eps=1e-8)),
}
CELLS = ("rnn", "lstm", "gru-torch")


def rmsprop_from(ps, s0, **kw):
    """torch.optim.RMSprop with its average of squared gradients starting at s0, not 0
    (expctl's rms_init): one step on zero gradients creates the state without moving any
    parameter, then the average is set to s0."""
    opt = torch.optim.RMSprop(ps, **kw)
    for p in ps:
        p.grad = torch.zeros_like(p)
    opt.step()
    for p in ps:
        opt.state[p]["square_avg"].fill_(s0)
    opt.zero_grad()
    return opt


def layout(cell):
    """expctl's parameter names and shapes (see models/<cell>.go and the readout)."""
    if cell == "rnn":
        p = [("cell/W", (H, D + H)), ("cell/b", (H, 1))]
    elif cell == "lstm":
        p = [("cell/W", (4 * H, D + H)), ("cell/b", (4 * H, 1))]
    else:
        p = [("cell/Wrz", (2 * H, D + H)), ("cell/brz", (2 * H, 1)), ("cell/Win", (H, D)),
             ("cell/bin", (H, 1)), ("cell/Whn", (H, H)), ("cell/bhn", (H, 1))]
    return p + [("readout/V", (K, H)), ("readout/c", (K, 1))]


LSTM_ORDER = (0, 1, 3, 2)  # PyTorch's gate i, f, g, o is expctl's block 0, 1, 3, 2


class Net(torch.nn.Module):
    def __init__(self, cell, dtype):
        super().__init__()
        self.cell = cell
        mod = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru-torch": torch.nn.GRU}[cell]
        self.rnn = mod(D, H, **({"nonlinearity": "tanh"} if cell == "rnn" else {}))
        self.readout = torch.nn.Linear(H, K)
        self.to(dtype)
        # Biases whose sum with b_ih is all that acts: held at 0.
        n = {"rnn": H, "lstm": 4 * H, "gru-torch": 2 * H}[cell]
        mask = torch.ones_like(self.rnn.bias_hh_l0)
        mask[:n] = 0
        self.rnn.bias_hh_l0.register_hook(lambda g: g * mask)

    def load(self, p):
        """Sets the weights from expctl's arrays p (name -> numpy array)."""
        t = lambda a: torch.tensor(a, dtype=self.readout.weight.dtype)
        r = self.rnn
        with torch.no_grad():
            if self.cell == "gru-torch":
                W, b = p["cell/Wrz"], p["cell/brz"][:, 0]
                r.weight_ih_l0.copy_(t(np.vstack([W[:, :D], p["cell/Win"]])))
                r.weight_hh_l0.copy_(t(np.vstack([W[:, D:], p["cell/Whn"]])))
                r.bias_ih_l0.copy_(t(np.concatenate([b, p["cell/bin"][:, 0]])))
                r.bias_hh_l0.copy_(t(np.concatenate([np.zeros(2 * H), p["cell/bhn"][:, 0]])))
            else:
                W, b = p["cell/W"], p["cell/b"][:, 0]
                if self.cell == "lstm":
                    W = np.vstack([W[k * H:(k + 1) * H] for k in LSTM_ORDER])
                    b = np.concatenate([b[k * H:(k + 1) * H] for k in LSTM_ORDER])
                r.weight_ih_l0.copy_(t(W[:, :D]))
                r.weight_hh_l0.copy_(t(W[:, D:]))
                r.bias_ih_l0.copy_(t(b))
                r.bias_hh_l0.zero_()
            self.readout.weight.copy_(t(p["readout/V"]))
            self.readout.bias.copy_(t(p["readout/c"][:, 0]))

    def export(self, grad=False):
        """The weights (or their gradients) in expctl's layout."""
        r = self.rnn
        get = lambda x: (x.grad if grad else x).detach().double().numpy()
        wi, wh, bi, bh = get(r.weight_ih_l0), get(r.weight_hh_l0), get(r.bias_ih_l0), get(r.bias_hh_l0)
        out = {}
        if self.cell == "gru-torch":
            out["cell/Wrz"] = np.hstack([wi[:2 * H], wh[:2 * H]])
            out["cell/brz"] = bi[:2 * H, None]
            out["cell/Win"], out["cell/bin"] = wi[2 * H:], bi[2 * H:, None]
            out["cell/Whn"], out["cell/bhn"] = wh[2 * H:], bh[2 * H:, None]
        else:
            W, b = np.hstack([wi, wh]), bi
            if self.cell == "lstm":
                inv = np.argsort(LSTM_ORDER)
                W = np.vstack([W[k * H:(k + 1) * H] for k in inv])
                b = np.concatenate([b[k * H:(k + 1) * H] for k in inv])
            out["cell/W"], out["cell/b"] = W, b[:, None]
        out["readout/V"] = get(self.readout.weight)
        out["readout/c"] = get(self.readout.bias)[:, None]
        return out

    def loss(self, x, y, steps):
        """MSE over the loss steps: Σ (y − t)² / (K·N), as expctl's readout."""
        h, _ = self.rnn(x)
        return torch.nn.functional.mse_loss(self.readout(h[steps]), y)


def clip_(params, c):
    """expctl's norm clipping: g ← g·C/‖g‖ when ‖g‖ > C; returns ‖g‖ before clipping."""
    gs = [p.grad for p in params if p.grad is not None]
    norm = torch.sqrt(sum((g.double() ** 2).sum() for g in gs)).item()
    if norm > c:
        for g in gs:
            g.mul_(c / norm)
    return norm


def rel(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    scale = np.max(np.abs(b))
    return float(np.max(np.abs(a - b)) / scale) if scale > 0 else float(np.max(np.abs(a - b)))


def run_trial(expctl, out, cell, dtype, init, steps, extra):
    cmd = [expctl, "run", "trial", "--task", "adding", "--T", str(T), "--cell", cell, "--hidden", str(H),
           "--batch", str(B), "--steps", str(steps), "--seed", str(SEED), "--test-size", str(TEST),
           "--eval-every", "1", "--keep-going", "--dtype", dtype, "--init-params", init, "--out", out] + extra
    res = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, GOMAXPROCS="1"))
    if res.returncode != 0:
        sys.exit(f"{' '.join(cmd)}: exit {res.returncode}\n{res.stdout}{res.stderr}")
    trial = res.stdout.split()[1].rstrip(":")
    d = os.path.join(out, trial)
    z = np.load(os.path.join(d, "params.npz"))
    params = {k: z[k] for k in z.files}
    curve = np.genfromtxt(os.path.join(d, "curve.csv"), delimiter=",", names=True)
    return params, curve


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--expctl", required=True, help="the expctl binary")
    ap.add_argument("--work", help="working directory (default: a temporary one)")
    args = ap.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="expctl-parity-")
    torch.set_num_threads(1)
    data = os.path.join(work, "data")
    subprocess.run([args.expctl, "data", "--task", "adding", "--T", str(T), "--seed", str(SEED), "--batch", str(B),
                    "--steps", str(STEPS), "--test-size", str(TEST), "--out", data], check=True, capture_output=True)
    train, test = np.load(os.path.join(data, "train.npz")), np.load(os.path.join(data, "test.npz"))
    print(f"torch {torch.__version__}, numpy {np.__version__}; adding T={T}, batch {B}, hidden {H}, "
          f"{STEPS} steps, clip norm:{CLIP}; max relative difference expctl vs PyTorch")
    print(f"{'cell':10} {'dtype':8} {'quantity':28} {'max rel diff':>12} {'bound':>8}")
    failed = []

    def report(cell, dtype, what, value, bound):
        ok = value <= bound
        print(f"{cell:10} {dtype:8} {what:28} {value:12.3e} {bound:8.0e}{'' if ok else '  FAIL'}")
        if not ok:
            failed.append(f"{cell} {dtype} {what}")

    for dtype in ("float64", "float32"):
        tdt = {"float64": torch.float64, "float32": torch.float32}[dtype]
        npdt = {"float64": np.float64, "float32": np.float32}[dtype]
        b_loss = BOUND64 if dtype == "float64" else BOUND32["loss"]
        b_grad = BOUND64 if dtype == "float64" else BOUND32["grad"]
        b_traj = BOUND64 if dtype == "float64" else BOUND32["traj"]
        cast = lambda a: torch.tensor(np.asarray(a, dtype=npdt))
        xs, ys = cast(train["x"]), cast(train["y"])
        steps = torch.tensor(train["loss_steps"])
        tx, ty = cast(test["x"]), cast(test["y"])
        for cell in CELLS:
            rng = np.random.default_rng(7)
            a = 1 / np.sqrt(H)
            init = {n: rng.uniform(-a, a, s).astype(npdt) for n, s in layout(cell)}
            init_path = os.path.join(work, f"init-{cell}-{dtype}.npz")
            np.savez(init_path, **init)
            runs = os.path.join(work, "runs")

            # Loss and gradients from one step of SGD with lr 1: θ₁ = θ₀ − g.
            p1, curve = run_trial(args.expctl, runs, cell, dtype, init_path, 1,
                                  ["--optimizer", "sgd", "--lr", "1", "--momentum", "0", "--clip", "none"])
            net = Net(cell, tdt)
            net.load(init)
            with torch.no_grad():
                test0 = net.loss(tx, ty, steps).item()
            loss = net.loss(xs[0], ys[0], steps)
            loss.backward()
            report(cell, dtype, "test loss at init", rel(curve["test_loss"][0], test0), b_loss)
            report(cell, dtype, "training loss, batch 1", rel(curve["train_loss"][1], loss.item()), b_loss)
            g = net.export(grad=True)
            worst = max(rel(init[n].astype(np.float64) - p1[n].astype(np.float64), g[n]) for n in g)
            report(cell, dtype, "gradient (worst parameter)", worst, b_grad)

            # 100-step trajectories.
            for name, (flags, make) in OPTIMIZERS.items():
                pT, curve = run_trial(args.expctl, runs, cell, dtype, init_path, STEPS, flags + ["--clip", f"norm:{CLIP}"])
                net = Net(cell, tdt)
                net.load(init)
                opt = make(list(net.parameters()))
                losses, norms, clipped = [], [], 0
                for i in range(STEPS):
                    opt.zero_grad()
                    loss = net.loss(xs[i], ys[i], steps)
                    loss.backward()
                    norm = clip_(list(net.parameters()), CLIP)
                    clipped += norm > CLIP
                    opt.step()
                    losses.append(loss.item())
                    norms.append(norm)
                with torch.no_grad():
                    testT = net.loss(tx, ty, steps).item()
                final = net.export()
                report(cell, dtype, f"{name}: training losses", rel(curve["train_loss"][1:], losses), b_traj)
                report(cell, dtype, f"{name}: gradient norms", rel(curve["grad_norm"][1:], norms), b_traj)
                report(cell, dtype, f"{name}: final test loss", rel(curve["test_loss"][-1], testT), b_traj)
                report(cell, dtype, f"{name}: final parameters", max(rel(pT[n], final[n]) for n in final), b_traj)
                print(f"{cell:10} {dtype:8} {name + ': steps clipped':28} {clipped:12d}")
                if clipped in (0, STEPS):
                    failed.append(f"{cell} {dtype} {name}: {clipped} of {STEPS} steps clipped; want some clipped, some not")
    if failed:
        sys.exit("pytorch parity FAILED: " + "; ".join(failed))
    print("pytorch parity: every difference within its bound")


if __name__ == "__main__":
    main()
