"""Clips per second of data pipelines, side by side on the same videos.

Each pipeline runs on every video in turn (interleaved, rotating which goes
first, so that disk cache and machine load hit all alike), in this process
(no dataloader workers; OpenCV single-threaded as in mmengine's workers).
Prints clips/s per pipeline, per video group (one group per ``--videos``
argument) and in total, and each pipeline's ratio to ``--baseline``.

    CFG=configs/vspp/vspp_r2plus1d-r10_2xb15-16x1x1-20e_k100-rgb.py
    python tools/benchmarks/pipeline.py \\
        --videos 'data/demo/videos/unlabelled/*.mp4' '/tmp/skv/videos/*.mp4' \\
        --pipeline vspp=$CFG --pipeline stock=$CFG:stock --repeats 3

A pipeline is ``NAME=CONFIG`` (the config's training pipeline, as the
dataset would run it), ``NAME=CONFIG:stock`` (MMAction2's stock pipeline
with the same steps: the clip sampler replaced by ``SampleFrames(clip_len=K,
frame_interval=1, num_clips=1)`` and our faster drop-in transforms by the
stock ones they replace, e.g. ``ClipColorJitter`` by ``ColorJitter``,
``PyAVSeekInit``/``PyAVSeekDecode`` by ``DecordInit``/``DecordDecode``) or
``NAME=CONFIG:sampleframes`` (only the sampler replaced: the cost of the
sampling alone), ``NAME=CONFIG:cpu-augment`` (a pretext config's pipeline
with the flip and colour jitter its model draws on the device put back, as
the workers ran it before; ``loader.py --device-augment`` compares the
two), ``NAME=CONFIG:pyav`` (the config's pipeline decoding with
``PyAVSeekInit``/``PyAVSeekDecode``; ``:decord``, ``:torchcodec`` likewise).
``:stock`` and ``:decord`` need decord (optional: ``pip install -e
.[decord]``; without it they stop at once, saying so). Without
``--pipeline``, ``vspp`` and ``stock`` of the VSPP config above are
compared. Any pretext config with a video training pipeline works;
``--split val`` / ``test`` takes the config's val / test pipeline instead
(e.g. the 10-clip test of a finetuning config).

A sample of a multi-clip pretext (VCOP's tuple, RSPNet's triplet, auxSKD's
two views) holds several clips, so two tables are printed: samples per
second, and clips per second (samples/s times the clips in each sample's
``inputs``), each with its ratios to the baseline.
"""
import argparse
import glob
import os.path as osp
import platform
import time

import numpy as np

import mmauxskd  # noqa: F401  (stack fixes, registers our transforms)
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.registry import init_default_scope

from mmauxskd.cfg import (DECODER_BACKENDS, device_augments,
                          restore_augments, set_decoder)
from mmauxskd.datasets.transforms.video_readers import check_decord

DEFAULT_CONFIG = 'configs/vspp/vspp_r2plus1d-r10_2xb15-16x1x1-20e_k100-rgb.py'


def train_pipeline(cfg, split='train'):
    """The training dataset's pipeline (inside dataset wrappers too), or
    that of the ``split`` loader (``'val'``, ``'test'``)."""
    loader = cfg.get(f'{split}_dataloader')
    if not loader:
        raise KeyError(f'the config has no {split}_dataloader')
    dataset = loader.dataset
    while 'pipeline' not in dataset and 'dataset' in dataset:
        dataset = dataset.dataset
    return [dict(t) for t in dataset.pipeline]


# our drop-in replacements -> the MMAction2 transform each replaces
STOCK_TRANSFORMS = dict(ClipColorJitter='ColorJitter',
                        PyAVSeekInit='DecordInit',
                        PyAVSeekDecode='DecordDecode')


def stock_variant(pipeline, transforms=True):
    """``pipeline`` with its sampler replaced by a stock ``SampleFrames``
    and, with ``transforms``, ``STOCK_TRANSFORMS`` by the stock ones. A
    ``ClipGroupAugment`` (per-group augmentation of multi-clip samples)
    becomes its transforms: the stock sample is one clip, one group."""
    out, found = [], False
    for t in pipeline:
        group = t['transforms'] if t['type'] == 'ClipGroupAugment' else [t]
        for t in group:
            if not found and 'clip_len' in t:
                t, found = dict(type='SampleFrames', clip_len=t['clip_len'],
                                frame_interval=1, num_clips=1), True
            elif transforms and t['type'] in STOCK_TRANSFORMS:
                t = dict(t, type=STOCK_TRANSFORMS[t['type']])
            out.append(t)
    if not found:
        raise ValueError('no top-level sampler (a transform with clip_len) '
                         f'in {[t["type"] for t in pipeline]}')
    return out


def parse_pipeline(spec, split='train'):
    """``NAME=CONFIG[:stock|:sampleframes|:cpu-augment|:DECODER]`` ->
    (name, transform dicts) of the ``split`` loader; ``DECODER``
    (``decord``, ``pyav``, ``torchcodec``) swaps the config's decoder
    (``set_decoder``); ``cpu-augment`` puts back the flip and colour jitter
    that the config's model does on the device (``restore_augments``: the
    pipeline as before the move). ``stock`` and ``decord`` need decord
    (optional: ``pip install -e .[decord]``)."""
    name, _, source = spec.partition('=')
    if not source:
        raise ValueError(f'--pipeline {spec!r}: expected NAME=CONFIG'
                         '[:stock|:sampleframes|:cpu-augment|:DECODER]')
    path, _, variant = source.partition(':')
    cfg = Config.fromfile(path)
    pipeline = train_pipeline(cfg, split)
    if variant == 'cpu-augment':
        augments = device_augments(cfg.model.get('data_preprocessor'))
        if not augments:
            raise ValueError(f'--pipeline {spec!r}: the model of {path} '
                             'augments nothing on the device')
        pipeline = restore_augments(pipeline, augments)
    elif variant in ('stock', 'sampleframes'):
        pipeline = stock_variant(pipeline, transforms=variant == 'stock')
    elif variant in DECODER_BACKENDS:
        pipeline = set_decoder(pipeline, variant)
    elif variant:
        raise ValueError(f'--pipeline {spec!r}: unknown variant {variant!r}')
    check_decord(pipeline, f'--pipeline {spec}')
    return name, pipeline


def expand(patterns):
    """``[(group, [paths])]``, one group per pattern."""
    groups = []
    for pattern in patterns:
        paths = sorted(glob.glob(pattern)) if any(
            c in pattern for c in '*?[') else [pattern]
        paths = [p for p in paths if osp.isfile(p)]
        if not paths:
            raise FileNotFoundError(f'--videos {pattern!r} matches no file')
        groups.append((pattern, paths))
    return groups


def _num_clips(out):
    """Clips in one packed sample: the leading dimensions of its
    ``(..., C, T, H, W)`` ``inputs`` (N for ``(N, C, T, H, W)``)."""
    inputs = out.get('inputs')
    if inputs is None or inputs.dim() < 5:
        return 1
    return int(np.prod(inputs.shape[:-4]))


def run(pipelines, groups, repeats=3, warmup=1, seed=0, clock='wall'):
    """``{name: {group: [samples, seconds, clips]}}`` over ``repeats``
    passes; seconds of wall time, or of this process's CPU time
    (``clock='cpu'``: on a machine loaded by other jobs, the time they
    take the CPU away does not count)."""
    timer = time.process_time if clock == 'cpu' else time.perf_counter
    init_default_scope('mmaction')
    np.random.seed(seed)
    composed = {name: Compose(p) for name, p in pipelines}
    names = list(composed)
    stats = {n: {g: [0, 0.0, 0] for g, _ in groups} for n in names}
    for rep in range(warmup + repeats):
        for k, (group, path) in enumerate(
                (g, p) for g, ps in groups for p in ps):
            order = names[k % len(names):] + names[:k % len(names)]
            for name in order:
                results = dict(filename=path, label=-1, start_index=0,
                               modality='RGB')
                start = timer()
                out = composed[name](results)
                took = timer() - start
                if out is None:
                    raise RuntimeError(f"{name} failed on {path}")
                if rep >= warmup:
                    stats[name][group][0] += 1
                    stats[name][group][1] += took
                    stats[name][group][2] += _num_clips(out)
    return stats


def report(stats, groups, baseline):
    """Printable tables of samples/s and clips/s, with ratios."""
    names = list(stats)
    ratio_names = [n for n in names if n != baseline]
    rows = [(g, [g]) for g, _ in groups] + [('all', [g for g, _ in groups])]
    lines = []
    for unit, index in (('samples/s', 0), ('clips/s', 2)):
        header = f'{"videos":44s}' + ''.join(f'{n:>14s}' for n in names)
        header += ''.join(f'{n + "/" + baseline:>18s}' for n in ratio_names)
        lines.append(header + f'   ({unit})')
        for label, members in rows:
            rate = {}
            for n in names:
                count = sum(stats[n][g][index] for g in members)
                secs = sum(stats[n][g][1] for g in members)
                rate[n] = count / secs if secs else float('nan')
            row = f'{label[-44:]:44s}' + ''.join(f'{rate[n]:14.1f}'
                                                  for n in names)
            row += ''.join(f'{rate[n] / rate[baseline]:18.2f}'
                           for n in ratio_names)
            lines.append(row)
        lines.append('')
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--videos', nargs='+', required=True,
                        help='video files or glob patterns (one group each)')
    parser.add_argument('--pipeline', action='append', default=None,
                        help='NAME=CONFIG[:stock|:sampleframes|'
                        ':cpu-augment|:DECODER]; repeatable')
    parser.add_argument('--baseline', help='pipeline the ratios divide by '
                        '(default: "stock" if given, else the first)')
    parser.add_argument('--repeats', type=int, default=3,
                        help='timed passes over the videos')
    parser.add_argument('--warmup', type=int, default=1,
                        help='untimed passes first')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--clock', default='wall', choices=['wall', 'cpu'],
                        help="seconds of wall time (default) or of this "
                        "process's CPU time (robust to other jobs' load)")
    parser.add_argument('--split', default='train',
                        choices=['train', 'val', 'test'],
                        help="whose pipeline: the config's training loader "
                        '(default), or its val / test loader')
    args = parser.parse_args(argv)
    import cv2
    cv2.setNumThreads(0)  # as mmengine's dataloader workers
    specs = args.pipeline or [f'vspp={DEFAULT_CONFIG}',
                              f'stock={DEFAULT_CONFIG}:stock']
    pipelines = [parse_pipeline(s, args.split) for s in specs]
    names = [n for n, _ in pipelines]
    if len(set(names)) != len(names):
        parser.error(f'pipeline names repeat: {names}')
    baseline = args.baseline or ('stock' if 'stock' in names else names[0])
    groups = expand(args.videos)
    for name, p in pipelines:
        print(f'{name}: {" -> ".join(t["type"] for t in p)}')
    print(f'{args.split} pipelines; '
          f'{sum(len(p) for _, p in groups)} videos, {args.repeats} timed '
          f'passes after {args.warmup} warm-up; {platform.processor() or ""}'
          f' {platform.machine()}, one process, {args.clock} clock')
    stats = run(pipelines, groups, args.repeats, args.warmup, args.seed,
                args.clock)
    print(report(stats, groups, baseline))
    return stats


if __name__ == '__main__':
    main()
