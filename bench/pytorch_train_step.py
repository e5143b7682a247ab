#!/usr/bin/python3
"""PyTorch peer of the training-step benchmark (the "seed" CNN, NCHW 1x150x150).

    /usr/bin/python3 bench/pytorch_train_step.py [--batch 32] [--threads 2]
        [--warmup 2] [--steps 5] [--modes fp32,cl,bf16,bf16cl]

Per mode prints one line on stdout:
    pytorch mode=M train_ms=<best> train_ms_median=<median> infer_ms=<best> infer_ms_median=<median>
and, for the bf16 modes, the inference of the model converted to bfloat16 once (no autocast):
    infer_bf16_weights_ms=<best> infer_bf16_weights_ms_median=<median>
"""
import argparse
import copy
import statistics
import sys
import time
from contextlib import nullcontext

import torch
import torch.nn as nn

NUM_PARAMS = 7_182_458
MODES = ("fp32", "cl", "bf16", "bf16cl")


def seed_net():
    def block(cin, cout):
        return [nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(),
                nn.Conv2d(cout, cout, 3), nn.ReLU(), nn.MaxPool2d(2)]
    return nn.Sequential(
        *block(1, 32), *block(32, 64), *block(64, 128), nn.Dropout(0.3),
        *block(128, 256), *block(256, 512), nn.Dropout(0.3),
        nn.Flatten(), nn.Linear(2048, 1200), nn.ReLU(), nn.Dropout(0.45),
        nn.Linear(1200, 10))


def timed(fn, warmup, steps):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000.0)
    return min(times), statistics.median(times)


def run_mode(mode, args):
    torch.manual_seed(0)
    bf16 = mode.startswith("bf16")
    cl = mode.endswith("cl")
    fmt = torch.channels_last if cl else torch.contiguous_format

    model = seed_net()
    n = sum(p.numel() for p in model.parameters())
    assert n == NUM_PARAMS, f"parameter count {n} != {NUM_PARAMS}"
    model = model.to(memory_format=fmt)
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    loss_fn = nn.CrossEntropyLoss()

    x = torch.randn(args.batch, 1, 150, 150).contiguous(memory_format=fmt)
    y = torch.randint(0, 10, (args.batch,))

    def autocast():
        return torch.autocast("cpu", dtype=torch.bfloat16) if bf16 else nullcontext()

    def train_step():
        opt.zero_grad(set_to_none=True)
        with autocast():
            loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    def infer():
        with torch.no_grad(), autocast():
            model(x)

    model.train()
    train_best, train_med = timed(train_step, args.warmup, args.steps)
    model.eval()
    infer_best, infer_med = timed(infer, args.warmup, args.steps)
    frozen = ""
    if bf16:
        # autocast casts the weights again in every pass; a model converted to bfloat16 once does not, like our
        # predict and serve (GenreNet.FreezeForInference): PyTorch's best inference is the faster of the two
        model_bf16 = copy.deepcopy(model).to(torch.bfloat16)
        x_bf16 = x.to(torch.bfloat16)

        def infer_frozen():
            with torch.no_grad():
                model_bf16(x_bf16)

        frozen_best, frozen_med = timed(infer_frozen, args.warmup, args.steps)
        frozen = f" infer_bf16_weights_ms={frozen_best:.1f} infer_bf16_weights_ms_median={frozen_med:.1f}"
    print(f"pytorch mode={mode} train_ms={train_best:.1f} train_ms_median={train_med:.1f} "
          f"infer_ms={infer_best:.1f} infer_ms_median={infer_med:.1f}{frozen}", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--modes", default=",".join(MODES))
    args = ap.parse_args()
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    for m in modes:
        if m not in MODES:
            ap.error(f"unknown mode {m!r}; choose from {','.join(MODES)}")
    if args.steps < 1:
        ap.error("--steps must be >= 1")
    torch.set_num_threads(args.threads)
    print(f"torch={torch.__version__} threads={torch.get_num_threads()} batch={args.batch}",
          file=sys.stderr)
    for m in modes:
        run_mode(m, args)


if __name__ == "__main__":
    main()
