"""MLFO's pipelines: the authors' per-view augmentation, training views,
held-out instance discrimination.

::

    train_pipeline = mlfo_pipeline(_base_.train_pipeline, clip_size=112)
    # [DecordInit, ViewsOfOneDraw(MLFOWindowSampler, num_views=3,
    #  [Resize, *mlfo_transforms(112)]), PackActionInputs]
    val_dataloader, val_evaluator, val_cfg = mlfo_pretext_val(
        train_pipeline, _base_.demo_pretext_val)
"""
import copy

from .deterministic import deterministic_pipeline, is_pretext_sampler
from .heldout import heldout_val, instance_pipeline
from .pipeline import multi_view_pipeline

__all__ = ['mlfo_transforms', 'mlfo_pipeline', 'mlfo_pretext_val']


def mlfo_transforms(clip_size=112, colour=True):
    """The authors' per-view augmentation: random sized crop (area 0.5-1,
    ratio 3/4-4/3) -> ``clip_size`` square, flip, per-frame grey (p 0.5),
    per-frame colour jitter (0.5, 0.5, 0.5, 0.25), ``FormatShape``; e.g.
    ``mlfo_transforms(32)[1] == dict(type='Resize', scale=(32, 32),
    keep_ratio=False)``.

    ``colour=False`` leaves out the grey and the colour jitter (crop and
    flip only): the demo's recipe, where a video's colours are nearly all
    that tells it from another and the colour augmentation kept the
    instance loss near chance (docs/mlfo.md, "Demo")."""
    colour_augment = [
        dict(type='FrameRandomGray', p=0.5),
        dict(type='FrameColorJitter', brightness=0.5, contrast=0.5,
             saturation=0.5, hue=0.25)] if colour else []
    return [
        dict(type='RandomResizedCrop', area_range=(0.5, 1.0),
             aspect_ratio_range=(3 / 4, 4 / 3)),
        dict(type='Resize', scale=(clip_size, clip_size), keep_ratio=False),
        dict(type='Flip', flip_ratio=0.5),
        *colour_augment,
        dict(type='FormatShape', input_format='NCTHW')]


def mlfo_pipeline(pipeline, clip_size=112,
                  sampler=dict(type='MLFOWindowSampler', clip_len=16)):
    """MLFO's training pipeline from a single-clip one (a copy; usable in
    configs): its init, decoder, short-side ``Resize`` and packing kept,
    the sampler and augmentation replaced by ``ViewsOfOneDraw(sampler,
    [Resize, *mlfo_transforms(clip_size)])`` (see the module docstring)."""
    views = multi_view_pipeline(pipeline)
    resize = [t for t in pipeline if t['type'] == 'Resize'][:1]
    return [dict(t, type='ViewsOfOneDraw', num_views=3,
                 sampler=copy.deepcopy(sampler),
                 transforms=copy.deepcopy(resize) + mlfo_transforms(clip_size))
            if t['type'] == 'MultiViewClips' else t for t in views]


def mlfo_pretext_val(train_pipeline, dataset, draws=4, batch_size=8,
                     instance_draws=0):
    """Held-out instance discrimination for an MLFO pipeline.

    :func:`~mmauxskd.cfg.heldout_val`'s loader (``draws`` deterministic
    draws per held-out video, ``PretextAccMetric``) for the
    ``ViewsOfOneDraw`` pipeline made deterministic
    (:func:`~mmauxskd.cfg.deterministic_pipeline`): its sampler in test
    mode with a per-draw seed, the random resized crop replaced by the
    centre crop of the same output size, no flip, grey or colour jitter.
    Task ``instance``: is the nearest second clip (in the validation batch)
    of a video's first clip its own? (``MLFO.predict``; chance one over the
    batch size). Use in a config (see the module docstring).
    ``instance_draws`` seeds of the instance readout beside it
    (:func:`~mmauxskd.cfg.instance_pipeline`: the two short clips of a
    training draw, augmented as in training, seeded per video; each finds
    its video's other clip among all held-out videos'), 0 for none; the
    own task's within-batch comparison leaves those samples out.

    Raises:
        KeyError: the pipeline has not exactly one ``ViewsOfOneDraw``, or
            its sampler is not a pretext sampler.
    """
    views = [t for t in train_pipeline if t['type'] == 'ViewsOfOneDraw']
    if len(views) != 1:
        raise KeyError('mlfo_pretext_val: the pipeline needs one '
                       'ViewsOfOneDraw')
    if not is_pretext_sampler(views[0]['sampler']):
        raise KeyError('mlfo_pretext_val: the ViewsOfOneDraw needs a '
                       f'pretext sampler ({views[0]["sampler"]["type"]})')
    return heldout_val([deterministic_pipeline(train_pipeline, seed)
                        for seed in range(draws)], dataset, ('instance', ),
                       batch_size, [instance_pipeline(train_pipeline, seed)
                                    for seed in range(instance_draws)])
