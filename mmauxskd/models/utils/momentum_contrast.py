"""The momentum branch of auxSKD, RSPNet and any MoCo-like method: an EMA
copy of the online encoder and a queue of its embeddings, with the update
and enqueue protocol that :class:`MomentumTeacherHook` and
:class:`AnchorQueueHook` drive."""
import torch.nn as nn

from .feature_queue import FeatureQueue
from .momentum_encoder import MomentumEncoder

__all__ = ['MomentumContrast', 'check_momentum', 'momentum_contrasts',
           'update_momentum_encoders']


def check_momentum(momentum, key='momentum'):
    """``momentum`` (the online weight, 1 - m) if it lies in [0, 0.5].

    A value above 0.5 is almost surely the papers' m (0.999), the old
    convention: ``ValueError`` naming ``key`` and suggesting 1 - value.
    """
    if not 0 <= momentum <= 0.5:
        hint = (f'; it is the online weight 1 - m (mmengine / mmpretrain '
                f'convention), so for m = {momentum} set {key}='
                f'{1 - momentum:.6g}') if 0.5 < momentum <= 1 else ''
        raise ValueError(f'{key} must be in [0, 0.5], got {momentum}{hint}')
    return momentum


class MomentumContrast(nn.Module):
    r"""EMA encoder + queue: the momentum branch of a self-supervised model.

    Owns ``encoder``, a :class:`MomentumEncoder` (theta_k <- (1 - momentum)
    theta_k + momentum theta_q, MoCo Eq. 2 with momentum = 1 - m), and,
    when ``queue_size`` is given, ``queue``, a :class:`FeatureQueue` of
    ``queue_size`` x ``feat_dim`` keys. State-dict keys under the host's
    attribute: ``encoder.module.*``, ``encoder.steps``, ``queue.bank``,
    ``queue.ptr``.

    Protocol (AuxSKD and RSPNet follow it; a third method needs nothing
    else):

    1. ``__init__``: build the online modules, then
       ``self.momentum_contrast = MomentumContrast(self.online, momentum,
       queue_size, feat_dim)``, where ``self.online()`` returns the online
       encoder built on demand (e.g. ``nn.Sequential(self.backbone,
       self.neck)``; storing it would register its parameters twice). The
       copy is made before the queue's random bank is drawn.
    2. ``init_weights``: after the online modules are initialised,
       :meth:`reset` makes the copy equal to them.
    3. Training forward: :meth:`require_hooks` (fails if a hook did not
       run), the keys from ``encoder`` (or ``encoder.module``) under
       ``torch.no_grad()``, the loss against ``queue.bank`` as it was
       before the step, then :meth:`enqueue_later` with this batch's keys
       ``(N, feat_dim)``.
    4. :class:`MomentumTeacherHook` calls :meth:`update` on every block of
       the model before each training iteration (with the block's
       ``momentum`` or a schedule of it); :class:`AnchorQueueHook` calls
       :meth:`enqueue_pending` after the optimizer step, which gathers the
       keys of all ranks in rank order.

    Args:
        online (callable): returns the online encoder (a module with the
            structure of the copy) with its current weights; a bound method
            of the host, so that deep copies and pickles of the host keep
            pointing at their own modules (a lambda would not).
        momentum (float): online weight of the EMA, 1 - m, in [0, 0.5];
            e.g. 0.001 for the papers' m = 0.999.
        queue_size (int, optional): keys in the queue; None: no queue
            (BYOL-like methods).
        feat_dim (int, optional): key size; needed with ``queue_size``.
        key (str): the config key of ``momentum``, for error messages.
            Defaults to 'momentum'.
    """

    def __init__(self, online, momentum, queue_size=None, feat_dim=None,
                 key='momentum'):
        super().__init__()
        self.online = online
        self.momentum = check_momentum(momentum, key)
        self.encoder = MomentumEncoder(online(), momentum)
        self.queue = None if queue_size is None else \
            FeatureQueue(queue_size, feat_dim)

    def forward(self, x):
        """The momentum encoder's output for ``x`` (no gradient flows:
        its parameters are frozen; call it under ``torch.no_grad()``)."""
        return self.encoder(x)

    def reset(self):
        """Make the copy equal to the online encoder (after its
        ``init_weights``)."""
        self.encoder.copy_from(self.online())

    def update(self, momentum=None):
        """One EMA step towards the online encoder's current weights.

        Args:
            momentum (float, optional): online weight of this step;
                defaults to ``self.momentum``.
        """
        self.encoder.update(self.online(), momentum)

    def require_hooks(self):
        """Raise if the previous step's keys were not enqueued or the
        encoder was not updated since (the hooks did not run)."""
        if self.queue is not None:
            self.queue.require_enqueued()
        self.encoder.require_update()

    def enqueue_later(self, keys):
        """Keep this rank's ``keys`` (N, feat_dim) for
        :meth:`enqueue_pending`."""
        self.queue.enqueue_later(keys)

    def enqueue_pending(self):
        """Push the kept keys of all ranks; returns how many (0 without a
        queue or kept keys)."""
        return 0 if self.queue is None else self.queue.enqueue_pending()

    def extra_repr(self):
        return f'momentum={self.momentum}'


def momentum_contrasts(model):
    """The :class:`MomentumContrast` blocks of ``model``, in module
    order."""
    return [m for m in model.modules() if isinstance(m, MomentumContrast)]


def update_momentum_encoders(model, momentum=None):
    """:meth:`MomentumContrast.update` on every block of ``model`` (what
    :class:`MomentumTeacherHook` does with a constant momentum); returns
    the number of blocks."""
    blocks = momentum_contrasts(model)
    for block in blocks:
        block.update(momentum)
    return len(blocks)
