"""A training pipeline's random draws, made the same in every run: seeded
per video.

The instance readout of a contrastive or distillation stage
(:class:`~mmauxskd.evaluation.InstanceRetrievalMetric`) needs two views of
each held-out video drawn as the stage draws them in training (its sampler
and its augmentation: crops, flips, colour jitter), yet the same views in
every run, for every recipe and for the random initialisation it is
compared with. :class:`SeededViews` runs the training pipeline's transforms
with Python's, NumPy's and torch's global generators seeded from ``seed``
and the video, and puts the generators back as they were afterwards::

    dict(type='SeededViews', seed=0, transforms=[
        dict(type='PyAVSeekInit'),
        dict(type='MultiViewClips', sampler=..., transforms=[...])]),
    dict(type='PackActionInputs', meta_keys=(..., 'sample_idx',
                                             'instance_seed'))

The views of one video then differ from each other as two training views do
(each draw advances the seeded generators), and each is the same in every
run; :func:`mmauxskd.cfg.instance_val` builds such a pipeline.
"""
import contextlib
import random

import numpy as np
import torch
from mmcv.transforms import BaseTransform, Compose
from mmaction.registry import TRANSFORMS

from .base_sampler import video_seed

__all__ = ['SeededViews', 'SEED_KEY']

#: the key :class:`SeededViews` writes (its ``seed``): a packed sample that
#: carries it is an instance-readout sample
SEED_KEY = 'instance_seed'


@contextlib.contextmanager
def _seeded(seed, video):
    """Python's, NumPy's and torch's global generators seeded from
    ``(seed, video)`` inside, restored after."""
    states = random.getstate(), np.random.get_state(), torch.get_rng_state()
    random.seed(seed * 2**32 + video)
    np.random.seed([seed, video])
    torch.manual_seed(seed * 2**32 + video)
    try:
        yield
    finally:
        random.setstate(states[0])
        np.random.set_state(states[1])
        torch.set_rng_state(states[2])


@TRANSFORMS.register_module()
class SeededViews(BaseTransform):
    """Run ``transforms`` with the global generators seeded per video.

    Python's ``random``, NumPy's global ``RandomState`` and torch's CPU
    generator are seeded from ``(seed, video)`` (the video by
    :func:`~mmauxskd.datasets.transforms.base_sampler.video_seed`: its last
    two path parts) before the transforms run, and restored after them, so
    the rest of the process draws as if nothing had happened. A pretext
    sampler in training mode draws its ``numpy.random.Generator``'s seed
    from NumPy's global generator, so it is seeded too; the transforms are
    built under a seed of their own (``ColorJitter`` draws the order of its
    operations when built).

    Added keys: those of ``transforms``, and ``instance_seed`` (``seed``).

    Args:
        transforms (list[dict]): the transforms to run (e.g. a training
            pipeline without its ``PackActionInputs``).
        seed (int): one draw of every video per seed. Defaults to 0.
    """

    def __init__(self, transforms, seed=0):
        if not isinstance(seed, (int, np.integer)) or isinstance(
                seed, bool) or not 0 <= seed < 2**31:
            raise ValueError(f'SeededViews: seed must be an int in [0, '
                             f'2**31), got {seed!r}')
        self.seed = int(seed)
        # built seeded too: some transforms draw when built (ColorJitter
        # the order of its operations), which would otherwise depend on
        # when the pipeline was built
        with _seeded(self.seed, 2**32 - 1):
            self.transforms = Compose([
                TRANSFORMS.build(t) if isinstance(t, dict) else t
                for t in transforms])

    def transform(self, results):
        with _seeded(self.seed, video_seed(results)):
            results = self.transforms(results)
        if results is not None:
            results[SEED_KEY] = self.seed
        return results

    def __repr__(self):
        return (f'{self.__class__.__name__}(seed={self.seed}, '
                f'transforms={self.transforms})')
