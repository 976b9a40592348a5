"""Flip and colour jitter on the training device: the pipeline side.

A pretext model whose data preprocessor is a ``ClipAugmentPreprocessor``
with ``augments`` flips and jitters the batch itself
(``mmauxskd/models/data_preprocessors/clip_augment.py``); its training
pipeline must then decode, resize and crop only. The preprocessor states
the augmentation as the CPU transforms it replaces, so that
:func:`move_augments` takes exactly those out of a pipeline (checking that
they are there, unchanged, right after the random crop) and
:func:`restore_augments` puts them back (the demo configs, which keep the
augmentation in the loader worker)::

    >>> prep = dict(type='ClipAugmentPreprocessor',
    ...             augments=[dict(type='Flip', flip_ratio=0.5)])
    >>> [t['type'] for t in move_augments(
    ...     [dict(type='RandomCrop', size=112),
    ...      dict(type='Flip', flip_ratio=0.5),
    ...      dict(type='FormatShape', input_format='NCTHW')],
    ...     device_augments(prep))]
    ['RandomCrop', 'FormatShape']

:func:`~mmauxskd.cfg.pretext_data` applies it, and checks that the
preprocessor draws per view and per group as the pipeline would have
(:func:`check_draw_groups`); :func:`~mmauxskd.cfg.check_clip_geometry`
refuses a config that would augment twice.
"""
import copy

from .walk import transforms_of

__all__ = ['DEVICE_AUGMENTS', 'device_augments', 'move_augments',
           'restore_augments', 'check_draw_groups', 'double_augments']

#: the CPU transforms a ``ClipAugmentPreprocessor`` can take over
DEVICE_AUGMENTS = ('Flip', 'ClipColorJitter', 'ColorJitter')
_CROPS = ('RandomCrop', )
_KEY = 'model.data_preprocessor'


def device_augments(preprocessor):
    """The ``augments`` of a ``ClipAugmentPreprocessor`` config (a list of
    transform dicts), ``[]`` for any other preprocessor or none."""
    if not preprocessor or preprocessor.get(
            'type') != 'ClipAugmentPreprocessor':
        return []
    return [dict(a) for a in preprocessor.get('augments', ())]


def _run_after_crop(transforms, augments, where):
    """Index ``i`` of the run ``transforms[i:i + len(augments)] ==
    augments`` that directly follows a random crop, None when ``transforms``
    holds none of them; ValueError when some are there otherwise."""
    n = len(augments)
    found = [i for i, t in enumerate(transforms)
             if t.get('type') in DEVICE_AUGMENTS]
    if not found:
        return None
    i = found[0]
    if (found != list(range(i, i + n)) or i == 0
            or transforms[i - 1].get('type') not in _CROPS
            or [dict(t) for t in transforms[i:i + n]] != augments):
        raise ValueError(
            f'{_KEY}.augments={augments} must be the run of transforms right '
            f'after the random crop of the training pipeline ({where}: '
            f'{[dict(t) for t in transforms]}); the device would draw '
            'other augmentation than the workers did')
    return i


def move_augments(pipeline, augments, where='train_pipeline'):
    """A copy of ``pipeline`` without ``augments`` (transform dicts, e.g.
    ``[Flip(flip_ratio=0.5), ClipColorJitter()]``), which must stand, equal
    and in that order, right after a ``RandomCrop``, at the top level or in
    a wrapper's ``transforms`` (``MultiViewClips``, ``ClipGroupAugment``).

    Raises:
        ValueError: the pipeline does not hold them so (naming
            ``model.data_preprocessor.augments``): the preprocessor would
            augment what the pipeline does not, or differently.
    """
    augments = [dict(a) for a in augments]
    out = copy.deepcopy(list(pipeline))
    moved = []

    def strip(transforms, at):
        i = _run_after_crop(transforms, augments, at)
        if i is not None:
            del transforms[i:i + len(augments)]
            moved.append(at)
        for k, t in enumerate(transforms):
            if isinstance(t.get('transforms'), (list, tuple)):
                t['transforms'] = list(t['transforms'])
                strip(t['transforms'], f'{at}[{k}].transforms')

    strip(out, where)
    if augments and len(moved) != 1:
        raise ValueError(
            f'{_KEY}.augments={augments}: the training pipeline must hold '
            f'them once, right after its random crop; found at {moved} in '
            f'{[t["type"] for t in transforms_of(out)]}')
    return out


def restore_augments(pipeline, augments):
    """A copy of ``pipeline`` with ``augments`` put back right after every
    ``RandomCrop`` (the inverse of :func:`move_augments`)."""
    out = []
    for t in copy.deepcopy(list(pipeline)):
        if isinstance(t.get('transforms'), (list, tuple)):
            t['transforms'] = restore_augments(t['transforms'], augments)
        out.append(t)
        if t.get('type') in _CROPS:
            out.extend(dict(a) for a in augments)
    return out


def _partition(groups, n):
    if groups == 'all':
        return (tuple(range(n)), )
    if groups == 'each':
        return tuple((c, ) for c in range(n))
    return tuple(tuple(g) for g in groups)


def check_draw_groups(preprocessor, num_views, groups, clips):
    """Raise ``ValueError`` naming the key unless ``preprocessor`` draws
    per view and group as the pipeline did: ``num_views`` views of
    ``clips`` clips each (``None``: not known), the clips of a view sharing
    draws as ``groups`` (``'all'``, ``'each'`` or a partition)."""
    have_views = preprocessor.get('num_views', 1)
    if have_views != num_views:
        raise ValueError(
            f'{_KEY}.num_views={have_views}, but the training pipeline '
            f'augments {num_views} view(s) of each video apart: set '
            f'num_views={num_views}')
    have = preprocessor.get('groups', 'all')
    if clips is not None:
        same = _partition(have, clips) == _partition(groups, clips)
    else:
        same = _partition(have, 0) == _partition(groups, 0)
    if not same:
        raise ValueError(
            f'{_KEY}.groups={have!r}, but the training pipeline draws its '
            f'flip and colour jitter per group {groups!r} of a view\'s '
            f'clips: set groups={groups!r}')


def double_augments(preprocessor, pipeline, where):
    """Config keys of ``pipeline`` transforms that the preprocessor also
    applies (a config that would augment twice), e.g.
    ``['train_dataloader.dataset.pipeline[1].transforms[3] (Flip)']``."""
    kinds = {a['type'] for a in device_augments(preprocessor)}
    if kinds & {'ClipColorJitter', 'ColorJitter'}:
        kinds |= {'ClipColorJitter', 'ColorJitter'}
    out = []

    def walk(transforms, at):
        for k, t in enumerate(transforms):
            if t.get('type') in kinds:
                out.append(f'{at}[{k}] ({t["type"]})')
            if isinstance(t.get('transforms'), (list, tuple)):
                walk(t['transforms'], f'{at}[{k}].transforms')

    walk(pipeline, where)
    return out
