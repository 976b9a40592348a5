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

__all__ = ['update_pipeline', 'replace_sampler', 'two_view_pipeline',
           'sampler_label_keys', 'to_rawframes', 'set_decoder',
           'set_config_decoder', 'check_clip_geometry', 'iter_schedule',
           'pretext_val', 'demo_data', 'pretext_data', 'group_augment',
           'gallery_loader', 'config_variable']

_DECODERS_INIT = ('DecordInit', 'OpenCVInit', 'PyAVInit', 'PyAVSeekInit',
                  'TorchCodecInit')
_DECODERS = ('DecordDecode', 'OpenCVDecode', 'PyAVDecode', 'PyAVSeekDecode',
             'TorchCodecDecode')
# decoders that TwoViewClips(decoder='auto') picks from the reader
AUTO_DECODERS = ('DecordDecode', 'RawFrameDecode', 'PyAVSeekDecode',
                 'TorchCodecDecode')
#: ``set_decoder`` backends: (init transform, decode transform)
DECODER_BACKENDS = dict(
    decord=('DecordInit', 'DecordDecode'),
    pyav=('PyAVSeekInit', 'PyAVSeekDecode'),
    torchcodec=('TorchCodecInit', 'TorchCodecDecode'))


def _transforms_of(pipeline):
    """Every transform of ``pipeline``, those nested in a wrapper's
    ``transforms`` list (``TwoViewClips``, ``ClipGroupAugment``) too."""
    for t in pipeline:
        yield t
        if isinstance(t.get('transforms'), (list, tuple)):
            yield from _transforms_of(t['transforms'])


def update_pipeline(pipeline, **updates):
    """Copy of ``pipeline`` with the arguments of some transforms changed.

    Args:
        pipeline (list[dict]): transforms.
        **updates: ``TransformType=dict(arg=value, ...)``; every transform of
            that type is updated, also inside a wrapper's ``transforms``
            (``TwoViewClips``, ``ClipGroupAugment``). A dict value ``None``
            removes the argument.

    Raises:
        KeyError: a named transform type is not in the pipeline.
    """
    out = copy.deepcopy(list(pipeline))
    for name, change in updates.items():
        hits = [t for t in _transforms_of(out) if t['type'] == name]
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


def sampler_label_keys(sampler):
    """The ``label_keys`` a registered pretext sampler declares (the keys
    of ``results`` its model reads), from its config dict."""
    from mmaction.registry import TRANSFORMS
    cls = TRANSFORMS.get(sampler['type'])
    if cls is None:
        raise KeyError(f'no registered transform {sampler["type"]!r}')
    return tuple(getattr(cls, 'label_keys', ()))


def replace_sampler(pipeline, sampler, algorithm_keys=None,
                    old='SampleFrames'):
    """Copy of a config pipeline with its ``old`` sampler replaced.

    For configs: the pretext's sampler takes the place of ``SampleFrames``
    and ``PackActionInputs`` packs the sampler's labels into each data
    sample: ``algorithm_keys``, by default the ``label_keys`` the sampler
    class declares (none: ``PackActionInputs`` is left alone). Everything
    else (decoder, augmentation) is kept.

    Raises:
        KeyError: the pipeline has no ``old`` transform.
    """
    if algorithm_keys is None:
        algorithm_keys = sampler_label_keys(sampler)
    out, found = [], False
    for t in pipeline:
        t = dict(t)
        if t['type'] == old:
            t, found = dict(sampler), True
        elif t['type'] == 'PackActionInputs' and algorithm_keys:
            t['algorithm_keys'] = tuple(algorithm_keys)
        out.append(t)
    if not found:
        raise KeyError(f'replace_sampler: no {old} in the pipeline '
                       f'({[t["type"] for t in pipeline]})')
    return out


def two_view_pipeline(pipeline, sampler=None, **kwargs):
    """The two-view version of a single-clip training pipeline (a copy).

    ``[init..., sampler, decode, augment..., pack]`` becomes
    ``[init..., TwoViewClips(sampler, decode, augment...), pack]``: the same
    sampling (or ``sampler``) and augmentation, applied to each view. Works
    for video (``DecordInit``, ``DecordDecode``) and raw-frame
    (``RawFrameDecode``) pipelines; usable inside configs. A decoder with
    default arguments becomes ``decoder='auto'``, so that
    :func:`to_rawframes` turns the result into a raw-frame pipeline.

    Args:
        pipeline (list[dict]): the single-clip pipeline.
        sampler (dict, optional): replaces the pipeline's sampler.
        **kwargs: more ``TwoViewClips`` arguments (``differ_keys``, ...).
    """
    pipeline = copy.deepcopy(list(pipeline))
    decode = [i for i, t in enumerate(pipeline) if t['type'].endswith(
        'Decode')]
    if len(decode) != 1 or decode[0] == 0:
        raise ValueError('two_view_pipeline: expected one decode transform '
                         f'after a sampler in {[t["type"] for t in pipeline]}')
    i = decode[0]
    pack = pipeline[-1] if pipeline[-1]['type'].startswith('Pack') else None
    decoder = pipeline[i]
    if decoder in [dict(type=t) for t in AUTO_DECODERS]:
        decoder = 'auto'  # then to_rawframes() converts the pipeline
    view = dict(type='TwoViewClips', sampler=sampler or pipeline[i - 1],
                decoder=decoder,
                transforms=pipeline[i + 1:len(pipeline) - bool(pack)],
                **kwargs)
    return pipeline[:i - 1] + [view] + ([pack] if pack else [])


# the random spatial augmentations that ClipGroupAugment can draw per group
_SPATIAL_AUGMENTS = ('RandomCrop', 'RandomResizedCrop', 'MultiScaleCrop',
                     'Flip', 'ColorJitter', 'ClipColorJitter')


def group_augment(pipeline, groups='each', keep=None):
    """Copy of ``pipeline`` whose random spatial augmentation (the run of
    ``RandomCrop`` / ``Flip`` / ``ColorJitter`` ... after the decoder) is
    drawn per group of clips: wrapped in one ``ClipGroupAugment(groups)``.

    Args:
        pipeline (list[dict]): a multi-clip pipeline (before
            ``FormatShape``, the frames of all clips in one list).
        groups (str | Sequence[Sequence[int]]): ``'each'`` or a partition
            of the clip indices (see ``ClipGroupAugment``).
        keep (Sequence[str], optional): the augmentation types to keep
            (e.g. ``('RandomCrop', )`` for VCOP: crop, no flip or jitter);
            default all.

    Raises:
        KeyError: the pipeline has no such augmentation, or it is split.
    """
    pipeline = copy.deepcopy(list(pipeline))
    where = [i for i, t in enumerate(pipeline)
             if t['type'] in _SPATIAL_AUGMENTS]
    if not where or where != list(range(where[0], where[-1] + 1)):
        raise KeyError('group_augment: expected one run of '
                       f'{_SPATIAL_AUGMENTS} in '
                       f'{[t["type"] for t in pipeline]}')
    augments = [t for t in pipeline[where[0]:where[-1] + 1]
                if keep is None or t['type'] in keep]
    if keep is not None and {t['type'] for t in augments} != set(keep):
        raise KeyError(f'group_augment: keep={tuple(keep)} not all in '
                       f'{[t["type"] for t in pipeline]}')
    groups = groups if groups == 'each' else tuple(map(tuple, groups))
    wrapped = dict(type='ClipGroupAugment', groups=groups,
                   transforms=augments)
    return pipeline[:where[0]] + [wrapped] + pipeline[where[-1] + 1:]


def _loader_with_pipeline(loader, pipeline, **loader_args):
    """A loader update that sets ``pipeline`` in ``loader``'s innermost
    dataset (through ``RepeatDataset``-like ``dataset=`` wrappers)."""
    inner, depth = loader['dataset'], 0
    while 'pipeline' not in inner and 'dataset' in inner:
        inner, depth = inner['dataset'], depth + 1
    update = dict(pipeline=pipeline)
    for _ in range(depth):
        update = dict(dataset=update)
    return dict(**loader_args, dataset=update)


def pretext_data(base, sampler, clip_augment=None, two_view=False,
                 **loader_args):
    """A pretext's training data on a dataset base's pipeline:
    ``(train_pipeline, train_dataloader)``.

    For a leaf config that lists a backbone, a dataset and a method base;
    ``base`` is its ``_base_``. The dataset's ``SampleFrames`` becomes
    ``sampler`` (whose ``label_keys`` ``PackActionInputs`` packs, see
    :func:`replace_sampler`), or with ``two_view`` the sampler, decoder and
    augmentation become auxSKD's ``TwoViewClips`` (:func:`two_view_pipeline`);
    ``clip_augment`` (``dict(groups=..., keep=...)``) draws the random
    augmentation per group of clips (:func:`group_augment`). The loader
    update reaches the dataset inside a ``RepeatDataset`` (UCF101 x10) and
    carries ``loader_args`` (e.g. ``drop_last=True``)::

        train_pipeline, train_dataloader = pretext_data(
            _base_, _base_.vcop_sampler, _base_.vcop_augment)
    """
    if two_view:
        pipeline = two_view_pipeline(base.train_pipeline, sampler=sampler)
    else:
        pipeline = replace_sampler(base.train_pipeline, sampler)
    if clip_augment is not None:
        pipeline = group_augment(pipeline, **clip_augment)
    return pipeline, _loader_with_pipeline(base.train_dataloader, pipeline,
                                           **loader_args)


def gallery_loader(base):
    """The retrieval gallery: the training videos, read as the test videos
    are (10 clips, centre crop): ``base.test_dataloader`` with
    ``base.ann_file_train``::

        gallery_dataloader = gallery_loader(_base_)
    """
    return dict(base.test_dataloader, dataset=dict(
        base.test_dataloader.dataset, ann_file=base.ann_file_train))


def config_variable(path, name):
    """One variable of another config file, for a config that needs a value
    of a config it cannot inherit (their other keys would clash), so that
    the value is written once. In a config, ``{{fileDirname}}`` (mmengine
    fills it in) makes ``path`` relative to the config's folder::

        vcop_sampler = config_variable(
            '{{fileDirname}}/../../_base_/models/vcop.py', 'vcop_sampler')
    """
    from mmengine.config import Config
    return Config.fromfile(path)[name]


def demo_data(base, batch_size=None):
    """The demo's shrink of a real pretext config: ``(train_pipeline,
    train_dataloader)``.

    ``base`` is the ``_base_`` of a demo config that inherits a real
    pretext config and ``_base_/datasets/demo_unlabelled.py``; its training
    pipeline gets the demo's frame geometry (``demo_geometry``, nested
    transforms too) and decoder (``demo_decoder``), its loader the demo's
    settings (``demo_loader``, ``batch_size`` if given) and the unlabelled
    demo split (``demo_unlabelled``)::

        train_pipeline, train_dataloader = demo_data(_base_)
    """
    train_pipeline = set_decoder(
        update_pipeline(base.train_pipeline, **base.demo_geometry),
        base.demo_decoder)
    loader = dict(base.demo_loader)
    if batch_size is not None:
        loader['batch_size'] = batch_size
    train_dataloader = dict(**loader, dataset=dict(
        pipeline=train_pipeline, **base.demo_unlabelled))
    return train_pipeline, train_dataloader


def iter_schedule(max_iters, iters_per_epoch, warmup_ratio=0.05,
                  flat_ratio=0.0):
    """An iteration budget: loop, lr schedule, logging and checkpointing.

    The rule of docs/small_data.md: a small run is set by its number of
    optimiser steps, not by epochs copied from a large dataset. Epochs are
    derived from the budget (``ceil(max_iters / iters_per_epoch)``) so that
    checkpoints, ``--resume`` and the logs keep MMAction2's epoch habits.
    The lr rises linearly over the first ``warmup_ratio`` of the run, from
    1% of the optimiser's lr, stays at the full lr until ``flat_ratio`` of
    the run (if later than the warm-up), then follows a half cosine to 0,
    updated at every step, so that most steps are taken at a useful lr
    (step decays placed for 20 epochs of 33K videos leave a 96-video run at
    lr <= 1e-5 for most of its steps). Use in a config::

        train_cfg, param_scheduler, log_processor, default_hooks = \
            iter_schedule(800, iters_per_epoch=6)  # 96 videos, batch 16

    Args:
        max_iters (int): optimiser steps of the run (rounded up to whole
            epochs).
        iters_per_epoch (int): steps in one epoch (videos / batch size,
            rounded up, or down with ``drop_last``).
        warmup_ratio (float): share of the run spent warming up.
        flat_ratio (float): share of the run before the cosine starts (0:
            right after the warm-up). A task that leaves chance late in the
            run (VSPP's pace on the demo) gets more steps at the full lr.

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
    if not 0 <= flat_ratio < 1:
        raise ValueError('iter_schedule: flat_ratio must be in [0, 1), got '
                         f'{flat_ratio!r}')
    epochs = max(2, -(-max_iters // iters_per_epoch))
    warmup = min(max(1, int(round(epochs * warmup_ratio))), epochs - 1)
    decay = min(max(warmup, int(round(epochs * flat_ratio))), epochs - 1)
    train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=epochs,
                     val_begin=1, val_interval=epochs)
    param_scheduler = [
        dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0,
             end=warmup, convert_to_iter_based=True),
        dict(type='CosineAnnealingLR', T_max=epochs - decay, by_epoch=True,
             begin=decay, end=epochs, convert_to_iter_based=True)
    ]
    log_processor = dict(by_epoch=True)
    default_hooks = dict(
        logger=dict(interval=max(1, epochs * iters_per_epoch // 10)),
        checkpoint=dict(interval=max(1, epochs // 4), save_last=True,
                        max_keep_ckpts=1, save_best=None))
    return train_cfg, param_scheduler, log_processor, default_hooks


_AUGMENTS = ('Flip', 'ColorJitter', 'ClipColorJitter')


def pretext_val(train_pipeline, dataset, tasks, draws=8, batch_size=8):
    """Held-out evaluation of a pretext stage on its own task.

    The training pipeline with its sampler in test mode (a deterministic
    draw per video and seed, start included), ``draws`` seeds per video, a
    centre crop and no flip or colour jitter (a ``ClipGroupAugment``
    becomes its transforms, applied once to all clips), over ``dataset``
    (a split of unlabelled videos that training does not see), scored by
    :class:`PretextAccMetric`. The clips are the same for every recipe and
    run, so accuracies compare. Use in a config::

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

    def deterministic(transforms, seed):
        out = []
        for t in transforms:
            if t['type'] in _AUGMENTS:
                continue
            if t['type'] == 'ClipGroupAugment':
                # no random draw is left to give each group: one pass
                out += deterministic(t['transforms'], seed)
                continue
            if is_sampler(t):
                t.update(test_mode=True, seed=seed, test_start='random')
            elif t['type'] == 'RandomCrop':
                t = dict(type='CenterCrop', crop_size=t['size'])
            out.append(t)
        return out

    def pipeline(seed):
        return deterministic(copy.deepcopy(list(train_pipeline)), seed)

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


def _check_pipeline(pipeline, where, errors, short=None):
    for i, t in enumerate(pipeline):
        loc = f'{where}[{i}]'
        kind = t.get('type')
        if isinstance(t.get('transforms'), (list, tuple)):
            # a wrapper (ClipGroupAugment, TwoViewClips) of per-clip steps
            _check_pipeline(t['transforms'], f'{loc}.transforms', errors,
                            short)
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
