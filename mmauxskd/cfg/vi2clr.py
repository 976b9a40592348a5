"""Vi²CLR's pipelines: two temporal crops to train, one centre clip to
cluster, the middle frame of each video for the image-side probes.

::

    train_pipeline = vi2clr_train_pipeline(clip_pipeline)
    # [DecordInit, MultiViewClips(SampleFrames, DecordDecode, [Resize,
    #  RandomCrop, Flip, ClipColorJitter, FormatShape]), PackActionInputs]
    cluster_pipeline(train_pipeline)
    # [DecordInit, MultiViewClips(SampleFrames(test_mode, num_clips=1), ...,
    #  [Resize, CenterCrop, FormatShape], num_views=1), PackActionInputs]
    (train_pipeline, val_pipeline, test_pipeline, train_dataloader,
     val_dataloader, test_dataloader) = midframe_data(_base_)
    # a video dataset base's pipelines and loaders, one frame per video
"""
from .deterministic import deterministic_pipeline
from .pipeline import multi_view_pipeline, update_pipeline

__all__ = ['vi2clr_train_pipeline', 'cluster_pipeline', 'PACK_META_KEYS',
           'midframe_data']

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


def midframe_data(base, batch_size=64):
    """The middle frame of each video as one image, for the 2D encoder's
    probes without ImageNet: a video dataset base's pipelines with
    ``SampleFrames`` taking one 1-frame clip in test mode (the middle frame,
    also when training) and ``FormatShape('NCHW')``, and its loaders with
    them (training and validation in batches of ``batch_size``). In a
    config that lists the dataset base (e.g. ``ucf101_split1_videos.py``)::

        (train_pipeline, val_pipeline, test_pipeline, train_dataloader,
         val_dataloader, test_dataloader) = midframe_data(_base_)

    Returns:
        tuple: the three pipelines, then the three loaders.
    """
    frame = dict(SampleFrames=dict(clip_len=1, num_clips=1, test_mode=True),
                 FormatShape=dict(input_format='NCHW'))
    pipelines = [update_pipeline(base[f'{split}_pipeline'], **frame)
                 for split in ('train', 'val', 'test')]
    loaders = []
    for split, pipeline in zip(('train', 'val', 'test'), pipelines):
        loader = base[f'{split}_dataloader']
        loaders.append(dict(
            loader, dataset=dict(loader['dataset'], pipeline=pipeline),
            **({} if split == 'test' else dict(batch_size=batch_size))))
    return (*pipelines, *loaders)
