"""Editing config pipelines: derive a variant instead of copying a list.

mmengine replaces lists wholesale when a child config overrides them, so a
variant that only changes a crop size would have to copy a whole pipeline.
Inside a config, ``_base_`` is the parent's ConfigDict; these helpers derive
a pipeline from it instead::

    from mmauxskd.cfg import update_pipeline
    train_pipeline = update_pipeline(
        _base_.train_pipeline, RandomCrop=dict(size=32))

(mmengine drops imported functions from the final config.)
"""
import copy

from .decoders import AUTO_DECODERS
from .walk import transforms_of

__all__ = ['update_pipeline', 'sampler_label_keys', 'replace_sampler',
           'multi_view_pipeline', 'group_augment']


def update_pipeline(pipeline, **updates):
    """Copy of ``pipeline`` with the arguments of some transforms changed.

    Example: ``update_pipeline(p, RandomCrop=dict(size=32),
    Flip=dict(flip_ratio=None))`` sets every ``RandomCrop``'s ``size`` to
    32 and removes every ``Flip``'s ``flip_ratio``.

    Args:
        pipeline (list[dict]): transforms.
        **updates: ``TransformType=dict(arg=value, ...)``; every transform of
            that type is updated, also inside a wrapper's ``transforms``
            (``MultiViewClips``, ``ClipGroupAugment``). A dict value ``None``
            removes the argument.

    Raises:
        KeyError: a named transform type is not in the pipeline.
    """
    out = copy.deepcopy(list(pipeline))
    for name, change in updates.items():
        hits = [t for t in transforms_of(out) if t['type'] == name]
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
    of ``results`` its model reads), from its config dict, e.g.
    ``('pace_label', 'segment_label')`` for
    ``dict(type='SegmentPaceSampler', ...)``."""
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
    else (decoder, augmentation) is kept::

        train_pipeline = replace_sampler(
            _base_.train_pipeline, dict(type='SegmentPaceSampler'))

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


def multi_view_pipeline(pipeline, sampler=None, **kwargs):
    """The two-view version of a single-clip training pipeline (a copy).

    ``[init..., sampler, decode, augment..., pack]`` becomes
    ``[init..., MultiViewClips(sampler, decode, augment...), pack]``: the same
    sampling (or ``sampler``) and augmentation, applied to each view. Works
    for video (``DecordInit``, ``DecordDecode``) and raw-frame
    (``RawFrameDecode``) pipelines; usable inside configs. A decoder with
    default arguments becomes ``decoder='auto'``, so that
    :func:`~mmauxskd.cfg.to_rawframes` turns the result into a raw-frame
    pipeline.

    Args:
        pipeline (list[dict]): the single-clip pipeline.
        sampler (dict, optional): replaces the pipeline's sampler.
        **kwargs: more ``MultiViewClips`` arguments (``differ_keys``, ...).
    """
    pipeline = copy.deepcopy(list(pipeline))
    decode = [i for i, t in enumerate(pipeline) if t['type'].endswith(
        'Decode')]
    if len(decode) != 1 or decode[0] == 0:
        raise ValueError('multi_view_pipeline: expected one decode transform '
                         f'after a sampler in {[t["type"] for t in pipeline]}')
    i = decode[0]
    pack = pipeline[-1] if pipeline[-1]['type'].startswith('Pack') else None
    decoder = pipeline[i]
    if decoder in [dict(type=t) for t in AUTO_DECODERS]:
        decoder = 'auto'  # then to_rawframes() converts the pipeline
    view = dict(type='MultiViewClips', sampler=sampler or pipeline[i - 1],
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

    Example: ``[..., Resize, RandomCrop, Flip, FormatShape, ...]`` with
    ``keep=('RandomCrop', )`` becomes ``[..., Resize,
    ClipGroupAugment('each', [RandomCrop]), FormatShape, ...]``.

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
