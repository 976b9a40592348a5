"""The two per-iteration steps of a momentum method that are not the loss:
the EMA update of the momentum encoder and the enqueue of the step's keys
(auxSKD's Algorithm 1, steps 6 and 9; MoCo's momentum update and
``_dequeue_and_enqueue``).

Both hooks act on the :class:`~mmauxskd.models.utils.MomentumContrast`
blocks of the (unwrapped) model, whose state (EMA copy, queue) is in the
model's state dict, so checkpoints and ``--resume`` carry it. The block's
docstring gives the protocol a model follows to be driven by them.
"""
import math

from mmengine.hooks import Hook
from mmaction.registry import HOOKS

from ...models.utils import check_momentum, momentum_contrasts
from ...utils.model import unwrap_model


def _blocks(runner, hook):
    model = unwrap_model(runner.model)
    blocks = momentum_contrasts(model)
    if not blocks:
        raise TypeError(f'{type(model).__name__} has no MomentumContrast: '
                        f'{hook} is for models with a momentum encoder and '
                        'queue (AuxSKD, RSPNet)')
    return blocks


@HOOKS.register_module()
class MomentumTeacherHook(Hook):
    """EMA update of the momentum encoder, theta_T <- (1 - momentum) theta_T
    + momentum theta_S, before each training iteration.

    ``momentum`` is the online (student) weight, 1 - m, as in mmengine's
    ``ExponentialMovingAverage`` and mmpretrain's ``CosineEMA``.

    Algorithm 1 updates the teacher at step 6, after the student forward and
    before the teacher forward, with the student weights of the current
    iteration. Those weights are the ones the previous iteration's optimizer
    step left: the student forward does not change them (only the loss's
    backward and the optimizer step, at step 10, do). Updating in
    ``before_train_iter`` therefore averages exactly the same student
    weights, and the teacher forward, which comes after, sees the same
    teacher. (BN running statistics do change in the student forward; the
    teacher copies them, but in training mode it normalises with batch
    statistics, so its output is the same.) Every rank holds the same
    student after DDP's gradient all-reduce and the same teacher, so the
    update keeps the teacher identical on every rank with no communication.

    Args:
        momentum (float, optional): base online weight in [0, 0.5];
            defaults to each block's ``momentum`` (the model's, 0.001 in
            the configs).
        schedule (str): ``'constant'`` or ``'cosine'`` (BYOL; mmpretrain's
            ``CosineEMA``: the weight falls from the base to
            ``end_momentum`` along a half cosine over the run,
            ``w_t = end - (end - base) * (1 + cos(pi t / T)) / 2`` with t
            the iteration and T the run's iterations). Defaults to
            'constant'.
        end_momentum (float): final online weight of the cosine schedule.
            Defaults to 0 (m = 1, a frozen copy at the end).
    """

    priority = 'ABOVE_NORMAL'

    def __init__(self, momentum=None, schedule='constant', end_momentum=0.):
        if schedule not in ('constant', 'cosine'):
            raise ValueError(f'unknown momentum schedule {schedule!r}')
        if momentum is not None:
            check_momentum(momentum, 'MomentumTeacherHook.momentum')
        check_momentum(end_momentum, 'MomentumTeacherHook.end_momentum')
        self.momentum = momentum
        self.schedule = schedule
        self.end_momentum = end_momentum

    def get_momentum(self, base, cur_iter, max_iters):
        """Online weight at iteration ``cur_iter`` (0-based) of
        ``max_iters``."""
        if self.schedule == 'constant' or not max_iters:
            return base
        progress = min(cur_iter / max_iters, 1.0)
        return self.end_momentum - (self.end_momentum - base) * (
            1 + math.cos(math.pi * progress)) / 2

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        for block in _blocks(runner, 'MomentumTeacherHook'):
            base = block.momentum if self.momentum is None else self.momentum
            momentum = self.get_momentum(base, runner.iter, runner.max_iters)
            block.update(momentum)
        runner.message_hub.update_scalar('train/ema_momentum', momentum)


@HOOKS.register_module()
class AnchorQueueHook(Hook):
    """Enqueue the batch's momentum-encoder embeddings (keys) after the
    step.

    Algorithm 1, step 9: the loss of a batch uses the memory bank as it was
    before the batch; then the batch's teacher embeddings ``z_T`` go in and
    the oldest anchors leave. The model's forward hands them to its block's
    ``enqueue_later``; this hook calls ``enqueue_pending`` on every block
    after the optimizer step (which does not read the queue) and before the
    checkpoint hook (lower priority) saves, so a checkpoint always holds the
    queue that the next iteration will use. With several processes the
    embeddings of all ranks are gathered in rank order so that every rank
    holds the same queue.
    """

    priority = 'ABOVE_NORMAL'

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        blocks = [b for b in _blocks(runner, 'AnchorQueueHook')
                  if b.queue is not None]
        if not blocks:
            raise TypeError('the momentum blocks of the model have no queue: '
                            'AnchorQueueHook is for models with one')
        for block in blocks:
            block.enqueue_pending()
