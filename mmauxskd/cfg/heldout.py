"""Held-out evaluation of a pretext stage on its own task.

A pretext config validates on videos that training does not see, with
deterministic draws of its training pipeline (the same clips for every
recipe and run, so accuracies compare), scored by ``PretextAccMetric``::

    val_dataloader, val_evaluator, val_cfg = pretext_val(
        train_pipeline, _base_.demo_pretext_val, ('pace', 'segment'))
"""
from .deterministic import deterministic_pipeline, is_pretext_sampler

__all__ = ['pretext_val', 'heldout_val']


def heldout_val(pipelines, dataset, tasks, batch_size=8):
    """The validation loader, metric and loop over ``dataset`` read once
    with each of ``pipelines`` (a ``ConcatDataset`` of one dataset per
    pipeline, in order), scored by ``PretextAccMetric(tasks)``; the
    loader of :func:`pretext_val` and :func:`~mmauxskd.cfg.mlfo_pretext_val`.
    E.g. two pipelines over a split of 4 videos: 8 samples, videos 0-3
    through the first pipeline, then through the second.

    Args:
        pipelines (list[list[dict]]): one deterministic pipeline per draw.
        dataset (dict): the dataset's ``ann_file``, ``data_prefix`` (and
            any other argument); its type is ``RobustVideoDataset``.
        tasks (tuple[str]): the metric's tasks, e.g. ``('pace',
            'segment')``.
        batch_size (int): validation batch size.

    Returns:
        tuple: ``val_dataloader``, ``val_evaluator``, ``val_cfg``.
    """
    datasets = [dict(dict(type='RobustVideoDataset', **dataset),
                     test_mode=True, pipeline=pipeline)
                for pipeline in pipelines]
    # _delete_: the pretext schedules set the validation keys to None
    val_dataloader = dict(
        _delete_=True, batch_size=batch_size, num_workers=0,
        persistent_workers=False,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(type='ConcatDataset', datasets=datasets))
    val_evaluator = dict(_delete_=True, type='PretextAccMetric',
                         tasks=tuple(tasks))
    return val_dataloader, val_evaluator, dict(_delete_=True, type='ValLoop')


def pretext_val(train_pipeline, dataset, tasks, draws=8, batch_size=8):
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

    Returns:
        tuple: ``val_dataloader``, ``val_evaluator``, ``val_cfg``.

    Raises:
        KeyError: the pipeline has not exactly one pretext sampler.
    """
    if sum(map(is_pretext_sampler, train_pipeline)) != 1:
        raise KeyError('pretext_val: the pipeline needs exactly one pretext '
                       f'sampler ({[t["type"] for t in train_pipeline]})')
    return heldout_val([deterministic_pipeline(train_pipeline, seed)
                        for seed in range(draws)], dataset, tasks, batch_size)
