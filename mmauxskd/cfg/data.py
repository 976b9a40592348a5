"""Training data for pretext and demo configs: pipeline plus loader.

Each helper returns what a leaf config assigns, derived from its
``_base_`` so that the leaf stays a few lines::

    train_pipeline, train_dataloader = pretext_data(
        _base_, _base_.vcop_sampler, _base_.vcop_augment)
    gallery_dataloader = gallery_loader(_base_)
"""
import copy

from .decoders import cache_frames, to_rawframes
from .device import (check_draw_groups, device_augments, move_augments,
                     restore_augments)
from .pipeline import (group_augment, multi_view_pipeline, replace_sampler,
                       update_pipeline)

__all__ = ['pretext_data', 'demo_data', 'gallery_loader', 'config_variable',
           'config_variables', 'frame_loaders']


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
    augmentation become auxSKD's ``MultiViewClips`` (:func:`multi_view_pipeline`);
    ``clip_augment`` (``dict(groups=..., keep=...)``) draws the random
    augmentation per group of clips (:func:`group_augment`). The loader
    update reaches the dataset inside a ``RepeatDataset`` (UCF101 x10) and
    carries ``loader_args`` (e.g. ``drop_last=True``)::

        train_pipeline, train_dataloader = pretext_data(
            _base_, _base_.vcop_sampler, _base_.vcop_augment)

    When the model's data preprocessor flips and jitters on the device
    (``ClipAugmentPreprocessor`` with ``augments``), those transforms leave
    the pipeline (:func:`~mmauxskd.cfg.move_augments`: the workers decode,
    resize and crop), after checking that the preprocessor draws per view
    (``num_views``: 2 with ``two_view``) and per group of clips
    (``groups``: ``clip_augment``'s, else ``'all'``) as the pipeline would
    have; a mismatch raises ``ValueError`` naming the key.
    """
    if two_view:
        pipeline = multi_view_pipeline(base.train_pipeline, sampler=sampler)
    else:
        pipeline = replace_sampler(base.train_pipeline, sampler)
    if clip_augment is not None:
        pipeline = group_augment(pipeline, **clip_augment)
    preprocessor = base.get('model', {}).get('data_preprocessor')
    augments = device_augments(preprocessor)
    if augments:
        groups = 'all' if clip_augment is None else clip_augment.get(
            'groups', 'each')
        check_draw_groups(preprocessor, 2 if two_view else 1, groups,
                          _clips_per_view(sampler))
        pipeline = move_augments(pipeline, augments)
    return pipeline, _loader_with_pipeline(base.train_dataloader, pipeline,
                                           **loader_args)


def _clips_per_view(sampler):
    """Clips a sampler config draws per sample (``clips_per_sample`` of a
    built pretext sampler, ``num_clips`` of ``SampleFrames``), None if not
    known."""
    from mmaction.registry import TRANSFORMS
    if sampler['type'] == 'SampleFrames':
        return sampler.get('num_clips', 1)
    try:
        built = TRANSFORMS.build(copy.deepcopy(dict(sampler)))
    except Exception:  # the sampler's own build reports it later
        return None
    return getattr(built, 'clips_per_sample', None)


def gallery_loader(base):
    """The retrieval gallery: the training videos, read as the test videos
    are (10 clips, centre crop): ``base.test_dataloader`` with
    ``base.ann_file_train``::

        gallery_dataloader = gallery_loader(_base_)
    """
    return dict(base.test_dataloader, dataset=dict(
        base.test_dataloader.dataset, ann_file=base.ann_file_train))


def config_variable(path, name, **changes):
    """One variable of another config file, for a config that needs a value
    of a config it does not inherit (bases inherit nothing, and a leaf's
    bases may not share a key), so that the value is written once. In a
    config, ``{{fileDirname}}`` (mmengine fills it in) makes ``path``
    relative to the config's folder::

        vcop_sampler = config_variable(
            '{{fileDirname}}/../../_base_/models/vcop.py', 'vcop_sampler')

    ``changes`` are merged into the value as a config inheriting it would
    merge them (nested dicts key by key, ``_delete_=True`` replaces)::

        train_dataloader = config_variable(
            '{{fileDirname}}/k400_videos.py', 'train_dataloader',
            dataset=dict(ann_file=ann_file_train))
    """
    return config_variables(path, name, **{name: changes} if changes else {})[0]


def config_variables(path, *names, **changes):
    """Several variables of one config file (read once), as a tuple in the
    order of ``names``; ``changes`` maps a name to the changes merged into
    its value (see :func:`config_variable`)::

        dataset_type, train_pipeline, train_dataloader = config_variables(
            '{{fileDirname}}/ucf101_split1_videos.py', 'dataset_type',
            'train_pipeline', 'train_dataloader',
            train_dataloader=dict(batch_size=8))
    """
    from mmengine.config import Config
    unknown = set(changes) - set(names)
    if unknown:
        raise KeyError(f'config_variables: changes for {sorted(unknown)}, '
                       f'which are not among the names read {names}')
    cfg = Config.fromfile(path)
    values = []
    for name in names:
        value = cfg[name]
        if name in changes:
            value = Config._merge_a_into_b(
                copy.deepcopy(changes[name]), copy.deepcopy(value))
        values.append(value)
    return tuple(values)


def frame_loaders(path, data_root, ann_file_train, ann_file_test):
    """The training, validation and test loaders of the video dataset
    config ``path``, reading extracted JPEG frames instead (MMAction2's
    layout, lists "dir total_frames label"): ``RobustRawframeDataset`` on
    ``data_root`` (``data_prefix.img``), the frame lists, and each pipeline
    through :func:`~mmauxskd.cfg.to_rawframes` (the same sampling and
    augmentation, decoding only the frames a clip uses)::

        train_dataloader, val_dataloader, test_dataloader = frame_loaders(
            '{{fileDirname}}/ucf101_split1_videos.py', data_root,
            ann_file_train, ann_file_test)
    """
    from mmengine.config import Config
    loaders = config_variables(path, 'train_dataloader', 'val_dataloader',
                               'test_dataloader')
    out = []
    for loader, ann_file in zip(loaders, (ann_file_train, ann_file_test,
                                          ann_file_test)):
        frames = dict(dataset=dict(
            type='RobustRawframeDataset', ann_file=ann_file,
            data_prefix=dict(_delete_=True, img=data_root),
            pipeline=to_rawframes(loader['dataset']['pipeline'])))
        out.append(Config._merge_a_into_b(frames, copy.deepcopy(loader)))
    return tuple(out)


def demo_data(base, batch_size=None):
    """The demo's shrink of a real pretext config: ``(train_pipeline,
    train_dataloader)``.

    ``base`` is the ``_base_`` of a demo config that inherits a real
    pretext config and ``_base_/datasets/demo_unlabelled.py``; its training
    pipeline gets the demo's frame geometry (``demo_geometry``, nested
    transforms too; the decoder stays the real config's, PyAV, with its
    frames kept in memory where ``demo_cache`` says so: :func:`cache_frames`),
    its loader the demo's settings (``demo_loader``, ``batch_size`` if given)
    and the unlabelled demo split (``demo_unlabelled``). Flip and colour
    jitter that the real config moved to its model's
    ``ClipAugmentPreprocessor`` come back into the pipeline
    (:func:`~mmauxskd.cfg.restore_augments`), since the demo keeps them in
    its loader worker (``demo_preprocessor``, which a demo's model takes,
    augments nothing)::

        train_pipeline, train_dataloader = demo_data(_base_)
    """
    train_pipeline = update_pipeline(base.train_pipeline,
                                     **base.demo_geometry)
    augments = device_augments(base.get('model', {}).get(
        'data_preprocessor'))
    if augments:
        train_pipeline = restore_augments(train_pipeline, augments)
    if base.get('demo_cache', False):
        train_pipeline = cache_frames(train_pipeline)
    loader = dict(base.demo_loader)
    if batch_size is not None:
        loader['batch_size'] = batch_size
    train_dataloader = dict(**loader, dataset=dict(
        pipeline=train_pipeline, **base.demo_unlabelled))
    return train_pipeline, train_dataloader

