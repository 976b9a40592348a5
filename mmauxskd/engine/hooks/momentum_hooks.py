"""The two per-iteration steps of auxSKD's Algorithm 1 that are not the loss.

Both hooks act on the (unwrapped) model, whose state (teacher, memory bank)
is in its state dict, so checkpoints and ``--resume`` carry it. They drive
the public protocol of the blocks in :mod:`mmauxskd.models.utils`: a model
with momentum encoders has ``momentum`` (its base m) and
``momentum_update(m)``, which calls :meth:`MomentumEncoder.update` on each
of them with its online module; every :class:`FeatureQueue` of a model
pushes the keys its model handed to ``enqueue_later``. AuxSKD and RSPNet
(and any later algorithm built on the blocks) follow it.
"""
import math

from mmengine.hooks import Hook
from mmaction.registry import HOOKS

from ...models.utils import enqueue_all_pending
from ...utils.model import unwrap_model


@HOOKS.register_module()
class MomentumTeacherHook(Hook):
    """EMA update of the teacher, theta_T <- m theta_T + (1 - m) theta_S.

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
        momentum (float, optional): base m; defaults to the model's
            ``momentum`` (0.999 in the configs).
        schedule (str): ``'constant'`` or ``'cosine'`` (BYOL: m rises from
            the base to ``end_momentum`` along a half cosine over the run,
            ``m_t = end - (end - base) * (1 + cos(pi t / T)) / 2`` with t the
            iteration and T the run's iterations). Defaults to 'constant'.
        end_momentum (float): final m of the cosine schedule. Defaults to 1.
    """

    priority = 'ABOVE_NORMAL'

    def __init__(self, momentum=None, schedule='constant', end_momentum=1.0):
        if schedule not in ('constant', 'cosine'):
            raise ValueError(f'unknown momentum schedule {schedule!r}')
        for m in (momentum, end_momentum):
            if m is not None and not 0 <= m <= 1:
                raise ValueError(f'momentum must be in [0, 1], got {m}')
        self.momentum = momentum
        self.schedule = schedule
        self.end_momentum = end_momentum

    def get_momentum(self, base, cur_iter, max_iters):
        """m at iteration ``cur_iter`` (0-based) of ``max_iters``."""
        if self.schedule == 'constant' or not max_iters:
            return base
        progress = min(cur_iter / max_iters, 1.0)
        return self.end_momentum - (self.end_momentum - base) * (
            1 + math.cos(math.pi * progress)) / 2

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        model = unwrap_model(runner.model)
        if not hasattr(model, 'momentum_update'):
            raise TypeError(f'{type(model).__name__} has no momentum_update()'
                            ': MomentumTeacherHook is for models with a '
                            'momentum encoder (AuxSKD, RSPNet)')
        base = model.momentum if self.momentum is None else self.momentum
        m = self.get_momentum(base, runner.iter, runner.max_iters)
        model.momentum_update(m)
        runner.message_hub.update_scalar('train/teacher_momentum', m)


@HOOKS.register_module()
class AnchorQueueHook(Hook):
    """Enqueue the batch's teacher embeddings (keys) after the step.

    Algorithm 1, step 9: the loss of a batch uses the memory bank as it was
    before the batch; then the batch's teacher embeddings ``z_T`` go in and
    the oldest anchors leave. The model's forward hands ``z_T`` to its
    queue's ``enqueue_later``; this hook calls ``enqueue_pending`` on every
    :class:`FeatureQueue` of the model after the optimizer step (which does
    not read the queue) and before the checkpoint hook (lower priority)
    saves, so a checkpoint always holds the queue that the next iteration
    will use. With several processes the embeddings of all ranks are
    gathered in rank order so that every rank holds the same queue.
    """

    priority = 'ABOVE_NORMAL'

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        model = unwrap_model(runner.model)
        if not enqueue_all_pending(model)[0]:
            raise TypeError(f'{type(model).__name__} has no FeatureQueue: '
                            'AnchorQueueHook is for models with a queue '
                            '(AuxSKD, RSPNet)')
