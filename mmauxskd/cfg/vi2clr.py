"""Vi²CLR's pipelines: two temporal crops to train, one centre clip to
cluster.

::

    train_pipeline = vi2clr_train_pipeline(clip_pipeline)
    # [DecordInit, MultiViewClips(SampleFrames, DecordDecode, [Resize,
    #  RandomCrop, Flip, ClipColorJitter, FormatShape]), PackActionInputs]
    cluster_pipeline(train_pipeline)
    # [DecordInit, MultiViewClips(SampleFrames(test_mode, num_clips=1), ...,
    #  [Resize, CenterCrop, FormatShape], num_views=1), PackActionInputs]
"""
from .deterministic import deterministic_pipeline
from .pipeline import multi_view_pipeline

__all__ = ['vi2clr_train_pipeline', 'cluster_pipeline', 'PACK_META_KEYS']

# PackActionInputs' default meta keys plus the dataset index, which the
# model and the clustering hook use to look up / store each video's cluster
PACK_META_KEYS = ('img_shape', 'img_key', 'video_id', 'timestamp',
                  'sample_idx')


def _pack_index(t):
    if t['type'] == 'PackActionInputs':
        t = dict(t, meta_keys=PACK_META_KEYS)
    return t


def vi2clr_train_pipeline(clip_pipeline):
    """The training pipeline from a single-clip one: two temporal crops of
    each video, each augmented on its own (:class:`MultiViewClips` around the
    pipeline's sampler, decoder and augmentation), the dataset index packed
    (``sample_idx``). Usable in configs (see the module docstring)."""
    return [_pack_index(t) for t in multi_view_pipeline(clip_pipeline)]


def cluster_pipeline(train_pipeline):
    """The clustering pass's pipeline from the training one: one
    deterministic clip per video. The training pipeline made deterministic
    (:func:`~mmauxskd.cfg.deterministic_pipeline`: samplers in test mode,
    ``RandomCrop`` -> ``CenterCrop``, no flip or colour jitter; the same
    decoder), its ``MultiViewClips`` with one view (``SampleFrames``: the
    centre clip). :class:`Vi2CLRClusterHook` uses it by default (see the
    module docstring).

    Raises:
        KeyError: the training pipeline has no ``MultiViewClips``.
    """
    out = []
    for t in deterministic_pipeline(train_pipeline):
        if t['type'] == 'MultiViewClips':
            if t['sampler']['type'] == 'SampleFrames':
                t['sampler']['num_clips'] = 1
            t.update(num_views=1, differ_keys=())
        out.append(_pack_index(t))
    if not any(t['type'] == 'MultiViewClips' for t in out):
        raise KeyError('cluster_pipeline: the training pipeline has no '
                       'MultiViewClips (build it with vi2clr_train_pipeline)')
    return out
