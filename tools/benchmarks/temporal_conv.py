"""R(2+1)D training steps on CPU: stock ``nn.Conv3d`` temporal convolutions
against :class:`mmauxskd.models.utils.TemporalConv3d`, side by side.

    python tools/benchmarks/temporal_conv.py [--config CFG] [--batch 12]
        [--shape T H W] [--threads 1] [--rounds 5] [--steps 10]

Builds the config's model (default: the demo VSPP model), and times one
training step of its backbone (forward, backward, SGD) on random clips,
alternating rounds of ``--steps`` steps between the two
versions of the same model (the same weights; only ``conv_t``'s class
differs), so both see the same machine state. Prints the median step time
of each and their ratio, and checks that both give the same loss.
"""
import argparse
import copy
import statistics
import time

import torch
import torch.nn as nn

import mmauxskd  # noqa: F401  registers modules
from mmauxskd.models.utils import TemporalConv3d

DEMO = 'configs/vspp/vspp_r2plus1d-r10-w8_1xb12-16x1x1-1200it_demo-rgb.py'


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--config', default=DEMO)
    p.add_argument('--batch', type=int, default=12)
    p.add_argument('--shape', type=int, nargs=3, default=(16, 32, 32),
                   metavar=('T', 'H', 'W'),
                   help='clip size (default: the demo clips, 16 32 32)')
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--rounds', type=int, default=5)
    p.add_argument('--steps', type=int, default=10)
    return p.parse_args()


def with_conv_t(model, cls):
    """A copy of ``model`` whose ``Conv2plus1d.conv_t`` modules are ``cls``."""
    from mmaction.models.common import Conv2plus1d
    model = copy.deepcopy(model)
    convs = [m.conv_t for m in model.modules() if isinstance(m, Conv2plus1d)]
    for conv in convs:
        conv.__class__ = cls
    return model, len(convs)


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmaction.registry import MODELS
    init_default_scope('mmaction')
    cfg = Config.fromfile(args.config)
    backbone = MODELS.build(cfg.model.backbone)
    clip_len, height, width = args.shape
    torch.manual_seed(0)
    x = torch.randn(args.batch, 3, clip_len, height, width)
    stock, n = with_conv_t(backbone, nn.Conv3d)
    fast, _ = with_conv_t(backbone, TemporalConv3d)
    models = dict(stock=stock, fast=fast)
    optims = {k: torch.optim.SGD(m.parameters(), lr=1e-3)
              for k, m in models.items()}
    losses = {k: m(x).float().pow(2).mean().item() for k, m in models.items()}

    def step(name):
        out = models[name](x)
        loss = out.pow(2).mean()
        optims[name].zero_grad()
        loss.backward()
        optims[name].step()

    times = dict(stock=[], fast=[])
    for name in times:  # warm-up
        for _ in range(3):
            step(name)
    for _ in range(args.rounds):
        for name in times:
            t0 = time.perf_counter()
            for _ in range(args.steps):
                step(name)
            times[name].append((time.perf_counter() - t0) / args.steps)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f'{args.config}: backbone, batch {args.batch} of 3x{clip_len}x'
          f'{height}x{width}, {args.threads} thread(s), {n} temporal convs, '
          f'{args.rounds} alternating rounds of {args.steps} steps')
    print(f'loss before training: stock {losses["stock"]:.6f}, '
          f'fast {losses["fast"]:.6f}')
    for name in times:
        print(f'  {name:5s} conv_t: {med[name] * 1e3:7.2f} ms / step '
              f'(rounds: {", ".join(f"{t * 1e3:.1f}" for t in times[name])})')
    print(f'  speed-up (stock / fast): {med["stock"] / med["fast"]:.2f}x')


if __name__ == '__main__':
    main()
