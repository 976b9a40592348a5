"""Time and memory of Vi²CLR's FINCH (``finch_partition``) at K-400 scale.

Synthetic embeddings with cluster structure: ``--classes`` class centres,
each with ``--sub`` sub-centres, ``--num`` L2-normalised samples around
them (``(N, --dim)`` float32), then the FINCH partitions of
:func:`mmauxskd.models.utils.clustering.finch_levels` (exact first
neighbours in tiles). Prints the cluster counts per level, the purity of
the second partition against the classes, the wall time and the peak
resident memory (Linux ``VmHWM``, reset after the features are made, so
it is FINCH's peak plus what the process held before). Figures in
docs/vi2clr.md.

    python tools/benchmarks/finch.py --num 240000 --dim 128
"""
import argparse
import time

import numpy as np
import torch
from mmengine.logging import MMLogger

from mmauxskd.models.utils.clustering import cluster_purity, finch_levels


def clustered(num, dim, classes, sub, seed):
    """``(num, dim)`` float32 unit vectors around ``classes x sub``
    centres and their ``(num,)`` classes."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(classes, 1, dim))
    centres = (centres + 0.6 * rng.normal(size=(classes, sub, dim)))
    centres = centres.reshape(-1, dim)
    which = rng.integers(0, classes * sub, num)
    feats = centres[which] + 0.5 * rng.normal(size=(num, dim))
    feats /= np.linalg.norm(feats, axis=1, keepdims=True)
    return feats.astype(np.float32), which // sub


def resident(field):
    """A ``/proc/self/status`` memory figure in GiB (``VmRSS``, ``VmHWM``);
    NaN where there is none."""
    try:
        with open('/proc/self/status') as f:
            line = next(x for x in f if x.startswith(field + ':'))
    except (OSError, StopIteration):
        return float('nan')
    return int(line.split()[1]) / 2**20


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--num', type=int, default=240_000)
    parser.add_argument('--dim', type=int, default=128)
    parser.add_argument('--classes', type=int, default=400)
    parser.add_argument('--sub', type=int, default=30)
    parser.add_argument('--chunk', type=int, default=1024)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    MMLogger.get_instance('finch_benchmark')  # print_log's current logger
    feats, classes = clustered(args.num, args.dim, args.classes, args.sub,
                               args.seed)
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')  # peak resident memory := current
    except OSError:  # not Linux: the peak includes making the features
        pass
    before = resident('VmRSS')
    start = time.perf_counter()
    levels, counts = finch_levels(feats, args.chunk)
    seconds = time.perf_counter() - start
    peak = resident('VmHWM')
    purity = cluster_purity(levels[:, min(1, levels.shape[1] - 1)], classes)
    print(f'N={args.num} d={args.dim} ({args.classes} classes x {args.sub} '
          f'sub-centres), torch threads {torch.get_num_threads()}')
    print(f'clusters per level: {counts}; second partition purity '
          f'{purity:.3f}')
    print(f'FINCH: {seconds:.1f} s; peak resident memory {peak:.2f} GiB '
          f'(before FINCH: {before:.2f} GiB, the features and imports)')


if __name__ == '__main__':
    main()
