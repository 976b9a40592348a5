"""Hold the full lr until a pretext task leaves chance (an adaptive budget).

A small pretext run sits at chance for a while, then its loss falls within
a few hundred steps (docs/small_data.md: ~400 steps on the demo's videos,
~2,000 or more on cluttered ones). A fixed schedule that starts its decay
before that moment ends the run at chance. This hook moves the start of
the decay (and the end of the run) later, one epoch at a time, for as long
as the watched training loss is still at its chance level, up to a cap.
"""
from collections import deque

import torch
from mmengine import dist
from mmengine.hooks import Hook
from mmaction.registry import HOOKS

__all__ = ['TakeOffHook']


@HOOKS.register_module()
class TakeOffHook(Hook):
    r"""Extend the full-lr phase until the watched loss leaves chance.

    Works with the schedule of :func:`~mmauxskd.cfg.iter_schedule`
    (warm-up, full lr, then a decay; by epoch, converted to iterations).
    When training reaches the decay's first step, the hook reads the mean
    of the watched training loss over the last ``window`` steps (averaged
    over ranks, so that every rank decides the same). If that mean is
    still above ``chance - margin``, the decay and the end of the run move
    one epoch later and the check repeats at the next epoch's end, until
    the loss leaves chance or the run would exceed ``max_iters``; the
    decay then runs as configured, for its configured number of steps.
    A run whose task leaves chance before the decay starts is not changed
    at all, nor is a run without a decay (``param_scheduler=[]``) or one
    already as long as the cap (both logged).

    For a cross-entropy over :math:`K` classes the chance level is
    :math:`\ln K` (VSPP's segment task: :math:`\ln 4 = 1.386`).

    The extension is stored in each checkpoint (``meta['take_off']``, the
    schedulers' own state carries their moved steps), so ``--resume``
    continues the same run.

    Args:
        loss (str): the key of the watched loss in the model's loss dict.
        chance (float): its value at chance.
        margin (float): how far below chance the windowed mean must be
            for the task to count as left. Defaults to 0.1.
        window (int): steps averaged. Defaults to 40.
        max_iters (int): the run's cap in optimiser steps, extension
            included.

    Raises:
        ValueError: a bad argument, named, when built.
        KeyError: at the first step, when the model does not log ``loss``.
    """

    priority = 'NORMAL'  # before ParamSchedulerHook (LOW) steps the lr

    def __init__(self, loss, chance, max_iters, margin=0.1, window=40):
        if not isinstance(loss, str) or not loss:
            raise ValueError(f'TakeOffHook: loss must be a loss key, got '
                             f'{loss!r}')
        if not (isinstance(chance, (int, float)) and chance > 0):
            raise ValueError(f'TakeOffHook: chance must be a positive loss '
                             f'value, got {chance!r}')
        if not (isinstance(margin, (int, float)) and 0 < margin < chance):
            raise ValueError(f'TakeOffHook: margin must be in (0, chance), '
                             f'got {margin!r}')
        if not (isinstance(window, int) and window >= 1):
            raise ValueError(f'TakeOffHook: window must be a positive int, '
                             f'got {window!r}')
        if not (isinstance(max_iters, int) and max_iters >= 1):
            raise ValueError(f'TakeOffHook: max_iters must be a positive int, '
                             f'got {max_iters!r}')
        self.loss = loss
        self.chance = float(chance)
        self.margin = float(margin)
        self.window = window
        self.max_iters = max_iters
        self.recent = deque(maxlen=window)
        self.extended_epochs = 0
        self.decided = False

    # the schedule ---------------------------------------------------------
    def _decay(self, runner):
        """The scheduler that starts the decay (the one beginning last), or
        None when every scheduler starts at step 0."""
        schedulers = runner.param_schedulers
        if isinstance(schedulers, dict):
            raise TypeError('TakeOffHook: one optimiser only (got '
                            f'schedulers for {sorted(schedulers)})')
        later = [s for s in schedulers or [] if s.begin > 0]
        return max(later, key=lambda s: s.begin) if later else None

    def before_train(self, runner):
        decay = self._decay(runner)
        if decay is None:
            # e.g. param_scheduler=[] from --cfg-options: a constant lr
            self.decided = True
            runner.logger.warning(
                'TakeOffHook: no lr decay after a full-lr phase in this '
                'run\'s param_scheduler; nothing to hold')
            return
        if decay.by_epoch:
            raise ValueError('TakeOffHook: the decay must be updated by '
                             'iteration (convert_to_iter_based=True)')
        if runner.train_loop.max_iters >= self.max_iters and \
                not self.extended_epochs:
            # a run made longer than the cap (--cfg-options): its own length
            self.decided = True
            runner.logger.info(
                f'TakeOffHook: the run\'s {runner.train_loop.max_iters} steps '
                f'reach its cap of {self.max_iters}; nothing to hold')

    def _still_at_chance(self):
        mean = sum(self.recent) / max(1, len(self.recent))
        stats = torch.tensor([mean, float(len(self.recent))],
                             dtype=torch.float64)
        if dist.get_world_size() > 1:
            stats = stats.to(dist.get_comm_device())
            dist.all_reduce(stats)  # mean over ranks
            stats = stats.cpu() / dist.get_world_size()
        mean, count = float(stats[0]), float(stats[1])
        return count < self.window or mean > self.chance - self.margin, mean

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if outputs is not None and self.loss not in outputs:
            raise KeyError(
                f'TakeOffHook: loss={self.loss!r} is not among the model\'s '
                f'losses ({", ".join(sorted(outputs))})')
        if outputs is not None:
            self.recent.append(float(outputs[self.loss]))
        if self.decided:
            return
        decay = self._decay(runner)
        step = runner.iter + 1  # the step the schedulers are about to set
        if step != decay.begin:
            return
        at_chance, mean = self._still_at_chance()
        loop = runner.train_loop
        per_epoch = len(loop.dataloader)
        if not at_chance:
            self.decided = True
            runner.logger.info(
                f'TakeOffHook: {self.loss} left chance (mean {mean:.3f} over '
                f'the last {len(self.recent)} steps < {self.chance:.3f} - '
                f'{self.margin}); the decay starts at step {step}'
                + (f', {self.extended_epochs * per_epoch} steps later than '
                   'configured' if self.extended_epochs else ''))
            return
        if loop.max_iters + per_epoch > self.max_iters:
            self.decided = True
            runner.logger.warning(
                f'TakeOffHook: {self.loss} still at chance (mean {mean:.3f}) '
                f'at step {step} and the run is at its cap of '
                f'{self.max_iters} steps; the decay starts now')
            return
        if not self.extended_epochs:
            runner.logger.info(
                f'TakeOffHook: {self.loss} still at chance (mean {mean:.3f} '
                f'over the last {len(self.recent)} steps) at step {step}: '
                'the full lr is held one epoch at a time until it leaves '
                f'chance (the run may grow to {self.max_iters} steps)')
        self._extend(runner, decay, 1)

    def _extend(self, runner, decay, epochs):
        per_epoch = len(runner.train_loop.dataloader)
        decay.begin += epochs * per_epoch
        decay.end += epochs * per_epoch
        self.extended_epochs += epochs
        _lengthen(runner.train_loop, epochs)

    # resume ---------------------------------------------------------------
    def before_save_checkpoint(self, runner, checkpoint):
        checkpoint.setdefault('meta', {})['take_off'] = dict(
            extended_epochs=self.extended_epochs, decided=self.decided,
            recent=list(self.recent))

    def after_load_checkpoint(self, runner, checkpoint):
        state = checkpoint.get('meta', {}).get('take_off')
        if not state:
            return
        self.recent = deque(state['recent'], maxlen=self.window)
        self.decided = state['decided']
        self.extended_epochs = state['extended_epochs']
        # the schedulers' state (loaded after this hook) carries their moved
        # begin / end; the loop's length is restored here
        _lengthen(runner.train_loop, self.extended_epochs)


def _lengthen(loop, epochs):
    """``loop`` (an ``EpochBasedTrainLoop``) ``epochs`` longer, validating
    once, at its new end."""
    if epochs:
        loop._max_epochs += epochs
        loop._max_iters = loop._max_epochs * len(loop.dataloader)
        loop.val_interval = loop._max_epochs
