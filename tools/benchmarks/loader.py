"""Is training data-bound? Loader clips/s beside the training step's.

For a config and a video list, measures on this machine:

* **loader**: the config's training dataloader (its real pipeline, with
  ``--workers`` processes and ``--batch-size``), clips per second in the
  steady state (the batches the workers prefetch are skipped first), for
  each ``--workers`` and ``--decoder`` given;
* **step**: the config's model, one training step (data preprocessor,
  forward, backward, optimizer step; auxSKD's teacher update and queue
  too) on a batch from that loader, on ``--device`` (``cpu`` or ``cuda``)
  in fp32 or ``--amp bf16`` (``AmpOptimWrapper(dtype='bfloat16')`` on
  CUDA, ``torch.autocast`` on the CPU);

and prints their ratio (loader / step: below 1 the model waits for data)
with the knobs that would help: more workers, resized videos
(``tools/data/resize_videos.py``), another decoder. The two are timed one
after the other, each with the machine to itself. A clip is one
``(C, T, H, W)`` input: an auxSKD sample counts two. Examples::

    # on a GPU machine, the paper's batch
    python tools/benchmarks/loader.py configs/vspp/vspp_r2plus1d-r10_2xb15-16x1x1-20e_k100-rgb.py \\
        --ann-file data/k100/list.txt --data-root data/kinetics400/videos \\
        --device cuda --batch-size 30 --workers 15 --amp bf16
    # which knob: workers and decoders side by side
    python tools/benchmarks/loader.py CONFIG --ann-file L --data-root R \\
        --workers 2 8 15 --decoder decord pyav

``--json`` also prints one JSON line per measurement.
"""
import argparse
import copy
import json
import os
import os.path as osp
import platform
import sys
import time

import numpy as np

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)


def find_dataset(cfg_dataset):
    """The innermost dataset dict (inside RepeatDataset and the like)."""
    dataset = cfg_dataset
    while 'pipeline' not in dataset and 'dataset' in dataset:
        dataset = dataset['dataset']
    return dataset


def loader_config(cfg, args, workers, decoder):
    """The training dataloader config with this run's overrides."""
    from mmauxskd.cfg import set_decoder
    loader = copy.deepcopy(cfg.train_dataloader)
    loader.batch_size = args.batch_size
    loader.num_workers = workers
    loader.persistent_workers = False
    loader.sampler = dict(type='InfiniteSampler', shuffle=True)
    dataset = find_dataset(loader.dataset)
    if args.ann_file:
        dataset.ann_file = args.ann_file
    if args.data_root is not None:
        dataset.data_prefix = dict(video=args.data_root)
    if decoder:
        kwargs = {}
        if args.decoder_device != 'cpu':
            kwargs['device'] = args.decoder_device
        dataset.pipeline = set_decoder(dataset.pipeline, decoder, **kwargs)
    if args.decoder_device != 'cpu' and workers:
        loader.multiprocessing_context = 'spawn'  # CUDA in workers
    return loader


def count_clips(batch):
    """Clips in a batch: each input ``(..., C, T, H, W)`` counts the
    product of its leading dimensions."""
    return sum(int(np.prod(x.shape[:-4])) if x.dim() > 4 else 1
               for x in batch['inputs'])


def measure_loader(loader_cfg, batches, seed=0):
    """(clips/s, samples/s, one batch) of the loader's steady state."""
    from mmengine.runner import Runner
    loader = Runner.build_dataloader(loader_cfg, seed=seed)
    it = iter(loader)
    workers = loader_cfg.num_workers
    # the workers prefetch 2 batches each while the first one is made
    for _ in range(max(1, 2 * workers)):
        batch = next(it)
    clips = samples = 0
    start = time.perf_counter()
    for _ in range(batches):
        batch = next(it)
        clips += count_clips(batch)
        samples += len(batch['inputs'])
    secs = time.perf_counter() - start
    del it, loader
    return clips / secs, samples / secs, batch


def measure_step(cfg, batch, device, amp, steps, warmup):
    """(clips/s, seconds per step) of the model's training step."""
    import contextlib

    import torch
    from mmengine.optim import build_optim_wrapper
    from mmaction.registry import MODELS

    from mmauxskd.models.utils import (enqueue_all_pending,
                                       update_momentum_encoders)
    model = MODELS.build(copy.deepcopy(cfg.model))
    model.init_weights()
    model = model.to(device).train()
    wrapper_cfg = copy.deepcopy(cfg.optim_wrapper)
    cpu_bf16 = amp == 'bf16' and not device.startswith('cuda')
    if amp == 'bf16' and not cpu_bf16:
        wrapper_cfg['type'] = 'AmpOptimWrapper'
        wrapper_cfg['dtype'] = 'bfloat16'
    wrapper = build_optim_wrapper(model, wrapper_cfg)

    def step():
        update_momentum_encoders(model)  # MomentumTeacherHook (if any)
        with (torch.autocast('cpu', dtype=torch.bfloat16) if cpu_bf16
              else contextlib.nullcontext()):
            model.train_step(batch, wrapper)
        enqueue_all_pending(model)  # AnchorQueueHook

    sync = torch.cuda.synchronize if device.startswith('cuda') else (
        lambda: None)
    for _ in range(warmup):
        step()
    sync()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    sync()
    secs = (time.perf_counter() - start) / steps
    return count_clips(batch) / secs, secs


def video_facts(loader_cfg, limit=8):
    """(median short side, median keyframe distance) of the first videos
    of the list, from their packets (no decoding); ``None`` if unknown."""
    try:
        from mmauxskd.datasets.transforms.video_readers import PyAVReader
        dataset = find_dataset(loader_cfg.dataset)
        root = dataset.get('data_prefix', {}).get('video', '')
        with open(dataset['ann_file']) as f:
            names = [line.split()[0] for line in f if line.strip()][:limit]
        sides, gops = [], []
        for name in names:
            reader = PyAVReader(osp.join(root, name))
            ctx = reader.stream.codec_context
            sides.append(min(ctx.width, ctx.height))
            gops.append(len(reader) / len(reader.keyframes))
            reader.close()
        return float(np.median(sides)), float(np.median(gops))
    except Exception:
        return None


def pipeline_short_side(loader_cfg):
    for t in find_dataset(loader_cfg.dataset)['pipeline']:
        inner = t.get('transforms', []) if t['type'] == 'MultiViewClips' \
            else [t]
        for u in inner:
            if u['type'] == 'Resize' and isinstance(u.get('scale'),
                                                     (tuple, list)):
                sides = [s for s in u['scale'] if s not in (-1, None)]
                if len(sides) == 1:
                    return sides[0]
    return None


def advice(rows, step_rate, facts, short_side, cores, workers_used):
    """Lines saying which knob would help."""
    best = max(rows, key=lambda r: r['clips_per_s'])
    ratio = best['clips_per_s'] / step_rate
    lines = []
    if ratio >= 1:
        lines.append(f'the loader keeps up: {ratio:.2f}x the step at best '
                     f'(workers={best["workers"]}, '
                     f'decoder={best["decoder"]})')
    else:
        lines.append(f'data-bound: the loader gives {ratio:.2f}x the clips '
                     'the step consumes at best; the model would wait '
                     f'{100 * (1 - ratio):.0f}% of the time')
    by_workers = {}
    for r in rows:
        by_workers.setdefault(r['decoder'], []).append(r)
    for dec, rs in by_workers.items():
        if len(rs) > 1:
            rs = sorted(rs, key=lambda r: r['workers'])
            gain = rs[-1]['clips_per_s'] / rs[0]['clips_per_s']
            lines.append(f'knob workers ({dec}): {rs[0]["workers"]} -> '
                         f'{rs[-1]["workers"]} gives {gain:.2f}x')
    decs = {}
    for r in rows:
        decs.setdefault(r['workers'], {})[r['decoder']] = r['clips_per_s']
    for w, rates in decs.items():
        if len(rates) > 1:
            base = next(iter(rates))
            lines.append(f'knob decoder (workers={w}): ' + ', '.join(
                f'{d} {v / rates[base]:.2f}x' for d, v in rates.items())
                + f' of {base}')
    if ratio < 1:
        if max(workers_used) < cores:
            lines.append(f'try more workers: {max(workers_used)} used, '
                         f'{cores} cores here (--workers ... {cores})')
        if facts and short_side and facts[0] > 1.5 * short_side:
            lines.append(
                f'try resized videos: their short side is {facts[0]:.0f} '
                f'pixels, the pipeline resizes to {short_side}; '
                'tools/data/resize_videos.py (short side 128, a keyframe '
                'every 16 frames) made the VSPP pipeline several times '
                'faster on HD files (docs/benchmarks.md)')
        elif facts and facts[1] > 32:
            lines.append(
                f'try re-encoding: a keyframe every {facts[1]:.0f} frames '
                'on average, so each clip decodes far from a keyframe; '
                'tools/data/resize_videos.py --gop 16')
        if len({r['decoder'] for r in rows}) == 1:
            lines.append('compare decoders: --decoder decord pyav')
    return lines


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.partition('\n\n')[2])
    parser.add_argument('config')
    parser.add_argument('--ann-file', help='video list (default: the '
                        "config's)")
    parser.add_argument('--data-root', help="video root (default: the "
                        "config's data_prefix.video)")
    parser.add_argument('--workers', type=int, nargs='+', default=[2])
    parser.add_argument('--decoder', nargs='+', default=[None],
                        choices=['decord', 'pyav', 'torchcodec'],
                        help="decoders to compare (default: the config's)")
    parser.add_argument('--decoder-device', default='cpu',
                        help="'cuda': decode with NVDEC where available")
    parser.add_argument('--batch-size', type=int, default=4)
    parser.add_argument('--batches', type=int, default=10,
                        help='timed loader batches')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--amp', nargs='+', choices=['none', 'bf16'],
                        default=['none'], help='step precision(s)')
    parser.add_argument('--steps', type=int, default=5)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--threads', type=int, default=None,
                        help='torch threads for a CPU step')
    parser.add_argument('--no-step', action='store_true',
                        help='measure the loader only')
    parser.add_argument('--cfg-options', nargs='+', default=[],
                        help='key=value overrides of the config')
    parser.add_argument('--json', action='store_true',
                        help='also print JSON lines')
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    import torch
    import mmauxskd  # noqa: F401
    from mmengine.config import Config, DictAction
    from mmengine.logging import MMLogger
    from mmaction.utils import register_all_modules
    register_all_modules()
    # quiet: no weight-initialisation log between the figures
    if not MMLogger.check_instance_created('benchmark_loader'):
        MMLogger.get_instance('benchmark_loader', log_level='WARNING')
    else:
        MMLogger.get_instance('benchmark_loader')  # make it current again
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        parser = argparse.ArgumentParser()
        parser.add_argument('--o', nargs='+', action=DictAction)
        cfg.merge_from_dict(parser.parse_args(
            ['--o'] + args.cfg_options).o)
    if args.threads:
        torch.set_num_threads(args.threads)
    cores = os.cpu_count() or 1
    device_name = (torch.cuda.get_device_name() if args.device.startswith(
        'cuda') else platform.processor() or platform.machine())
    print(f'machine: {cores} cores, {device_name}; load average '
          f'{os.getloadavg()[0]:.1f}; torch {torch.__version__}')

    def emit(record):
        if args.json:
            print(json.dumps(record), flush=True)

    rows, batch = [], None
    for decoder in args.decoder:
        for workers in args.workers:
            lcfg = loader_config(cfg, args, workers, decoder)
            clips, samples, batch = measure_loader(lcfg, args.batches,
                                                   args.seed)
            row = dict(what='loader', config=osp.basename(args.config),
                       workers=workers, decoder=decoder or 'config',
                       batch=args.batch_size, clips_per_s=round(clips, 2),
                       samples_per_s=round(samples, 2))
            rows.append(row)
            print(f'loader  workers={workers:<3d} decoder='
                  f'{row["decoder"]:<10s} {clips:9.1f} clips/s '
                  f'({samples:.1f} samples/s, batch {args.batch_size})',
                  flush=True)
            emit(row)
    if args.no_step:
        return rows
    steps = []
    for amp in args.amp:
        step_rate, secs = measure_step(cfg, batch, args.device, amp,
                                       args.steps, args.warmup)
        step = dict(what='step', config=osp.basename(args.config),
                    device=args.device, amp=amp, batch=args.batch_size,
                    clips_per_s=round(step_rate, 2), s_per_step=round(secs, 4))
        steps.append(step)
        print(f'step    device={args.device} amp={amp:<4s} {step_rate:9.1f} '
              f'clips/s ({secs * 1000:.1f} ms per batch of '
              f'{args.batch_size})', flush=True)
        emit(step)
    for step in steps:
        for row in rows:
            ratio = row['clips_per_s'] / step['clips_per_s']
            print(f'ratio   loader/step = {ratio:.2f}  (workers='
                  f'{row["workers"]}, decoder={row["decoder"]}, '
                  f'amp={step["amp"]})')
            emit(dict(what='ratio', workers=row['workers'],
                      decoder=row['decoder'], device=args.device,
                      amp=step['amp'], loader_over_step=round(ratio, 3)))
    step_rate = max(s['clips_per_s'] for s in steps)  # the fastest step
    lcfg = loader_config(cfg, args, args.workers[0], args.decoder[0])
    for line in advice(rows, step_rate, video_facts(lcfg),
                       pipeline_short_side(lcfg), cores, args.workers):
        print('advice  ' + line)
    return rows, steps


if __name__ == '__main__':
    main()
