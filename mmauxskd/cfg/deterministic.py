"""Deterministic versions of training pipelines, from one declaration.

Held-out pretext evaluation (:func:`~mmauxskd.cfg.pretext_val`,
:func:`~mmauxskd.cfg.mlfo_pretext_val`) and Vi²CLR's clustering pass
(:func:`~mmauxskd.cfg.cluster_pipeline`) need the training pipeline without
its randomness. All of them call :func:`deterministic_pipeline`, which
takes the random transforms, and what stands in place of each, from
:data:`RANDOM_TRANSFORMS` alone: a random transform added there is left
out of every deterministic pass::

    >>> deterministic_pipeline([
    ...     dict(type='Resize', scale=(-1, 128)),
    ...     dict(type='RandomCrop', size=112),
    ...     dict(type='Flip', flip_ratio=0.5)])
    [{'type': 'Resize', 'scale': (-1, 128)},
     {'type': 'CenterCrop', 'crop_size': 112}]
"""
import copy

__all__ = ['RANDOM_TRANSFORMS', 'deterministic_pipeline',
           'is_pretext_sampler']


def _drop(transform, rest):
    """Nothing in its place: the frames as they come (flip, colour jitter,
    grey)."""
    return [], rest


def _centre_crop(transform, rest):
    """``RandomCrop(size)`` -> ``CenterCrop(crop_size=size)``: the same
    output size."""
    return [dict(type='CenterCrop', crop_size=transform['size'])], rest


def _centre_resized_crop(transform, rest):
    """``RandomResizedCrop`` and the ``Resize(scale, keep_ratio=False)``
    after it -> ``Resize(scale=(-1, max(scale)))`` and
    ``CenterCrop(crop_size=scale)``: the centre crop of the same output
    size, e.g. ``(112, 112)`` -> short side 112, centre 112 x 112. Without
    such a ``Resize`` the crop's size is random: dropped."""
    if rest and rest[0]['type'] == 'Resize' and not rest[0].get(
            'keep_ratio', True):
        size = rest[0]['scale']
        return [dict(type='Resize', scale=(-1, max(size))),
                dict(type='CenterCrop', crop_size=size)], rest[1:]
    return [], rest


def _unwrap(transform, rest):
    """``ClipGroupAugment(transforms)`` -> its ``transforms``, themselves
    made deterministic: with no random draw left to give each group, one
    pass over all clips does."""
    return [], list(transform['transforms']) + list(rest)


#: The random transforms, by type, and what a deterministic pipeline has in
#: their place: ``replace(transform, rest) -> (replacement, rest)``, with
#: ``rest`` the transforms after it (a replacement may take some of them
#: over; what it hands back in ``rest`` is made deterministic in turn).
RANDOM_TRANSFORMS = {
    'Flip': _drop,
    'ColorJitter': _drop,
    'ClipColorJitter': _drop,
    'FrameRandomGray': _drop,
    'FrameColorJitter': _drop,
    'RandomCrop': _centre_crop,
    'RandomResizedCrop': _centre_resized_crop,
    'ClipGroupAugment': _unwrap,
}


def _registered(transform, base):
    from mmaction.registry import TRANSFORMS
    cls = TRANSFORMS.get(transform['type'])
    return isinstance(cls, type) and issubclass(cls, base)


def is_pretext_sampler(transform):
    """Whether the config dict ``transform`` is one of mmauxskd's pretext
    samplers (a registered ``BasePretextSampler``), e.g. ``True`` for
    ``dict(type='SegmentPaceSampler')``, ``False`` for
    ``dict(type='SampleFrames')``."""
    from ..datasets.transforms.base_sampler import BasePretextSampler
    return _registered(transform, BasePretextSampler)


def _is_sampler(transform):
    """A pretext sampler or MMAction2's ``SampleFrames`` (or a subclass)."""
    from mmaction.datasets.transforms import SampleFrames
    return is_pretext_sampler(transform) or _registered(transform,
                                                        SampleFrames)


def _test_mode(sampler, seed):
    sampler = dict(sampler, test_mode=True)
    if seed is not None and is_pretext_sampler(sampler):
        sampler.update(seed=seed, test_start='random')
    return sampler


def _deterministic(transforms, seed):
    out, todo = [], list(transforms)
    while todo:
        t, todo = todo[0], todo[1:]
        replace = RANDOM_TRANSFORMS.get(t['type'])
        if replace is not None:
            done, todo = replace(t, todo)
            out += done
            continue
        if _is_sampler(t):
            t = _test_mode(t, seed)
        if isinstance(t.get('sampler'), dict):  # MultiViewClips and the like
            t['sampler'] = _test_mode(t['sampler'], seed)
        if isinstance(t.get('transforms'), (list, tuple)):
            t['transforms'] = _deterministic(t['transforms'], seed)
        out.append(t)
    return out


def deterministic_pipeline(pipeline, seed=None):
    """A copy of ``pipeline`` that draws nothing at random.

    Every transform of a type in :data:`RANDOM_TRANSFORMS` is replaced as
    declared there (flip and colour jitter dropped, ``RandomCrop`` ->
    ``CenterCrop``, ``ClipGroupAugment`` unwrapped, ...), also inside a
    wrapper's ``transforms`` (``MultiViewClips``, ``ViewsOfOneDraw``). Every
    sampler (a pretext sampler, ``SampleFrames``, a wrapper's ``sampler``)
    runs in test mode: one deterministic draw per video, with ``seed``
    (pretext samplers only) a different one per seed::

        >>> deterministic_pipeline([dict(type='SegmentPaceSampler'),
        ...                         dict(type='Flip')], seed=3)
        [{'type': 'SegmentPaceSampler', 'test_mode': True, 'seed': 3,
          'test_start': 'random'}]

    Args:
        pipeline (list[dict]): transforms (not modified).
        seed (int, optional): ``None``: the samplers' test-mode draw (the
            centre clip); an int: pretext samplers draw their start at
            random from a per-video generator seeded with ``seed``
            (``test_start='random'``), so that draws with different seeds
            differ and each is the same in every run.

    Returns:
        list[dict]: the deterministic pipeline.
    """
    return _deterministic(copy.deepcopy(list(pipeline)), seed)
