"""A momentum (EMA) copy of an online encoder: auxSKD's teacher, MoCo's and
RSPNet's key encoder, BYOL's target network."""
import torch
from mmengine.model import ExponentialMovingAverage

__all__ = ['MomentumEncoder', 'check_ema_weight']


def check_ema_weight(momentum, key='momentum'):
    """``momentum`` if it lies in [0, 1], else ``ValueError`` naming
    ``key``."""
    if not 0 <= momentum <= 1:
        raise ValueError(f'{key} must be in [0, 1], got {momentum}')
    return momentum


class MomentumEncoder(ExponentialMovingAverage):
    r"""A frozen copy of ``online`` that follows it by an exponential moving
    average (MoCo, He et al. 2020, Eq. 2, written with ``momentum`` = 1 - m):

    .. math::

        \theta_k \leftarrow (1 - \mathrm{momentum})\,\theta_k
            + \mathrm{momentum}\,\theta_q

    ``momentum`` is the weight of the online encoder, as in mmengine's
    :class:`ExponentialMovingAverage` (this class's base, whose state
    layout it keeps: ``module.*``, the copy; ``steps``, the number of
    updates) and mmpretrain's ``base_momentum`` / ``CosineEMA``: the
    papers' m = 0.999 is ``momentum=0.001``. ``momentum`` is the default
    of :meth:`update` and is never changed by it.

    Differences from mmengine's ``update_parameters``: every update is the
    formula, the first one too (mmengine copies the online model at its
    first update; here the copy is taken at construction and by
    :meth:`copy_from`, so weights loaded into the online encoder later reach
    the copy only through the average); parameters are averaged with one
    fused ``lerp`` (``lerp(theta_k, theta_q, momentum)``); buffers (BN
    running statistics) are copied from the online encoder; ``momentum``
    may be 0 (a frozen copy) or 1 (the online weights).

    :meth:`require_update` lets a training forward fail when no update ran
    since the previous step (see :class:`MomentumContrast`, the block the
    hooks drive).

    ``online`` may be any module, e.g. ``nn.Sequential(backbone, neck)``
    built on demand from the algorithm's own modules (storing it would
    register them twice), or an ``nn.ModuleDict`` of an encoder and several
    heads. :meth:`update` must get a module with the same structure.

    Args:
        online (nn.Module): the module to copy and follow.
        momentum (float): the online encoder's weight in [0, 1], used when
            :meth:`update` gets none. Defaults to 0.001 (m = 0.999).
    """

    def __init__(self, online, momentum=0.001):
        check_ema_weight(momentum)
        # mmengine asserts 0 < momentum < 1 (and warns above 0.5); the
        # bounds are valid here, so hand it a placeholder and set ours
        super().__init__(online, momentum=momentum
                         if 0 < momentum <= 0.5 else 0.5)
        self.momentum = momentum
        self.fresh = False  # update() ran since the last require_update()

    @torch.no_grad()
    def copy_from(self, online):
        """Make the copy equal to ``online`` (after its initialisation)."""
        self.module.load_state_dict(online.state_dict())

    @torch.no_grad()
    def update(self, online, momentum=None):
        """One EMA step towards ``online``'s current weights.

        Args:
            online (nn.Module): the online module (same structure).
            momentum (float, optional): the online weight of this step;
                defaults to ``self.momentum``. 0 leaves the parameters.
        """
        weight = check_ema_weight(self.momentum if momentum is None
                                  else momentum)
        mine = list(self.module.parameters())
        theirs = list(online.parameters())
        if len(mine) != len(theirs):
            raise ValueError(f'online module has {len(theirs)} parameters, '
                             f'the momentum copy {len(mine)}')
        if weight != 0:
            torch._foreach_lerp_(mine, theirs, weight)
        for buf, src in zip(self.module.buffers(), online.buffers()):
            buf.copy_(src)
        self.steps += 1
        self.fresh = True

    def update_parameters(self, model):
        """mmengine's API, with this class's formula (:meth:`update`)."""
        self.update(model)

    def require_update(self, hook='MomentumTeacherHook'):
        """Raise unless :meth:`update` ran since the previous call.

        A training step calls it once, before using the copy, so that a run
        without ``hook`` fails instead of training against a frozen copy.
        """
        if not self.fresh:
            raise RuntimeError(
                f'the momentum encoder was not updated before this step: '
                f'add dict(type="{hook}") to custom_hooks (or call '
                'update_momentum_encoders(model))')
        self.fresh = False

    def extra_repr(self):
        return f'momentum={self.momentum}'
