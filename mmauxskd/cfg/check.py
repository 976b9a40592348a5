"""A build-time check of clip geometry, naming the config key at fault.

``tools/train.py`` and ``tools/test.py`` run :func:`check_clip_geometry`
on the loaded config, so that e.g. ``RandomCrop(size=128)`` after
``Resize(scale=(-1, 112))`` fails before any data is read::

    invalid config:
      train_dataloader.dataset.pipeline[4].size=128 is larger than the
      short side 112 left by the Resize before
"""
from .device import double_augments
from .walk import loader_datasets

__all__ = ['check_clip_geometry', 'check_loader_batches']


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
            # a wrapper (ClipGroupAugment, MultiViewClips) of per-clip steps
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
    keep-ratio ``Resize`` leaves; no training transform is one that the
    model's ``ClipAugmentPreprocessor`` also applies (flip or colour jitter
    twice). Samplers of mmauxskd validate themselves when built.

    Raises:
        ValueError: listing every problem with its config key.
    """
    errors = []
    for split, dataset in loader_datasets(cfg):
        _check_pipeline(dataset['pipeline'],
                        f'{split}_dataloader.dataset.pipeline', errors)
        if split == 'train':
            preprocessor = (cfg.get('model') or {}).get('data_preprocessor')
            errors += [
                f'{key} is also applied by model.data_preprocessor.augments '
                '(the batch would be augmented twice)'
                for key in double_augments(
                    preprocessor, dataset['pipeline'],
                    f'{split}_dataloader.dataset.pipeline')]
    for split in ('train', 'val', 'test'):
        if cfg.get(f'{split}_dataloader'):
            _positive_int(cfg[f'{split}_dataloader'], 'batch_size',
                          f'{split}_dataloader', errors)
    if errors:
        raise ValueError('invalid config:\n  ' + '\n  '.join(errors))


def check_loader_batches(dataloader, key='train_dataloader'):
    """Fail early, naming sizes, when a built loader yields no batch.

    A dataset smaller than one batch with ``drop_last=True`` gives a loader
    of length 0, which mmengine reports much later as ``epoch_length must
    be a positive integer`` (an epoch-based scheduler) or which trains
    nothing. ``tools/train.py`` calls this on the built training loader.

    Args:
        dataloader (torch.utils.data.DataLoader): the built loader.
        key (str): its config key, for the message.

    Raises:
        ValueError: the loader has no batch; the message gives the dataset
            size (per rank when a sampler shards it), ``batch_size`` and
            ``drop_last``.
    """
    if len(dataloader) > 0:
        return
    batch_sampler = getattr(dataloader, 'batch_sampler', None)
    batch_size = dataloader.batch_size or getattr(
        batch_sampler, 'batch_size', None)
    drop_last = dataloader.drop_last if dataloader.batch_size else getattr(
        batch_sampler, 'drop_last', None)
    size = len(dataloader.dataset)
    sampler = getattr(dataloader, 'sampler', None)
    per_rank = len(sampler) if sampler is not None else size
    ranks = f' ({per_rank} per rank)' if per_rank != size else ''
    why = ('drop_last=True drops the only, incomplete batch' if drop_last
           else 'the sampler gives no sample')
    raise ValueError(
        f'{key} yields no batch: its dataset has {size} sample(s){ranks}, '
        f'{key}.batch_size is {batch_size}, and {why}. Use a list with at '
        f'least {batch_size} entries per rank, a smaller batch_size, or '
        'drop_last=False (mmengine would otherwise fail later with '
        '"epoch_length must be a positive integer")')
