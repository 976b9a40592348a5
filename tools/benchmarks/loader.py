"""Is training data-bound? Loader clips/s beside the training step's.

For a config and a video list, measures on this machine:

* **floor**: in this process on one thread (as a worker runs), the
  pipeline on some samples of the list, transform by transform, and the
  bare decode of the same frame indices of the same files (the config's
  init and decode transforms alone: opening and decoding, nothing else);
  prints CPU ms per clip of each, per stage, and pipeline / floor, what
  the transforms after decoding cost on top of it, and what moving a
  sample into shared memory costs (a worker's queue does that);
* **loader**: the config's training dataloader (its real pipeline, with
  ``--workers`` processes and ``--batch-size``), clips per second in the
  steady state (the batches the workers prefetch are skipped first), for
  each ``--workers`` (default 1, 2, 4, ... and the number of cores) and
  ``--decoder`` given; with each count's efficiency against that many
  times one worker, and what the workers did meanwhile: ms per clip inside
  a worker, CPU threads busy per worker (CPU time / wall time), and how
  much of the time the workers were busy at all (below 100%: they waited
  for the main process to take batches);
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
    # how the workers scale (1, 2, 4, ... cores), before/after a reader option
    python tools/benchmarks/loader.py CONFIG --ann-file L --data-root R \\
        --no-step --decoder pyav:index=packets pyav

Where flip and colour jitter run (``--device-augment``): for a config
whose model's ``ClipAugmentPreprocessor`` does them (the real pretext
configs), the in-process measurement above of the pipeline with them back
in the worker (``cpu-augment``, as before the move) and of the config's
own (decode, resize, crop), on the same files and frames, beside the bare
decode of those frames; the preprocessor's flip and jitter timed on the
CPU on one thread (ms per clip, on a batch of the pipeline's outputs) and
on ``--device`` when CUDA; ``--also`` adds configs to one table::

    python tools/benchmarks/loader.py \
        configs/vspp/vspp_r2plus1d-r10_2xb15-16x1x1-20e_k100-rgb.py \
        --also configs/auxskd/auxskd_r2plus1d-r10_2xb15-2x16-20e_k100-rgb.py \
        --device-augment --ann-file L --data-root R --floor-samples 200 \
        --batch-size 15 [--device cuda]

A ``--decoder`` is ``decord``, ``pyav`` or ``torchcodec``, optionally with
init-transform arguments: ``pyav:index=packets,num_threads=2``.
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


def worker_counts(cores):
    """1, 2, 4, ... below ``cores``, then ``cores``."""
    counts, n = [], 1
    while n < cores:
        counts.append(n)
        n *= 2
    return counts + [cores]


def loader_config(cfg, args, workers, decoder):
    """The training dataloader config with this run's overrides."""
    import torch

    from mmauxskd.cfg import decoder_spec, set_decoder
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
        backend, kwargs = decoder_spec(decoder)
        if args.decoder_device != 'cpu':
            kwargs['device'] = args.decoder_device
        dataset.pipeline = set_decoder(dataset.pipeline, backend, **kwargs)
    if args.decoder_device != 'cpu' and workers:
        loader.multiprocessing_context = 'spawn'  # CUDA in workers
    if not torch.cuda.is_available():
        loader.pin_memory = False  # nothing to pin for (PyTorch would warn)
    return loader


def count_clips(batch):
    """Clips in a batch: each input ``(..., C, T, H, W)`` counts the
    product of its leading dimensions."""
    return sum(int(np.prod(x.shape[:-4])) if x.dim() > 4 else 1
               for x in batch['inputs'])


class TimedDataset:
    """The loader's dataset, each sample timed where it is made (in the
    worker): its wall and CPU seconds (the CPU time of all the worker's
    threads) under the key ``_timing``."""

    def __init__(self, dataset):
        self.dataset = dataset

    def __len__(self):
        return len(self.dataset)

    def __getitem__(self, index):
        wall, cpu = time.perf_counter(), time.process_time()
        sample = self.dataset[index]
        sample['_timing'] = np.array([time.perf_counter() - wall,
                                      time.process_time() - cpu])
        return sample


class TimedCollate:
    """The loader's collate function, timed (in the worker)."""

    def __init__(self, collate):
        self.collate = collate

    def __call__(self, samples):
        start = time.perf_counter()
        batch = self.collate(samples)
        batch['_collate_s'] = time.perf_counter() - start
        return batch


def _timings(batch):
    """``(samples, 2)`` array of the batch's (wall, cpu) seconds."""
    timing = batch['_timing']
    if isinstance(timing, (list, tuple)):
        timing = [np.asarray(t) for t in timing]
    return np.asarray(timing, dtype=np.float64).reshape(-1, 2)


def timed_batches(batches, workers):
    """``batches`` rounded up to whole rounds of the workers.

    Workers started together deliver their batches in rounds, one batch
    each, nearly at once; a count that ends inside a round times that
    round's first batches but its whole duration: with 15 workers and 8
    timed batches, half the rate."""
    per_round = max(1, workers)
    return -(-max(1, batches) // per_round) * per_round


def measure_loader(loader_cfg, batches, seed=0):
    """Steady-state figures of the loader: ``dict(clips_per_s,
    samples_per_s, worker_ms_per_clip, worker_threads, busy,
    batches_timed, batch)``, over :func:`timed_batches` batches.

    Built as mmengine's Runner builds it, after seeding as the Runner does,
    its dataset wrapped in :class:`TimedDataset`."""
    from mmaction.registry import DATASETS
    from mmengine.runner import Runner
    from mmengine.runner.utils import set_random_seed
    set_random_seed(seed)
    loader_cfg = copy.copy(loader_cfg)
    dataset = loader_cfg.pop('dataset')
    if isinstance(dataset, dict):
        dataset = DATASETS.build(copy.deepcopy(dataset))
        if hasattr(dataset, 'full_init'):
            dataset.full_init()
    loader_cfg['dataset'] = TimedDataset(dataset)
    loader = Runner.build_dataloader(loader_cfg, seed=seed)
    loader.collate_fn = TimedCollate(loader.collate_fn)
    it = iter(loader)
    workers = loader_cfg.num_workers
    # the workers prefetch 2 batches each while the first one is made
    for _ in range(max(1, 2 * workers)):
        batch = next(it)
    clips = samples = 0
    busy = cpu = 0.0
    timed = timed_batches(batches, workers)
    start = time.perf_counter()
    for _ in range(timed):
        batch = next(it)
        clips += count_clips(batch)
        samples += len(batch['inputs'])
        timing = _timings(batch)
        busy += timing[:, 0].sum() + batch['_collate_s']
        cpu += timing[:, 1].sum()
    secs = time.perf_counter() - start
    del it, loader
    batch = dict(inputs=batch['inputs'], data_samples=batch['data_samples'])
    # busy: wall seconds the workers spent making the timed batches
    return dict(clips_per_s=clips / secs, samples_per_s=samples / secs,
                worker_ms_per_clip=1000 * busy / clips,
                worker_threads=cpu / busy if busy else float('nan'),
                busy=busy / (max(1, workers) * secs), batches_timed=timed,
                batch=batch)


def draw_frames(transforms, info):
    """The frame indices the pipeline will decode for ``info`` with the
    generators as they are now (left as they were: the pipeline then draws
    the same), flattened."""
    import random

    import torch
    states = (random.getstate(), np.random.get_state(), torch.get_rng_state())
    results = copy.deepcopy(info)
    try:
        for t in transforms:
            results = t(results)
            if 'frame_inds' in results:
                return np.asarray(results['frame_inds']).reshape(-1)
    finally:
        random.setstate(states[0])
        np.random.set_state(states[1])
        torch.set_rng_state(states[2])
    raise ValueError('the pipeline sets no frame_inds')


class _Floor:
    """One pipeline's in-process measurement (:func:`measure_floor`)."""

    def __init__(self, loader_cfg):
        from mmaction.registry import DATASETS, TRANSFORMS

        from mmauxskd.cfg import VIDEO_DECODERS, VIDEO_INITS
        self.dataset = DATASETS.build(copy.deepcopy(find_dataset(
            loader_cfg.dataset)))
        if hasattr(self.dataset, 'full_init'):
            self.dataset.full_init()
        self.transforms = self.dataset.pipeline.transforms
        self.init = next((t for t in self.transforms
                          if type(t).__name__ in VIDEO_INITS), None)
        self.decode = None
        if self.init is not None:
            self.decode = TRANSFORMS.build(dict(type=VIDEO_DECODERS[
                VIDEO_INITS.index(type(self.init).__name__)]))
        self.stage_s = np.zeros(len(self.transforms))
        self.open_s = self.decode_s = self.share_s = 0.0
        self.clips = 0
        self.keep, self.kept = 0, []  # timed samples' inputs to keep

    def run(self, index, first, timed):
        """The pipeline and the floor on sample ``index``, ``first`` of
        them first, the same frames in both."""
        info = self.dataset.get_data_info(index)
        frames = draw_frames(self.transforms, info)  # what it will decode
        took, opened, decoded, shared, clips = [], 0.0, 0.0, 0.0, 0
        for what in (first, ({'pipeline', 'floor'} - {first}).pop()):
            if what == 'pipeline':
                results = copy.deepcopy(info)
                for t in self.transforms:
                    start = time.thread_time()
                    results = t(results)
                    took.append(time.thread_time() - start)
                clips = count_clips(dict(inputs=[results['inputs']]))
                if timed and len(self.kept) < self.keep:
                    self.kept.append(results['inputs'])
                # what a worker does to hand the sample over: its tensors
                # into (new) shared memory, as PyTorch's queue does
                start = time.thread_time()
                results['inputs'].share_memory_()
                shared = time.thread_time() - start
            elif self.init is not None:
                bare = copy.deepcopy(info)
                start = time.thread_time()
                bare = self.init(bare)
                opened = time.thread_time() - start
                bare['frame_inds'] = frames
                start = time.thread_time()
                self.decode(bare)
                decoded = time.thread_time() - start
                del bare  # freed outside the timed calls
        if timed:
            self.stage_s += took
            self.open_s += opened
            self.decode_s += decoded
            self.share_s += shared
            self.clips += clips

    def result(self):
        ms = 1000 / self.clips
        stages = {}
        for t, secs in zip(self.transforms, self.stage_s):
            name = key = type(t).__name__
            n = 2
            while key in stages:  # a transform used twice
                key, n = f'{name}#{n}', n + 1
            stages[key] = secs * ms
        out = dict(clips=self.clips, stages=stages,
                   pipeline_ms=self.stage_s.sum() * ms,
                   to_shared_memory_ms=self.share_s * ms, open_ms=None,
                   decode_ms=None, floor_ms=None)
        if self.init is not None:
            out.update(open_ms=self.open_s * ms, decode_ms=self.decode_s * ms,
                       floor_ms=(self.open_s + self.decode_s) * ms)
        return out


def measure_floor(loader_cfgs, samples, seed=0, keep=None):
    """Each pipeline and the bare decode of the same frames, in this
    process on one thread (as a worker runs), on ``samples`` samples of the
    dataset after two untimed ones: for each sample, the pipelines in
    turn (the order rotating; every one of them drawing the same frames)
    and each pipeline's floor before or after it (alternating), so that
    disk cache and machine load hit all alike. Timed in CPU time of this
    thread (``time.thread_time``), which the work alone sets, however busy
    the machine (not its memory bandwidth and caches, which other
    processes share).

    Args:
        loader_cfgs (dict): name -> training loader config.
        keep (dict, optional): name -> how many timed samples' ``inputs``
            to keep (the result's ``kept``, a list of tensors).

    Returns:
        dict: name -> ``dict(clips, stages={transform: ms per clip},
        pipeline_ms, to_shared_memory_ms, open_ms, decode_ms, floor_ms)``
        (``to_shared_memory_ms``: moving the sample's ``inputs`` into
        shared memory, which a worker's queue does), the last three
        ``None`` for a pipeline without a video init transform (raw
        frames).
    """
    import random

    import cv2
    import torch

    from mmauxskd.datasets import limit_threads
    from mmauxskd.datasets.transforms import video_readers
    floors = {name: _Floor(c) for name, c in loader_cfgs.items()}
    for name, n in (keep or {}).items():
        floors[name].keep = n
    names = list(floors)
    size = len(floors[names[0]].dataset)
    order = np.random.default_rng(seed).permutation(size)
    saved = (torch.get_num_threads(), cv2.getNumThreads(),
             video_readers.decode_threads())
    np.random.seed(seed)
    limit_threads(1)  # as in a worker (worker_threads_init)
    try:
        for k in range(samples + 2):
            index = int(order[k % size])
            states = (random.getstate(), np.random.get_state(),
                      torch.get_rng_state())
            for j in range(len(names)):
                name = names[(k + j) % len(names)]
                random.setstate(states[0])  # the same draws in each
                np.random.set_state(states[1])
                torch.set_rng_state(states[2])
                floors[name].run(index, ('pipeline', 'floor')[(k + j) % 2],
                                 timed=k >= 2)
    finally:
        torch.set_num_threads(saved[0])
        if cv2.getNumThreads() != saved[1]:
            cv2.setNumThreads(saved[1])
        video_readers.set_decode_threads(saved[2])
    out = {name: f.result() for name, f in floors.items()}
    for name, n in (keep or {}).items():
        out[name]['kept'] = floors[name].kept
    return out


# ------------------------------------- flip and jitter: workers or device --

def _device_augments(cfg, flag):
    """The model's preprocessor config and the augments it runs on the
    device; stops, naming ``flag``, where it runs none."""
    from mmauxskd.cfg import device_augments
    prep = cfg.model.get('data_preprocessor')
    augments = device_augments(prep)
    if not augments:
        raise SystemExit(
            f'loader.py {flag}: model.data_preprocessor of this config '
            'augments nothing on the device (a ClipAugmentPreprocessor with '
            'augments; e.g. a real pretext config, not a demo one): its '
            'workers already run the whole pipeline')
    return prep, augments


def with_cpu_augment(cfg):
    """``cfg`` as before the move (``--cpu-augment``): the flip and jitter
    of its model's ``ClipAugmentPreprocessor`` back at the end of the
    training pipeline's crop (the loader workers run them), the
    preprocessor left to normalise only (so a step never augments twice).

    Raises:
        SystemExit: the model's preprocessor augments nothing.
    """
    from mmauxskd.cfg import restore_augments
    prep, augments = _device_augments(cfg, '--cpu-augment')
    dataset = find_dataset(cfg.train_dataloader.dataset)
    dataset.pipeline = restore_augments(dataset.pipeline, augments)
    prep.augments = []
    return cfg


def augment_loader_configs(cfg, args, decoder):
    """The config's training loader (``device-augment``: its workers decode,
    resize and crop; its model's ``ClipAugmentPreprocessor`` flips and
    jitters) and the same with that augmentation back in the pipeline
    (``cpu-augment``: the pipeline as before the move), for the in-process
    measurement; and the preprocessor's config.

    Raises:
        SystemExit: the model's preprocessor augments nothing.
    """
    from mmauxskd.cfg import restore_augments
    prep, augments = _device_augments(cfg, '--device-augment')
    device = loader_config(cfg, args, 0, decoder)
    cpu = copy.deepcopy(device)
    dataset = find_dataset(cpu.dataset)
    dataset.pipeline = restore_augments(dataset.pipeline, augments)
    return prep, {'cpu-augment': cpu, 'device-augment': device}


def time_preprocessor(prep_cfg, inputs, device, repeats=3):
    """ms per clip of the preprocessor's flip and colour jitter (its
    ``augment``, without the normalisation both paths share) on the batch
    of ``inputs`` (a list of a pipeline's uint8 ``inputs``): on the CPU on
    one thread in CPU time (as a worker's core), on CUDA in wall time with
    the device synchronised; the best of ``repeats`` after one untimed."""
    import torch
    from mmaction.registry import MODELS
    prep = MODELS.build(copy.deepcopy(prep_cfg)).to(device)
    batch = torch.stack(inputs).to(device)
    clips = count_clips(dict(inputs=inputs))
    cuda = str(device).startswith('cuda')
    saved = torch.get_num_threads()
    if not cuda:
        torch.set_num_threads(1)
    try:
        best = float('inf')
        for k in range(repeats + 1):
            gen = torch.Generator().manual_seed(k)
            if cuda:
                torch.cuda.synchronize()
                start = time.perf_counter()
                prep.augment(batch, gen)
                torch.cuda.synchronize()
                secs = time.perf_counter() - start
            else:
                start = time.thread_time()
                prep.augment(batch, gen)
                secs = time.thread_time() - start
            if k:
                best = min(best, secs)
    finally:
        torch.set_num_threads(saved)
    return 1000 * best / clips


def measure_augment_paths(cfg, args, decoder, name):
    """One config's comparison (:func:`augment_lines` prints it): the
    floor measurement of both paths on the same samples and frames, the
    preprocessor timed on the CPU (and on ``args.device`` when CUDA) on a
    batch of the decode+crop pipeline's outputs."""
    prep, loaders = augment_loader_configs(cfg, args, decoder)
    batch = max(1, args.batch_size)
    floors = measure_floor(loaders, args.floor_samples, args.seed,
                           keep={'device-augment': batch})
    kept = floors['device-augment'].pop('kept')
    out = dict(config=name, decoder=decoder or 'config', floors=floors,
               batch=len(kept), prep_cpu_ms=time_preprocessor(prep, kept,
                                                              'cpu'),
               prep_device=None, prep_device_ms=None)
    if str(args.device).startswith('cuda'):
        out.update(prep_device=args.device, prep_device_ms=time_preprocessor(
            prep, kept, args.device))
    return out


def augment_lines(result):
    """Lines for one config of :func:`measure_augment_paths`."""
    cpu, dev = (result['floors'][k] for k in ('cpu-augment',
                                              'device-augment'))
    total = dev['pipeline_ms'] + result['prep_cpu_ms']

    def per_core(ms):
        return f'{ms:.2f} ms/clip = {1000 / ms:.1f} clips/s per core'

    def over_floor(ms, floor):
        floor = floor['floor_ms']
        return f'{ms / floor:.2f}' if floor else 'n/a'

    lines = [f'augment {result["config"]} (decoder={result["decoder"]}, '
             f'{cpu["clips"]} clips, the same frames in both; CPU time on '
             'one thread)']
    for label, floor_ in (('cpu-augment', cpu), ('device-augment', dev)):
        lines += ['augment   ' + line for line in floor_lines(
            floor_, f'{result["decoder"]} ({label})')]
    old, new = cpu['pipeline_ms'], dev['pipeline_ms']
    lines += [
        f'augment   old, flip + jitter in the worker: {per_core(old)}; '
        f'pipeline / floor {over_floor(old, cpu)}',
        f'augment   new, the worker decodes + crops: {per_core(new)}; '
        f'pipeline / floor {over_floor(new, dev)}; '
        f'{old / new:.2f}x the clips/s per worker core',
        f'augment   new + the preprocessor on the CPU (flip + jitter, one '
        f'thread, batch of {result["batch"]} samples: '
        f'{result["prep_cpu_ms"]:.2f} ms/clip): {per_core(total)}; '
        f'/ floor {over_floor(total, dev)}']
    if result['prep_device_ms'] is not None:
        lines.append(f'augment   the preprocessor on {result["prep_device"]}: '
                     f'{result["prep_device_ms"]:.3f} ms/clip (wall, batch '
                     f'of {result["batch"]} samples)')
    return lines


def augment_table(results):
    """The configs side by side: ms/clip (clips/s per core)."""
    head = (f'{"config":<44s} {"cpu-augment":>17s} {"decode+crop":>17s} '
            f'{"+prep on CPU":>17s} {"bare decode":>17s}')
    lines = [head]
    for r in results:
        cpu, dev = (r['floors'][k] for k in ('cpu-augment',
                                             'device-augment'))
        floors = [f['floor_ms'] for f in (cpu, dev) if f['floor_ms']]
        cells = [cpu['pipeline_ms'], dev['pipeline_ms'],
                 dev['pipeline_ms'] + r['prep_cpu_ms'],
                 sum(floors) / len(floors) if floors else None]
        lines.append(f'{r["config"][:44]:<44s} ' + ' '.join(
            f'{ms:7.2f} ({1000 / ms:6.1f})' if ms else f'{"n/a":>17s}'
            for ms in cells))
    lines.append('ms/clip (clips/s per core), CPU time on one thread as a '
                 'worker runs; +prep: the decode+crop pipeline plus the '
                 "preprocessor's flip and jitter timed on the CPU; bare "
                 "decode: the mean of both pipelines' floors")
    return lines


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


def floor_lines(floor, decoder):
    """The floor measurement as printable lines."""
    lines = [f'floor   decoder={decoder}: in this process on one thread, '
             f'{floor["clips"]} clips, CPU time: pipeline '
             f'{floor["pipeline_ms"]:.2f} ms/clip']
    if floor['floor_ms'] is not None:
        lines[0] += (', bare decode of the same frames '
                     f'{floor["floor_ms"]:.2f}'
                     f' ms/clip (open {floor["open_ms"]:.2f} + decode '
                     f'{floor["decode_ms"]:.2f}); pipeline / floor = '
                     f'{floor["pipeline_ms"] / floor["floor_ms"]:.2f}')
    lines.append('stages  ' + ', '.join(
        f'{name} {ms:.2f}' for name, ms in floor['stages'].items()) +
        f' (ms/clip); then into shared memory for the main process '
        f'{floor["to_shared_memory_ms"]:.2f}')
    return lines


def loader_line(row):
    eff = row.get('efficiency')
    return (f'loader  workers={row["workers"]:<3d} decoder='
            f'{row["decoder"]:<10s} {row["clips_per_s"]:9.1f} clips/s '
            f'({row["samples_per_s"]:.1f} samples/s, batch {row["batch"]})'
            + (f'  efficiency {eff:.2f}' if eff is not None else '') +
            f' | in a worker {row["worker_ms_per_clip"]:.2f} ms/clip, '
            f'{row["worker_threads"]:.2f} CPU threads, busy '
            f'{100 * row["busy"]:.0f}%')


def scaling_lines(rows, floors, cores):
    """Per decoder: one worker against the in-process pipeline, and why the
    most workers fall short of that many times one worker."""
    lines = []
    for decoder in dict.fromkeys(r['decoder'] for r in rows):
        rs = [r for r in rows if r['decoder'] == decoder]
        one = next((r for r in rs if r['workers'] == 1), None)
        floor = floors.get(decoder)
        if one and floor:
            here = 1000 / floor['pipeline_ms']
            lines.append(f'{decoder}: one worker gives '
                         f'{one["clips_per_s"]:.1f}'
                         f' clips/s, {one["clips_per_s"] / here:.2f}x a core'
                         f' running the pipeline in this process ({here:.1f};'
                         ' below 1: the transfer to the main process, or a '
                         'worker short of a whole core)')
        top = max(rs, key=lambda r: r['workers'])
        if not one or top is one or 'efficiency' not in top:
            continue
        n, eff = top['workers'], top['efficiency']
        lines.append(f'{decoder}: {n} workers give {eff:.2f} of {n} x one '
                     "worker's clips/s")
        if eff >= 0.9:
            continue
        why = []
        if n > cores:
            why.append(f'more workers than cores ({cores})')
        if top['worker_threads'] > 1.3:
            why.append(f'each worker keeps {top["worker_threads"]:.1f} CPU '
                       'threads busy (a library runs multi-threaded in it)')
        elif top['worker_threads'] < 0.8:
            why.append('a worker had the CPU '
                       f'{100 * top["worker_threads"]:.0f}'
                       '% of its time (more runnable threads than cores, '
                       'e.g. other processes, or waiting for the disk)')
        if top['busy'] < 0.85:
            why.append(f'the workers were busy {100 * top["busy"]:.0f}% of '
                       'the time: they waited for the main process to take '
                       'batches (unpickling, pinning, the loop)')
        # CPU time per clip in a worker: the same work, costlier when the
        # workers contend for what the cores share
        grew = (top['worker_ms_per_clip'] * top['worker_threads']) / (
            one['worker_ms_per_clip'] * one['worker_threads'])
        if grew > 1.15:
            why.append(f'a clip took {grew:.2f}x the CPU time it took with '
                       'one worker (shared memory bandwidth, caches, SMT '
                       'siblings or the clock rate when all cores run)')
        lines.append(f'{decoder}: ' + ('; '.join(why) if why else
                                      'no single cause visible here'))
    return lines


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
    parser.add_argument('--workers', type=int, nargs='+', default=None,
                        help='worker counts (default: 1, 2, 4, ... and the '
                        'number of cores)')
    parser.add_argument('--decoder', nargs='+', default=[None],
                        help="decoders to compare (default: the config's): "
                        'decord, pyav, torchcodec, optionally with init '
                        'arguments, e.g. pyav:index=packets')
    parser.add_argument('--floor-samples', type=int, default=24,
                        help='samples of the in-process floor measurement '
                        '(0: none)')
    parser.add_argument('--decoder-device', default='cpu',
                        help="'cuda': decode with NVDEC where available")
    parser.add_argument('--batch-size', type=int, default=4)
    parser.add_argument('--batches', type=int, default=10,
                        help='timed loader batches (rounded up to whole '
                        'rounds of the workers)')
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
    parser.add_argument('--device-augment', action='store_true',
                        help='compare, in this process on the same files '
                        'and frames, the pipeline with flip and colour '
                        'jitter in the worker against decode + crop with '
                        "the model's ClipAugmentPreprocessor doing them "
                        '(timed on the CPU, and on --device), beside the '
                        'bare decode; then stop')
    parser.add_argument('--cpu-augment', action='store_true',
                        help="the loader (and step) as before the device "
                        "augmentation: the model's flip and jitter back in "
                        'the workers, the preprocessor only normalising')
    parser.add_argument('--also', nargs='+', default=[], metavar='CONFIG',
                        help='with --device-augment: more configs, measured '
                        'the same way on the same list, in one table')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    from mmauxskd.cfg import decoder_spec
    for spec in filter(None, args.decoder):
        try:
            decoder_spec(spec)
        except ValueError as err:
            parser.error(str(err))
    return args


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
    def load(path):
        cfg = Config.fromfile(path)
        if args.cfg_options:
            parser = argparse.ArgumentParser()
            parser.add_argument('--o', nargs='+', action=DictAction)
            cfg.merge_from_dict(parser.parse_args(
                ['--o'] + args.cfg_options).o)
        return cfg

    cfg = load(args.config)
    if args.cpu_augment:
        if args.device_augment:
            raise SystemExit('loader.py: --cpu-augment and --device-augment '
                             'exclude each other (--device-augment already '
                             'measures both paths)')
        cfg = with_cpu_augment(cfg)
    if args.threads:
        torch.set_num_threads(args.threads)
    # the Runner's process settings: start method, OpenCV sequential here
    # (so that the workers inherit it)
    from mmengine.utils.dl_utils import set_multi_processing
    set_multi_processing(**cfg.get('env_cfg', {}).get('mp_cfg', {}))
    cores = os.cpu_count() or 1
    device_name = (torch.cuda.get_device_name() if args.device.startswith(
        'cuda') else platform.processor() or platform.machine())
    print(f'machine: {cores} cores, {device_name}; load average '
          f'{os.getloadavg()[0]:.1f}; torch {torch.__version__}')

    def emit(record):
        if args.json:
            print(json.dumps(record), flush=True)

    if args.device_augment:
        if not args.floor_samples:
            raise SystemExit('loader.py --device-augment needs '
                             '--floor-samples > 0')
        results = []
        for path in [args.config] + list(args.also):
            got = measure_augment_paths(load(path), args, args.decoder[0],
                                        osp.basename(path))
            results.append(got)
            for line in augment_lines(got):
                print(line, flush=True)
            emit(dict(what='augment', config=got['config'],
                      decoder=got['decoder'], batch=got['batch'],
                      prep_cpu_ms=round(got['prep_cpu_ms'], 3),
                      prep_device=got['prep_device'],
                      prep_device_ms=None if got['prep_device_ms'] is None
                      else round(got['prep_device_ms'], 4),
                      **{f'{k}_{m}': None if f[m] is None else round(f[m], 3)
                         for k, f in got['floors'].items()
                         for m in ('pipeline_ms', 'floor_ms')}))
        for line in augment_table(results):
            print('augment ' + line)
        return results
    rows, floors, batch = [], {}, None
    counts = sorted(args.workers or worker_counts(cores))
    labels = {decoder or 'config': decoder for decoder in args.decoder}
    if args.floor_samples:
        floors = measure_floor(
            {label: loader_config(cfg, args, 0, decoder)
             for label, decoder in labels.items()},
            args.floor_samples, args.seed)
        for label, floor in floors.items():
            for line in floor_lines(floor, label):
                print(line, flush=True)
            emit(dict(what='floor', config=osp.basename(args.config),
                      decoder=label, **{k: (round(v, 3) if isinstance(
                          v, float) else v) for k, v in floor.items()
                          if k != 'stages'},
                      stages={k: round(v, 3)
                              for k, v in floor['stages'].items()}))
    for workers in counts:  # the decoders side by side at each count
        for label, decoder in labels.items():
            lcfg = loader_config(cfg, args, workers, decoder)
            got = measure_loader(lcfg, args.batches, args.seed)
            batch = got.pop('batch')
            row = dict(what='loader', config=osp.basename(args.config),
                       workers=workers, decoder=label,
                       batch=args.batch_size,
                       **{k: round(v, 3 if k in ('busy', 'worker_threads')
                                   else 2) for k, v in got.items()})
            row['batches_timed'] = int(row['batches_timed'])
            one = next((r for r in rows if r['decoder'] == label
                        and r['workers'] == 1), None)
            if one and workers:
                row['efficiency'] = round(row['clips_per_s'] / (
                    workers * one['clips_per_s']), 3)
            rows.append(row)
            print(loader_line(row), flush=True)
            emit(row)
    for line in scaling_lines(rows, floors, cores):
        print('scaling ' + line)
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
    lcfg = loader_config(cfg, args, counts[0], args.decoder[0])
    for line in advice(rows, step_rate, video_facts(lcfg),
                       pipeline_short_side(lcfg), cores, counts):
        print('advice  ' + line)
    return rows, steps


if __name__ == '__main__':
    main()
