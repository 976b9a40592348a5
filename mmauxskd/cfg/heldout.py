"""Held-out evaluation of a pretext stage: its own task, its instance
readout.

A pretext config validates on videos that training does not see, with
deterministic draws of its training pipeline (the same clips for every
recipe and run, so accuracies compare), scored by ``PretextAccMetric``::

    val_dataloader, val_evaluator, val_cfg = pretext_val(
        train_pipeline, _base_.demo_pretext_val, ('pace', 'segment'))

A contrastive or distillation stage (auxSKD, RSPNet, MLFO, Vi²CLR) is also
read out on two views of each held-out video, drawn and augmented as in
training but seeded per video (:func:`instance_pipeline`), scored by
``InstanceRetrievalMetric``: :func:`instance_val` alone, or
``instance_draws`` of :func:`pretext_val` beside the own task::

    val_dataloader, val_evaluator, val_cfg = instance_val(
        train_pipeline, _base_.demo_pretext_val)
"""
import copy

from .decoders import VIDEO_INITS
from .deterministic import deterministic_pipeline, is_pretext_sampler

__all__ = ['pretext_val', 'heldout_val', 'instance_pipeline',
           'instance_val']

#: what the instance readout's samples pack besides PackActionInputs'
#: default meta keys: the video (its dataset index) and the draw's seed
INSTANCE_META_KEYS = ('img_shape', 'img_key', 'video_id', 'timestamp',
                      'sample_idx', 'instance_seed')


def instance_pipeline(train_pipeline, seed=0):
    """The instance readout's pipeline: ``train_pipeline`` (a copy) with
    everything between its video init and its final ``PackActionInputs``
    run in a ``SeededViews(seed)`` (the training draws and augmentation,
    seeded per video), and the video's index and the seed packed::

        >>> instance_pipeline([dict(type='PyAVSeekInit'),
        ...                    dict(type='MultiViewClips', ...),
        ...                    dict(type='PackActionInputs')], seed=1)
        [{'type': 'PyAVSeekInit'},
         {'type': 'SeededViews', 'seed': 1, 'transforms': [
             {'type': 'MultiViewClips', ...}]},
         {'type': 'PackActionInputs', 'meta_keys': (..., 'sample_idx',
                                                    'instance_seed')}]

    Raises:
        KeyError: the pipeline does not end with ``PackActionInputs``.
    """
    pipeline = copy.deepcopy(list(train_pipeline))
    if not pipeline or pipeline[-1]['type'] != 'PackActionInputs':
        raise KeyError('instance_pipeline: the pipeline must end with '
                       f'PackActionInputs ({[t["type"] for t in pipeline]})')
    pack = pipeline[-1]
    keys = tuple(pack.get('meta_keys', INSTANCE_META_KEYS[:4]))
    pack['meta_keys'] = keys + tuple(k for k in INSTANCE_META_KEYS[4:]
                                     if k not in keys)
    # the video's init stays in front (it draws nothing), where
    # set_decoder / to_rawframes / cache_frames look for it
    inits = 0
    while inits < len(pipeline) - 1 and \
            pipeline[inits]['type'] in VIDEO_INITS:
        inits += 1
    return pipeline[:inits] + [
        dict(type='SeededViews', seed=seed,
             transforms=pipeline[inits:-1]), pack]


def heldout_val(pipelines, dataset, tasks, batch_size=8,
                instance_pipelines=()):
    """The validation loader, metrics and loop over ``dataset`` read once
    with each of ``pipelines``, then once with each of
    ``instance_pipelines`` (a ``ConcatDataset`` of one dataset per
    pipeline, in order), scored by ``PretextAccMetric(tasks)`` and, with
    instance pipelines, ``InstanceRetrievalMetric`` (each metric scores its
    own samples); the loader of :func:`pretext_val`, :func:`instance_val`
    and :func:`~mmauxskd.cfg.mlfo_pretext_val`. E.g. two pipelines over a
    split of 4 videos: 8 samples, videos 0-3 through the first pipeline,
    then through the second.

    Args:
        pipelines (list[list[dict]]): one deterministic pipeline per draw.
        dataset (dict): the dataset's ``ann_file``, ``data_prefix`` (and
            any other argument); its type is ``RobustVideoDataset``.
        tasks (tuple[str]): the metric's tasks, e.g. ``('pace',
            'segment')``; empty: no ``PretextAccMetric``.
        batch_size (int): validation batch size.
        instance_pipelines (list[list[dict]]): :func:`instance_pipeline`
            per seed.

    Returns:
        tuple: ``val_dataloader``, ``val_evaluator`` (one metric, or a list
        of both), ``val_cfg``.
    """
    datasets = [dict(dict(type='RobustVideoDataset', **dataset),
                     test_mode=True, pipeline=pipeline)
                for pipeline in list(pipelines) + list(instance_pipelines)]
    if not datasets:
        raise ValueError('heldout_val: no pipeline')
    # _delete_: the pretext schedules set the validation keys to None
    val_dataloader = dict(
        _delete_=True, batch_size=batch_size, num_workers=0,
        persistent_workers=False,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(type='ConcatDataset', datasets=datasets))
    metrics = []
    if tasks:
        metrics.append(dict(type='PretextAccMetric', tasks=tuple(tasks)))
    if instance_pipelines:
        metrics.append(dict(type='InstanceRetrievalMetric'))
    if not metrics:
        raise ValueError('heldout_val: no task and no instance pipeline')
    val_evaluator = dict(_delete_=True, **metrics[0]) if len(metrics) == 1 \
        else metrics
    return val_dataloader, val_evaluator, dict(_delete_=True, type='ValLoop')


def instance_val(train_pipeline, dataset, draws=4, batch_size=8):
    """The instance readout alone (auxSKD, Vi²CLR): ``dataset`` (a split
    of held-out unlabelled videos) read with :func:`instance_pipeline` of
    ``train_pipeline`` for seeds ``0 .. draws - 1``, scored by
    ``InstanceRetrievalMetric`` (:func:`heldout_val`). Each seed draws two
    views of every video (a two-view training pipeline: auxSKD's student
    and teacher views, Vi²CLR's two crops), and each view of a video finds
    its other view among all videos' (chance one over the videos); the
    default 4 seeds give 128 video pairs on the demo's 32 held-out videos
    (256 clips, as VSPP's 8 draws), enough to tell a stage from its random
    initialisation within ~0.07 (:mod:`mmauxskd.evaluation.chance`). Use in
    a config::

        val_dataloader, val_evaluator, val_cfg = instance_val(
            train_pipeline, _base_.demo_pretext_val)

    Returns:
        tuple: ``val_dataloader``, ``val_evaluator``, ``val_cfg``.
    """
    return heldout_val([], dataset, (), batch_size, [
        instance_pipeline(train_pipeline, seed) for seed in range(draws)])


def pretext_val(train_pipeline, dataset, tasks, draws=8, batch_size=8,
                instance_draws=0):
    """Held-out evaluation of a pretext stage on its own task.

    The training pipeline made deterministic
    (:func:`~mmauxskd.cfg.deterministic_pipeline`: its sampler in test
    mode, a deterministic draw per video and seed, start included; a centre
    crop and no flip or colour jitter; a ``ClipGroupAugment`` becomes its
    transforms, applied once to all clips), ``draws`` seeds per video, over
    ``dataset`` (a split of unlabelled videos that training does not see),
    scored by :class:`PretextAccMetric` (:func:`heldout_val`). Use in a
    config::

        val_dataloader, val_evaluator, val_cfg = pretext_val(
            train_pipeline, _base_.demo_pretext_val, ('pace', 'segment'))

    Args:
        train_pipeline (list[dict]): with one mmauxskd pretext sampler.
        dataset (dict): the dataset's ``ann_file``, ``data_prefix`` (and
            any other argument); its type is the training dataset's.
        tasks (tuple[str]): the metric's tasks, e.g. ``('pace',
            'segment')``.
        draws (int): clips per video.
        batch_size (int): validation batch size.
        instance_draws (int): seeds of the instance readout beside the own
            task (:func:`instance_pipeline`; RSPNet's appearance task:
            the anchor and the same-speed clip of each triplet are the two
            views), 0 for none.

    Returns:
        tuple: ``val_dataloader``, ``val_evaluator``, ``val_cfg``.

    Raises:
        KeyError: the pipeline has not exactly one pretext sampler.
    """
    if sum(map(is_pretext_sampler, train_pipeline)) != 1:
        raise KeyError('pretext_val: the pipeline needs exactly one pretext '
                       f'sampler ({[t["type"] for t in train_pipeline]})')
    return heldout_val([deterministic_pipeline(train_pipeline, seed)
                        for seed in range(draws)], dataset, tasks, batch_size,
                       [instance_pipeline(train_pipeline, seed)
                        for seed in range(instance_draws)])
