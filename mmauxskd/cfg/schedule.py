"""Iteration budgets: a small run set by its optimiser steps.

One helper, :func:`iter_schedule`, returns the loop, lr schedule, logging
and checkpointing of a run of ``max_iters`` steps::

    train_cfg, param_scheduler, log_processor, default_hooks = \
        iter_schedule(800, iters_per_epoch=6)  # 96 videos, batch 16

and :func:`take_off`, the hook that holds such a schedule's full lr until
a pretext task leaves chance (an adaptive budget, up to a cap).
"""
import math

__all__ = ['iter_schedule', 'take_off']


def iter_schedule(max_iters, iters_per_epoch, warmup_ratio=0.05,
                  flat_ratio=0.0):
    """An iteration budget: loop, lr schedule, logging and checkpointing.

    The rule of docs/small_data.md: a small run is set by its number of
    optimiser steps, not by epochs copied from a large dataset. Epochs are
    derived from the budget (``ceil(max_iters / iters_per_epoch)``) so that
    checkpoints, ``--resume`` and the logs keep MMAction2's epoch habits.
    The lr rises linearly over the first ``warmup_ratio`` of the run, from
    1% of the optimiser's lr, stays at the full lr until ``flat_ratio`` of
    the run (if later than the warm-up), then follows a half cosine to 0,
    updated at every step, so that most steps are taken at a useful lr
    (step decays placed for 20 epochs of 33K videos leave a 96-video run at
    lr <= 1e-5 for most of its steps). Use in a config::

        train_cfg, param_scheduler, log_processor, default_hooks = \
            iter_schedule(800, iters_per_epoch=6)  # 96 videos, batch 16

    Args:
        max_iters (int): optimiser steps of the run (rounded up to whole
            epochs).
        iters_per_epoch (int): steps in one epoch (videos / batch size,
            rounded up, or down with ``drop_last``).
        warmup_ratio (float): share of the run spent warming up.
        flat_ratio (float): share of the run before the cosine starts (0:
            right after the warm-up). A task that leaves chance late in the
            run (VSPP's pace on the demo) gets more steps at the full lr.

    Returns:
        tuple: ``train_cfg`` (an ``EpochBasedTrainLoop``, validating once
        at the end), ``param_scheduler``, ``log_processor`` and
        ``default_hooks`` (logger every ~1/10 of the run; a checkpoint every
        quarter of the run and at its end, the last one kept, so a kill
        loses at most a quarter).
    """
    for name, value in (('max_iters', max_iters),
                        ('iters_per_epoch', iters_per_epoch)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f'iter_schedule: {name} must be a positive int, '
                             f'got {value!r}')
    if not 0 <= flat_ratio < 1:
        raise ValueError('iter_schedule: flat_ratio must be in [0, 1), got '
                         f'{flat_ratio!r}')
    epochs = max(2, -(-max_iters // iters_per_epoch))
    warmup = min(max(1, int(round(epochs * warmup_ratio))), epochs - 1)
    decay = min(max(warmup, int(round(epochs * flat_ratio))), epochs - 1)
    train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=epochs,
                     val_begin=1, val_interval=epochs)
    param_scheduler = [
        dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0,
             end=warmup, convert_to_iter_based=True),
        dict(type='CosineAnnealingLR', T_max=epochs - decay, by_epoch=True,
             begin=decay, end=epochs, convert_to_iter_based=True)
    ]
    log_processor = dict(by_epoch=True)
    default_hooks = dict(
        logger=dict(interval=max(1, epochs * iters_per_epoch // 10)),
        checkpoint=dict(interval=max(1, epochs // 4), save_last=True,
                        max_keep_ckpts=1, save_best=None))
    return train_cfg, param_scheduler, log_processor, default_hooks


def take_off(loss, num_classes, max_iters, margin=0.1, window=40):
    """A ``TakeOffHook`` for ``custom_hooks``: hold the full lr of an
    :func:`iter_schedule` run (with ``flat_ratio``) while the training loss
    ``loss``, a cross-entropy over ``num_classes`` classes, is still at
    chance (ln K) when the decay would start, one epoch at a time, up to
    ``max_iters`` steps in all::

        custom_hooks = _base_.custom_hooks + [
            take_off('loss_segment', 4, max_iters=4800)]

    A run whose task left chance before its decay is unchanged
    (docs/small_data.md#the-procedure).
    """
    if not isinstance(num_classes, int) or num_classes < 2:
        raise ValueError(f'take_off: num_classes must be an int >= 2, got '
                         f'{num_classes!r}')
    return dict(type='TakeOffHook', loss=loss, chance=math.log(num_classes),
                max_iters=max_iters, margin=margin, window=window)
