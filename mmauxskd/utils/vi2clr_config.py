"""Vi²CLR's pipelines: two temporal crops to train, one centre clip to cluster.
"""
import copy

from .config_utils import two_view_pipeline

__all__ = ['vi2clr_train_pipeline', 'cluster_pipeline', 'PACK_META_KEYS']

# PackActionInputs' default meta keys plus the dataset index, which the
# model and the clustering hook use to look up / store each video's cluster
PACK_META_KEYS = ('img_shape', 'img_key', 'video_id', 'timestamp',
                  'sample_idx')
# random augmentations the clustering pass leaves out
_RANDOM = ('Flip', 'ColorJitter', 'ClipColorJitter')


def _pack_index(t):
    if t['type'] == 'PackActionInputs':
        t = dict(t, meta_keys=PACK_META_KEYS)
    return t


def vi2clr_train_pipeline(clip_pipeline):
    """The training pipeline from a single-clip one: two temporal crops of
    each video, each augmented on its own (:class:`TwoViewClips` around the
    pipeline's sampler, decoder and augmentation), the dataset index packed
    (``sample_idx``). Usable in configs."""
    return [_pack_index(t) for t in two_view_pipeline(clip_pipeline)]


def cluster_pipeline(train_pipeline):
    """The clustering pass's pipeline from the training one: one
    deterministic clip per video. The ``TwoViewClips`` of the training
    pipeline with one view, its sampler in test mode (``SampleFrames``:
    the centre clip), ``RandomCrop`` -> ``CenterCrop`` and no flip or colour
    jitter; the same decoder. :class:`Vi2CLRClusterHook` uses it by default.
    """
    out = []
    for t in copy.deepcopy(list(train_pipeline)):
        if t['type'] == 'TwoViewClips':
            sampler = dict(t['sampler'], test_mode=True)
            if sampler['type'] == 'SampleFrames':
                sampler['num_clips'] = 1
            steps = []
            for step in t.get('transforms', []):
                if step['type'] in _RANDOM:
                    continue
                if step['type'] == 'RandomCrop':
                    step = dict(type='CenterCrop', crop_size=step['size'])
                steps.append(step)
            t = dict(t, sampler=sampler, transforms=steps, num_views=1,
                     differ_keys=())
        out.append(_pack_index(t))
    if not any(t['type'] == 'TwoViewClips' for t in out):
        raise KeyError('cluster_pipeline: the training pipeline has no '
                       'TwoViewClips (build it with vi2clr_train_pipeline)')
    return out
