"""Helpers for short configs that inherit ours, and a build-time check.

mmengine replaces lists wholesale when a child config overrides them, so a
variant that only changes a crop size would have to copy a whole pipeline.
Inside a config, ``_base_`` is the parent's ConfigDict; these helpers derive
a pipeline from it instead::

    from mmauxskd.utils.config_utils import update_pipeline
    train_pipeline = update_pipeline(
        _base_.train_pipeline, RandomCrop=dict(size=32))

(mmengine drops imported functions from the final config.)
"""
import copy

__all__ = ['update_pipeline', 'to_rawframes', 'set_decoder',
           'set_config_decoder', 'check_clip_geometry', 'iter_schedule',
           'pretext_val']

_DECODERS_INIT = ('DecordInit', 'OpenCVInit', 'PyAVInit', 'PyAVSeekInit',
                  'TorchCodecInit')
_DECODERS = ('DecordDecode', 'OpenCVDecode', 'PyAVDecode', 'PyAVSeekDecode',
             'TorchCodecDecode')
#: ``set_decoder`` backends: (init transform, decode transform)
DECODER_BACKENDS = dict(
    decord=('DecordInit', 'DecordDecode'),
    pyav=('PyAVSeekInit', 'PyAVSeekDecode'),
    torchcodec=('TorchCodecInit', 'TorchCodecDecode'))


def update_pipeline(pipeline, **updates):
    """Copy of ``pipeline`` with the arguments of some transforms changed.

    Args:
        pipeline (list[dict]): transforms.
        **updates: ``TransformType=dict(arg=value, ...)``; every transform of
            that type is updated. A dict value ``None`` removes the argument.

    Raises:
        KeyError: a named transform type is not in the pipeline.
    """
    out = copy.deepcopy(list(pipeline))
    for name, change in updates.items():
        hits = [t for t in out if t['type'] == name]
        if not hits:
            raise KeyError(f'update_pipeline: no {name} in the pipeline '
                           f'({[t["type"] for t in out]})')
        for t in hits:
            for key, value in change.items():
                if value is None:
                    t.pop(key, None)
                else:
                    t[key] = value
    return out


def iter_schedule(max_iters, iters_per_epoch, warmup_ratio=0.05):
    """An iteration budget: loop, lr schedule, logging and checkpointing.

    The rule of docs/small_data.md: a small run is set by its number of
    optimiser steps, not by epochs copied from a large dataset. Epochs are
    derived from the budget (``ceil(max_iters / iters_per_epoch)``) so that
    checkpoints, ``--resume`` and the logs keep MMAction2's epoch habits.
    The lr rises linearly over the first ``warmup_ratio`` of the run, from
    1% of the optimiser's lr, then follows a half cosine to 0, updated at
    every step, so that most steps are taken at a useful lr (step decays
    placed for 20 epochs of 33K videos leave a 96-video run at lr <= 1e-5
    for most of its steps). Use in a config::

        train_cfg, param_scheduler, log_processor, default_hooks = \
            iter_schedule(800, iters_per_epoch=6)  # 96 videos, batch 16

    Args:
        max_iters (int): optimiser steps of the run (rounded up to whole
            epochs).
        iters_per_epoch (int): steps in one epoch (videos / batch size,
            rounded up, or down with ``drop_last``).
        warmup_ratio (float): share of the run spent warming up.

    Returns:
        tuple: ``train_cfg`` (an ``EpochBasedTrainLoop``, validating once
        at the end), ``param_scheduler``, ``log_processor`` and
        ``default_hooks`` (logger every ~1/10 of the run; a checkpoint every
        quarter of the run and at its end, the last one kept, so a kill
        loses at most a quarter).
    """
    for name, value in (('max_iters', max_iters),
                        ('iters_per_epoch', iters_per_epoch)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f'iter_schedule: {name} must be a positive int, '
                             f'got {value!r}')
    epochs = max(2, -(-max_iters // iters_per_epoch))
    warmup = min(max(1, int(round(epochs * warmup_ratio))), epochs - 1)
    train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=epochs,
                     val_begin=1, val_interval=epochs)
    param_scheduler = [
        dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0,
             end=warmup, convert_to_iter_based=True),
        dict(type='CosineAnnealingLR', T_max=epochs - warmup, by_epoch=True,
             begin=warmup, end=epochs, convert_to_iter_based=True)
    ]
    log_processor = dict(by_epoch=True)
    default_hooks = dict(
        logger=dict(interval=max(1, epochs * iters_per_epoch // 10)),
        checkpoint=dict(interval=max(1, epochs // 4), save_last=True,
                        max_keep_ckpts=1, save_best=None))
    return train_cfg, param_scheduler, log_processor, default_hooks


_AUGMENTS = ('Flip', 'ColorJitter', 'ClipColorJitter')


def pretext_val(train_pipeline, dataset, tasks, draws=4, batch_size=8):
    """Held-out evaluation of a pretext stage on its own task.

    The training pipeline with its sampler in test mode (a deterministic
    draw per video and seed, start included), ``draws`` seeds per video, a centre crop and
    no flip or colour jitter, over ``dataset`` (a split of unlabelled videos
    that training does not see), scored by :class:`PretextAccMetric`. The
    clips are the same for every recipe and run, so accuracies compare. Use
    in a config::

        val_dataloader, val_evaluator, val_cfg = pretext_val(
            train_pipeline, _base_.demo_pretext_val, ('pace', 'segment'))

    Args:
        train_pipeline (list[dict]): with one mmauxskd pretext sampler.
        dataset (dict): the dataset's ``ann_file``, ``data_prefix`` (and
            any other argument); its type is the training dataset's.
        tasks (tuple[str]): the metric's tasks, e.g. ``('pace',
            'segment')``.
        draws (int): clips per video.
        batch_size (int): validation batch size.

    Returns:
        tuple: ``val_dataloader``, ``val_evaluator``, ``val_cfg``.
    """
    from mmaction.registry import TRANSFORMS

    from ..datasets.transforms.base_sampler import BasePretextSampler

    def is_sampler(t):
        cls = TRANSFORMS.get(t['type'])
        return isinstance(cls, type) and issubclass(cls, BasePretextSampler)

    if sum(map(is_sampler, train_pipeline)) != 1:
        raise KeyError('pretext_val: the pipeline needs exactly one pretext '
                       f'sampler ({[t["type"] for t in train_pipeline]})')

    def pipeline(seed):
        out = []
        for t in copy.deepcopy(list(train_pipeline)):
            if t['type'] in _AUGMENTS:
                continue
            if is_sampler(t):
                t.update(test_mode=True, seed=seed, test_start='random')
            elif t['type'] == 'RandomCrop':
                t = dict(type='CenterCrop', crop_size=t['size'])
            out.append(t)
        return out

    datasets = [dict(dict(type='RobustVideoDataset', **dataset),
                     test_mode=True, pipeline=pipeline(seed))
                for seed in range(draws)]
    # _delete_: the pretext schedules set the validation keys to None
    val_dataloader = dict(
        _delete_=True, batch_size=batch_size, num_workers=0,
        persistent_workers=False,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(type='ConcatDataset', datasets=datasets))
    val_evaluator = dict(_delete_=True, type='PretextAccMetric',
                         tasks=tuple(tasks))
    return val_dataloader, val_evaluator, dict(_delete_=True, type='ValLoop')


def to_rawframes(pipeline):
    """The same pipeline reading JPEG frame folders instead of videos."""
    out = []
    for t in copy.deepcopy(list(pipeline)):
        if t['type'] in _DECODERS_INIT:
            continue
        if t['type'] in _DECODERS:
            t = dict(type='RawFrameDecode')
        out.append(t)
    return out


def set_decoder(pipeline, backend, **init_args):
    """Copy of a video ``pipeline`` decoding with another backend.

    Every video init/decode pair (``DecordInit`` / ``DecordDecode``, ...,
    also a ``TwoViewClips``' ``decoder``) becomes the ``backend``'s:
    ``'decord'`` (decord; MMAction2's default), ``'pyav'``
    (``PyAVSeekInit`` / ``PyAVSeekDecode``: frame-accurate, PyAV's bundled
    FFmpeg) or ``'torchcodec'``. ``init_args`` go to the init transform,
    e.g. ``device='cuda'`` (NVDEC; falls back to the CPU with a warning
    where it cannot be used, unless ``fallback=False``)::

        from mmauxskd.utils.config_utils import set_decoder
        train_pipeline = set_decoder(_base_.train_pipeline, 'pyav')
    """
    if backend not in DECODER_BACKENDS:
        raise ValueError(f'set_decoder: backend must be one of '
                         f'{sorted(DECODER_BACKENDS)}, got {backend!r}')
    init, decode = DECODER_BACKENDS[backend]
    if init_args and backend == 'decord':
        init_args = {k: v for k, v in init_args.items()
                     if k in ('num_threads', 'io_backend')}
    out, found = [], False
    for t in copy.deepcopy(list(pipeline)):
        if t['type'] in _DECODERS_INIT:
            t, found = dict(type=init, **init_args), True
        elif t['type'] in _DECODERS:
            t = dict(type=decode)
        elif t['type'] == 'TwoViewClips' and isinstance(
                t.get('decoder'), dict) and t['decoder'].get(
                    'type') in _DECODERS:
            t['decoder'] = dict(type=decode)
        out.append(t)
    if not found:
        raise ValueError('set_decoder: no video init transform in '
                         f'{[t["type"] for t in out]}')
    return out


def _loader_datasets(cfg):
    """``(split, dataset)`` for every dataset config with a pipeline in the
    train / val / test loaders, inside wrappers (``dataset=...``,
    ``datasets=[...]``, e.g. the ConcatDataset of :func:`pretext_val`)."""
    for split in ('train', 'val', 'test'):
        loader = cfg.get(f'{split}_dataloader')
        todo = [loader.get('dataset', {})] if loader else []
        while todo:
            dataset = todo.pop(0)
            if 'pipeline' in dataset:
                yield split, dataset
            elif 'dataset' in dataset:
                todo.append(dataset['dataset'])
            else:
                todo.extend(dataset.get('datasets', []))


def set_config_decoder(cfg, backend, **init_args):
    """Apply :func:`set_decoder` to the pipeline of every dataloader of
    ``cfg`` (in place, inside dataset wrappers too) that decodes videos;
    raw-frame pipelines are left alone. Returns the names of the changed
    loaders. ``tools/train.py --decoder pyav`` calls it."""
    changed = []
    for split, dataset in _loader_datasets(cfg):
        pipeline = dataset['pipeline']
        if any(t['type'] in _DECODERS_INIT for t in pipeline):
            dataset['pipeline'] = set_decoder(pipeline, backend, **init_args)
            if f'{split}_dataloader' not in changed:
                changed.append(f'{split}_dataloader')
    return changed


def _positive_int(cfg, key, where, errors, allow_missing=True):
    if key not in cfg:
        if not allow_missing:
            errors.append(f'{where}.{key} is missing')
        return
    value = cfg[key]
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        errors.append(f'{where}.{key} must be a positive int, got {value!r}')


def _short_side(scale):
    """Short side a ``Resize(scale, keep_ratio=True)`` gives, if known."""
    if isinstance(scale, (tuple, list)) and len(scale) == 2:
        sides = [s for s in scale if s not in (-1, None)]
        if len(sides) == 1:
            return sides[0]
    return None


def _check_pipeline(pipeline, where, errors):
    short = None
    for i, t in enumerate(pipeline):
        loc = f'{where}[{i}]'
        kind = t.get('type')
        if kind in ('SampleFrames', 'DenseSampleFrames'):
            for key in ('clip_len', 'frame_interval', 'num_clips'):
                _positive_int(t, key, loc, errors)
        elif kind == 'Resize':
            short = _short_side(t.get('scale')) if t.get(
                'keep_ratio', True) else min(t.get('scale', (0, 0)))
        elif kind in ('RandomCrop', 'CenterCrop', 'ThreeCrop', 'TenCrop'):
            key = 'size' if kind == 'RandomCrop' else 'crop_size'
            size = t.get(key)
            sizes = size if isinstance(size, (tuple, list)) else [size]
            if not all(isinstance(s, int) and s > 0 for s in sizes):
                errors.append(f'{loc}.{key} must be positive, got {size!r}')
            elif short is not None and max(sizes) > short:
                errors.append(f'{loc}.{key}={size!r} is larger than the '
                              f'short side {short} left by the Resize before')


def check_clip_geometry(cfg):
    """Fail early, naming the key, on impossible clip geometry.

    Checks every ``*_dataloader.dataset.pipeline`` (and ``*_pipeline``
    variables): sampler ``clip_len``/``frame_interval``/``num_clips`` are
    positive ints; crops are positive and fit the short side a preceding
    keep-ratio ``Resize`` leaves. Samplers of mmauxskd validate themselves
    when built.

    Raises:
        ValueError: listing every problem with its config key.
    """
    errors = []
    for split, dataset in _loader_datasets(cfg):
        _check_pipeline(dataset['pipeline'],
                        f'{split}_dataloader.dataset.pipeline', errors)
    for split in ('train', 'val', 'test'):
        if cfg.get(f'{split}_dataloader'):
            _positive_int(cfg[f'{split}_dataloader'], 'batch_size',
                          f'{split}_dataloader', errors)
    if errors:
        raise ValueError('invalid config:\n  ' + '\n  '.join(errors))
